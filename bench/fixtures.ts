// The benchmark's data, written as SQL into its own local D1 after the demo seed: every
// demo student with an account (e-mail and second password set), 100 finished
// applications for the student whose 申請一覧 is measured, and two applications for each
// of the 1,000 students for the end-to-end crediting run. Those are paid for real at the
// KOMOJU twin: a konbini (Lawson) payment each, with the application's id as its
// external_order_num, paid at the store while the twin's webhooks are paused; the
// application holds the twin's payment id, as 申請 would have stored it. The service clock
// (and every twin's) is pinned to 12:00 JST today, away from M.I.C.'s nightly stop. The
// certificates run's 1,000 orders (one 在学証明書 each, 電子) are paid the same way and
// written as 申請 writes an order (application, certificate_orders, certificate_lines).
import {
  DEMO2_STUDENT,
  DEMO2_UNIVERSITY,
  DEMO_CERTIFICATE_SETTINGS,
  DEMO_UNIVERSITY,
  demoStudents,
} from '../src/db/demo.ts'
import { hashSecret, sqlValue as q } from '../scripts/secrets.ts'

export const SECOND_PASSWORD = 'bench-second-pass'
export const LIST_STUDENT = 'demo0001'
export const LIST_SIZE = 100
export const CREDIT_STUDENTS = 1000
export const CREDITS_PER_STUDENT = 2
/** The method the crediting run's applications were paid with. */
export const CREDIT_METHOD = 'cvs_lawson'
/** The demo merchant at the KOMOJU twin (HTTP Basic user). */
export const KOMOJU_SECRET_KEY = 'sk_test_demo'

/** One application of the crediting run, and (once made) its captured KOMOJU payment. */
export interface CreditFixture {
  applicationId: number
  /** students.id */
  student: number
  userId: string
  amount: number
  paymentId?: string
}

const JST = 9 * 3600_000
const DAY = 86_400_000

export const noonJstOffset = (now = Date.now()) =>
  Math.floor((now + JST) / DAY) * DAY - JST + 12 * 3600_000 - now

const APPLICATION_COLUMNS =
  'id, university_id, student_id, amount, payment_method, status, request_key, provider, provider_payment_id, payment_deadline, paid_at, credit_status, credited_at, created_at, updated_at'

/**
 * The students, the 申請一覧 student's 100 finished applications and the service clock, as
 * SQL; and the crediting run's applications (numbered after those), still to be paid.
 */
export const benchFixtures = async (pepper: string, clockOffsetMs: number) => {
  const now = Date.now() + clockOffsetMs
  const u = DEMO_UNIVERSITY.id
  const secondHash = await hashSecret(SECOND_PASSWORD, pepper)
  const people = demoStudents()
  const lines = [
    `INSERT INTO dev_settings (key, value) VALUES ('clock_offset_ms', ${q(String(clockOffsetMs))}) ON CONFLICT(key) DO UPDATE SET value = excluded.value;`,
  ]
  people.forEach((p, i) =>
    lines.push(
      `INSERT INTO students (id, university_id, user_id, name_kana, email, second_password_hash, created_at) VALUES (${i + 1}, ${q(u)}, ${q(p.userId)}, ${q(p.nameKana)}, ${q(`${p.userId}@student.demo-u.example`)}, ${q(secondHash)}, ${now});`,
    ),
  )
  const listStudent = people.findIndex((p) => p.userId === LIST_STUDENT) + 1
  let id = 0
  for (let i = 0; i < LIST_SIZE; i++) {
    id++
    const at = now - (LIST_SIZE - i) * 60_000
    lines.push(
      `INSERT INTO applications (${APPLICATION_COLUMNS}) VALUES (${id}, ${q(u)}, ${listStudent}, ${1000 + (i % 10) * 100}, 'credit_card', 'paid', ${q(`bench-${id}`)}, 'komoju', ${q(`pay_bench_${id}`)}, ${at + DAY}, ${at}, 'credited', ${at}, ${at}, ${at});`,
    )
  }
  const credits: CreditFixture[] = []
  for (let round = 0; round < CREDITS_PER_STUDENT; round++)
    for (let s = 1; s <= CREDIT_STUDENTS; s++)
      credits.push({
        applicationId: ++id,
        student: s,
        userId: people[s - 1]!.userId,
        amount: 500 + ((s * 7 + round * 3) % 30) * 100,
      })
  return { sql: lines.join('\n') + '\n', credits, listApplication: 1, now, nextId: id + 1 }
}

// ---- The certificates run: paid orders issued end to end ----
/** Orders in the certificates run, each of one certificate. */
export const CERTIFICATE_ORDERS = 1000
/** What each order is: one 在学証明書 in Japanese, one copy, delivered as a PDF (電子). */
export const CERTIFICATE_LINE = { type: 'enrolment', language: 'ja', copies: 1 } as const
/** Its fee, as the demo university's catalogue sets it (the application's amount). */
export const CERTIFICATE_FEE = (() => {
  const item = DEMO_CERTIFICATE_SETTINGS.catalogue.find((i) => i.type === CERTIFICATE_LINE.type)
  if (!item || item.fee <= 0)
    throw new Error(`the demo catalogue has no paid ${CERTIFICATE_LINE.type}`)
  return item.fee
})()

/**
 * The certificates run's orders (ids from `firstId`), one per student the registrar would
 * issue an 在学証明書 to (`eligible`: user ids, as the registrar twin lists them: enrolled,
 * no hold), round-robin when there are fewer students than orders.
 */
export const certificateFixtures = (firstId: number, eligible: readonly string[]) => {
  const people = demoStudents()
  const ids = new Map(people.map((p, i) => [p.userId, i + 1]))
  // Not the student whose 申請一覧 is measured: the page keeps the rows it is measured with.
  const students = eligible.filter((u) => ids.has(u) && u !== LIST_STUDENT)
  if (students.length === 0) throw new Error('no student the registrar would issue to')
  return Array.from({ length: CERTIFICATE_ORDERS }, (_, i): CreditFixture => {
    const userId = students[i % students.length]!
    return {
      applicationId: firstId + i,
      student: ids.get(userId)!,
      userId,
      amount: CERTIFICATE_FEE,
    }
  })
}

/**
 * The certificates run's orders as SQL, as 申請 (flows/certificates.ts placeOrder) records
 * one: an application of kind certificate awaiting payment of its captured KOMOJU payment,
 * its delivery (電子, no recipient, ordered on `siteOrigin`) and its one line.
 */
export const certificateOrdersSql = (orders: CreditFixture[], now: number, siteOrigin: string) =>
  orders
    .flatMap((o) => {
      if (!o.paymentId) throw new Error(`order ${o.applicationId} has no KOMOJU payment`)
      const u = q(DEMO_UNIVERSITY.id)
      return [
        `INSERT INTO applications (${APPLICATION_COLUMNS}, kind, quantity, lang) VALUES (${o.applicationId}, ${u}, ${o.student}, ${o.amount}, ${q(CREDIT_METHOD)}, 'awaiting_payment', ${q(`bench-cert-${o.applicationId}`)}, 'komoju', ${q(o.paymentId)}, ${now + 7 * DAY}, NULL, 'none', NULL, ${now}, ${now}, 'certificate', ${CERTIFICATE_LINE.copies}, 'ja');`,
        `INSERT INTO certificate_orders (application_id, university_id, student_id, delivery, site_origin, sealed, postage) VALUES (${o.applicationId}, ${u}, ${o.student}, 'pdf', ${q(siteOrigin)}, 0, 0);`,
        `INSERT INTO certificate_lines (application_id, type, language, copies, unit_fee) VALUES (${o.applicationId}, ${q(CERTIFICATE_LINE.type)}, ${q(CERTIFICATE_LINE.language)}, ${CERTIFICATE_LINE.copies}, ${CERTIFICATE_FEE});`,
      ]
    })
    .join('\n') + '\n'

/**
 * The crediting run's applications as SQL, each awaiting payment of the KOMOJU payment
 * made for it (which is already captured at the twin, its webhook not yet sent).
 */
export const creditApplicationsSql = (credits: CreditFixture[], now: number) =>
  credits
    .map((c) => {
      if (!c.paymentId) throw new Error(`application ${c.applicationId} has no KOMOJU payment`)
      return `INSERT INTO applications (${APPLICATION_COLUMNS}) VALUES (${c.applicationId}, ${q(DEMO_UNIVERSITY.id)}, ${c.student}, ${c.amount}, ${q(CREDIT_METHOD)}, 'awaiting_payment', ${q(`bench-${c.applicationId}`)}, 'komoju', ${q(c.paymentId)}, ${now + 7 * DAY}, NULL, 'none', NULL, ${now}, ${now});`
    })
    .join('\n') + '\n'

/** JSON from a twin (its API or its admin API); anything but 2xx is an error. */
const twinCall = async (
  base: string,
  method: string,
  path: string,
  body?: unknown,
  auth?: string,
) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth ? { authorization: `Basic ${Buffer.from(`${auth}:`).toString('base64')}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok)
    throw new Error(`${method} ${base}${path} answered ${res.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text) as Record<string, unknown>
}

/**
 * Pays for each application at the KOMOJU twin (`komoju`: its base URL): a konbini payment
 * with the application's id as external_order_num, created through KOMOJU's API with the
 * demo merchant's key, then paid at the store through the admin API. The twin's webhook
 * deliveries are paused first (and stay paused): the benchmark sends the webhooks itself.
 * Sets each fixture's paymentId.
 */
export const payAtTwin = async (komoju: string, credits: CreditFixture[], concurrency = 8) => {
  await twinCall(komoju, 'PUT', '/_twin/settings', { paused: true })
  let next = 0
  const worker = async () => {
    for (let i = next++; i < credits.length; i = next++) {
      const c = credits[i]!
      const p = await twinCall(
        komoju,
        'POST',
        '/api/v1/payments',
        {
          amount: c.amount,
          currency: 'JPY',
          external_order_num: String(c.applicationId),
          payment_details: {
            type: 'konbini',
            store: 'lawson',
            email: `${c.userId}@student.demo-u.example`,
          },
        },
        KOMOJU_SECRET_KEY,
      )
      const paid = await twinCall(komoju, 'POST', `/_twin/payments/${p.id}/pay-at-store`, {})
      if (paid.status !== 'captured' || paid.external_order_num !== String(c.applicationId))
        throw new Error(
          `payment ${String(p.id)} is ${String(paid.status)} after paying at the store`,
        )
      c.paymentId = String(p.id)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const settings = await twinCall(komoju, 'GET', '/_twin/settings')
  if (settings.paused !== true) throw new Error('the KOMOJU twin is not paused')
}

// ---- The console's two most-opened pages, with realistic content ----
/** The console is measured at demo2, whose one student is none of the crediting run's. */
export const CONSOLE_STAFF = 'staff@demo2.example'
/** 要対応: this many credits waiting for a person, of every credit kind. */
export const TRIAGE_SIZE = 60
/** 申請詳細: one application retried this many times before it stalled. */
export const TIMELINE_ATTEMPTS = 60
export const TIMELINE_APPLICATION = 100_100
const CONSOLE_STUDENT = 1001
const TRIAGE_KINDS = ['held', 'refused', 'stalled', 'mismatch', 'retrying'] as const

/**
 * demo2's student; TRIAGE_SIZE paid applications whose credit waits for a person (要対応);
 * and one whose credit was tried TIMELINE_ATTEMPTS times before it stalled, each attempt
 * a row of its タイムライン (written by the D1 triggers on `applications`, as in service).
 * Ids from 100,001, after every other fixture's.
 */
export const consoleFixturesSql = async (pepper: string, now: number) => {
  const u = DEMO2_UNIVERSITY.id
  const secondHash = await hashSecret(SECOND_PASSWORD, pepper)
  const lines = [
    `INSERT INTO students (id, university_id, user_id, name_kana, email, second_password_hash, created_at) VALUES (${CONSOLE_STUDENT}, ${q(u)}, ${q(DEMO2_STUDENT.userId)}, ${q(DEMO2_STUDENT.nameKana)}, ${q(`${DEMO2_STUDENT.userId}@student.demo2-u.example`)}, ${q(secondHash)}, ${now});`,
  ]
  const insert = (id: number, at: number, creditStatus: string, attempts: number) =>
    `INSERT INTO applications (${APPLICATION_COLUMNS}, credit_attempts, credit_error) VALUES (${id}, ${q(u)}, ${CONSOLE_STUDENT}, ${500 + (id % 20) * 100}, 'credit_card', 'paid', ${q(`bench-console-${id}`)}, 'komoju', ${q(`pay_bench_console_${id}`)}, ${at + DAY}, ${at}, ${q(creditStatus)}, NULL, ${at}, ${at}, ${attempts}, ${creditStatus === 'held' ? 'NULL' : q('card_unavailable')});`
  for (let i = 0; i < TRIAGE_SIZE; i++) {
    const kind = TRIAGE_KINDS[i % TRIAGE_KINDS.length]!
    lines.push(
      insert(100_001 + i, now - (TRIAGE_SIZE - i) * 40 * 60_000, kind, kind === 'retrying' ? 8 : 3),
    )
  }
  const id = TIMELINE_APPLICATION
  const start = now - 2 * DAY
  lines.push(
    `INSERT INTO applications (${APPLICATION_COLUMNS}) VALUES (${id}, ${q(u)}, ${CONSOLE_STUDENT}, 3000, 'cvs_lawson', 'awaiting_payment', ${q(`bench-console-${id}`)}, 'komoju', NULL, ${start + 7 * DAY}, NULL, 'none', NULL, ${start}, ${start});`,
    `UPDATE applications SET provider_payment_id = ${q(`pay_bench_console_${id}`)}, payment_number = '123456789012', updated_at = ${start + 60_000} WHERE id = ${id};`,
    `UPDATE applications SET status = 'paid', paid_at = ${start + 3_600_000}, credit_status = 'pending', updated_at = ${start + 3_600_000} WHERE id = ${id};`,
  )
  for (let k = 1; k <= TIMELINE_ATTEMPTS; k++) {
    const at = start + 3_600_000 + k * 30 * 60_000
    const to = k === TIMELINE_ATTEMPTS ? 'stalled' : 'retrying'
    lines.push(
      `UPDATE applications SET credit_status = ${q(to)}, credit_attempts = ${k}, credit_error = 'timeout', next_credit_at = ${to === 'stalled' ? 'NULL' : at + 30 * 60_000}, updated_at = ${at} WHERE id = ${id};`,
    )
  }
  return lines.join('\n') + '\n'
}

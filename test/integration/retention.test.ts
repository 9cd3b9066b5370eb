import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db'
import { formOf } from '../../src/domain/settings'
import { redactPayload } from '../../src/flows/retention'
import { loadSettings } from '../../src/flows/staff/settings'
import { ready, runCron, setClock } from '../charge'
import { Client, expectRedirect, login, mainText } from '../client'
import { PASSWORD } from '../fixtures'
import { staffClient } from '../staff'

/**
 * 保存期間 (issue 19): a leaver's personal data goes on the day the university's retention
 * period ends (JST), payment records stay without the name for 7 fiscal years, and nobody
 * with money still on its way is touched. Students test1201–test1240 only.
 */

/** An instant in JST. */
const jst = (y: number, mo: number, d: number, h: number, mi = 0) =>
  Date.UTC(y, mo - 1, d, h - 9, mi)

/** Runs the whole cron (as Cloudflare would) with the service's clock at `at`. */
const cronAt = async (at: number) => {
  await setClock(at)
  await runCron()
}

const one = <T>(q: string, ...args: unknown[]) =>
  env.DB.prepare(q)
    .bind(...args)
    .first<T>()
const count = async (q: string, ...args: unknown[]) => (await one<{ n: number }>(q, ...args))!.n

const studentOf = (userId: string) =>
  one<{ id: number; user_id: string; email: string | null }>(
    "SELECT * FROM students WHERE university_id = 'demo' AND user_id = ?",
    userId,
  )

/** A student who logged in once and then left the university on `leftOn`. */
const leaver = async (userId: string, leftOn: string, status = 'graduated') => {
  const client = await ready(userId)
  await env.DB.prepare(
    "UPDATE directory_people SET status = ?, left_on = ? WHERE university_id = 'demo' AND user_id = ?",
  )
    .bind(status, leftOn, userId)
    .run()
  const student = (await studentOf(userId))!
  return { client, studentId: student.id }
}

let serial = 0
/** An application as the service writes it (status, credit and times given). */
const application = async (
  studentId: number,
  o: {
    status: string
    creditStatus: string
    at: number
    kind?: 'mic_charge' | 'certificate'
    contactPhone?: string
  },
) =>
  (await one<{ id: number }>(
    `INSERT INTO applications (university_id, student_id, kind, amount, payment_method, status, credit_status, request_key, provider, provider_payment_id, contact_phone, payment_deadline, created_at, updated_at)
     VALUES ('demo', ?, ?, 3000, 'credit_card', ?, ?, ?, 'komoju', ?, ?, ?, ?, ?) RETURNING id`,
    studentId,
    o.kind ?? 'mic_charge',
    o.status,
    o.creditStatus,
    `ret-${++serial}`,
    `pay_ret_${serial}_${studentId}`,
    o.contactPhone ?? null,
    jst(2031, 1, 1, 0),
    o.at,
    o.at,
  ))!.id

/** A certificate order to a named recipient, issued, its PDF in the bucket. */
const certificateOrder = async (applicationId: number, studentId: number, at: number) => {
  await env.DB.prepare(
    `INSERT INTO certificate_orders (application_id, university_id, student_id, delivery, site_origin, recipient_name, recipient_organisation, recipient_email, postal_address)
     VALUES (?, 'demo', ?, 'pdf', 'https://example.com', '採用 太郎', '株式会社テスト', 'hr@company.example', '{"postcode":"100-0001"}')`,
  )
    .bind(applicationId, studentId)
    .run()
  const line = (await one<{ id: number }>(
    `INSERT INTO certificate_lines (application_id, type, language, copies, unit_fee) VALUES (?, 'enrolment', 'ja', 1, 300) RETURNING id`,
    applicationId,
  ))!.id
  const key = `demo/${applicationId}/RET${applicationId}.pdf`
  await env.CERTIFICATES.put(key, new Uint8Array([37, 80, 68, 70]))
  await env.DB.prepare(
    `INSERT INTO certificates (application_id, line_id, university_id, copy, type, language, issue_number, verification_code, holder_name, object_key, sha256, size, issued_at, valid_until)
     VALUES (?, ?, 'demo', 1, 'enrolment', 'ja', ?, ?, 'テスト ハナコ', ?, '00', 4, ?, ?)`,
  )
    .bind(
      applicationId,
      line,
      `No.${applicationId}`,
      `RET${applicationId}CODE`,
      key,
      at,
      at + 90 * 86_400_000,
    )
    .run()
  await env.DB.prepare(
    `INSERT INTO recipient_links (token_hash, application_id, email, created_at, expires_at) VALUES (?, ?, 'hr@company.example', ?, ?)`,
  )
    .bind(`ret-${applicationId}`, applicationId, at, at + 90 * 86_400_000)
    .run()
  return key
}

/** A mail about an application, its body kept (development), and the gateway's webhook. */
const mailAndWebhook = async (applicationId: number, to: string, at: number) => {
  await env.DB.prepare(
    `INSERT INTO mail_log (university_id, to_address, subject, kind, transport, result, body, application_id, created_at)
     VALUES ('demo', ?, '【デモ大学】お支払い完了', 'payment_completed', 'outbox', 'sent', 'テスト ハナコ 様', ?, ?)`,
  )
    .bind(to, applicationId, at)
    .run()
  await env.DB.prepare(
    `INSERT INTO payment_notifications (event_id, provider, type, payload, received_at, university_id, payment_id, outcome, application_id, applied_at)
     VALUES (?, 'komoju', 'payment.captured', ?, ?, 'demo', ?, 'applied', ?, ?)`,
  )
    .bind(
      `evt_ret_${applicationId}`,
      JSON.stringify({
        id: `evt_ret_${applicationId}`,
        data: {
          id: `pay_${applicationId}`,
          amount: 3000,
          status: 'captured',
          payment_details: { type: 'konbini', email: to, phone: '09012345678' },
          customer_name: 'テスト ハナコ',
        },
      }),
      at,
      `pay_${applicationId}`,
      applicationId,
      at,
    )
    .run()
}

describe('retention of a leaver’s personal data', () => {
  it('keeps a graduate the day before the 5-year mark (JST) and removes them on the day', async () => {
    const userId = 'test1201'
    const { client, studentId } = await leaver(userId, '2021-12-10')
    const email = `${userId}@example.ac.jp`
    // A charge credited long ago, and a certificate order to a recipient, both finished.
    const charge = await application(studentId, {
      status: 'paid',
      creditStatus: 'credited',
      at: jst(2019, 6, 1, 12),
      contactPhone: '0312345678',
    })
    const order = await application(studentId, {
      status: 'paid',
      creditStatus: 'credited',
      kind: 'certificate',
      at: jst(2021, 1, 15, 12),
    })
    const pdf = await certificateOrder(order, studentId, jst(2021, 1, 15, 12))
    await mailAndWebhook(charge, email, jst(2019, 6, 1, 12))
    await mailAndWebhook(order, email, jst(2021, 1, 15, 12))
    // An old roster import carried the person.
    const imp = (await one<{ id: number }>(
      `INSERT INTO roster_imports (university_id, source, state, created_at, updated_at) VALUES ('demo', 'upload', 'applied', 0, 0) RETURNING id`,
    ))!.id
    await env.DB.prepare(
      `INSERT INTO roster_import_rows (import_id, line, user_id, name_kana, name, status, change) VALUES (?, 2, ?, 'テスト ハナコ', '手簿 花子', 'graduated', 'leaving')`,
    )
      .bind(imp, userId)
      .run()

    // The day before the mark, at the retention hour: nothing changes.
    await cronAt(jst(2026, 12, 9, 3, 30))
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM directory_people WHERE user_id = ? AND university_id = 'demo'",
        userId,
      ),
    ).toBe(1)
    expect((await studentOf(userId))?.email).toBe(email)
    expect(await env.CERTIFICATES.head(pdf)).not.toBeNull()
    // The day itself, before the retention hour: still nothing.
    await cronAt(jst(2026, 12, 10, 2, 59))
    expect((await studentOf(userId))?.email).toBe(email)

    // The day itself, in the retention hour: gone.
    await cronAt(jst(2026, 12, 10, 3, 0))
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM directory_people WHERE user_id = ? AND university_id = 'demo'",
        userId,
      ),
    ).toBe(0)
    expect(await studentOf(userId)).toBeNull()
    const s = await one<Record<string, unknown>>('SELECT * FROM students WHERE id = ?', studentId)
    expect(s).toMatchObject({
      user_id: `removed-${studentId}`,
      name_kana: '',
      email: null,
      second_password_hash: null,
    })
    // Stamped by the service's clock, a moment after it was set to 03:00.
    expect(s!.pseudonymised_at).toBeGreaterThanOrEqual(jst(2026, 12, 10, 3, 0))
    expect(s!.pseudonymised_at).toBeLessThan(jst(2026, 12, 10, 3, 1))
    expect(s!.credential_epoch).toBeGreaterThan(0)
    // The PDF has left the bucket; the order has no recipient; the certificate no holder.
    expect(await env.CERTIFICATES.head(pdf)).toBeNull()
    expect(
      await one(
        'SELECT recipient_name, recipient_organisation, recipient_email, postal_address FROM certificate_orders WHERE application_id = ?',
        order,
      ),
    ).toEqual({
      recipient_name: null,
      recipient_organisation: null,
      recipient_email: null,
      postal_address: null,
    })
    expect(
      await one('SELECT holder_name FROM certificates WHERE application_id = ?', order),
    ).toEqual({ holder_name: '' })
    expect(
      await count('SELECT COUNT(*) AS n FROM recipient_links WHERE application_id = ?', order),
    ).toBe(0)
    // No mail of theirs keeps an address or a body: the applications' and the e-mail setup's.
    expect(
      await count('SELECT COUNT(*) AS n FROM mail_log WHERE lower(to_address) = ?', email),
    ).toBe(0)
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM mail_log WHERE application_id IN (?, ?) AND (to_address <> '' OR body IS NOT NULL)",
        charge,
        order,
      ),
    ).toBe(0)
    // The gateway's webhooks keep ids, amounts and states, and nothing personal.
    const payload = (await one<{ payload: string }>(
      'SELECT payload FROM payment_notifications WHERE application_id = ?',
      charge,
    ))!.payload
    expect(payload).not.toContain(email)
    expect(payload).not.toContain('09012345678')
    expect(payload).not.toContain('ハナコ')
    expect(JSON.parse(payload).data).toMatchObject({
      id: `pay_${charge}`,
      amount: 3000,
      status: 'captured',
    })
    expect(
      await count('SELECT COUNT(*) AS n FROM roster_import_rows WHERE user_id = ?', userId),
    ).toBe(0)
    // The payment records stay, without the telephone number.
    expect(
      await one(
        'SELECT amount, status, credit_status, provider_payment_id, contact_phone FROM applications WHERE id = ?',
        charge,
      ),
    ).toEqual({
      amount: 3000,
      status: 'paid',
      credit_status: 'credited',
      provider_payment_id: expect.stringMatching(/^pay_ret_/),
      contact_phone: null,
    })
    expect(
      await count('SELECT COUNT(*) AS n FROM applications WHERE student_id = ?', studentId),
    ).toBe(2)
    // The audit log says what was removed, by the account's number, without the name or ID.
    const audit = await one<{ target_id: string; after: string; staff_email: string }>(
      "SELECT * FROM audit_log WHERE action = 'retention.pseudonymise' AND target_id = ?",
      String(studentId),
    )
    expect(audit?.staff_email).toBe('cron:retention')
    expect(audit?.after).not.toContain(userId)
    expect(audit?.after).not.toContain('ハナコ')
    expect(JSON.parse(audit!.after)).toMatchObject({
      status: 'graduated',
      leftOn: '2021-12-10',
      applicationsKept: 2,
      certificateFilesRemoved: 1,
    })
    // Their session has ended and they can no longer log in.
    expectRedirect((await client.get('/menu')).res, '/login?expired=1')
    const { res } = await login(new Client(), userId, PASSWORD)
    expect(res.status).toBe(401)

    // 7 fiscal years: the charge (last changed in fiscal 2019) is kept through 2027-03-31 …
    await cronAt(jst(2027, 3, 31, 3, 30))
    expect(
      await count('SELECT COUNT(*) AS n FROM applications WHERE student_id = ?', studentId),
    ).toBe(2)
    // … and deleted from 2027-04-01, with what hangs off it; the order (fiscal 2020) stays.
    await cronAt(jst(2027, 4, 1, 3, 30))
    expect(await count('SELECT COUNT(*) AS n FROM applications WHERE id = ?', charge)).toBe(0)
    for (const table of ['application_events', 'mail_log', 'payment_notifications'])
      expect(
        await count(`SELECT COUNT(*) AS n FROM ${table} WHERE application_id = ?`, charge),
        table,
      ).toBe(0)
    expect(await count('SELECT COUNT(*) AS n FROM applications WHERE id = ?', order)).toBe(1)
    expect(await count('SELECT COUNT(*) AS n FROM students WHERE id = ?', studentId)).toBe(1)
    // A year later the order goes too, its certificates and lines, and then the account.
    await cronAt(jst(2028, 4, 1, 3, 30))
    for (const table of [
      'applications',
      'certificates',
      'certificate_lines',
      'certificate_orders',
      'application_events',
    ])
      expect(
        await count(
          `SELECT COUNT(*) AS n FROM ${table} WHERE ${table === 'applications' ? 'id' : 'application_id'} = ?`,
          order,
        ),
        table,
      ).toBe(0)
    expect(await count('SELECT COUNT(*) AS n FROM students WHERE id = ?', studentId)).toBe(0)
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'retention.delete_records' AND target_id = ?",
        String(studentId),
      ),
    ).toBe(2)
  })

  it('never touches a leaver with money still on its way, and says so to the 管理者', async () => {
    const userId = 'test1202'
    const { studentId } = await leaver(userId, '2020-03-31', 'withdrawn')
    const waiting = await application(studentId, {
      status: 'awaiting_payment',
      creditStatus: 'none',
      at: jst(2020, 3, 1, 12),
    })
    const held = 'test1203'
    const h = await leaver(held, '2020-03-31', 'expelled')
    await application(h.studentId, {
      status: 'paid',
      creditStatus: 'held',
      at: jst(2020, 3, 1, 12),
    })
    const done = 'test1204'
    await leaver(done, '2020-03-31', 'graduated')

    await cronAt(jst(2026, 12, 11, 3, 10))
    // The one with nothing in flight is removed; the other two wait, untouched.
    expect(await studentOf(done)).toBeNull()
    for (const id of [userId, held]) {
      expect((await studentOf(id))?.email, id).toBe(`${id}@example.ac.jp`)
      expect(
        await count(
          "SELECT COUNT(*) AS n FROM directory_people WHERE user_id = ? AND university_id = 'demo'",
          id,
        ),
      ).toBe(1)
    }
    const { client: admin } = await staffClient('admin', 'demo')
    const page = mainText((await admin.get('/staff/settings')).html)
    expect(page).toContain('削除を保留している学生')
    expect(page).toContain(userId)
    expect(page).toContain(held)
    expect(page).not.toContain(done)

    // Once the payment is over (cancelled), the next night removes them.
    await env.DB.prepare(
      "UPDATE applications SET status = 'cancelled', updated_at = ? WHERE id = ?",
    )
      .bind(jst(2026, 12, 11, 12), waiting)
      .run()
    await cronAt(jst(2026, 12, 12, 3, 10))
    expect(await studentOf(userId)).toBeNull()
    expect((await studentOf(held))?.email).toBe(`${held}@example.ac.jp`)
  })

  it('leaves enrolled students and leavers inside their period alone', async () => {
    await ready('test1205')
    await leaver('test1206', '2022-01-01')
    await cronAt(jst(2026, 12, 13, 3, 10))
    expect((await studentOf('test1205'))?.email).toBe('test1205@example.ac.jp')
    expect((await studentOf('test1206'))?.email).toBe('test1206@example.ac.jp')
  })
})

describe('a leaver with a long history', () => {
  it('is removed in one go, past D1’s 100 bound parameters a statement', async () => {
    const { studentId } = await leaver('test1207', '2021-12-01')
    for (let i = 0; i < 120; i++)
      await application(studentId, {
        status: 'cancelled',
        creditStatus: 'none',
        at: jst(2021, 4, 1, 12),
      })
    await cronAt(jst(2026, 12, 14, 3, 10))
    expect(await studentOf('test1207')).toBeNull()
    expect(
      await count('SELECT COUNT(*) AS n FROM applications WHERE student_id = ?', studentId),
    ).toBe(120)
    // Fiscal 2021's records go on 2029-04-01, all 120 and then the account.
    await cronAt(jst(2029, 4, 1, 3, 10))
    expect(
      await count('SELECT COUNT(*) AS n FROM applications WHERE student_id = ?', studentId),
    ).toBe(0)
    expect(await count('SELECT COUNT(*) AS n FROM students WHERE id = ?', studentId)).toBe(0)
  })
})

describe('the redaction of a stored webhook', () => {
  it('keeps ids, amounts and states and drops names, addresses and numbers', () => {
    const out = JSON.parse(
      redactPayload(
        JSON.stringify({
          id: 'evt_1',
          data: {
            id: 'pay_1',
            amount: 100,
            customer: { name: 'X' },
            billing_address: 'Y',
            items: [{ email: 'a@b' }],
          },
        }),
      ),
    )
    expect(out).toEqual({
      id: 'evt_1',
      data: {
        id: 'pay_1',
        amount: 100,
        customer: null,
        billing_address: null,
        items: [{ email: null }],
      },
    })
    expect(redactPayload('not json ハナコ')).toBe('{}')
  })
})

describe('個人データの保存期間 on 大学設定', () => {
  /** The 大学設定 form of 'second' as saved, with `retention_years` as given. */
  const form = async (years: string) => {
    const current = (await loadSettings(database(env.DB), 'second'))!
    const f = formOf(current)
    const fields: [string, string][] = [
      ...(Object.entries(f).filter(([k]) => k !== 'methods' && k !== 'windows') as [
        string,
        string,
      ][]),
      ...f.methods.map((m): [string, string] => ['methods', m]),
      ...f.windows.flatMap((w, i): [string, string][] => [
        [`window_start_${i}`, w.start],
        [`window_end_${i}`, w.end],
      ]),
    ]
    return fields.map(([k, v]): [string, string] => [k, k === 'retention_years' ? years : v])
  }
  const post = async (client: Client, fields: [string, string][]) => {
    const body = new URLSearchParams(fields)
    body.set('_csrf', client.csrf)
    const res = await client.request('/staff/settings', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    return { res, html: await res.text() }
  }
  const years = async () =>
    (await one<{ y: number }>("SELECT retention_years AS y FROM universities WHERE id = 'second'"))!
      .y

  it('shows 5 years by default and saves a change with an audit entry', async () => {
    const { client } = await staffClient('admin', 'second')
    const { html } = await client.get('/staff/settings')
    expect(html).toMatch(
      /name="retention_years"[^>]*value="5"|value="5"[^>]*name="retention_years"/,
    )
    const { res } = await post(client, await form('7'))
    expectRedirect(res, '/staff/settings?saved=1')
    expect(await years()).toBe(7)
    const audit = await one<{ before: string; after: string }>(
      "SELECT before, after FROM audit_log WHERE action = 'settings.update' AND university_id = 'second' ORDER BY id DESC LIMIT 1",
    )
    expect(JSON.parse(audit!.before)).toEqual({ retentionYears: 5 })
    expect(JSON.parse(audit!.after)).toEqual({ retentionYears: 7 })
  })

  it('refuses a period outside 1–10 years with a message on the page, saving nothing', async () => {
    const { client } = await staffClient('admin', 'second')
    for (const [typed, message] of [
      ['0', '保存期間（年）は1から10までの範囲で入力してください。'],
      ['11', '保存期間（年）は1から10までの範囲で入力してください。'],
      ['', '保存期間（年）を入力してください。'],
      ['五', '保存期間（年）は半角数字の整数で入力してください。'],
    ] as const) {
      const before = await years()
      const { res, html } = await post(client, await form(typed))
      expect(res.status, typed).toBe(422)
      expect(mainText(html), typed).toContain(message)
      expect(await years()).toBe(before)
    }
  })
})

import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { database } from '../../src/db'
import {
  applicationDetail,
  applicationTimeline,
  openRefundRequest,
  scopedApplication,
} from '../../src/flows/staff/applications'
import {
  activityByHour,
  needsPerson,
  needsPersonCounts,
  triageOverview,
  universitiesInScope,
} from '../../src/flows/staff/triage'

/**
 * 要対応 and 申請詳細 read everything they show in ONE D1 batch (issue 20: one round trip
 * after the session), in plain SQL. The batch must give what each read gives alone, and
 * another university's application must stay as invisible as one that does not exist.
 * Fixed instants; the rows are this file's own (ids from 95,001).
 */
const NOW = Date.UTC(2026, 10, 20, 3, 0) // 12:00 JST
const MINUTE = 60_000
const STUDENT = 95_001
const APP = 95_001

/** A D1 binding that records which calls reach the database: `batch`, or a statement's own. */
const counted = (d1: D1Database) => {
  const calls: string[] = []
  const target = new WeakMap<object, D1PreparedStatement>()
  const wrap = (s: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(s, {
      get(t, key) {
        if (key === 'bind') return (...values: unknown[]) => wrap(t.bind(...values))
        if (key === 'all' || key === 'first' || key === 'run' || key === 'raw')
          return (...args: never[]) => {
            calls.push(key)
            return (t[key] as (...a: never[]) => unknown)(...args)
          }
        const v = Reflect.get(t, key) as unknown
        return typeof v === 'function' ? (v as () => unknown).bind(t) : v
      },
    })
    target.set(proxy, s)
    return proxy
  }
  const binding = {
    prepare: (query: string) => wrap(d1.prepare(query)),
    batch: (statements: D1PreparedStatement[]) => {
      calls.push('batch')
      return d1.batch(statements.map((s) => target.get(s) ?? s))
    },
    exec: (query: string) => {
      calls.push('exec')
      return d1.exec(query)
    },
  } as unknown as D1Database
  return { db: database(binding), calls }
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`

const insertApplication = (id: number, creditStatus: string, attempts: number, at: number) =>
  env.DB.prepare(
    `INSERT INTO applications (id, university_id, student_id, amount, payment_method, status, request_key, provider, provider_payment_id, payment_deadline, paid_at, credit_status, credit_attempts, credit_error, created_at, updated_at)
     VALUES (?, 'demo', ?, 1500, 'credit_card', 'paid', ?, 'komoju', ?, ?, ?, ?, ?, 'card_unavailable', ?, ?)`,
  )
    .bind(
      id,
      STUDENT,
      `reads-${id}`,
      `pay_reads_${id}`,
      at + 86_400_000,
      at,
      creditStatus,
      attempts,
      at,
      at,
    )
    .run()

let staffId = 0

beforeAll(async () => {
  staffId = (await env.DB.prepare(
    "SELECT id FROM staff_members WHERE university_id = 'demo' ORDER BY id LIMIT 1",
  ).first<number>('id'))!
  await env.DB.prepare(
    `INSERT OR IGNORE INTO students (id, university_id, user_id, name_kana, email, second_password_hash, created_at)
     VALUES (?, 'demo', 'reads0001', 'ヨミ タロウ', 'reads0001@student.demo-u.example', 'x', ?)`,
  )
    .bind(STUDENT, NOW - 86_400_000)
    .run()
  await insertApplication(APP, 'pending', 0, NOW - 5 * 60 * MINUTE)
  // Its credit fails twice and is refused: the triggers write the タイムライン's events.
  for (const [k, to] of [
    [1, 'retrying'],
    [2, 'retrying'],
    [3, 'refused'],
  ] as const)
    await env.DB.prepare(
      'UPDATE applications SET credit_status = ?, credit_attempts = ?, updated_at = ? WHERE id = ?',
    )
      .bind(to, k, NOW - (4 - k) * 60 * MINUTE, APP)
      .run()
  await insertApplication(APP + 1, 'retrying', 7, NOW - 3 * 60 * MINUTE)
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO refund_requests (application_id, university_id, requested_by, requested_at, reason) VALUES (?, 'demo', ?, ?, '二重払いの申告')`,
    ).bind(APP, staffId, NOW - 30 * MINUTE),
    env.DB.prepare(
      `INSERT INTO mail_log (university_id, to_address, subject, kind, transport, result, application_id, created_at) VALUES ('demo', 'reads0001@student.demo-u.example', 'x', 'credit-error', 'test', 'sent', ?, ?)`,
    ).bind(APP, NOW - 3 * 60 * MINUTE),
    env.DB.prepare(
      `INSERT INTO payment_notifications (event_id, provider, type, payload, received_at, university_id, payment_id, outcome, application_id, applied_at) VALUES (?, 'komoju', 'payment.captured', '{}', ?, 'demo', ?, 'applied', ?, ?)`,
    ).bind(
      `evt_reads_${APP}`,
      NOW - 5 * 60 * MINUTE,
      `pay_reads_${APP}`,
      APP,
      NOW - 5 * 60 * MINUTE,
    ),
    env.DB.prepare(
      `INSERT INTO payment_notifications (event_id, provider, type, payload, received_at, university_id, payment_id, outcome) VALUES ('evt_reads_stray', 'komoju', 'payment.captured', '{}', ?, 'demo', 'pay_reads_nobody', 'unmatched')`,
    ).bind(NOW - 2 * 60 * MINUTE),
    env.DB.prepare(
      `INSERT INTO audit_log (at, staff_id, staff_email, university_id, action, target_type, target_id, application_id, reason, after) VALUES (?, ?, ${q('reads@demo.example')}, 'demo', 'application.recredit', 'application', ?, ?, '学生から電話', '{"creditStatus":"refused"}')`,
    ).bind(NOW - 60 * MINUTE, staffId, String(APP), APP),
  ])
})

describe('要対応 in one batch', () => {
  for (const scope of ['demo', null] as const)
    it(`reads counts, items, chart and universities in one batch, the same as each read alone (${scope ?? 'every university'})`, async () => {
      const { db, calls } = counted(env.DB)
      const overview = await triageOverview(db, scope, NOW)
      expect(calls).toEqual(['batch'])

      const plain = database(env.DB)
      expect(overview.counts).toEqual(await needsPersonCounts(plain, scope))
      expect(overview.items).toEqual(await needsPerson(plain, { scope }))
      expect(overview.activity).toEqual(await activityByHour(plain, scope, NOW))
      expect(overview.inScope).toEqual(await universitiesInScope(plain, scope))

      // This file's rows are among them, as they were written.
      expect(overview.items).toContainEqual({
        kind: 'refused',
        universityId: 'demo',
        applicationId: APP,
        eventId: null,
        paymentId: `pay_reads_${APP}`,
        refundRequestId: null,
        amount: 1500,
        since: NOW - 60 * MINUTE,
        attempts: 3,
        alertedAt: null,
        creditError: 'card_unavailable',
      })
      expect(overview.items.map((i) => [i.kind, i.applicationId, i.eventId])).toEqual(
        expect.arrayContaining([
          ['retrying', APP + 1, null],
          ['refund', APP, null],
          ['unmatched', null, 'evt_reads_stray'],
        ]),
      )
      const hour = overview.activity.hours.find((h) => h.start === NOW - 5 * 60 * MINUTE)!
      expect(hour.applications).toBeGreaterThanOrEqual(1)
      expect(overview.inScope.map((u) => u.id)).toEqual(
        scope === null ? expect.arrayContaining(['demo', 'second']) : ['demo'],
      )
    })
})

describe('申請詳細 in one batch', () => {
  it('reads the application, its refund request, timeline and audit entry in one batch, the same as each read alone', async () => {
    const member = { id: staffId, universityId: 'demo' }
    const entry = (await env.DB.prepare(
      'SELECT id FROM audit_log WHERE application_id = ? ORDER BY id DESC LIMIT 1',
    )
      .bind(APP)
      .first<number>('id'))!
    const { db, calls } = counted(env.DB)
    const detail = await applicationDetail(db, member, APP, entry)
    expect(calls).toEqual(['batch'])

    const plain = database(env.DB)
    const scoped = (await scopedApplication(plain, member, APP))!
    expect(detail).not.toBeNull()
    expect(detail!.application).toEqual(scoped.application)
    expect(detail!.student).toEqual(scoped.student)
    expect(detail!.universityName).toBe(scoped.universityName)
    expect(detail!.openRequest).toEqual(await openRefundRequest(plain, APP))
    expect(detail!.timeline).toEqual(await applicationTimeline(plain, APP))
    expect(detail!.entry).toEqual({
      action: 'application.recredit',
      after: '{"creditStatus":"refused"}',
    })
    expect(detail!.certificate).toBeNull()
    expect(detail!.cashRefunds).toEqual([])

    // As drizzle read it: a boolean column is a boolean, the rest as stored.
    expect(detail!.application.gatewayChargeback).toBe(false)
    expect(detail!.application.creditStatus).toBe('refused')
    expect(detail!.openRequest).toMatchObject({ requestedBy: staffId, reason: '二重払いの申告' })
    expect(detail!.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['webhook', 'credit', 'mail', 'staff', 'refundRequested']),
    )
    expect(detail!.timeline.filter((e) => e.kind === 'credit')).toHaveLength(3)
  })

  it("reads another university's application as not found, and another member's audit entry as none", async () => {
    const { db } = counted(env.DB)
    expect(
      await applicationDetail(db, { id: staffId, universityId: 'second' }, APP, null),
    ).toBeNull()
    expect(await scopedApplication(db, { universityId: 'second' }, APP)).toBeNull()
    const entry = (await env.DB.prepare('SELECT id FROM audit_log WHERE application_id = ?')
      .bind(APP)
      .first<number>('id'))!
    const other = await applicationDetail(
      db,
      { id: staffId + 1_000_000, universityId: 'demo' },
      APP,
      entry,
    )
    expect(other!.entry).toBeNull()
    // The call centre sees every university's.
    expect(
      await applicationDetail(db, { id: staffId, universityId: null }, APP, null),
    ).not.toBeNull()
  })
})

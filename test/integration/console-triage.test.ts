import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { blackoutAt } from '../../src/domain/blackout'
import { NEEDS_PERSON_ALERT_MS, type StaffRole } from '../../src/domain/staff'
import { serviceNow } from '../../src/flows/clock'
import { RETRYING_NEEDS_PERSON_ATTEMPTS } from '../../src/flows/staff/triage'
import worker from '../../src/index'
import { PAYMENT_DLQ, type NotificationMessage } from '../../src/queue'
import {
  application,
  applyCharge,
  atNoon,
  cardBalance,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  notify,
  payOnGateway,
  ready,
  runCron,
  SECOND,
  setClock,
  signedWebhook,
  webhookEvent,
} from '../charge'
import { Client, mainText } from '../client'
import { newStaff, staffClient, staffLogin } from '../staff'
import { FAULT_NONE } from '../twins'

/**
 * The console's 要対応 (landing page), its chart and 30-minute alert mail, and 学生. Every
 * item is made through the service's own flows: M.I.C. refusing a card, a credit over the
 * cap, an amount KOMOJU reports differently, a signed webhook for a payment nobody has, a
 * message the dead-letter queue cannot apply. Students test0121–test0150 are this file's.
 */
const user = (n: number) => `test${String(120 + n).padStart(4, '0')}`
const card = (userId: string) => `demo:${userId}`
const HOUR = 60 * 60_000
const DEMO_ALERTS = 'mic-alerts@demo-u.example'

/**
 * A university whose KOMOJU keys are not configured (a university added before its
 * merchant account, or whose keys were removed): the queue consumer cannot ask the
 * gateway about its events, so a dead-lettered one stays unapplied and needs a person.
 */
const NOKEYS = 'triage-nokeys'
const NOKEYS_ALERTS = 'alerts@nokeys.example'

beforeAll(async () => {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO universities (id, name, name_en, legal_name, call_centre_name, call_centre_phone, call_centre_hours, mail_from, mail_from_name, balance_cap, payment_methods, payment_deadline_days, gateway_account, staff_alert_email)
     VALUES (?, 'キー未設定大学', 'Unconfigured University', '学校法人 キー未設定学園', 'コールセンター', '03-0000-0002', '平日 9:00〜17:00', 'noreply@nokeys.example', 'キー未設定大学', 20000, '["credit_card"]', 7, 'triage_unset', ?)`,
  )
    .bind(NOKEYS, NOKEYS_ALERTS)
    .run()
})

beforeEach(async () => {
  await atNoon()
  await gateway().settings({
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
    paused: false,
  })
  await mic().setFault(FAULT_NONE)
})

// ---- Reading the pages -------------------------------------------------------------------

/**
 * 要対応 as a fresh member of `role` sees it. A fresh login each time: the tests move the
 * service clock by more than a staff session's 15 idle minutes.
 */
const triageAs = async (role: StaffRole, universityId: string | null) => {
  const { client } = await staffClient(role, universityId)
  const { res, html } = await client.get('/staff')
  expect(res.status).toBe(200)
  return html
}

const countsIn = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<li data-kind="(\w+)"[^>]*><strong>(\d+)<\/strong>/g)].map((m) => [
      m[1]!,
      Number(m[2]),
    ]),
  )

const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()

const rowsIn = (html: string) =>
  [...html.matchAll(/<tr data-kind="(\w+)" data-since="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
    kind: m[1]!,
    since: Number(m[2]),
    html: m[3]!,
    text: textOf(m[3]!),
  }))

const rowOf = (html: string, kind: string, needle: string) =>
  rowsIn(html).find((r) => r.kind === kind && r.html.includes(needle))

const appLink = (id: number) => `href="/staff/applications/${id}"`

/**
 * What needs a person in `scope`, counted straight from D1 with SQL of its own, to hold the
 * page's counts against.
 */
const countsInDb = async (scope: string | null) => {
  const one = async (sql: string, column: string) =>
    (await env.DB.prepare(`${sql}${scope === null ? '' : ` AND ${column} = ?`}`)
      .bind(...(scope === null ? [] : [scope]))
      .first<{ n: number }>())!.n
  const credits = Object.fromEntries(
    await Promise.all(
      ['stalled', 'refused', 'mismatch', 'held', 'partly_refunded', 'fraud'].map(async (s) => [
        s,
        await one(
          `SELECT COUNT(*) AS n FROM applications WHERE status = 'paid' AND credit_status = '${s}'`,
          'university_id',
        ),
      ]),
    ),
  )
  return {
    ...credits,
    retrying: await one(
      `SELECT COUNT(*) AS n FROM applications WHERE status = 'paid' AND credit_status = 'retrying' AND credit_attempts >= ${RETRYING_NEEDS_PERSON_ATTEMPTS}`,
      'university_id',
    ),
    reversed: await one(
      "SELECT COUNT(*) AS n FROM applications WHERE status = 'paid' AND credit_status = 'reversed' AND reversal_resolved_at IS NULL",
      'university_id',
    ),
    refund: await one(
      'SELECT COUNT(*) AS n FROM refund_requests WHERE decided_at IS NULL',
      'university_id',
    ),
    unmatched: await one(
      "SELECT COUNT(*) AS n FROM payment_notifications WHERE outcome = 'unmatched'",
      'university_id',
    ),
    deadLettered: await one(
      "SELECT COUNT(*) AS n FROM payment_notifications WHERE dead_lettered_at IS NOT NULL AND applied_at IS NULL AND outcome IS NOT 'unmatched'",
      'university_id',
    ),
  } as Record<string, number>
}

const expectCountsMatchDb = async (html: string, scope: string | null) => {
  const shown = countsIn(html)
  const expected = await countsInDb(scope)
  const { total, ...perKind } = shown
  expect(perKind).toEqual(expected)
  expect(total).toBe(Object.values(expected).reduce((a, b) => a + b, 0))
  return shown
}

// ---- Making what needs a person, through the service's own flows --------------------------

/** M.I.C. refuses the credit: the card is suspended when the payment arrives. */
const refusedCredit = async (userId: string, amount = 1000) => {
  const client = await ready(userId)
  const { id } = await applyCharge(client, amount)
  await mic().setCard(card(userId), { suspended: true })
  await payOnGateway(client, id)
  await creditStatusBecomes(id, 'refused')
  await mic().setCard(card(userId), { suspended: false })
  return id
}

/** 上限超過のため保留: a campus cash charge filled the card between applying and paying. */
const heldCredit = async (userId: string) => {
  const client = await ready(userId)
  const { id } = await applyCharge(client, 10_000)
  expect((await mic().cash(card(userId), 15_000)).status).toBe(200)
  await payOnGateway(client, id)
  await creditStatusBecomes(id, 'held')
  return id
}

/** KOMOJU reports a captured payment for the application with another amount. */
const mismatchedCredit = async (userId: string) => {
  const client = await ready(userId)
  await gateway().settings({ paused: true })
  const { id } = await applyCharge(client, 1000)
  const created = await fetch('http://komoju.test/api/v1/payments', {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${env.KOMOJU_SECRET_KEY}:`)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      amount: 1500,
      currency: 'JPY',
      external_order_num: String(id),
      payment_details: { type: 'konbini', store: 'lawson', email: `${userId}@example.ac.jp` },
    }),
  })
  const odd = ((await created.json()) as { id: string }).id
  expect((await gateway().payAtStore(odd)).status).toBe(200)
  await notify(await signedWebhook(webhookEvent('payment.captured', odd)))
  await creditStatusBecomes(id, 'mismatch')
  await gateway().settings({ paused: false })
  return id
}

const notification = (eventId: string) =>
  env.DB.prepare('SELECT * FROM payment_notifications WHERE event_id = ?').bind(eventId).first<{
    outcome: string | null
    applied_at: number | null
    dead_lettered_at: number | null
    university_id: string
  }>()

/** A correctly signed webhook for a payment no application has, on `host`'s university. */
const unmatchedEvent = async (host = 'localhost') => {
  const event = webhookEvent('payment.captured', `pay_triage_${crypto.randomUUID().slice(0, 12)}`)
  const signed = await signedWebhook(event)
  const req =
    host === 'localhost' ? signed : new Request(`http://${host}/payments/komoju/webhook`, signed)
  expect((await notify(req)).status).toBe(200)
  const n = await eventually(
    () => notification(event.id),
    (n) => n?.outcome === 'unmatched',
  )
  expect(n?.outcome).toBe('unmatched')
  return event.id
}

/** A message on the dead-letter queue that the consumer cannot apply (no gateway keys). */
const deadLetteredEvent = async () => {
  const message: NotificationMessage = {
    eventId: `evt_triage_dead_${crypto.randomUUID().slice(0, 12)}`,
    provider: 'komoju',
    type: 'payment.captured',
    paymentId: `pay_triage_dead_${crypto.randomUUID().slice(0, 12)}`,
    universityId: NOKEYS,
    receivedAt: await serviceNow(env),
  }
  const batch = createMessageBatch(PAYMENT_DLQ, [
    { id: 'dead-1', timestamp: new Date(), attempts: 11, body: message },
  ])
  const ctx = createExecutionContext()
  await worker.queue!(batch, env, ctx)
  const result = await getQueueResult(batch, ctx)
  expect(result.explicitAcks).toEqual([])
  expect(result.retryMessages.map((m) => m.msgId)).toEqual(['dead-1'])
  const row = await notification(message.eventId)
  expect(row?.dead_lettered_at).toBeGreaterThan(0)
  expect(row?.applied_at).toBeNull()
  return message.eventId
}

/** A 返金 asked for by a member on 申請詳細, waiting for a second member's approval. */
const refundWaiting = async (applicationId: number) => {
  const { client } = await staffClient('staff', 'demo')
  const { res } = await client.post(`/staff/applications/${applicationId}/actions/refund`, {
    reason: 'カードが再発行されたため',
  })
  expect(res.status).toBe(303)
  const open = await env.DB.prepare(
    'SELECT COUNT(*) AS n FROM refund_requests WHERE application_id = ? AND decided_at IS NULL',
  )
    .bind(applicationId)
    .first<{ n: number }>()
  expect(open?.n).toBe(1)
}

const studentId = async (userId: string, universityId = 'demo') =>
  (await env.DB.prepare('SELECT id FROM students WHERE university_id = ? AND user_id = ?')
    .bind(universityId, userId)
    .first<{ id: number }>())!.id

// ---- 要対応 ----------------------------------------------------------------------------------

describe('要対応', () => {
  const made = {
    refused: 0,
    held: 0,
    mismatch: 0,
    refund: 0,
    unmatched: '',
    secondUnmatched: '',
    deadLettered: '',
  }

  beforeAll(async () => {
    await atNoon()
    made.refused = await refusedCredit(user(1))
    made.held = await heldCredit(user(2))
    made.mismatch = await mismatchedCredit(user(3))
    made.refund = await refusedCredit(user(4), 1500)
    await refundWaiting(made.refund)
    made.unmatched = await unmatchedEvent()
    made.secondUnmatched = await unmatchedEvent('second.example')
    made.deadLettered = await deadLetteredEvent()
  }, 120_000) // eight charges and events, each through the twins: slow on a busy machine

  it('lists every kind that needs a person, oldest first, with its count, its link and amount', async () => {
    const html = await triageAs('callcentre', null)
    const shown = await expectCountsMatchDb(html, null)
    for (const kind of ['refused', 'held', 'mismatch', 'refund', 'unmatched', 'deadLettered'])
      expect(shown[kind], kind).toBeGreaterThanOrEqual(1)

    const refused = rowOf(html, 'refused', appLink(made.refused))
    expect(refused?.text).toContain('M.I.C.が拒否')
    expect(refused?.text).toContain('¥1,000')
    expect(refused?.text).toContain('デモ大学')
    const held = rowOf(html, 'held', appLink(made.held))
    expect(held?.text).toContain('上限超過のため保留')
    expect(held?.text).toContain('¥10,000')
    expect(rowOf(html, 'mismatch', appLink(made.mismatch))?.text).toContain('金額不一致')
    const refund = rowOf(html, 'refund', appLink(made.refund))
    expect(refund?.text).toContain('返金の承認待ち')
    expect(refund?.text).toContain('¥1,500')
    expect(rowOf(html, 'unmatched', made.unmatched)?.text).toContain('該当する申請のない決済通知')
    expect(rowOf(html, 'unmatched', made.secondUnmatched)?.text).toContain('セカンド大学')
    const dead = rowOf(html, 'deadLettered', made.deadLettered)
    expect(dead?.text).toContain('デッドレター')
    expect(dead?.text).toContain('キー未設定大学')

    // Oldest first, each with since when (JST) and for how long.
    const rows = rowsIn(html)
    expect(rows.map((r) => r.since)).toEqual([...rows.map((r) => r.since)].sort((a, b) => a - b))
    expect(held?.text).toMatch(/\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/)
    expect(held?.text).toMatch(/\d+分/)
  })

  it('shows a university’s staff only their own university; the call centre sees every one', async () => {
    const demo = await triageAs('staff', 'demo')
    await expectCountsMatchDb(demo, 'demo')
    expect(demo).toContain(appLink(made.held))
    expect(demo).toContain(made.unmatched)
    expect(demo).not.toContain(made.secondUnmatched)
    expect(demo).not.toContain(made.deadLettered)
    // One university: no university column.
    expect(mainText(demo)).not.toContain('セカンド大学')

    const second = await triageAs('staff', 'second')
    await expectCountsMatchDb(second, 'second')
    expect(second).toContain(made.secondUnmatched)
    for (const id of [made.refused, made.held, made.mismatch, made.refund])
      expect(second).not.toContain(appLink(id))
    expect(second).not.toContain(made.unmatched)
    expect(second).not.toContain(made.deadLettered)

    const nokeys = await triageAs('admin', NOKEYS)
    const counts = await expectCountsMatchDb(nokeys, NOKEYS)
    expect(counts.deadLettered).toBeGreaterThanOrEqual(1)
    expect(nokeys).toContain(made.deadLettered)
    expect(nokeys).not.toContain(appLink(made.held))

    const all = await triageAs('callcentre', null)
    for (const needle of [
      appLink(made.held),
      made.unmatched,
      made.secondUnmatched,
      made.deadLettered,
    ])
      expect(all).toContain(needle)
  })

  it('reads in English as well', async () => {
    const { client } = await staffClient('callcentre', null)
    await client.get('/lang/en?next=/staff')
    const { html } = await client.get('/staff')
    expect(html).toContain('<h1>Needs attention</h1>')
    expect(html).toContain('Applications, payments and M.I.C. credits per hour (last 48 hours)')
    const held = rowOf(html, 'held', appLink(made.held))
    expect(held?.text).toContain('Held: over the balance cap')
    expect(held?.text).toContain('¥10,000')
    expect(rowOf(html, 'unmatched', made.secondUnmatched)?.text).toContain('Second University')
  })

  it('lists a credit M.I.C. keeps failing once it has failed for 30 minutes, and as stalled at the bound', async () => {
    const userId = user(5)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 700)
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: null, card: card(userId) })
    await payOnGateway(client, id)
    let a = await creditStatusBecomes(id, 'retrying')
    const firstFailure = Number(
      (await env.DB.prepare(
        "SELECT MIN(at) AS at FROM application_events WHERE application_id = ? AND kind = 'credit' AND json_extract(detail, '$.to') = 'retrying'",
      )
        .bind(id)
        .first<{ at: number }>())!.at,
    )
    // Still retrying by itself, and not yet 30 minutes: not listed.
    while (a.credit_attempts < RETRYING_NEEDS_PERSON_ATTEMPTS) {
      expect(await triageAs('staff', 'demo')).not.toContain(appLink(id))
      await setClock(a.next_credit_at! + 1000)
      await runCron()
      a = (await application(id))!
    }
    expect(a.credit_status).toBe('retrying')
    const retrying = rowOf(await triageAs('staff', 'demo'), 'retrying', appLink(id))
    expect(retrying?.text).toContain(`${RETRYING_NEEDS_PERSON_ATTEMPTS}回試行`)
    // Waiting since the first failure, when the student got the error mail.
    expect(retrying?.since).toBe(firstFailure)
    expect((await serviceNow(env)) - firstFailure).toBeGreaterThanOrEqual(30 * 60_000)

    while (a.credit_status === 'retrying') {
      await setClock(a.next_credit_at! + 1000)
      await runCron()
      a = (await application(id))!
    }
    expect(a.credit_status).toBe('stalled')
    const html = await triageAs('staff', 'demo')
    expect(rowOf(html, 'stalled', appLink(id))?.text).toContain('再試行の上限に到達')
    expect(rowOf(html, 'retrying', appLink(id))).toBeUndefined()
    await expectCountsMatchDb(html, 'demo')
    await mic().setFault(FAULT_NONE)
  })

  it('leaves out what no longer needs a person: a held credit once the card has room', async () => {
    const userId = user(6)
    const id = await heldCredit(userId)
    expect(await triageAs('staff', 'demo')).toContain(appLink(id))
    expect((await mic().purchase(card(userId), 7000)).status).toBe(200)
    await setClock((await application(id))!.next_credit_at! + 1000)
    await runCron()
    expect((await application(id))!.credit_status).toBe('credited')
    const html = await triageAs('staff', 'demo')
    expect(html).not.toContain(appLink(id))
    await expectCountsMatchDb(html, 'demo')
  })
})

// ---- The chart -----------------------------------------------------------------------------

/** The chart's table row for the hour starting at `iso`: its three numbers. */
const chartRow = (html: string, iso: string) => {
  const m = new RegExp(`<tr data-hour="${iso}">([\\s\\S]*?)</tr>`).exec(html)
  expect(m, `chart row ${iso}`).toBeTruthy()
  const cell = (series: string) =>
    Number(new RegExp(`class="num chart-${series}">(\\d+)<`).exec(m![1]!)?.[1])
  return {
    applications: cell('applications'),
    payments: cell('payments'),
    credits: cell('credits'),
    stop: textOf(m![1]!.replace(/^[\s\S]*<td class="wrap">/, '')),
  }
}

const chartHours = (html: string) =>
  [...html.matchAll(/<tr data-hour="([^"]+)">/g)].map((m) => m[1]!)

const stopRects = (html: string) =>
  [
    ...html.matchAll(
      /<rect class="chart-stop chart-stop-(\w+)"[^>]*data-start="([^"]+)" data-end="([^"]+)"><title>([^<]*)<\/title>/g,
    ),
  ].map((m) => ({
    kind: m[1]!,
    start: Date.parse(m[2]!),
    end: Date.parse(m[3]!),
    title: m[4]!,
  }))

/** The university's fiscal-year-end stop periods, as stored. */
const fiscalPeriods = async (universityId: string) =>
  (
    JSON.parse(
      (await env.DB.prepare('SELECT fiscal_year_end_blackouts AS b FROM universities WHERE id = ?')
        .bind(universityId)
        .first<{ b: string }>())!.b,
    ) as { start: string; end: string }[]
  ).map((p) => ({ start: Date.parse(p.start), end: Date.parse(p.end) }))

/**
 * The shaded windows are exactly M.I.C.'s stop windows (domain/blackout.ts decides when
 * credits wait): every 5 minutes of the 48 hours is shaded if and only if M.I.C. is stopped.
 */
const expectShadingIsTheStopCalendar = async (html: string, universityId: string) => {
  const hours = chartHours(html).map(Date.parse)
  const from = hours[0]!
  const to = hours.at(-1)! + HOUR
  const rects = stopRects(html)
  const fiscal = await fiscalPeriods(universityId)
  for (let t = from; t < to; t += 5 * 60_000) {
    const shaded = rects.some((r) => r.start <= t && t < r.end)
    expect(shaded, new Date(t).toISOString()).toBe(blackoutAt(t, fiscal) !== null)
  }
}

describe('the 48-hour chart', () => {
  it('counts applications, payments and credits per JST hour, the same numbers as a table', async () => {
    const userId = user(7)
    const client = await ready(userId)
    const before = await triageAs('staff', 'demo')
    const hours = chartHours(before)
    expect(hours).toHaveLength(48)
    const current = hours.at(-1)!
    const start = chartRow(before, current)

    const ids = []
    for (let i = 0; i < 3; i++) ids.push((await applyCharge(client, 1000)).id)
    await payOnGateway(client, ids[0]!)
    await creditStatusBecomes(ids[0]!, 'credited')

    const html = await triageAs('staff', 'demo')
    const now = chartRow(html, current)
    expect(now.applications - start.applications).toBe(3)
    expect(now.payments - start.payments).toBe(1)
    expect(now.credits - start.credits).toBe(1)
    // … and they are exactly what D1 holds for the hour.
    const hourStart = Date.parse(current)
    const inHour = async (column: string) =>
      (await env.DB.prepare(
        `SELECT COUNT(*) AS n FROM applications WHERE university_id = 'demo' AND ${column} >= ? AND ${column} < ?`,
      )
        .bind(hourStart, hourStart + HOUR)
        .first<{ n: number }>())!.n
    expect(now).toMatchObject({
      applications: await inHour('created_at'),
      payments: await inHour('paid_at'),
      credits: await inHour('credited_at'),
    })

    // An SVG in the page, with what a screen reader needs, axes and a legend.
    expect(html).toMatch(
      /<svg class="chart"[^>]*role="img" aria-labelledby="triage-chart-title triage-chart-desc"/,
    )
    expect(html).toContain(
      '<title id="triage-chart-title">1時間ごとの申請・支払・M.I.C.反映の件数（直近48時間）</title>',
    )
    const desc = /<desc id="triage-chart-desc">([^<]*)<\/desc>/.exec(html)?.[1] ?? ''
    expect(desc).toMatch(/申請\d+件、支払\d+件、M.I.C.反映\d+件/)
    expect(desc).toContain('毎日の停止')
    for (const label of ['0:00', '6:00', '12:00', '18:00', '件数', '時刻（日本時間）'])
      expect(html).toContain(`>${label}</text>`)
    for (const legend of ['申請', '支払', 'M.I.C.反映', 'M.I.C.連携停止時間'])
      expect(html).toContain(`fill="#333333">${legend}</text>`)
    expect(html).toMatch(
      new RegExp(
        `<rect class="chart-bar chart-applications"[^>]*data-hour="${current}" data-count="${now.applications}"`,
      ),
    )
    expect(html).toContain('<details class="chart-data"><summary>数値を表で見る</summary>')
    // Nothing of the page is script: it reads the same without JavaScript.
    expect(html).not.toContain('<script')

    // The nightly stops of the last 48 hours are shaded, and named in the table.
    const daily = stopRects(html).filter((r) => r.kind === 'daily')
    expect(daily.length).toBeGreaterThanOrEqual(1)
    for (const r of daily) expect(r.title).toMatch(/^毎日の停止 .* 02:00〜05:00$/)
    const nightHour = hours.find((h) => new Date(Date.parse(h) + 9 * HOUR).getUTCHours() === 3)!
    expect(chartRow(html, nightHour).stop).toContain('毎日の停止')
    expect(chartRow(html, current).stop).toBe('')
    await expectShadingIsTheStopCalendar(html, 'demo')
  })

  it('shades the university’s fiscal-year-end window and the month-end stop in their hours', async () => {
    // 2027-04-01 12:00 JST: the last 48 hours hold demo's fiscal-year end
    // (2027-03-31 20:00 – 2027-04-01 09:00 JST) and March's last 23:30–24:00.
    await setClock(Date.UTC(2027, 3, 1, 3, 0))
    const html = await triageAs('staff', 'demo')
    const rects = stopRects(html)
    const fiscal = rects.filter((r) => r.kind === 'fiscalYearEnd')
    expect(fiscal).toEqual([
      {
        kind: 'fiscalYearEnd',
        start: Date.parse('2027-03-31T11:00:00Z'),
        end: Date.parse('2027-04-01T00:00:00Z'),
        title: '年度末の停止（デモ大学）2027/03/31 20:00〜2027/04/01 09:00',
      },
    ])
    expect(rects.filter((r) => r.kind === 'monthEnd')).toMatchObject([
      { start: Date.parse('2027-03-31T14:30:00Z'), end: Date.parse('2027-03-31T15:00:00Z') },
    ])
    expect(chartRow(html, '2027-03-31T12:00:00.000Z').stop).toContain('年度末の停止')
    await expectShadingIsTheStopCalendar(html, 'demo')

    // The call centre sees every university: one window naming each university it stops.
    const all = await triageAs('callcentre', null)
    const shared = stopRects(all).filter((r) => r.kind === 'fiscalYearEnd')
    expect(shared).toHaveLength(1)
    expect(shared[0]!.title).toContain('デモ大学、セカンド大学')
  })
})

// ---- The 30-minute alert -----------------------------------------------------------------

const alertsWithSubject = async (subject: string) =>
  (
    await env.DB.prepare(
      "SELECT to_address, subject, body, university_id, application_id FROM mail_log WHERE kind = 'staff-needs-person' AND subject = ?",
    )
      .bind(subject)
      .all<{
        to_address: string
        subject: string
        body: string
        university_id: string
        application_id: number | null
      }>()
  ).results

const creditAlerts = async (id: number) =>
  (await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM mail_log WHERE kind = 'staff-alert' AND application_id = ?",
  )
    .bind(id)
    .first<{ n: number }>())!.n

describe('the alert mail after 30 minutes', () => {
  it('mails the university’s staff address once about each item, not before 30 minutes, never twice', async () => {
    const t0 = await serviceNow(env)
    const held = await heldCredit(user(8))
    const refused = await refusedCredit(user(9))
    const refund = await refusedCredit(user(10), 2000)
    await refundWaiting(refund)
    const unmatched = await unmatchedEvent()
    const dead = await deadLetteredEvent()
    const t1 = await serviceNow(env)

    const subjects = {
      held: `【要対応】上限超過のため保留 発行申請番号 ${held}`,
      refund: `【要対応】返金の承認待ち 発行申請番号 ${refund}`,
      unmatched: `【要対応】該当する申請のない決済通知 イベント ${unmatched}`,
      dead: `【要対応】適用できていない決済通知（デッドレター） イベント ${dead}`,
      refused: `【要対応】M.I.C.が拒否 発行申請番号 ${refused}`,
    }
    const sent = async () =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(subjects).map(async ([k, s]) => [k, (await alertsWithSubject(s)).length]),
        ),
      )

    // 29 minutes: nothing yet.
    await setClock(t0 + NEEDS_PERSON_ALERT_MS - 60_000)
    await runCron()
    expect(await sent()).toEqual({ held: 0, refund: 0, unmatched: 0, dead: 0, refused: 0 })

    // Past 30 minutes: one each. The refused credit had its alert the moment M.I.C.
    // refused it (flows/crediting.ts), and gets no second one.
    await setClock(t1 + NEEDS_PERSON_ALERT_MS + 60_000)
    await runCron()
    expect(await sent()).toEqual({ held: 1, refund: 1, unmatched: 1, dead: 1, refused: 0 })
    expect(await creditAlerts(refused)).toBe(1)

    // Later crons, overlapping or not: still one each.
    await Promise.all([runCron(), runCron()])
    await setClock(t1 + 3 * NEEDS_PERSON_ALERT_MS)
    await runCron()
    expect(await sent()).toEqual({ held: 1, refund: 1, unmatched: 1, dead: 1, refused: 0 })
    expect(await creditAlerts(refused)).toBe(1)

    const [heldMail] = await alertsWithSubject(subjects.held)
    expect(heldMail).toMatchObject({
      to_address: DEMO_ALERTS,
      university_id: 'demo',
      application_id: held,
    })
    expect(heldMail!.body).toContain('種別: 上限超過のため保留')
    expect(heldMail!.body).toContain(`発行申請番号: ${held}`)
    expect(heldMail!.body).toContain('金額: ¥10,000')
    expect(heldMail!.body).toMatch(/発生日時: \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}（日本時間）/)
    expect(heldMail!.body).toContain(`/staff/applications/${held}`)
    const [deadMail] = await alertsWithSubject(subjects.dead)
    expect(deadMail).toMatchObject({ to_address: NOKEYS_ALERTS, university_id: NOKEYS })
    expect(deadMail!.body).toContain(`イベントID: ${dead}`)

    // 要対応 shows when each was alerted.
    const html = await triageAs('staff', 'demo')
    expect(rowOf(html, 'held', appLink(held))?.text).toMatch(/\d{2}:\d{2}$/)
  })
})

// ---- 学生 -----------------------------------------------------------------------------------

const studentPage = async (client: Client, id: number) => client.get(`/staff/students/${id}`)

const auditOf = (action: string, targetId: number) =>
  env.DB.prepare(
    'SELECT * FROM audit_log WHERE action = ? AND target_id = ? ORDER BY id DESC LIMIT 1',
  )
    .bind(action, String(targetId))
    .first<{
      staff_id: number
      staff_email: string
      university_id: string
      target_type: string
      reason: string
      before: string
      after: string
    }>()

const auditCount = async (targetId: number) =>
  (await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM audit_log WHERE target_type = 'student' AND target_id = ?",
  )
    .bind(String(targetId))
    .first<{ n: number }>())!.n

/** A student login from a client of its own (its own address, no device cookie). */
const studentLogin = (userId: string, secondPassword: string, client = new Client()) =>
  client.post(
    '/login',
    { user_id: userId, password: 'univpass', second_password: secondPassword },
    { headers: { 'cf-connecting-ip': '198.51.100.121' } },
  )

describe('学生', () => {
  it('shows the student, their applications and the M.I.C. balance read live, or the last one when M.I.C. cannot answer', async () => {
    const userId = user(11)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1000)
    await payOnGateway(client, id)
    await creditStatusBecomes(id, 'credited')
    expect(await cardBalance(userId)).toBe(2000)
    const sid = await studentId(userId)
    const { client: staff } = await staffClient('staff', 'demo')

    const { res, html } = await studentPage(staff, sid)
    expect(res.status).toBe(200)
    const text = mainText(html)
    for (const fact of [userId, 'テスト ハナコ', `${userId}@example.ac.jp`, '前回ログイン'])
      expect(text).toContain(fact)
    expect(html).toContain(appLink(id))
    expect(text).toContain('チャージ済み')
    expect(html).toMatch(/<p class="balance" data-live="true"><strong>¥2,000<\/strong>/)
    expect(text).toContain('ロックはありません')

    // M.I.C. does not answer: said so, with the last balance and its time.
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: null, card: card(userId) })
    const down = await studentPage(staff, sid)
    expect(down.html).toContain('data-live="false"')
    expect(mainText(down.html)).toContain(
      'M.I.C.から残高を取得できませんでした（M.I.C.が応答しません）',
    )
    expect(mainText(down.html)).toMatch(/¥2,000 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2} 時点/)
    await mic().setFault(FAULT_NONE)
  })

  it('ログインロック解除: five wrong logins lock the student out; after the unlock the right one works', async () => {
    const userId = user(12)
    await ready(userId)
    const sid = await studentId(userId)
    const browser = new Client()
    for (let i = 0; i < 5; i++) await studentLogin(userId, 'Wrong-second-1', browser)
    expect((await studentLogin(userId, SECOND, browser)).res.status).toBe(429)

    const { member, client: staff } = await staffClient('callcentre', null)
    expect(mainText((await studentPage(staff, sid)).html)).toMatch(
      /ユーザIDのロック：.*まで止められています（失敗 5 回）/,
    )

    // The confirmation step asks for a reason; without one nothing happens.
    const confirm = await staff.get(`/staff/students/${sid}/unlock`)
    expect(confirm.res.status).toBe(200)
    expect(confirm.html).toContain(`action="/staff/students/${sid}/unlock"`)
    expect(confirm.html).toContain('name="reason"')
    const noReason = await staff.post(`/staff/students/${sid}/unlock`, { reason: '  ' })
    expect(noReason.res.status).toBe(422)
    expect(mainText(noReason.html)).toContain('理由を入力してください。')
    expect(await auditCount(sid)).toBe(0)
    expect((await studentLogin(userId, SECOND, new Client())).res.status).toBe(429)

    const done = await staff.post(`/staff/students/${sid}/unlock`, {
      reason: '本人から電話で確認済み',
    })
    expect(done.res.status).toBe(303)
    expect(done.res.headers.get('location')).toBe(`/staff/students/${sid}?done=unlock`)
    const after = mainText((await staff.get(`/staff/students/${sid}?done=unlock`)).html)
    expect(after).toContain('ログインロックを解除しました。')
    expect(after).toContain('ロックはありません')

    const login = await studentLogin(userId, SECOND, new Client())
    expect(login.res.status).toBe(303)
    expect(login.res.headers.get('location')).toBe('/menu')

    const audit = await auditOf('student.unlockLogin', sid)
    expect(audit).toMatchObject({
      staff_id: member.id,
      staff_email: member.email,
      university_id: 'demo',
      target_type: 'student',
      reason: '本人から電話で確認済み',
    })
    expect(JSON.parse(audit!.before)).toMatchObject({ failures: 5 })
    expect(JSON.parse(audit!.before).lockedUntil).toBeGreaterThan(0)
    expect(JSON.parse(audit!.after)).toMatchObject({ failures: 0, lockedUntil: null })
  })

  it('全セッション終了: every session of the student ends at once', async () => {
    const userId = user(13)
    const phone = await ready(userId)
    const laptop = new Client()
    expect((await studentLogin(userId, SECOND, laptop)).res.status).toBe(303)
    expect((await phone.get('/menu')).res.status).toBe(200)
    expect((await laptop.get('/menu')).res.status).toBe(200)
    const sid = await studentId(userId)
    const { member, client: staff } = await staffClient('staff', 'demo')

    expect((await staff.get(`/staff/students/${sid}/end-sessions`)).html).toContain(
      'すべてのセッションを終了します',
    )
    const noReason = await staff.post(`/staff/students/${sid}/end-sessions`, {})
    expect(noReason.res.status).toBe(422)
    expect(mainText(noReason.html)).toContain('理由を入力してください。')
    expect((await phone.get('/menu')).res.status).toBe(200)

    const done = await staff.post(`/staff/students/${sid}/end-sessions`, {
      reason: 'スマートフォン紛失の連絡',
    })
    expect(done.res.status).toBe(303)
    for (const device of [phone, laptop]) {
      const menu = await device.get('/menu')
      expect(menu.res.status).toBe(303)
      expect(menu.res.headers.get('location')).toMatch(/^\/login/)
    }
    // Logging in again works, into a new session.
    const again = new Client()
    expect((await studentLogin(userId, SECOND, again)).res.status).toBe(303)
    expect((await again.get('/menu')).res.status).toBe(200)

    const audit = await auditOf('student.endSessions', sid)
    expect(audit).toMatchObject({ staff_id: member.id, reason: 'スマートフォン紛失の連絡' })
    expect(JSON.parse(audit!.after).credentialEpoch).toBe(
      JSON.parse(audit!.before).credentialEpoch + 1,
    )
  })

  it('does not find another university’s student, nor change anything of theirs', async () => {
    const userId = user(14)
    const student = await ready(userId)
    const sid = await studentId(userId)
    const { client: second } = await staffClient('admin', 'second')
    for (const path of ['', '/unlock', '/end-sessions']) {
      const { res } = await second.get(`/staff/students/${sid}${path}`)
      expect(res.status, path).toBe(404)
    }
    for (const path of ['/unlock', '/end-sessions']) {
      const { res } = await second.post(`/staff/students/${sid}${path}`, { reason: '誤操作' })
      expect(res.status, path).toBe(404)
    }
    expect((await student.get('/menu')).res.status).toBe(200)
    expect(await auditCount(sid)).toBe(0)

    // Not a student id at all, or nobody's.
    const { client: staff } = await staffClient('staff', 'demo')
    expect((await staff.get('/staff/students/abc')).res.status).toBe(404)
    expect((await staff.get('/staff/students/99999999')).res.status).toBe(404)

    // The call centre serves every university, and sees which one.
    const { client: callcentre } = await staffClient('callcentre', null)
    const page = await studentPage(callcentre, sid)
    expect(page.res.status).toBe(200)
    expect(mainText(page.html)).toContain('デモ大学')

    // Signed out: to the console's login.
    const anonymous = await new Client().get(`/staff/students/${sid}`)
    expect(anonymous.res.status).toBe(303)
    expect(anonymous.res.headers.get('location')).toBe('/staff/login')
  })

  it('lets every role unlock and end sessions, as the rights table says', async () => {
    const userId = user(15)
    await ready(userId)
    const sid = await studentId(userId)
    for (const role of ['staff', 'callcentre', 'admin'] as const) {
      const member = await newStaff(role, role === 'callcentre' ? null : 'demo')
      const client = await staffLogin(member)
      for (const path of ['unlock', 'end-sessions']) {
        const { res } = await client.post(`/staff/students/${sid}/${path}`, { reason: role })
        expect(res.status, `${role} ${path}`).toBe(303)
      }
    }
    expect(await auditCount(sid)).toBe(6)
  })
})

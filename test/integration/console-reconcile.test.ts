import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpMic } from '../../src/adapters/mic'
import { KomojuProvider } from '../../src/adapters/payments/komoju'
import { creditKey } from '../../src/flows/crediting'
import { jstDayOf } from '../../src/flows/staff/reconcile'
import {
  application,
  applyCharge,
  creditStatusBecomes,
  nextJst,
  payOnGateway,
  ready,
  runCron,
  setClock,
} from '../charge'
import { Client, mainText } from '../client'
import { staffClient } from '../staff'
import { FAULT_NONE, komoju, mic } from '../twins'

/**
 * 突合 (reconciliation) in the console, against the real worker, its cron and both twins.
 * Every test works on a JST day of its own (the clock moves forward a day at a time), so
 * the gateway's list, the applications and M.I.C.'s credits of one test are never in
 * another's day. Students test0181–test0200 only.
 */

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
/** A JST midnight two days ahead: day k of this file starts k days after it. */
const MIDNIGHT = nextJst(0, 0) + DAY
const at = (k: number, hh: number, mm = 0) => MIDNIGHT + k * DAY + (hh * 60 + mm) * MINUTE
const dayOf = (k: number) => jstDayOf(at(k, 12))

type RunRow = {
  id: number
  university_id: string
  day: string
  ran_by: number | null
  gateway_count: number
  application_count: number
  mic_count: number
  difference_count: number
  error: string | null
}
type DifferenceRow = {
  kind: string
  application_id: number | null
  payment_id: string | null
  mic_credit_id: string | null
  gateway_amount: number | null
  application_amount: number | null
  mic_amount: number | null
  detail: string
}

const runRow = (id: number) =>
  env.DB.prepare('SELECT * FROM reconciliation_runs WHERE id = ?').bind(id).first<RunRow>()
const differencesOf = async (runId: number) =>
  (
    await env.DB.prepare('SELECT * FROM reconciliation_differences WHERE run_id = ? ORDER BY id')
      .bind(runId)
      .all<DifferenceRow>()
  ).results
const runCount = async () =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM reconciliation_runs').first<{ n: number }>())!.n
const nightlyRuns = async (universityId: string, day: string) =>
  (
    await env.DB.prepare(
      'SELECT * FROM reconciliation_runs WHERE university_id = ? AND day = ? AND ran_by IS NULL',
    )
      .bind(universityId, day)
      .all<RunRow>()
  ).results

/** 突合を実行 for `day`; returns the new run's id. */
const runOnDemand = async (client: Client, day: string, university?: string) => {
  const { res, html } = await client.post('/staff/reconciliation', {
    day,
    ...(university ? { university } : {}),
  })
  expect(res.status, mainText(html)).toBe(303)
  const id = Number(res.headers.get('location')?.match(/^\/staff\/reconciliation\/(\d+)$/)?.[1])
  expect(id).toBeGreaterThan(0)
  return id
}

/** A charge paid on the KOMOJU twin's page and credited to the card. */
const chargeCredited = async (userId: string, amount: number) => {
  const client = await ready(userId)
  const { id } = await applyCharge(client, amount)
  await payOnGateway(client, id)
  await creditStatusBecomes(id, 'credited')
  return id
}

/** The merchant's own call to KOMOJU's API (as from KOMOJU's dashboard), on the twin. */
const komojuApi = async (path: string, body: unknown) => {
  const res = await fetch(`http://komoju.test/api/v1${path}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${env.KOMOJU_SECRET_KEY}:`)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(200)
  return (await res.json()) as { id: string; status: string; amount: number }
}

/** A コンビニ payment made at KOMOJU for no application of ours, paid at the store. */
const walkInPayment = async (amount: number, now: number) => {
  const p = await komojuApi('/payments', {
    amount,
    currency: 'JPY',
    payment_deadline: new Date(now + 2 * 60 * MINUTE).toISOString(),
    payment_details: { type: 'konbini', store: 'lawson', email: 'walk-in@example.com' },
  })
  expect((await komoju.payAtStore(p.id)).status).toBe(200)
  return p.id
}

/** A credit made at M.I.C. directly, with an idempotency key of someone else's choosing. */
const creditAtMic = async (userId: string, amount: number, key: string) => {
  const res = await fetch(`http://mic.test/v1/cards/demo/${userId}/credits`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${env.MIC_API_KEY}`,
      'idempotency-key': key,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ amount }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { creditId: string }).creditId
}

/** A CSV line's fields (every field quoted, quotes doubled). */
const csvFields = (line: string) => {
  expect(line).toMatch(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/)
  return [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"'))
}

afterEach(async () => {
  await mic.setFault(FAULT_NONE)
})

describe('突合 (reconciliation)', () => {
  it('finds zero differences on a normal day of charges paid and credited', async () => {
    await setClock(at(0, 11))
    const ids = [
      await chargeCredited('test0181', 1000),
      await chargeCredited('test0182', 2500),
      await chargeCredited('test0183', 700),
    ]
    const { member, client } = await staffClient('staff')
    const runId = await runOnDemand(client, dayOf(0))
    const run = await runRow(runId)
    expect(run).toMatchObject({
      university_id: 'demo',
      day: dayOf(0),
      ran_by: member.id,
      gateway_count: 3,
      application_count: 3,
      mic_count: 3,
      difference_count: 0,
      error: null,
    })
    expect(await differencesOf(runId)).toEqual([])
    const page = await client.get(`/staff/reconciliation/${runId}`)
    expect(page.res.status).toBe(200)
    expect(mainText(page.html)).toContain('差異はありません')
    expect(ids).toHaveLength(3)
    // Running it is audited, with what it found.
    const audit = await env.DB.prepare(
      "SELECT * FROM audit_log WHERE action = 'reconcile.run' AND target_id = ?",
    )
      .bind(String(runId))
      .first<{ staff_id: number; university_id: string; after: string }>()
    expect(audit).toMatchObject({ staff_id: member.id, university_id: 'demo' })
    expect(JSON.parse(audit!.after)).toEqual({ day: dayOf(0), differences: 0, error: null })
  }, 120_000)

  it('finds each kind of difference exactly once, and gives them as CSV for Excel', async () => {
    const noon = at(1, 12)
    await setClock(noon)
    // A normal charge: no difference.
    const normal = await chargeCredited('test0184', 1000)

    // Paid, and M.I.C. has not answered since: paid_not_credited (still retrying).
    const waitingClient = await ready('test0185')
    const { id: waiting } = await applyCharge(waitingClient, 1000)
    await mic.setFault({ ...FAULT_NONE, mode: 'fail', card: 'demo:test0185' })
    await payOnGateway(waitingClient, waiting)
    await creditStatusBecomes(waiting, 'retrying')

    // Someone credited a card at M.I.C. directly: credited_without_payment.
    const strayCredit = await creditAtMic('test0186', 700, `office:manual:${crypto.randomUUID()}`)

    // M.I.C. holds a credit of the application's key for another amount: amount_differs.
    const differsClient = await ready('test0187')
    const { id: differs } = await applyCharge(differsClient, 1500)
    await mic.setFault({ ...FAULT_NONE, mode: 'fail', card: 'demo:test0187' })
    await payOnGateway(differsClient, differs)
    await creditStatusBecomes(differs, 'retrying')
    await mic.setFault({ ...FAULT_NONE, mode: 'fail', card: 'demo:test0185' })
    const wrongCredit = await creditAtMic(
      'test0187',
      1200,
      creditKey({ universityId: 'demo', id: differs }),
    )

    // Credited, then refunded at the gateway (from its dashboard): refunded_but_credited.
    const refunded = await chargeCredited('test0188', 2000)
    const refundedPayment = (await application(refunded))!.provider_payment_id!
    expect((await komojuApi(`/payments/${refundedPayment}/refund`, {})).status).toBe('refunded')

    // Paid at KOMOJU for no application of ours: unknown_payment.
    const walkIn = await walkInPayment(3000, noon)

    const { client } = await staffClient('admin')
    const runId = await runOnDemand(client, dayOf(1))
    const run = await runRow(runId)
    expect(run).toMatchObject({
      error: null,
      difference_count: 5,
      // The gateway: normal, waiting, differs, refunded, walk-in; M.I.C.: normal, stray,
      // wrong, refunded; ours: normal, waiting, differs, refunded.
      gateway_count: 5,
      application_count: 4,
      mic_count: 4,
    })
    const payment = async (id: number) => (await application(id))!.provider_payment_id
    const found = await differencesOf(runId)
    expect(found.map((d) => d.kind).sort()).toEqual(
      [
        'amount_differs',
        'credited_without_payment',
        'paid_not_credited',
        'refunded_but_credited',
        'unknown_payment',
      ].sort(),
    )
    const of = (kind: string) => found.find((d) => d.kind === kind)!
    expect(of('paid_not_credited')).toMatchObject({
      application_id: waiting,
      payment_id: await payment(waiting),
      mic_credit_id: null,
      gateway_amount: 1000,
      application_amount: 1000,
      mic_amount: null,
    })
    // Staff see why it is not on the card: still retrying.
    expect(JSON.parse(of('paid_not_credited').detail)).toMatchObject({ creditStatus: 'retrying' })
    expect(of('credited_without_payment')).toMatchObject({
      application_id: null,
      mic_credit_id: strayCredit,
      mic_amount: 700,
    })
    expect(of('amount_differs')).toMatchObject({
      application_id: differs,
      payment_id: await payment(differs),
      mic_credit_id: wrongCredit,
      gateway_amount: 1500,
      application_amount: 1500,
      mic_amount: 1200,
    })
    expect(of('refunded_but_credited')).toMatchObject({
      application_id: refunded,
      payment_id: refundedPayment,
      gateway_amount: 2000,
      mic_amount: 2000,
    })
    expect(of('unknown_payment')).toMatchObject({
      application_id: null,
      payment_id: walkIn,
      gateway_amount: 3000,
    })
    expect(found.some((d) => d.application_id === normal)).toBe(false)

    // The page: each kind named, each application linked to its 申請詳細.
    const page = await client.get(`/staff/reconciliation/${runId}`)
    expect(page.res.status).toBe(200)
    const text = mainText(page.html)
    for (const label of [
      '入金済み・M.I.C.未反映',
      '入金なしのM.I.C.チャージ',
      '金額の不一致',
      '返金済み・M.I.C.反映済み',
      '申請のない入金',
    ])
      expect(text).toContain(label)
    for (const id of [waiting, differs, refunded])
      expect(page.html).toContain(`href="/staff/applications/${id}"`)
    expect(text).toContain('再試行中')

    // In English too.
    await client.get(`/lang/en?next=/staff/reconciliation/${runId}`)
    const en = mainText((await client.get(`/staff/reconciliation/${runId}`)).html)
    for (const label of [
      'Paid, not on M.I.C.',
      'M.I.C. charge without payment',
      'Amounts differ',
      'Refunded, yet on M.I.C.',
      'Payment without application',
    ])
      expect(en).toContain(label)
    await client.get(`/lang/ja?next=/staff/reconciliation`)

    // The CSV: UTF-8 with a byte-order mark, CRLF, every field quoted; one row a difference.
    const res = await client.request(`/staff/reconciliation/${runId}.csv`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/)
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const csv = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
    expect(csv.startsWith('\uFEFF')).toBe(true)
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
    const [header, ...rows] = csv.slice(1, -2).split('\r\n').map(csvFields)
    expect(header).toEqual([
      '種類',
      '発行申請番号',
      '決済ID',
      'M.I.C.チャージID',
      '決済金額',
      '申請金額',
      'M.I.C.チャージ額',
      '詳細',
      'ユーザID',
      '氏名カナ',
    ])
    expect(rows).toHaveLength(5)
    const row = (label: string) => rows.find((r) => r[0] === label)!
    expect(row('金額の不一致').slice(1, 7)).toEqual([
      String(differs),
      (await payment(differs))!,
      wrongCredit,
      '1500',
      '1500',
      '1200',
    ])
    expect(row('申請のない入金').slice(1, 5)).toEqual(['', walkIn, '', '3000'])
    // A payment unknown to us has no student; one of ours names its student.
    expect(row('申請のない入金').slice(8)).toEqual(['', ''])
    expect(row('金額の不一致')[8]).not.toBe('')
    expect(row('入金済み・M.I.C.未反映')[7]).toContain('再試行中')

    // M.I.C. answers again and the cron credits the waiting charge: run again, it is gone.
    // (The other keeps M.I.C.'s wrong amount: M.I.C. refuses the key for another amount.)
    await mic.setFault(FAULT_NONE)
    await setClock(at(1, 12, 30))
    await runCron()
    await creditStatusBecomes(waiting, 'credited')
    // (Half an hour on, the console session has expired: sign in again.)
    const rerun = await runOnDemand((await staffClient('staff')).client, dayOf(1))
    expect((await differencesOf(rerun)).map((d) => d.kind).sort()).toEqual(
      [
        'amount_differs',
        'credited_without_payment',
        'refunded_but_credited',
        'unknown_payment',
      ].sort(),
    )
  }, 180_000)

  it('keeps a run whose side could not be read, with the error and no differences', async () => {
    const noon = at(2, 12)
    await setClock(noon)
    const walkIn = await walkInPayment(1800, noon)
    const { client } = await staffClient('staff')

    // M.I.C. answers nothing but errors: nothing is compared, though a difference exists.
    await mic.setFault({ ...FAULT_NONE, mode: 'fail' })
    const failedId = await runOnDemand(client, dayOf(2))
    await mic.setFault(FAULT_NONE)
    const failed = await runRow(failedId)
    expect(failed!.error).toMatch(/^mic_unavailable/)
    expect(failed!.difference_count).toBe(0)
    expect(await differencesOf(failedId)).toEqual([])
    const page = mainText((await client.get(`/staff/reconciliation/${failedId}`)).html)
    expect(page).toContain('この突合では何も比較していません。')
    expect(page).toContain('M.I.C.からチャージの一覧を取得できませんでした。')
    // The list says so too.
    expect(mainText((await client.get('/staff/reconciliation')).html)).toContain('比較できず')

    // Once M.I.C. answers, the same day shows what is there.
    const again = await runOnDemand(client, dayOf(2))
    expect(await runRow(again)).toMatchObject({ error: null, difference_count: 1 })
    expect(await differencesOf(again)).toMatchObject([
      { kind: 'unknown_payment', payment_id: walkIn },
    ])
  }, 120_000)

  it("shows a university's runs to its own staff and the call centre only", async () => {
    await setClock(at(3, 12))
    const { client: demoStaff } = await staffClient('staff')
    const demoRun = await runOnDemand(demoStaff, dayOf(3))

    const { client: secondStaff } = await staffClient('staff', 'second')
    expect((await secondStaff.get(`/staff/reconciliation/${demoRun}`)).res.status).toBe(404)
    expect((await secondStaff.request(`/staff/reconciliation/${demoRun}.csv`)).status).toBe(404)
    const list = await secondStaff.get('/staff/reconciliation')
    expect(list.res.status).toBe(200)
    expect(list.html).not.toContain(`/staff/reconciliation/${demoRun}"`)
    // Naming another university in the form changes nothing: a member runs their own.
    const own = await runOnDemand(secondStaff, dayOf(3), 'demo')
    expect((await runRow(own))!.university_id).toBe('second')
    expect((await demoStaff.get(`/staff/reconciliation/${own}`)).res.status).toBe(404)

    const { client: callCentre } = await staffClient('callcentre')
    const all = await callCentre.get('/staff/reconciliation')
    expect(all.html).toContain(`/staff/reconciliation/${demoRun}"`)
    expect(all.html).toContain(`/staff/reconciliation/${own}"`)
    expect(mainText(all.html)).toContain('デモ大学')
    expect(mainText(all.html)).toContain('セカンド大学')
    const page = await callCentre.get(`/staff/reconciliation/${demoRun}`)
    expect(page.res.status).toBe(200)
    expect(mainText(page.html)).toContain('デモ大学')
    expect((await callCentre.request(`/staff/reconciliation/${demoRun}.csv`)).status).toBe(200)
    // The call centre names the university; one that does not exist is refused.
    const chosen = await runOnDemand(callCentre, dayOf(3), 'second')
    expect((await runRow(chosen))!.university_id).toBe('second')
    const before = await runCount()
    const unknown = await callCentre.post('/staff/reconciliation', {
      day: dayOf(3),
      university: 'nowhere',
    })
    expect(unknown.res.status).toBe(422)
    expect(mainText(unknown.html)).toContain('大学を選択してください。')
    expect(await runCount()).toBe(before)

    // Without a console session: the login, nothing shown.
    const anonymous = new Client()
    const res = await anonymous.request(`/staff/reconciliation/${demoRun}`)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/staff/login')
  }, 120_000)

  it('refuses a bad or future date with a message on the page, running nothing', async () => {
    await setClock(at(4, 12))
    const { client } = await staffClient('staff')
    const before = await runCount()
    for (const [day, message] of [
      ['', '対象日を入力してください。'],
      ['2026-02-30', '対象日は「2026-11-25」の形式で、実在する日付を入力してください。'],
      ['yesterday', '対象日は「2026-11-25」の形式で、実在する日付を入力してください。'],
      ['2026-1-5', '対象日は「2026-11-25」の形式で、実在する日付を入力してください。'],
      [dayOf(5), '対象日に今日より後の日付は指定できません。'],
    ] as const) {
      const { res, html } = await client.post('/staff/reconciliation', { day })
      expect(res.status, day).toBe(422)
      expect(mainText(html)).toContain(message)
      // The form keeps what was typed.
      if (day) expect(html).toContain(`value="${day}"`)
    }
    expect(await runCount()).toBe(before)
    // Today (not over yet) may be compared.
    await runOnDemand(client, dayOf(4))
    expect(await runCount()).toBe(before + 1)
  }, 60_000)

  it('runs nightly after the stop window, for the day before, exactly once a day', async () => {
    await setClock(at(5, 12))
    await chargeCredited('test0190', 1200)

    // In the night's stop window: not yet.
    await setClock(at(6, 4, 30))
    await runCron()
    expect(await nightlyRuns('demo', dayOf(5))).toEqual([])

    // After it: once, however often the cron runs.
    await setClock(at(6, 5, 15))
    await runCron()
    await runCron()
    const [nightly, ...more] = await nightlyRuns('demo', dayOf(5))
    expect(more).toEqual([])
    expect(nightly).toMatchObject({
      error: null,
      difference_count: 0,
      gateway_count: 1,
      application_count: 1,
      mic_count: 1,
    })
    await setClock(at(6, 9))
    await runCron()
    expect(await nightlyRuns('demo', dayOf(5))).toHaveLength(1)
    // Every university with a gateway account gets its own.
    expect(await nightlyRuns('second', dayOf(5))).toHaveLength(1)

    const { client } = await staffClient('staff')
    const list = mainText((await client.get('/staff/reconciliation')).html)
    expect(list).toContain('夜間自動実行')

    // The next night, the next day.
    await setClock(at(7, 5, 20))
    await runCron()
    expect(await nightlyRuns('demo', dayOf(6))).toHaveLength(1)
    expect(await nightlyRuns('demo', dayOf(5))).toHaveLength(1)
  }, 120_000)
})

describe('the lists 突合 reads, as the adapters read them from the twins', () => {
  const komojuGet = (query: string, key: string | null = env.KOMOJU_SECRET_KEY) =>
    fetch(`http://komoju.test/api/v1/payments?${query}`, {
      headers: key === null ? {} : { authorization: `Basic ${btoa(`${key}:`)}` },
    })
  const micGet = (university: string, query: string, key: string | null = env.MIC_API_KEY) =>
    fetch(`http://mic.test/v1/universities/${university}/credits?${query}`, {
      headers: key === null ? {} : { authorization: `Bearer ${key}` },
    })
  const whole = { from: at(0, 0), to: at(9, 0) }

  it("reads every page of KOMOJU's payment list, by creation time, refunds included", async () => {
    const noon = at(8, 12)
    await setClock(noon)
    const walkIns = [
      await walkInPayment(500, noon),
      await walkInPayment(600, noon),
      await walkInPayment(700, noon),
    ]
    const account = {
      apiUrl: 'http://komoju.test',
      secretKey: env.KOMOJU_SECRET_KEY,
      webhookSecret: env.KOMOJU_WEBHOOK_SECRET,
    }
    // Two a page: the file's payments take several pages, each read once.
    const paged = await new KomojuProvider(account, undefined, 15_000, 2).listPayments(whole)
    const expected = (await komoju.payments()).filter((p) => {
      const created = Date.parse((p as unknown as { created_at: string }).created_at)
      return created >= whole.from && created < whole.to
    })
    expect(paged.length).toBeGreaterThan(4)
    expect(paged.map((p) => p.id).sort()).toEqual(expected.map((p) => p.id).sort())
    const onePage = await new KomojuProvider(account).listPayments(whole)
    expect(onePage.map((p) => p.id).sort()).toEqual(paged.map((p) => p.id).sort())
    // Only what was created in the range.
    const day8 = await new KomojuProvider(account, undefined, 15_000, 2).listPayments({
      from: at(8, 0),
      to: at(9, 0),
    })
    expect(day8.map((p) => p.id).sort()).toEqual([...walkIns].sort())
    expect(day8.every((p) => p.status === 'captured' && p.capturedAt! >= at(8, 0))).toBe(true)
    // The refund made at the gateway on day 1 is in its payment, with its time.
    const refunded = onePage.find((p) => p.status === 'refunded')!
    expect(refunded.amountRefunded).toBe(refunded.amount)
    expect(refunded.refundedAt).toBeGreaterThanOrEqual(at(1, 0))
    expect(refunded.refundedAt).toBeLessThan(at(2, 0))

    // As strict as KOMOJU: the secret key, and parameters it can read.
    expect((await komojuGet('per_page=10', null)).status).toBe(401)
    expect((await komojuGet('per_page=10', 'sk_test_nobody')).status).toBe(401)
    for (const bad of [
      'per_page=0',
      'per_page=101',
      'per_page=x',
      'page=0',
      'start_time=soon',
      'status=paid',
    ]) {
      const res = await komojuGet(bad)
      expect(res.status, bad).toBe(422)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'invalid_parameter',
      )
    }
    const page = (await (
      await komojuGet(
        `start_time=${new Date(at(8, 0)).toISOString()}&end_time=${new Date(at(9, 0)).toISOString()}&per_page=2&page=2`,
      )
    ).json()) as {
      resource: string
      total: number
      page: number
      per_page: number
      last_page: number
      data: unknown[]
    }
    expect(page).toMatchObject({
      resource: 'payment_list',
      total: 3,
      page: 2,
      per_page: 2,
      last_page: 2,
    })
    expect(page.data).toHaveLength(1)
  }, 60_000)

  it("reads every page of M.I.C.'s credits of a university, credits only", async () => {
    await setClock(at(8, 13))
    expect((await mic.cash('demo:test0191', 500)).status).toBe(200)
    const client = (pageSize: number) =>
      new HttpMic({
        baseUrl: 'http://mic.test',
        apiKey: env.MIC_API_KEY,
        timeoutMs: 5000,
        fetcher: (r) => fetch(r),
        listPageSize: pageSize,
      })
    const paged = await client(2).credits('demo', whole)
    expect(paged.ok).toBe(true)
    const ledger = (await mic.ledger()) as {
      cards: { cardId: string; entries: { kind: string; creditId: string | null; at: number }[] }[]
    }
    const expected = ledger.cards
      .filter((c) => c.cardId.startsWith('demo:'))
      .flatMap((c) => c.entries)
      .filter((e) => e.kind === 'credit' && e.at >= whole.from && e.at < whole.to)
      .map((e) => e.creditId)
    const ids = paged.ok ? paged.credits.map((c) => c.creditId) : []
    expect(ids.length).toBeGreaterThan(4)
    expect([...ids].sort()).toEqual([...expected].sort())
    expect(new Set(ids).size).toBe(ids.length)
    // The campus cash charge is not a credit; another university's cards are not listed.
    expect(paged.ok && paged.credits.some((c) => c.userId === 'test0191')).toBe(false)
    expect(await client(500).credits('second', whole)).toEqual({ ok: true, credits: [] })

    expect((await micGet('demo', `from=${whole.from}&to=${whole.to}`, null)).status).toBe(401)
    expect((await micGet('demo', `from=${whole.to}&to=${whole.from}`)).status).toBe(400)
    expect((await micGet('demo', `from=0&to=${whole.to}`)).status).toBe(400)
    expect((await micGet('demo', `from=${whole.from}&to=${whole.to}&limit=501`)).status).toBe(400)

    // In the night's stop window M.I.C. answers nothing, and a run says why it compared nothing.
    await setClock(at(9, 3))
    expect(await client(500).credits('demo', whole)).toMatchObject({ ok: false, error: 'blackout' })
    const { client: staff } = await staffClient('staff')
    const runId = await runOnDemand(staff, dayOf(8))
    expect(await runRow(runId)).toMatchObject({ error: 'mic_blackout', difference_count: 0 })
    expect(mainText((await staff.get(`/staff/reconciliation/${runId}`)).html)).toContain(
      'M.I.C.連携停止時間のため',
    )
  }, 60_000)
})

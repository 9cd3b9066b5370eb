import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { database } from '../../src/db'
import type { GatewayPayment } from '../../src/adapters/payments'
import { compareDay, type ReconciledApplication } from '../../src/flows/staff/reconcile'
import { needsPerson } from '../../src/flows/staff/triage'
import {
  application,
  applyCharge,
  atNoon,
  cardBalance,
  creditsOf,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  nextJst,
  payOnGateway,
  ready,
  refundAtGateway as refundAt,
  runCron,
  SECOND,
  setClock,
} from '../charge'
import { Client, login, mainText } from '../client'
import { PASSWORD } from '../fixtures'
import { staffClient } from '../staff'
import { FAULT_NONE } from '../twins'

/**
 * Money that goes back at the gateway (a refund in KOMOJU's dashboard, a partial refund, a
 * chargeback) is money too: nothing is credited that KOMOJU no longer holds as captured in
 * full, and what went back after the credit has a name, an alert and a way out.
 * (Issue 17, holes 1–4 and 6; each test failed on the code before its fix.)
 */
const user = (n: number) => `test${String(245 + n).padStart(4, '0')}`
const card = (userId: string) => `demo:${userId}`

beforeEach(async () => {
  await atNoon()
  await gateway().settings({
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
    paused: false,
    refuseNextRefund: false,
  })
  await mic().setFault(FAULT_NONE)
})

/** Refunds at KOMOJU as its dashboard does (the merchant's key, not through us). */
const refundAtGateway = async (paymentId: string, amount?: number) =>
  expect(await refundAt(paymentId, amount)).toBe(200)

const row = (id: number) =>
  env.DB.prepare('SELECT * FROM applications WHERE id = ?').bind(id).first<{
    status: string
    credit_status: string
    credit_sent_at: number | null
    next_credit_at: number | null
    gateway_refunded: number
    gateway_chargeback: number
    provider_payment_id: string
  }>()

const alerts = async (id: number) =>
  (await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM mail_log WHERE kind = 'staff-alert' AND application_id = ?",
  )
    .bind(id)
    .first<{ n: number }>())!.n

const triageKindsOf = async (id: number) =>
  (await needsPerson(database(env.DB), { scope: 'demo' }))
    .filter((i) => i.applicationId === id)
    .map((i) => i.kind)

describe('hole 1: a refund at KOMOJU stops a credit that is waiting', () => {
  it('never credits a payment made at 02:05 and refunded before the stop window ends (webhook delivered)', async () => {
    const userId = user(1)
    await (await ready(userId)).get('/charge') // M.I.C.'s balance, remembered at noon
    await setClock(nextJst(2, 5))
    const client = new Client()
    await login(client, userId, PASSWORD, SECOND)
    const { id } = await applyCharge(client, 3000)
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'deferred')
    await refundAtGateway(a.provider_payment_id!)
    await gateway().flush()
    await eventually(
      () => application(id),
      (x) => x?.status === 'refunded',
    )
    await setClock(a.next_credit_at! + 10 * 60_000)
    await runCron()
    expect((await application(id))!.status).toBe('refunded')
    expect(await creditsOf(userId)).toEqual([])
    expect(await cardBalance(userId)).toBe(1000)
  })

  it('asks KOMOJU again before a deferred credit is sent, when the refund’s webhook was lost', async () => {
    const userId = user(2)
    await (await ready(userId)).get('/charge') // M.I.C.'s balance, remembered at noon
    await setClock(nextJst(2, 5))
    const client = new Client()
    await login(client, userId, PASSWORD, SECOND)
    const { id } = await applyCharge(client, 3000)
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'deferred')
    await gateway().settings({ paused: true }) // the refund's webhook never arrives
    await refundAtGateway(a.provider_payment_id!)
    await setClock(a.next_credit_at! + 10 * 60_000)
    await runCron()
    expect((await application(id))!.status).toBe('refunded')
    expect(await creditsOf(userId)).toEqual([])
  })

  it('does not send a retrying credit whose payment was charged back meanwhile', async () => {
    const userId = user(3)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1500)
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: 1, card: card(userId) })
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'retrying')
    await gateway().settings({ paused: true })
    await gateway().chargeback(a.provider_payment_id!)
    await setClock(a.next_credit_at! + 1000)
    await runCron()
    const after = (await row(id))!
    expect(after.status).toBe('refunded')
    expect(after.gateway_chargeback).toBe(1)
    expect(await creditsOf(userId)).toEqual([])
  })

  it('settles a credit whose answer was lost with M.I.C. by its key before deciding: it landed, so it is named, not refunded', async () => {
    const userId = user(4)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 2500)
    // M.I.C. applies the credit, then the answer is lost (twice: no retry learns it).
    await mic().setFault({ ...FAULT_NONE, mode: 'lose-response', remaining: 2, card: card(userId) })
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'retrying')
    expect((await row(id))!.credit_sent_at).not.toBeNull()
    await refundAtGateway(a.provider_payment_id!)
    await gateway().flush()
    const after = await creditStatusBecomes(id, 'reversed')
    expect(after.status).toBe('paid')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([2500]) // once, never again
    await setClock(a.next_credit_at! + 60 * 60_000)
    await runCron()
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([2500])
  })
})

describe('hole 2: a partial refund before the credit', () => {
  it('never credits more than KOMOJU holds: named, on 要対応 and 申請情報 詳細, and staff credit the net', async () => {
    const userId = user(5)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 10_000)
    expect((await mic().cash(card(userId), 15_000)).status).toBe(200) // ¥16,000: no room
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'held')
    await refundAtGateway(a.provider_payment_id!, 4000) // status stays captured, no webhook
    expect((await mic().purchase(card(userId), 15_000)).status).toBe(200) // room now
    await setClock(a.next_credit_at! + 1000)
    await runCron()
    const after = (await row(id))!
    expect(after.credit_status).toBe('partly_refunded')
    expect(after.gateway_refunded).toBe(4000)
    expect(await creditsOf(userId)).toEqual([])
    expect(await alerts(id)).toBe(1)
    expect(await triageKindsOf(id)).toEqual(['partly_refunded'])
    expect(mainText((await client.get(`/applications/${id}`)).html)).toContain(
      'お支払いのうち4,000円が決済代行会社で返金されたため',
    )
    // Another cron changes nothing and alerts no one again.
    await setClock(a.next_credit_at! + 20 * 60_000)
    await runCron()
    expect(await alerts(id)).toBe(1)
    expect(await creditsOf(userId)).toEqual([])
    // Or the rest goes back: KOMOJU refunds what it still holds, and nothing is credited.
    const again = new Client()
    await login(again, userId, PASSWORD, SECOND)
    // 返金を申し込む asks on its own page, with what KOMOJU still holds.
    expect(mainText((await again.get(`/applications/${id}/refund`)).html)).toContain('6,000円')
    await again.post(`/applications/${id}/refund`, {})
    expect((await application(id))!.status).toBe('refunded')
    const p = (await gateway().payments()).find((x) => x.id === a.provider_payment_id)
    expect(p).toMatchObject({ status: 'refunded', amount_refunded: 10_000 })
    expect(await creditsOf(userId)).toEqual([])
  })
})

describe('hole 3: a refund or chargeback after the credit', () => {
  it('names it, tells the student, alerts staff once and lists it on 要対応', async () => {
    const userId = user(6)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 2000)
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'credited')
    await gateway().chargeback(a.provider_payment_id!)
    await gateway().flush()
    await creditStatusBecomes(id, 'reversed')
    const after = (await row(id))!
    expect(after.gateway_refunded).toBe(2000)
    expect(after.gateway_chargeback).toBe(1)
    expect(await alerts(id)).toBe(1)
    expect(await triageKindsOf(id)).toEqual(['reversed'])
    expect(mainText((await client.get(`/applications/${id}`)).html)).toContain(
      'カード会社によって取り消されました',
    )
    // It no longer counts against the cap twice, nor is it credited again.
    await gateway().flush()
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([2000])
    expect(await alerts(id)).toBe(1)
  })
})

describe('hole 4: a refusal after an attempt whose answer was lost', () => {
  it('counts as never sent: the student can have the money back, and the cap room is freed', async () => {
    const userId = user(7)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1200)
    // The first attempt's request timed out without M.I.C. applying it. (The twin's faults hit
    // the balance read first, so the state that leaves — sent once, fate unknown — is set
    // here as that attempt leaves it.)
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: 1, card: card(userId) })
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'retrying')
    await env.DB.prepare(
      "UPDATE applications SET credit_sent_at = ?, credit_error = 'timeout' WHERE id = ?",
    )
      .bind(a.paid_at, id)
      .run()
    // … then the card is suspended, and M.I.C. refuses the same key.
    await mic().setFault(FAULT_NONE)
    await mic().setCard(card(userId), { suspended: true })
    await setClock(a.next_credit_at! + 1000)
    await runCron()
    const refused = (await row(id))!
    expect(refused.credit_status).toBe('refused')
    expect(refused.credit_sent_at).toBeNull()
    expect((await client.get(`/applications/${id}`)).html).toContain(`/applications/${id}/refund"`)
    await client.post(`/applications/${id}/refund`, {})
    expect((await application(id))!.status).toBe('refunded')
    expect(await creditsOf(userId)).toEqual([])
    await mic().setCard(card(userId), { suspended: false })
  })
})

describe('hole 6: a refund KOMOJU refuses', () => {
  it('puts a held credit back with its next look due, so the cron credits it once there is room', async () => {
    const userId = user(8)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 5000)
    expect((await mic().cash(card(userId), 15_000)).status).toBe(200)
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'held')
    await gateway().settings({ refuseNextRefund: true })
    await client.post(`/applications/${id}/refund`, {})
    const back = (await row(id))!
    expect(back.status).toBe('paid')
    expect(back.credit_status).toBe('held')
    expect(back.next_credit_at).not.toBeNull()
    expect((await mic().purchase(card(userId), 10_000)).status).toBe(200)
    await setClock(a.next_credit_at! + HELD_LOOK_MS)
    await runCron()
    expect((await application(id))!.credit_status).toBe('credited')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([5000])
  })
})

const HELD_LOOK_MS = 11 * 60_000

describe('突合 gives money that went back after the credit its own line', () => {
  const day = { start: Date.UTC(2026, 11, 1, -9), end: Date.UTC(2026, 11, 2, -9) }
  const noon = day.start + 12 * 60 * 60_000
  const payment = (over: Partial<GatewayPayment>): GatewayPayment => ({
    id: 'pay_1',
    status: 'captured',
    amount: 5000,
    currency: 'JPY',
    orderRef: '901',
    capturedAt: noon,
    deadline: null,
    store: null,
    createdAt: noon,
    amountRefunded: 0,
    refundedAt: null,
    chargedBack: false,
    refunds: [],
    refundRequests: [],
    ...over,
  })
  const app = (over: Partial<ReconciledApplication>): ReconciledApplication => ({
    id: 901,
    kind: 'mic_charge',
    universityId: 'demo',
    amount: 5000,
    status: 'paid',
    creditStatus: 'credited',
    providerPaymentId: 'pay_1',
    micCreditId: 'cr_1',
    paidAt: noon,
    refundedAt: null,
    creditAmount: null,
    reversalResolvedAt: null,
    ...over,
  })
  const credit = (amount: number) => ({
    creditId: 'cr_1',
    idempotencyKey: 'demo:application:901',
    userId: 'test0001',
    amount,
    appliedAt: noon + 60_000,
  })
  const kinds = (p: GatewayPayment, a: ReconciledApplication, amount: number) =>
    compareDay({
      universityId: 'demo',
      range: day,
      payments: new Map([[p.id, p]]),
      applications: [a],
      credits: [credit(amount)],
    }).differences.map((d) => d.kind)

  it('names a known reversal apart from a refund nobody noticed, and a credited net as settled', () => {
    const chargedBack = payment({ status: 'refunded', amountRefunded: 5000, refundedAt: noon + 1 })
    expect(kinds(chargedBack, app({ creditStatus: 'reversed' }), 5000)).toEqual([
      'reversed_after_credit',
    ])
    expect(kinds(chargedBack, app({}), 5000)).toEqual(['refunded_but_credited'])
    const partly = payment({ amountRefunded: 2000, refundedAt: noon + 1 })
    expect(kinds(partly, app({ creditAmount: 3000 }), 3000)).toEqual([])
    expect(kinds(partly, app({ creditStatus: 'reversed' }), 5000)).toEqual([
      'reversed_after_credit',
    ])
  })
})

describe('the console’s ways out', () => {
  it('差額をチャージ credits only what KOMOJU still holds; 対応済みにする takes a reversal off 要対応', async () => {
    const userId = user(9)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 10_000)
    expect((await mic().cash(card(userId), 15_000)).status).toBe(200)
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'held')
    await refundAtGateway(a.provider_payment_id!, 4000)
    expect((await mic().purchase(card(userId), 15_000)).status).toBe(200)
    await setClock(a.next_credit_at! + 1000)
    await runCron()
    expect((await row(id))!.credit_status).toBe('partly_refunded')
    // The call centre may not decide it; staff may.
    const { client: callCentre } = await staffClient('callcentre', null)
    expect(
      (await callCentre.post(`/staff/applications/${id}/actions/credit-net`, { reason: '差額' }))
        .res.status,
    ).toBe(403)
    const { client: staff } = await staffClient('staff', 'demo')
    const done = await staff.post(`/staff/applications/${id}/actions/credit-net`, {
      reason: '学生と相談し、残りをチャージ',
    })
    expect(done.res.status).toBe(303)
    expect((await row(id))!.credit_status).toBe('credited')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([6000])
    expect(await triageKindsOf(id)).toEqual([])

    // Then the rest is charged back: on the card already, so named and listed …
    await gateway().chargeback(a.provider_payment_id!)
    await gateway().flush()
    await creditStatusBecomes(id, 'reversed')
    expect(await triageKindsOf(id)).toEqual(['reversed'])
    // … until staff record that the office settled it with the student.
    const closed = await staff.post(`/staff/applications/${id}/actions/close-reversal`, {
      reason: '窓口で学生と精算済み',
    })
    expect(closed.res.status).toBe(303)
    expect(await triageKindsOf(id)).toEqual([])
    expect((await row(id))!.credit_status).toBe('reversed')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([6000])
  })
})

describe('a payment KOMOJU marks as fraud', () => {
  it('is never credited once marked, and staff are alerted once; a credit already on the card only alerts', async () => {
    const userId = user(10)
    await (await ready(userId)).get('/charge')
    await setClock(nextJst(2, 5))
    const client = new Client()
    await login(client, userId, PASSWORD, SECOND)
    const { id } = await applyCharge(client, 1800)
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'deferred')
    await gateway().markFraud(a.provider_payment_id!)
    await gateway().flush()
    await creditStatusBecomes(id, 'fraud')
    expect(await triageKindsOf(id)).toEqual(['fraud'])
    expect(await alerts(id)).toBe(1)
    await setClock(a.next_credit_at! + 10 * 60_000)
    await runCron()
    expect((await row(id))!.credit_status).toBe('fraud')
    expect(await creditsOf(userId)).toEqual([])
    // The money goes back to the payer: a refund ends it.
    const back = new Client()
    await login(back, userId, PASSWORD, SECOND)
    await back.post(`/applications/${id}/refund`, {})
    expect((await application(id))!.status).toBe('refunded')

    await atNoon()
    const noon = new Client()
    await login(noon, userId, PASSWORD, SECOND)
    const other = await applyCharge(noon, 900)
    await payOnGateway(noon, other.id)
    const b = await creditStatusBecomes(other.id, 'credited')
    await gateway().markFraud(b.provider_payment_id!)
    await gateway().flush()
    await eventually(
      () => alerts(other.id),
      (n) => n === 1,
    )
    expect((await row(other.id))!.credit_status).toBe('credited')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([900])
  })
})

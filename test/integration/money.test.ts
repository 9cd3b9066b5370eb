import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { MAX_CREDIT_ATTEMPTS } from '../../src/domain/application'
import { serviceNow } from '../../src/flows/clock'
import worker from '../../src/index'
import { PAYMENT_DLQ, type NotificationMessage } from '../../src/queue'
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
  notify,
  paymentUrlOf,
  payOnGateway,
  payWithoutReturning,
  ready,
  refundAtGateway,
  runCron,
  setClock,
  signedWebhook,
  twinPaymentOf,
  webhookEvent,
} from '../charge'
import { Client, login, mainText } from '../client'
import { FAULT_NONE } from '../twins'

/**
 * The three promises at the edges: each captured payment credited exactly once, no card
 * over its 残高上限額 (¥20,000 here), nothing paid lost. One test per hole a review found.
 */
const user = (n: number) => `test${String(230 + n).padStart(4, '0')}`
const card = (userId: string) => `demo:${userId}`
const CAP = 20_000

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

const mails = async (userId: string, kind: string) =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM mail_log WHERE kind = ? AND to_address = ?')
    .bind(kind, `${userId}@example.ac.jp`)
    .first<{ n: number }>())!.n

const staffAlerts = async (id: number) =>
  (await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM mail_log WHERE kind = 'staff-alert' AND subject LIKE ?",
  )
    .bind(`%発行申請番号 ${id}`)
    .first<{ n: number }>())!.n

const creditError = async (id: number) =>
  (
    await env.DB.prepare('SELECT credit_error FROM applications WHERE id = ?')
      .bind(id)
      .first<{ credit_error: string | null }>()
  )?.credit_error

const chargeable = async (client: Client) => {
  const text = mainText((await client.get('/charge')).html)
  const m = text.match(/チャージできる金額 ([\d,]+)円/)
  return m ? Number(m[1]!.replace(/,/g, '')) : null
}

describe('hole 1: a payment that arrives after its application was swept', () => {
  it('holds a store payment paid just before its deadline and delivered after a sweep, instead of taking the card over the cap', async () => {
    const userId = user(1)
    const client = await ready(userId)
    await gateway().settings({ paused: true }) // the store payment's webhook is late
    const { id: store } = await applyCharge(client, 15_000, 'cvs_lawson')
    const payment = await twinPaymentOf(store)
    const deadline = (await application(store))!.payment_deadline
    await setClock(deadline + 60_000)
    await runCron()
    expect((await application(store))!.status).toBe('unpaid') // the gateway said: never paid
    // The share of the cap is released: ¥19,000 by card goes through.
    const again = new Client()
    await login(again, userId, 'univpass', 'Charge2024x')
    const { id: card19 } = await applyCharge(again, 19_000)
    await payOnGateway(again, card19)
    await creditStatusBecomes(card19, 'credited')
    expect(await cardBalance(userId)).toBe(CAP)
    // Paid at the store one minute before the deadline; KOMOJU reports it late.
    expect((await gateway().payAtStore(payment.id, deadline - 60_000)).status).toBe(200)
    await gateway().settings({ paused: false })
    await gateway().flush()
    const held = await creditStatusBecomes(store, 'held')
    expect(held.status).toBe('paid') // reinstated: the money is real
    expect(await cardBalance(userId)).toBe(CAP) // and the card stays at its cap
    // Held by the service's own check: M.I.C. was never asked for a credit over the cap.
    expect(await creditError(store)).toMatch(/^over_cap: balance 20000 \+ 15000 > cap 20000/)
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([19_000])
    expect(mainText((await again.get(`/applications/${store}`)).html)).toContain(
      '上限超過のため保留',
    )
    expect(await mails(userId, 'credit-held')).toBe(1)
    // Once the card has room (a purchase on campus), the cron credits it by itself.
    expect((await mic().purchase(card(userId), 16_000)).status).toBe(200)
    await setClock(held.next_credit_at! + 1000)
    await runCron()
    expect((await application(store))!.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(CAP - 16_000 + 15_000)
  })

  it('finds a card payment completed at the 30-minute mark whose webhook never came, and credits it', async () => {
    const userId = user(2)
    const client = await ready(userId)
    await gateway().settings({ paused: true })
    const { id } = await applyCharge(client, 3000)
    const deadline = (await application(id))!.payment_deadline
    await setClock(deadline - 1000)
    const client2 = new Client()
    await login(client2, userId, 'univpass', 'Charge2024x')
    expect((await payWithoutReturning(client2, id)).status).toBe(303)
    await setClock(deadline + 60_000)
    await runCron()
    const a = await application(id)
    expect(a!.status).toBe('paid')
    expect(a!.credit_status).toBe('credited')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([3000])
    await gateway().settings({ paused: false })
  })

  it('closes an unpaid hosted session at the gateway before calling it キャンセル, so it can no longer be paid', async () => {
    const userId = user(3)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 2500)
    const page = await paymentUrlOf(client, id)
    await setClock((await application(id))!.payment_deadline + 60_000)
    await runCron()
    expect((await application(id))!.status).toBe('cancelled')
    const late = await fetch(page, {
      method: 'POST',
      body: new URLSearchParams({ action: 'pay' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    })
    expect([409, 410]).toContain(late.status)
    expect(await creditsOf(userId)).toEqual([])
  })

  it('sweeps nothing while the gateway cannot be asked', async () => {
    const userId = user(4)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1000, 'cvs_seven_eleven')
    await setClock((await application(id))!.payment_deadline + 60_000)
    const keyless = { ...env, KOMOJU_API_URL: 'http://komoju-down.test' } as Env
    await worker.scheduled!(
      { scheduledTime: Date.now(), cron: '* * * * *', noRetry() {} } as never,
      keyless,
      createExecutionContext(),
    )
    expect((await application(id))!.status).toBe('awaiting_payment')
    // Asked again a little later (not at every cron: others are waiting to be asked too).
    await runCron()
    expect((await application(id))!.status).toBe('awaiting_payment')
    await setClock((await application(id))!.payment_deadline + 12 * 60_000)
    await runCron()
    expect((await application(id))!.status).toBe('unpaid')
  })
})

describe('hole 2: a stale remembered balance', () => {
  it('never lets an old answer overwrite a newer balance, and at 02:30 offers only what fits', async () => {
    const userId = user(5)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 5000)
    // The credit is applied at M.I.C. (¥6,000) but its answer is lost.
    await mic().setFault({
      ...FAULT_NONE,
      mode: 'lose-response',
      remaining: 2,
      hangMs: 600,
      card: card(userId),
    })
    await payOnGateway(client, id)
    const retrying = await creditStatusBecomes(id, 'retrying')
    await eventually(
      () => cardBalance(userId),
      (b) => b === 6000,
    )
    // A cash charge on campus: ¥15,000 on the card; the チャージ page reads it. The credit
    // still counts as on its way (nobody knows it landed): nothing more fits for now.
    expect((await mic().cash(card(userId), 9000)).status).toBe(200)
    expect(await chargeable(client)).toBe(0)
    // The retried credit is answered from M.I.C.'s record, with the balance of back then.
    await setClock(retrying.next_credit_at! + 1000)
    await runCron()
    expect((await application(id))!.credit_status).toBe('credited')
    const remembered = await env.DB.prepare('SELECT mic_balance FROM students WHERE user_id = ?')
      .bind(userId)
      .first<{ mic_balance: number }>()
    expect(remembered!.mic_balance).toBe(15_000)
    expect(await chargeable(client)).toBe(CAP - 15_000)
    // At 02:30 M.I.C. cannot answer: the page decides from ¥15,000 plus what was credited
    // since, never from ¥6,000.
    await setClock(nextJst(2, 30))
    const night = new Client()
    await login(night, userId, 'univpass', 'Charge2024x')
    const offered = await chargeable(night)
    expect(offered).not.toBeNull()
    expect(offered!).toBeLessThanOrEqual(CAP - 15_000)
    const tooMuch = await night.post('/charge', { amount: '14000' })
    expect(tooMuch.res.status).toBe(422)
    expect(await cardBalance(userId)).toBe(15_000)
  })
})

describe('hole 3: a paid webhook that exhausted the queue', () => {
  it('applies what reaches the dead-letter queue, and marks it', async () => {
    const userId = user(6)
    const client = await ready(userId)
    await gateway().settings({ paused: true })
    const { id } = await applyCharge(client, 1200, 'cvs_familymart')
    const payment = await twinPaymentOf(id)
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    const message: NotificationMessage = {
      eventId: `evt_dead_${id}`,
      provider: 'komoju',
      type: 'payment.captured',
      paymentId: payment.id,
      universityId: 'demo',
      receivedAt: Date.now(),
    }
    const batch = createMessageBatch(PAYMENT_DLQ, [
      { id: 'd1', timestamp: new Date(), attempts: 11, body: message },
    ])
    const ctx = createExecutionContext()
    await worker.queue!(batch, env, ctx)
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['d1'])
    expect((await application(id))!.credit_status).toBe('credited')
    const row = await env.DB.prepare(
      'SELECT dead_lettered_at, outcome FROM payment_notifications WHERE event_id = ?',
    )
      .bind(message.eventId)
      .first<{ dead_lettered_at: number; outcome: string }>()
    expect(row).toMatchObject({ outcome: 'applied' })
    expect(row!.dead_lettered_at).toBeGreaterThan(0)
    await gateway().settings({ paused: false })
  })

  it('does not make a paid application キャンセル when every webhook about it was lost', async () => {
    const userId = user(7)
    const client = await ready(userId)
    await gateway().settings({ paused: true })
    const { id } = await applyCharge(client, 800, 'cvs_lawson')
    expect((await gateway().payAtStore((await twinPaymentOf(id)).id)).status).toBe(200)
    await setClock((await application(id))!.payment_deadline + 60_000)
    await runCron()
    expect(await application(id)).toMatchObject({ status: 'paid', credit_status: 'credited' })
    await gateway().settings({ paused: false })
  })
})

describe('hole 4: every outcome has a name and a way out', () => {
  it('names an amount mismatch, mails the error (not the completion), alerts staff once, and refunds it at the student’s request', async () => {
    const userId = user(8)
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
    for (let i = 0; i < 2; i++)
      await notify(await signedWebhook(webhookEvent('payment.captured', odd)))
    const a = await creditStatusBecomes(id, 'mismatch')
    expect(a.status).toBe('paid')
    expect(await mails(userId, 'credit-error')).toBe(1)
    expect(await mails(userId, 'charge-completed')).toBe(0)
    expect(await staffAlerts(id)).toBe(1)
    // It counts against the cap until it is resolved. This one was paid at a konbini,
    // which KOMOJU refunds only through a refund request with a bank account: the student's
    // request is refused and nothing changes; it waits for staff.
    expect(await chargeable(client)).toBe(CAP - 1000 - 1000)
    const refund = await client.post(`/applications/${id}/refund`, {})
    expect(refund.res.status).toBe(303)
    expect(await application(id)).toMatchObject({ status: 'paid', credit_status: 'mismatch' })
    expect(mainText((await client.get(`/applications/${id}?refund=unavailable`)).html)).toContain(
      '返金を受け付けられません',
    )
    expect(await creditsOf(userId)).toEqual([])
    await gateway().settings({ paused: false })
  })

  it('names a card M.I.C. refuses, mails and alerts once, and lets the student get the money back', async () => {
    const userId = user(9)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 2000)
    await mic().setCard(card(userId), { suspended: true })
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'refused')
    expect(a.status).toBe('paid')
    await runCron()
    expect(await mails(userId, 'credit-error')).toBe(1)
    expect(await staffAlerts(id)).toBe(1)
    expect(mainText((await client.get(`/applications/${id}`)).html)).toContain(
      'カードが利用停止中', // named by its cause (student-words.test.ts has the words)
    )
    expect(await chargeable(client)).toBe(CAP - 1000 - 2000) // counts until resolved …
    await client.post(`/applications/${id}/refund`, {})
    expect((await application(id))!.status).toBe('refunded')
    expect(mainText((await client.get(`/applications/${id}`)).html)).toContain('返金済み')
    expect(await chargeable(client)).toBe(CAP - 1000) // … and the refund resolves it
    await mic().setCard(card(userId), { suspended: false })
    // Asking twice refunds once.
    await client.post(`/applications/${id}/refund`, {})
    const paymentId = (await application(id))!.provider_payment_id!
    expect((await gateway().payments('refunded')).filter((p) => p.id === paymentId)).toHaveLength(1)
    expect(await creditsOf(userId)).toEqual([])
  })

  it('stops retrying after its bound and hands the credit to staff with one alert', async () => {
    const userId = user(10)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 700)
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: null, card: card(userId) })
    await payOnGateway(client, id)
    let a = await creditStatusBecomes(id, 'retrying')
    for (let i = 0; i < MAX_CREDIT_ATTEMPTS + 2 && a.credit_status === 'retrying'; i++) {
      await setClock(a.next_credit_at! + 1000)
      await runCron()
      a = (await application(id))!
    }
    expect(a.credit_status).toBe('stalled')
    expect(a.credit_attempts).toBe(MAX_CREDIT_ATTEMPTS)
    expect(await staffAlerts(id)).toBe(1)
    expect(await mails(userId, 'credit-error')).toBe(1)
    // A stalled credit may have reached M.I.C.: no refund is offered to the student.
    expect((await client.get(`/applications/${id}`)).html).not.toContain('/refund"')
    await mic().setFault(FAULT_NONE)
  })

  it('keeps a retry’s backoff under duplicate webhooks and overlapping crons', async () => {
    const userId = user(11)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 600)
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: 1, card: card(userId) })
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'retrying')
    const paymentId = a.provider_payment_id!
    await Promise.all([
      notify(await signedWebhook(webhookEvent('payment.captured', paymentId))),
      notify(await signedWebhook(webhookEvent('payment.captured', paymentId))),
      runCron(),
      runCron(),
    ])
    await new Promise((r) => setTimeout(r, 500))
    const still = (await application(id))!
    expect(still.credit_attempts).toBe(1)
    expect(still.credit_status).toBe('retrying')
    await setClock(a.next_credit_at! + 1000)
    await Promise.all([runCron(), runCron()])
    expect((await application(id))!.credit_status).toBe('credited')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([600])
  })
})

describe('credits whose answer never came', () => {
  it('count as on the card when another credit of the student is checked against the cap', async () => {
    const userId = user(14)
    const client = await ready(userId)
    const { id: first } = await applyCharge(client, 10_000)
    const { id: second } = await applyCharge(client, 9000)
    // The first was sent to M.I.C. and its answer never came (it may land yet); the
    // second is paid and due. A campus cash charge makes ¥2,000 on the card.
    const now = await serviceNow(env)
    await env.DB.prepare(
      "UPDATE applications SET status = 'paid', paid_at = ?, credit_status = 'retrying', credit_sent_at = ?, credit_attempts = 1, next_credit_at = ? WHERE id = ?",
    )
      .bind(now, now, now + 3_600_000, first)
      .run()
    await env.DB.prepare(
      "UPDATE applications SET status = 'paid', paid_at = ?, credit_status = 'pending', next_credit_at = ? WHERE id = ?",
    )
      .bind(now, now, second)
      .run()
    expect((await mic().cash(card(userId), 1000)).status).toBe(200)
    await runCron()
    // ¥2,000 + ¥10,000 that may land + ¥9,000 is over the cap: held, not sent.
    expect((await application(second))!.credit_status).toBe('held')
    expect(await creditError(second)).toMatch(/unconfirmed 10000/)
    expect(await creditsOf(userId)).toEqual([])
  })
})

describe('a refund made at the gateway', () => {
  it('makes a held application 返金済み and never credits it afterwards', async () => {
    const userId = user(13)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 10_000)
    expect((await mic().cash(card(userId), 15_000)).status).toBe(200)
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'held')
    // Refunded from KOMOJU's dashboard (not through us): its webhook tells.
    expect(await refundAtGateway(a.provider_payment_id!)).toBe(200)
    await gateway().flush()
    await eventually(
      () => application(id),
      (x) => x?.status === 'refunded',
    )
    expect((await application(id))!.status).toBe('refunded')
    // Room on the card later changes nothing: the money went back.
    expect((await mic().purchase(card(userId), 15_000)).status).toBe(200)
    await setClock(a.next_credit_at! + 60_000)
    await runCron()
    expect(await creditsOf(userId)).toEqual([])
  })
})

describe('a refund made at the gateway whose webhook is lost', () => {
  it('is found by the cron, which asks the gateway about every waiting credit', async () => {
    const userId = user(15)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 10_000)
    expect((await mic().cash(card(userId), 15_000)).status).toBe(200)
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'held')
    await gateway().settings({ paused: true })
    expect(await refundAtGateway(a.provider_payment_id!)).toBe(200)
    expect((await mic().purchase(card(userId), 15_000)).status).toBe(200)
    await setClock(a.next_credit_at! + 60_000)
    await runCron()
    expect((await application(id))!.status).toBe('refunded')
    expect(await creditsOf(userId)).toEqual([])
    await gateway().settings({ paused: false })
  })
})

describe('the cap is decided at credit time', () => {
  it('holds a credit when a campus cash charge filled the card after applying, and never asks M.I.C. for more than fits', async () => {
    const userId = user(12)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 10_000)
    expect((await mic().cash(card(userId), 15_000)).status).toBe(200) // ¥16,000 now
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'held')
    expect(await creditError(id)).toMatch(/^over_cap: balance 16000/) // not sent to M.I.C.
    expect(await cardBalance(userId)).toBe(16_000)
    // Still too full at the next look; then a purchase makes room.
    await setClock(a.next_credit_at! + 1000)
    await runCron()
    expect((await application(id))!.credit_status).toBe('held')
    expect((await mic().purchase(card(userId), 7000)).status).toBe(200)
    await setClock((await application(id))!.next_credit_at! + 1000)
    await runCron()
    expect((await application(id))!.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(19_000)
  })
})

import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { KomojuProvider } from '../../src/adapters/payments/komoju'
import worker from '../../src/index'
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
  notify,
  payOnGateway,
  ready,
  SECOND,
  setClock,
  signedWebhook,
  testNow,
  twinPaymentOf,
  webhookEvent,
} from '../charge'
import { Client, lastMailId, latestMail, login, mainText } from '../client'
import { PASSWORD } from '../fixtures'
import { FAULT_NONE, KOMOJU } from '../twins'

const provider = () =>
  new KomojuProvider({
    apiUrl: KOMOJU,
    secretKey: env.KOMOJU_SECRET_KEY,
    webhookSecret: env.KOMOJU_WEBHOOK_SECRET,
  })

/** What the webhook endpoint refused for the demo university, counted by reason. */
const refusals = async () =>
  Object.fromEntries(
    (
      await env.DB.prepare(
        "SELECT reason, SUM(count) AS n FROM webhook_refusals WHERE university_id = 'demo' GROUP BY reason",
      ).all<{ reason: string; n: number }>()
    ).results.map((r) => [r.reason, r.n]),
  ) as Record<string, number>

/** The refusals counted between two readings of `refusals()`, by reason. */
const countedSince = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([reason, n]) => [reason, n - (before[reason] ?? 0)] as const)
      .filter(([, n]) => n !== 0),
  )

const refusalRows = async () =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM webhook_refusals').first<{ n: number }>())!.n

/** wrangler.toml's WEBHOOK_REFUSALS limit: refused webhooks per client per minute. */
const REFUSALS_PER_MINUTE = 20

const notification = (eventId: string) =>
  env.DB.prepare('SELECT * FROM payment_notifications WHERE event_id = ?')
    .bind(eventId)
    .first<{ outcome: string | null; application_id: number | null; applied_at: number | null }>()

/** A コンビニ application whose payment is open at the twin, not yet paid. */
const openStorePayment = async (userId: string, amount = 3000) => {
  const client = await ready(userId)
  const { id } = await applyCharge(client, amount, 'cvs_lawson')
  return { client, id, payment: await twinPaymentOf(id) }
}

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

describe('the KOMOJU adapter against the twin', () => {
  it('opens one hosted session per application however often it is asked', async () => {
    const input = {
      applicationId: 990_001,
      amount: 2000,
      method: 'paypay' as const,
      deadline: testNow() + 30 * 60_000,
      returnUrl: 'https://example.com/applications/990001/return',
      email: 'someone@example.ac.jp',
      lang: 'ja' as const,
      nameKana: 'デモ タロウ',
      phone: null,
      now: testNow(),
    }
    const [a, b] = await Promise.all([
      provider().openPayment(input),
      provider()
        .openPayment(input)
        .catch(() => provider().openPayment(input)),
    ])
    const again = await provider().openPayment(input)
    expect(a.kind).toBe('hosted')
    if (a.kind !== 'hosted' || b.kind !== 'hosted' || again.kind !== 'hosted') return
    expect(b.sessionId).toBe(a.sessionId)
    expect(again.sessionId).toBe(a.sessionId)
    expect(a.redirectUrl).toMatch(/^http:\/\/komoju\.test\/sessions\//)
    const session = await provider().session(a.sessionId)
    expect(session).toMatchObject({ status: 'pending', orderRef: '990001', payment: null })
  })

  it('creates a store payment with its receipt and instructions, and a Pay-easy one with its numbers', async () => {
    const base = {
      amount: 4000,
      deadline: testNow() + 3 * 86_400_000,
      returnUrl: 'https://example.com/x',
      email: 's@example.ac.jp',
      lang: 'en' as const,
      nameKana: 'ヤマダ ハナコ',
      now: testNow(),
    }
    const store = await provider().openPayment({
      ...base,
      applicationId: 990_002,
      method: 'cvs_seven_eleven',
      phone: null,
    })
    expect(store).toMatchObject({
      kind: 'store',
      store: { kind: 'konbini', store: 'seven-eleven' },
    })
    if (store.kind === 'store' && store.store.kind === 'konbini') {
      expect(store.store.receipt).toMatch(/^\d+/)
      expect(store.store.instructionsUrl).toMatch(/^http:\/\/komoju\.test\//)
    }
    const payEasy = await provider().openPayment({
      ...base,
      applicationId: 990_003,
      method: 'payeasy',
      phone: '09012345678',
    })
    expect(payEasy).toMatchObject({ kind: 'store', store: { kind: 'pay_easy' } })
    if (payEasy.kind === 'store' && payEasy.store.kind === 'pay_easy') {
      expect(payEasy.store.bankId).toMatch(/^\d+$/)
      expect(payEasy.store.customerId).toMatch(/^\d+$/)
      expect(payEasy.store.confirmationId).toMatch(/^\d+$/)
    }
  })

  it('refunds a captured payment once, however often the refund is retried', async () => {
    const userId = 'test0201'
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1500, 'credit_card')
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'credited')
    const first = await provider().refund(a.provider_payment_id!, `refund-${id}`)
    const retry = await provider().refund(a.provider_payment_id!, `refund-${id}`)
    expect(first.status).toBe('refunded')
    expect(retry.status).toBe('refunded')
    const payment = await provider().payment(a.provider_payment_id!)
    expect(payment?.status).toBe('refunded')
    // A second, different refund of the same payment has nothing left to refund.
    await expect(provider().refund(a.provider_payment_id!, `refund-${id}-again`)).rejects.toThrow(
      /422/,
    )
  })
})

describe('webhook signatures', () => {
  it('accepts a good signature and refuses bad, missing, wrong-secret, tampered and non-JSON ones', async () => {
    const { id, payment } = await openStorePayment('test0202')
    const since = await refusals()
    const event = webhookEvent('payment.captured', payment.id)
    const good = await signedWebhook(event)
    const body = JSON.stringify(event)

    const bad = await signedWebhook(event, { headers: { 'x-komoju-signature': 'ab'.repeat(32) } })
    const missing = new Request(good.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-komoju-id': event.id },
      body,
    })
    const wrongSecret = await signedWebhook(event, { secret: 'whsec_someone_else' })
    const tamperedBody = body.replace(payment.id, 'tampered00000000000000000')
    const tampered = new Request(good.url, {
      method: 'POST',
      headers: good.headers,
      body: tamperedBody,
    })
    const plain = await signedWebhook(event, { headers: { 'content-type': 'text/plain' } })

    expect((await notify(bad)).status).toBe(401)
    expect((await notify(missing)).status).toBe(401)
    expect((await notify(wrongSecret)).status).toBe(401)
    expect((await notify(tampered)).status).toBe(401)
    expect((await notify(plain)).status).toBe(400)
    expect(countedSince(since, await refusals())).toEqual({
      bad_signature: 3,
      missing_signature: 1,
      wrong_content_type: 1,
    })
    // None of them looked at the payment; the good one makes the consumer look.
    expect((await application(id))!.status).toBe('awaiting_payment')
    expect((await notify(good)).status).toBe(200)
    await eventually(
      () => notification(event.id),
      (n) => n?.applied_at != null,
    )
  })

  it('refuses every webhook when the university’s webhook secret is not configured', async () => {
    const since = await refusals()
    const req = await signedWebhook(webhookEvent('payment.captured', 'pay_anything'))
    const res = await worker.fetch!(
      req as never,
      { ...env, KOMOJU_WEBHOOK_SECRET: '' } as never,
      { waitUntil() {}, passThroughOnException() {}, props: {} } as never,
    )
    expect(res.status).toBe(401)
    expect(countedSince(since, await refusals())).toEqual({ not_configured: 1 })
  })

  it('counts refusals per reason and hour instead of storing each one', async () => {
    const since = await refusals()
    const rows = await refusalRows()
    for (let i = 0; i < 5; i++) {
      const req = await signedWebhook(webhookEvent('payment.captured', `pay_counted_${i}`), {
        secret: 'whsec_counted',
        headers: { 'cf-connecting-ip': '198.51.100.40' },
      })
      expect((await notify(req)).status).toBe(401)
    }
    expect(countedSince(since, await refusals())).toEqual({ bad_signature: 5 })
    expect(await refusalRows()).toBeLessThanOrEqual(rows + 1)
    const row = await env.DB.prepare(
      "SELECT last_detail FROM webhook_refusals WHERE university_id = 'demo' AND reason = 'bad_signature' ORDER BY hour_start DESC LIMIT 1",
    ).first<{ last_detail: string }>()
    expect(row!.last_detail).toContain('pay_counted_4')
  })

  it('answers 429 to a client’s refusals past the limit without writing them, and never to a correctly signed webhook', async () => {
    const attacker = { 'cf-connecting-ip': '198.51.100.23' }
    const since = await refusals()
    const rows = await refusalRows()
    const statuses: number[] = []
    for (let i = 0; i < 3 * REFUSALS_PER_MINUTE; i++) {
      const req = await signedWebhook(webhookEvent('payment.captured', `pay_forged_${i}`), {
        secret: 'whsec_forged',
        headers: attacker,
      })
      statuses.push((await notify(req)).status)
    }
    const refused = statuses.filter((s) => s === 401).length
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
    // At most one more minute's allowance, should the burst straddle a minute.
    expect(refused).toBeGreaterThanOrEqual(REFUSALS_PER_MINUTE)
    expect(refused).toBeLessThanOrEqual(2 * REFUSALS_PER_MINUTE)
    // Only what was refused is counted, in one row: the 429s cost no write.
    expect(countedSince(since, await refusals())).toEqual({ bad_signature: refused })
    expect(await refusalRows()).toBeLessThanOrEqual(rows + 1)

    // A correctly signed webhook from the same address still gets in (KOMOJU shares its
    // addresses with every merchant, someone else's misfiring one among them).
    const signed = webhookEvent('payment.captured', 'pay_from_a_blocked_client')
    expect((await notify(await signedWebhook(signed, { headers: attacker }))).status).toBe(200)

    // Everyone else's good webhooks get through and are applied.
    const others: Record<string, string>[] = [{ 'cf-connecting-ip': '203.0.113.200' }, {}]
    for (const headers of others) {
      const good = webhookEvent('payment.captured', `pay_good_${crypto.randomUUID()}`)
      expect((await notify(await signedWebhook(good, { headers }))).status).toBe(200)
      await eventually(
        () => notification(good.id),
        (n) => n?.applied_at != null,
      )
    }
  })

  it('counts only refusals against a client: its good webhooks never spend the allowance', async () => {
    const gatewayAddress = { 'cf-connecting-ip': '198.51.100.50' }
    const forged = async (i: number) =>
      (
        await notify(
          await signedWebhook(webhookEvent('payment.captured', `pay_misfire_${i}`), {
            secret: 'whsec_rotated',
            headers: gatewayAddress,
          }),
        )
      ).status
    for (let i = 0; i < 5; i++) expect(await forged(i)).toBe(401)
    for (let i = 0; i < REFUSALS_PER_MINUTE + 5; i++) {
      const good = webhookEvent('payment.captured', `pay_busy_${i}_${crypto.randomUUID()}`)
      expect((await notify(await signedWebhook(good, { headers: gatewayAddress }))).status).toBe(
        200,
      )
    }
    // Still within its allowance of refusals: refused, not rate-limited.
    expect(await forged(5)).toBe(401)
  })
})

describe('a webhook is a hint: the gateway’s word decides', () => {
  it('does not mark an application paid on a signed "captured" the gateway does not confirm', async () => {
    const { id, payment } = await openStorePayment('test0203')
    const event = webhookEvent('payment.captured', payment.id)
    expect((await notify(await signedWebhook(event))).status).toBe(200)
    const n = await eventually(
      () => notification(event.id),
      (n) => n?.applied_at != null,
    )
    expect(n?.outcome).toBe('applied')
    // KOMOJU says the payment is still authorized (unpaid at the store): nothing moves.
    const a = await application(id)
    expect(a).toMatchObject({ status: 'awaiting_payment', credit_status: 'none' })
  })

  it('keeps a signed "cancelled" from undoing a payment the gateway says is captured', async () => {
    const userId = 'test0204'
    const { id, payment } = await openStorePayment(userId, 2500)
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    await gateway().flush()
    await creditStatusBecomes(id, 'credited')
    const event = webhookEvent('payment.cancelled', payment.id)
    expect((await notify(await signedWebhook(event))).status).toBe(200)
    await eventually(
      () => notification(event.id),
      (n) => n?.applied_at != null,
    )
    expect(await application(id)).toMatchObject({ status: 'paid', credit_status: 'credited' })
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([2500])
  })

  it('handles the same X-Komoju-ID twice once, and accepts an identical retry rather than calling it a replay', async () => {
    const userId = 'test0205'
    const { id, payment } = await openStorePayment(userId, 1200)
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    const event = webhookEvent('payment.captured', payment.id)
    const first = await signedWebhook(event)
    const identical = await signedWebhook(event)
    const [a, b] = await Promise.all([notify(first), notify(identical)])
    expect([a.status, b.status]).toEqual([200, 200])
    await creditStatusBecomes(id, 'credited')
    // The twin delivers its own copy of the event too: still one credit.
    await gateway().flush()
    await new Promise((r) => setTimeout(r, 300))
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([1200])
  })

  it('accepts the gateway’s identical retry after the endpoint failed to enqueue the first delivery', async () => {
    const userId = 'test0208'
    const { id, payment } = await openStorePayment(userId, 1300)
    await gateway().settings({ paused: true })
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    const event = webhookEvent('payment.captured', payment.id)
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as never
    const queueDown = {
      ...env,
      PAYMENT_NOTIFICATIONS: { send: () => Promise.reject(new Error('queue unavailable')) },
    } as never
    const failed = await worker.fetch!((await signedWebhook(event)) as never, queueDown, ctx)
    expect(failed.status).toBe(500) // so KOMOJU delivers it again
    expect(await notification(event.id)).toBeNull()
    // KOMOJU's retry: the very same bytes, signature and X-Komoju-ID.
    expect((await notify(await signedWebhook(event))).status).toBe(200)
    await creditStatusBecomes(id, 'credited')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([1300])
    await gateway().settings({ paused: false })
  })

  it('takes the event from the signed body: X-Komoju-ID names the delivery, not the event', async () => {
    const userId = 'test0209'
    const { id, payment } = await openStorePayment(userId, 900)
    await gateway().settings({ paused: true })
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    const event = webhookEvent('payment.captured', payment.id)
    const res = await notify(await signedWebhook(event, { id: `delivery_${crypto.randomUUID()}` }))
    expect(res.status).toBe(200)
    await creditStatusBecomes(id, 'credited')
    expect((await notification(event.id))?.outcome).toBe('applied')
    await gateway().settings({ paused: false })
  })

  it('keeps an event for a payment no application has, for staff, instead of dropping it', async () => {
    const event = webhookEvent('payment.captured', 'pay_nobody_knows_this_one')
    expect((await notify(await signedWebhook(event))).status).toBe(200)
    const n = await eventually(
      () => notification(event.id),
      (n) => n?.applied_at != null,
    )
    expect(n).toMatchObject({ outcome: 'unmatched', application_id: null })
  })
})

/** KOMOJU's own API at the twin, as the demo merchant. */
const komojuApi = (path: string, init: RequestInit = {}) =>
  fetch(`${KOMOJU}/api/v1${path}`, {
    ...init,
    headers: {
      authorization: `Basic ${btoa(`${env.KOMOJU_SECRET_KEY}:`)}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  })

/** The twin's admin API (not KOMOJU's). */
const twinAdmin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${KOMOJU}/_twin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

/** The twin's outbox: which events it queued for a payment, oldest first. */
const eventsFor = async (paymentId: string) => {
  const { data } = (await gateway().deliveries()) as {
    data: { id: string; type: string; payment_id: string }[]
  }
  return data.filter((e) => e.payment_id === paymentId).reverse()
}

/** The events recorded for a payment, by type, once the consumer has applied them. */
const recordedFor = async (paymentId: string, types: string[]) =>
  eventually(
    async () =>
      (
        await env.DB.prepare(
          'SELECT type, outcome, application_id, applied_at FROM payment_notifications WHERE payment_id = ? ORDER BY received_at',
        )
          .bind(paymentId)
          .all<{
            type: string
            outcome: string | null
            application_id: number | null
            applied_at: number | null
          }>()
      ).results,
    (rows) => types.every((t) => rows.some((r) => r.type === t && r.applied_at !== null)),
  )

/** A card application paid on the twin's page and credited. */
const paidByCard = async (userId: string, amount: number) => {
  const client = await ready(userId)
  const { id } = await applyCharge(client, amount, 'credit_card')
  await payOnGateway(client, id)
  const a = await creditStatusBecomes(id, 'credited')
  return { client, id, paymentId: a.provider_payment_id! }
}

describe('KOMOJU as it really is', () => {
  it('answers its payment list as `payment_list`, and the adapter reads that and the older `list`', async () => {
    await openStorePayment('test0210', 1100)
    const raw = (await (await komojuApi('/payments?per_page=1')).json()) as Record<string, unknown>
    expect(raw).toMatchObject({ resource: 'payment_list', page: 1, per_page: 1 })
    expect(raw).toHaveProperty('start_time')
    expect(raw).toHaveProperty('end_time')
    const range = { from: testNow() - 86_400_000, to: testNow() + 86_400_000 }
    const today = await provider().listPayments(range)
    expect(today.length).toBeGreaterThan(0)
    // KOMOJU's older documentation shows `"resource": "list"`: an account answering that way
    // must reconcile as well.
    const older = new KomojuProvider(
      { apiUrl: KOMOJU, secretKey: env.KOMOJU_SECRET_KEY, webhookSecret: '' },
      async (input, init) => {
        const res = await fetch(input, init)
        const json = (await res.json()) as Record<string, unknown>
        if (json.resource === 'payment_list') json.resource = 'list'
        return Response.json(json, { status: res.status })
      },
    )
    expect((await older.listPayments(range)).map((p) => p.id).sort()).toEqual(
      today.map((p) => p.id).sort(),
    )
  })

  it('gives payments, sessions and refunds 25-character ids, and payments their mcc and statement descriptor', async () => {
    const { payment } = await openStorePayment('test0211', 1200)
    expect(payment.id).toMatch(/^[a-z0-9]{25}$/)
    const full = (await (await komojuApi(`/payments/${payment.id}`)).json()) as Record<
      string,
      unknown
    >
    expect(full.mcc).toMatch(/^\d{4}$/)
    expect(full.statement_descriptor).toMatchObject({
      statement_descriptor: expect.any(String),
      statement_descriptor_kana: expect.any(String),
    })
    const { id, paymentId } = await paidByCard('test0212', 1300)
    expect(paymentId).toMatch(/^[a-z0-9]{25}$/)
    expect((await application(id))!.provider_session_id).toMatch(/^[a-z0-9]{25}$/)
    const refunded = await provider().refund(paymentId, `refund-${id}`, 300)
    const refunds = (
      (await (await komojuApi(`/payments/${refunded.id}`)).json()) as { refunds: { id: string }[] }
    ).refunds
    expect(refunds.map((r) => r.id)).toEqual([expect.stringMatching(/^[a-z0-9]{25}$/)])
  })

  it('refuses a session longer than 86,400 s, and the service never asks for one', async () => {
    const session = (expires: number) =>
      komojuApi('/sessions', {
        method: 'POST',
        body: JSON.stringify({
          amount: 1000,
          currency: 'JPY',
          return_url: 'https://example.com/return',
          payment_types: ['paypay'],
          expires_in_seconds: expires,
        }),
      })
    expect((await session(86_400)).status).toBe(200)
    const tooLong = await session(86_401)
    expect(tooLong.status).toBe(422)
    expect(((await tooLong.json()) as { error: { param: string } }).error.param).toBe(
      'expires_in_seconds',
    )
    // A hosted page whose deadline is two days away still opens, for KOMOJU's longest day.
    const opened = await provider().openPayment({
      applicationId: 990_010,
      amount: 2000,
      method: 'paypay',
      deadline: testNow() + 2 * 86_400_000,
      returnUrl: 'https://example.com/applications/990010/return',
      email: 'someone@example.ac.jp',
      lang: 'ja',
      nameKana: 'デモ タロウ',
      phone: null,
      now: testNow(),
    })
    expect(opened.kind).toBe('hosted')
    const sessions = (await (await fetch(`${KOMOJU}/_twin/sessions`)).json()) as {
      data: { session: { id: string; created_at: string; expires_at: string } }[]
    }
    const s = sessions.data.find(
      (d) => opened.kind === 'hosted' && d.session.id === opened.sessionId,
    )
    expect(Date.parse(s!.session.expires_at) - Date.parse(s!.session.created_at)).toBe(86_400_000)
  })

  it('gives every delivery its own X-Komoju-ID, never the event id', async () => {
    const { payment } = await openStorePayment('test0213', 1400)
    const [event] = await eventsFor(payment.id)
    expect(event?.type).toBe('payment.authorized')
    const first = await twinAdmin('POST', `/deliveries/${event!.id}/redeliver`)
    const second = await twinAdmin('POST', `/deliveries/${event!.id}/redeliver`)
    expect(first.json).toMatchObject({ eventId: event!.id, ok: true })
    expect(first.json.deliveryId).toMatch(/^[a-z0-9]{25}$/)
    expect(first.json.deliveryId).not.toBe(event!.id)
    expect(second.json.deliveryId).not.toBe(first.json.deliveryId)
  })

  it('answers a signed ping 200 whatever its body, and enqueues nothing', async () => {
    const since = await refusals()
    for (const body of ['{}', '{"type":"ping"}', 'ping', '{"id":"x","type":"ping","data":[]}']) {
      const res = await notify(await signedWebhook(body, { id: 'ping-delivery', event: 'ping' }))
      expect(res.status, body).toBe(200)
    }
    // KOMOJU's own ping, as the twin sends it when a webhook is created.
    const ping = await twinAdmin('POST', '/webhooks/demo/ping')
    expect(ping.json).toMatchObject({ ok: true, status: 200 })
    expect(countedSince(since, await refusals())).toEqual({})
    expect(await notification(ping.json.eventId as string)).toBeNull()
    // A ping signed with another secret is still refused.
    const forged = await signedWebhook('{}', { event: 'ping', secret: 'whsec_someone_else' })
    expect((await notify(forged)).status).toBe(401)
  })

  it('sends payment.refund.created for each refund and payment.refunded for the last, each recorded and applied', async () => {
    const { id, paymentId } = await paidByCard('test0214', 2400)
    await provider().refund(paymentId, `refund-${id}-part`, 500)
    expect((await eventsFor(paymentId)).map((e) => e.type)).toEqual([
      'payment.captured',
      'payment.refund.created',
    ])
    await provider().refund(paymentId, `refund-${id}-rest`)
    expect((await eventsFor(paymentId)).map((e) => e.type)).toEqual([
      'payment.captured',
      'payment.refund.created',
      'payment.refund.created',
      'payment.refunded',
    ])
    await gateway().flush()
    const rows = await recordedFor(paymentId, ['payment.refund.created', 'payment.refunded'])
    for (const r of rows.filter((r) => r.type !== 'payment.captured'))
      expect(r).toMatchObject({ outcome: 'applied', application_id: id })
    const p = await provider().payment(paymentId)
    expect(p).toMatchObject({ status: 'refunded', amountRefunded: 2400 })
    expect(p!.refunds.map((r) => [r.amount, r.chargeback])).toEqual([
      [500, false],
      [1900, false],
    ])
  })

  it('books a chargeback as a refund marked chargeback, with the refund events', async () => {
    const { paymentId } = await paidByCard('test0215', 1700)
    const cb = await twinAdmin('POST', `/payments/${paymentId}/chargeback`, {})
    expect(cb.status).toBe(200)
    await gateway().flush()
    await recordedFor(paymentId, ['payment.refund.created', 'payment.refunded'])
    const p = await provider().payment(paymentId)
    expect(p).toMatchObject({ status: 'refunded', amountRefunded: 1700 })
    expect(p!.refunds).toEqual([
      expect.objectContaining({ amount: 1700, chargeback: true, createdAt: expect.any(Number) }),
    ])
    // Cash has no chargebacks.
    const { payment } = await openStorePayment('test0216', 1000)
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    expect((await twinAdmin('POST', `/payments/${payment.id}/chargeback`, {})).status).toBe(422)
  })

  it('sends payment.marked.as.fraud when KOMOJU marks a payment, and payment.updated when it changes; both are recorded and applied', async () => {
    const { id, paymentId } = await paidByCard('test0217', 1600)
    const marked = await twinAdmin('POST', `/payments/${paymentId}/mark-fraud`, {})
    expect(marked.status).toBe(200)
    const updated = await komojuApi(`/payments/${paymentId}`, {
      method: 'PATCH',
      body: JSON.stringify({ description: 'M.I.C. charge', metadata: { note: 'x' } }),
    })
    expect(updated.status).toBe(200)
    expect(await updated.json()).toMatchObject({ description: 'M.I.C. charge', status: 'captured' })
    const bad = await komojuApi(`/payments/${paymentId}`, {
      method: 'PATCH',
      body: JSON.stringify({ amount: 1 }),
    })
    expect(bad.status).toBe(422)
    expect((await eventsFor(paymentId)).map((e) => e.type)).toEqual([
      'payment.captured',
      'payment.marked.as.fraud',
      'payment.updated',
    ])
    await gateway().flush()
    const rows = await recordedFor(paymentId, ['payment.marked.as.fraud', 'payment.updated'])
    for (const r of rows) expect(r).toMatchObject({ outcome: 'applied', application_id: id })
  })

  it('takes the payment from a refund object, should an event carry one', async () => {
    const { id, paymentId } = await paidByCard('test0218', 1500)
    const event = {
      ...webhookEvent('payment.refund.created', paymentId),
      data: { id: 'refund0000000000000000001', resource: 'refund', payment: paymentId },
    }
    expect((await notify(await signedWebhook(event))).status).toBe(200)
    const n = await eventually(
      () => notification(event.id),
      (n) => n?.applied_at != null,
    )
    expect(n).toMatchObject({ outcome: 'applied', application_id: id })
  })
})

describe('a store payment without its numbers', () => {
  it('opens a コンビニ payment KOMOJU answered without a receipt and shows its instructions instead', async () => {
    const userId = 'test0219'
    const client = await ready(userId)
    expect(
      (await twinAdmin('PUT', '/next-store-payment', { omit: ['receipt', 'confirmation_code'] }))
        .status,
    ).toBe(200)
    const since = await lastMailId()
    const { id } = await applyCharge(client, 2100, 'cvs_lawson')
    const a = await application(id)
    expect(a).toMatchObject({ status: 'awaiting_payment', payment_number: null })
    const payment = await twinPaymentOf(id)
    expect(payment.payment_details).not.toHaveProperty('receipt')
    const instructions = `http://komoju.test/instructions/${payment.id}`
    for (const path of [`/applications/${id}/pay`, `/applications/${id}`]) {
      const { res, html } = await client.get(path)
      expect(res.status, path).toBe(200)
      expect(html, path).toContain(`href="${instructions}"`)
      expect(html, path).not.toContain('<dt>お支払い番号</dt>')
      expect(html, path).not.toContain('payment-number')
    }
    expect(mainText((await client.get(`/applications/${id}/pay`)).html)).toContain(
      'お支払いに必要な番号は、下の「お支払い方法の案内（決済代行会社のページ）」に記載されています。',
    )
    const mail = await latestMail(`${userId}@example.ac.jp`, since)
    expect(mail?.kind).toBe('payment-deadline')
    expect(mail?.body).toContain(instructions)
    expect(mail?.body).not.toContain('次のお支払い番号で')
    // KOMOJU's page still has the number, and the store takes it.
    expect(await (await fetch(instructions)).text()).toMatch(/\d{12}/)
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    await gateway().flush()
    await creditStatusBecomes(id, 'credited')
  })

  it('opens a Pay-easy payment without its numbers and shows its instructions instead', async () => {
    const userId = 'test0220'
    const client = await ready(userId)
    await twinAdmin('PUT', '/next-store-payment', {
      omit: ['bank_id', 'customer_id', 'confirmation_id'],
    })
    const { id } = await applyCharge(client, 2200, 'payeasy')
    const payment = await twinPaymentOf(id)
    const { html } = await client.get(`/applications/${id}/pay`)
    expect(html).toContain(`href="http://komoju.test/instructions/${payment.id}"`)
    expect(mainText(html)).not.toContain('収納機関番号')
    expect((await application(id))!.status).toBe('awaiting_payment')
  })

  it('shows the numbers KOMOJU gave beside the instructions when only some are missing', async () => {
    const client = await ready('test0221')
    await twinAdmin('PUT', '/next-store-payment', { omit: ['customer_id'] })
    const { id } = await applyCharge(client, 2300, 'payeasy')
    const payment = await twinPaymentOf(id)
    const text = mainText((await client.get(`/applications/${id}`)).html)
    expect(text).toContain('収納機関番号')
    expect(text).toContain(String(payment.payment_details.bank_id))
    expect(text).toContain(String(payment.payment_details.confirmation_id))
    expect(text).not.toContain('お客様番号')
  })

  it('still refuses a store payment with neither its numbers nor instructions', async () => {
    await twinAdmin('PUT', '/next-store-payment', { omit: ['receipt', 'instructions_url'] })
    await expect(
      provider().openPayment({
        applicationId: 990_011,
        amount: 1000,
        method: 'cvs_lawson',
        deadline: testNow() + 3 * 86_400_000,
        returnUrl: 'https://example.com/x',
        email: 's@example.ac.jp',
        lang: 'ja',
        nameKana: 'ヤマダ ハナコ',
        phone: null,
        now: testNow(),
      }),
    ).rejects.toThrow(/without what the student needs/)
  })
})

describe('stores and deadlines at the twin', () => {
  it('refuses a store payment after its deadline and the application becomes 未払い', async () => {
    const userId = 'test0206'
    const { id, payment } = await openStorePayment(userId, 1800)
    const a = await application(id)
    await setClock(a!.payment_deadline + 60_000)
    const late = await gateway().payAtStore(payment.id)
    expect(late.status).toBe(422)
    expect(late.json.error?.code).toBe('expired')
    await gateway().flush()
    await eventually(
      () => application(id),
      (a) => a?.status === 'unpaid',
    )
    expect((await application(id))!.status).toBe('unpaid')
    expect(await cardBalance(userId)).toBe(1000)
  })
})

describe('production mode', () => {
  const production = { ...env, APP_ENV: 'production' } as Env
  const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as never
  const prod = (req: Request, e: Env = production) => worker.fetch!(req as never, e as never, ctx)

  it('answers 404 for every stand-in and development path', async () => {
    for (const path of [
      '/sandbox-gateway/pay/pay_x',
      '/sandbox-gateway/api/payments',
      '/_dev/',
      '/_dev/payments',
      '/_dev/ledger?detail=1',
      '/_twin/payments',
      '/sessions/abc',
    ]) {
      const res = await prod(new Request(`https://localhost${path}`))
      expect(res.status, path).toBe(404)
    }
  })

  it('opens no payment and creates no application without the gateway keys', async () => {
    const userId = 'test0207'
    await ready(userId)
    const count = async () =>
      (await env.DB.prepare(
        'SELECT COUNT(*) AS n FROM applications a JOIN students s ON s.id = a.student_id WHERE s.user_id = ?',
      )
        .bind(userId)
        .first<{ n: number }>())!.n
    const keyless = new Client('https://localhost', async (req) =>
      worker.fetch!(req as never, { ...production, KOMOJU_SECRET_KEY: '' } as never, ctx),
    )
    // Production reads real time, not the movable development clock the student was set up
    // under (TEST_CLOCK_JST may be days away): log in to production itself.
    expect((await login(keyless, userId, PASSWORD, SECOND)).res.status).toBe(303)
    const { html } = await keyless.get('/charge/confirm?amount=2000&method=credit_card')
    const requestKey = html.match(/name="request_key" value="([^"]+)"/)![1]!
    const { res, html: page } = await keyless.post('/charge/apply', {
      amount: '2000',
      method: 'credit_card',
      request_key: requestKey,
    })
    expect(res.status).toBe(503)
    expect(mainText(page)).toContain('決済の設定が完了していません')
    expect(await count()).toBe(0)
    expect(
      (await gateway().payments()).some((p) => p.amount === 2000 && p.status === 'captured'),
    ).toBe(false)
  })
})

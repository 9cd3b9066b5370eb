import { env, exports } from 'cloudflare:workers'
import { expect } from 'vitest'
import { database } from '../src/db'
import { serviceNow, setDevClockOffset } from '../src/flows/clock'
import worker from '../src/index'
import { hmac, toHex } from '../src/security/crypto'
import { Client, onboard } from './client'
import { komoju, mic as micTwin, registrar } from './twins'

export const SECOND = 'Charge2024x'
export const mic = () => micTwin
export const gateway = () => komoju

export const ready = async (userId: string) => {
  const client = new Client()
  await onboard(client, userId, `${userId}@example.ac.jp`, SECOND)
  return client
}

/** The card's balance as the twin holds it (a card never asked about is still at ¥1,000). */
export const cardBalance = async (userId: string) =>
  (await micTwin.card(`demo:${userId}`))?.balance ?? 1000

export const creditsOf = (userId: string) => micTwin.creditsFor(`demo:${userId}`)

/** Goes from 申請内容確認 to 申請; returns the application number. */
export const applyCharge = async (client: Client, amount: number, method = 'credit_card') => {
  // Pay-easy asks for a telephone number on お支払い方法選択.
  const phone = method === 'payeasy' ? '09012345678' : null
  const { html } = await client.get(
    `/charge/confirm?amount=${amount}&method=${method}${phone ? `&phone=${phone}` : ''}`,
  )
  const requestKey = html.match(/name="request_key" value="([^"]+)"/)?.[1]
  expect(requestKey).toBeTruthy()
  const { res } = await client.post('/charge/apply', {
    amount: String(amount),
    method,
    request_key: requestKey!,
    ...(phone ? { phone } : {}),
  })
  expect(res.status).toBe(303)
  const id = Number(res.headers.get('location')!.match(/\/applications\/(\d+)\/pay/)?.[1])
  expect(id).toBeGreaterThan(0)
  return { id, requestKey: requestKey! }
}

/** The gateway's page URL that 申請完了's OK button leads to (a KOMOJU hosted session). */
export const paymentUrlOf = async (client: Client, id: number) => {
  const { html } = await client.get(`/applications/${id}/pay`)
  const url = html.match(/href="(http:\/\/komoju\.test\/sessions\/[^"]+)"/)?.[1]
  expect(url).toBeTruthy()
  return new URL(url!.replace(/&amp;/g, '&'))
}

/**
 * Presses 支払う (or キャンセル) on the KOMOJU twin's hosted page, as the student's browser
 * would, and follows the gateway's redirect back to the service. Returns the gateway's
 * answer and, when it sent the student back, the service's return page.
 */
export const payOnGateway = async (
  client: Client,
  id: number,
  action: 'pay' | 'cancel' = 'pay',
) => {
  const url = await paymentUrlOf(client, id)
  const res = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams({ action }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  })
  const location = res.headers.get('location')
  if (res.status !== 303 || !location) return { res, returned: null }
  const back = new URL(location)
  return { res, returned: await client.get(back.pathname + back.search) }
}

/** Presses 支払う on the twin's page without coming back: only webhooks (or the cron) tell. */
export const payWithoutReturning = async (client: Client, id: number) =>
  fetch(await paymentUrlOf(client, id), {
    method: 'POST',
    body: new URLSearchParams({ action: 'pay' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  })

/** The application's payment at the KOMOJU twin (コンビニ / Pay-easy, created at 申請). */
export const twinPaymentOf = async (id: number) => {
  const payment = (await komoju.payments()).find((p) => p.external_order_num === String(id))
  expect(payment).toBeTruthy()
  return payment!
}

export const application = (id: number) =>
  env.DB.prepare('SELECT * FROM applications WHERE id = ?').bind(id).first<{
    status: string
    credit_status: string
    credit_attempts: number
    amount: number
    error_mail_at: number | null
    payment_number: string | null
    provider_payment_id: string | null
    provider_session_id: string | null
    payment_deadline: number
    payment_details: string | null
    paid_at: number | null
    next_credit_at: number | null
  }>()

/** Waits until `check` holds (queue deliveries and alarms happen in their own time). */
export const eventually = async <T>(
  read: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await read()
    if (check(v)) return v
    if (Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

export const creditStatusBecomes = async (id: number, status: string, timeoutMs?: number) => {
  const a = await eventually(
    () => application(id),
    (a) => a?.credit_status === status,
    timeoutMs,
  )
  expect(a?.credit_status).toBe(status)
  return a!
}

/** Moves the development clock: the service's and the twins' (as /_dev/clock does). */
export const setClock = async (at: number) => {
  const offset = at - Date.now()
  await Promise.all([
    setDevClockOffset(database(env.DB), offset),
    komoju.setClock(offset),
    micTwin.setClock(offset),
    registrar.setClock(offset),
  ])
}

/**
 * Tests run at noon JST by the development clock, whatever the machine's time: at 4 a.m.
 * real time M.I.C. is (rightly) in its stop window.
 */
export const atNoon = () => setClock(nextJst(12, 0))

export const runCron = async () => {
  await worker.scheduled({ scheduledTime: testNow(), cron: '* * * * *', noRetry() {} }, env)
}

export const WEBHOOK_URL = 'http://localhost/payments/komoju/webhook'

/**
 * A webhook signed as KOMOJU signs them (hex HMAC-SHA256 of the body under the webhook
 * secret), for the event `type` about `payment` (or a raw body).
 */
export const signedWebhook = async (
  body: object | string,
  opts: { secret?: string; id?: string; event?: string; headers?: Record<string, string> } = {},
) => {
  const raw = typeof body === 'string' ? body : JSON.stringify(body)
  const parsed = typeof body === 'string' ? null : (body as { id?: string; type?: string })
  const signature = toHex(await hmac(opts.secret ?? env.KOMOJU_WEBHOOK_SECRET, raw))
  return new Request(WEBHOOK_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-komoju-signature': signature,
      'x-komoju-id': opts.id ?? parsed?.id ?? 'evt_test',
      'x-komoju-event': opts.event ?? parsed?.type ?? 'payment.captured',
      ...opts.headers,
    },
    body: raw,
  })
}

/** A KOMOJU event body about a payment (only the id matters to the service). */
export const webhookEvent = (
  type: string,
  paymentId: string,
  id = `evt_${crypto.randomUUID().replace(/-/g, '')}`,
) => ({
  id,
  type,
  resource: 'event',
  data: { id: paymentId, resource: 'payment' },
  created_at: new Date().toISOString(),
  reason: null,
})

/** Sends a request to the service, as the gateway would. */
export const notify = (req: Request) => exports.default.fetch(req)

/** Now, as the tests see it: the wall clock, or where TEST_CLOCK_JST put it. */
export const testNow = () => Date.now() + Number(env.TEST_CLOCK_OFFSET_MS || 0)

/**
 * Now by the service's own clock, wherever TEST_CLOCK_JST or the last setClock put it: what
 * a test must age a stored time against (never `Date.now()`, which is days off when the
 * clock is pinned away from the real date).
 */
export const serviceClockNow = () => serviceNow(env)

/** The next instant at `hh:mm` JST after now. */
export const nextJst = (hh: number, mm: number) => {
  const now = testNow()
  const jstMidnight = Math.floor((now + 9 * 3600_000) / 86_400_000) * 86_400_000 - 9 * 3600_000
  let at = jstMidnight + (hh * 60 + mm) * 60_000
  while (at <= now) at += 86_400_000
  return at
}

/**
 * Refunds at KOMOJU as its dashboard does, with the merchant's key, not through us (all of
 * what is left, or `amount`); the answer's status, e.g. 422 for a store payment.
 */
export const refundAtGateway = async (paymentId: string, amount?: number) =>
  (
    await fetch(`http://komoju.test/api/v1/payments/${paymentId}/refund`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa(`${env.KOMOJU_SECRET_KEY}:`)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(amount ? { amount } : {}),
    })
  ).status

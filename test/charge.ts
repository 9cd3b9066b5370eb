import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import { localMicFor } from '../src/adapters/mic/localMic'
import { sandboxGatewayFor } from '../src/adapters/payments/sandboxGateway'
import { SIGNATURE_HEADER, signNotification } from '../src/adapters/payments/signature'
import { database } from '../src/db'
import { clockFor, setDevClockOffset } from '../src/flows/clock'
import worker from '../src/index'
import { Client, onboard } from './client'

export const SECOND = 'Charge2024x'
export const mic = () => localMicFor(env.LOCAL_MIC)
export const gateway = () => sandboxGatewayFor(env.SANDBOX_GATEWAY)

export const ready = async (userId: string) => {
  const client = new Client()
  await onboard(client, userId, `${userId}@example.ac.jp`, SECOND)
  return client
}

/** The card's balance as the twin holds it (a card never asked about is still at ¥1,000). */
export const cardBalance = async (userId: string) => {
  const cards = await mic().cards(100_000)
  return cards.find((c) => c.cardId === `demo:${userId}`)?.balance ?? 1000
}

export const creditsOf = (userId: string) => mic().creditsFor(`demo:${userId}`)

/** Goes from 申請内容確認 to 申請; returns the application number. */
export const applyCharge = async (client: Client, amount: number, method = 'credit_card') => {
  const { html } = await client.get(`/charge/confirm?amount=${amount}&method=${method}`)
  const requestKey = html.match(/name="request_key" value="([^"]+)"/)?.[1]
  expect(requestKey).toBeTruthy()
  const { res } = await client.post('/charge/apply', {
    amount: String(amount),
    method,
    request_key: requestKey!,
  })
  expect(res.status).toBe(303)
  const id = Number(res.headers.get('location')!.match(/\/applications\/(\d+)\/pay/)?.[1])
  expect(id).toBeGreaterThan(0)
  return { id, requestKey: requestKey! }
}

/** The provider's page URL that 申請完了's OK button leads to. */
export const paymentUrlOf = async (client: Client, id: number) => {
  const { html } = await client.get(`/applications/${id}/pay`)
  const url = html.match(/href="([^"]*\/sandbox-gateway\/pay\/[^"]+)"/)?.[1]
  expect(url).toBeTruthy()
  return new URL(url!.replace(/&amp;/g, '&'))
}

/** Presses 支払う (or キャンセル) on the sandbox gateway's page, as the student's browser would. */
export const payOnGateway = async (
  client: Client,
  id: number,
  action: 'pay' | 'cancel' = 'pay',
) => {
  const url = await paymentUrlOf(client, id)
  const res = await client.request(url.pathname, {
    method: 'POST',
    body: new URLSearchParams({ action }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  return res
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

/** Moves the development clock (every part of the service reads it). */
export const setClock = (at: number) => setDevClockOffset(database(env.DB), at - Date.now())

/**
 * Tests run at noon JST by the development clock, whatever the machine's time: at 4 a.m.
 * real time M.I.C. is (rightly) in its stop window.
 */
export const atNoon = () => setClock(nextJst(12, 0))

export const runCron = async () => {
  await worker.scheduled({ scheduledTime: Date.now(), cron: '* * * * *', noRetry() {} }, env)
}

/** A notification signed as the gateway signs them. */
export const signedNotification = async (
  body: object | string,
  opts: { secret?: string; at?: number } = {},
) => {
  const raw = typeof body === 'string' ? body : JSON.stringify(body)
  const now = (await clockFor(database(env.DB), true))()
  const signature = await signNotification(
    opts.secret ?? env.PAYMENT_WEBHOOK_SECRET,
    raw,
    opts.at ?? now,
  )
  return new Request('https://example.com/payments/notify/sandbox', {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
    body: raw,
  })
}

/** The next instant at `hh:mm` JST after now. */
export const nextJst = (hh: number, mm: number) => {
  const now = Date.now()
  const jstMidnight = Math.floor((now + 9 * 3600_000) / 86_400_000) * 86_400_000 - 9 * 3600_000
  let at = jstMidnight + (hh * 60 + mm) * 60_000
  while (at <= now) at += 86_400_000
  return at
}

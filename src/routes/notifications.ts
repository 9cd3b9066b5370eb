import { Hono, type Context } from 'hono'
import type { AppEnv } from '../context'
import { countWebhookRefusal } from '../flows/webhookRefusals'
import { resolveUniversity } from '../middleware/context'
import type { NotificationMessage } from '../queue'

const MAX_BODY_BYTES = 64 * 1024

/**
 * Clients past the WEBHOOK_REFUSALS limit, in this isolate, until when. Only refusals are
 * counted against the limit (a webhook that verifies never spends the allowance, so other
 * clients' refusals cannot hold up the gateway); once the limiter says a client is past it,
 * its webhooks are answered 429 for a minute without reading the body, checking a
 * signature or writing to D1. Each isolate learns it from one refusal of its own.
 */
const blocked = new Map<string, number>()
const BLOCK_MS = 60_000
/** A spray from many addresses must not grow the map without bound. */
const MAX_BLOCKED = 10_000

const isBlocked = (client: string, now: number) => {
  const until = blocked.get(client)
  if (until === undefined) return false
  if (until > now) return true
  blocked.delete(client)
  return false
}

const block = (client: string, now: number) => {
  if (blocked.size >= MAX_BLOCKED && !blocked.has(client)) blocked.clear()
  blocked.set(client, now + BLOCK_MS)
}

const tooMany = (c: Context<AppEnv>) => {
  c.header('Retry-After', '60')
  return c.json({ error: 'rate_limited' }, 429)
}

/**
 * The payment gateway's webhooks. The endpoint only checks and enqueues: it verifies the
 * signature with the university's own webhook secret (the university is the host name
 * the gateway was told to call) and hands the event id and payment id to the queue. The
 * consumer asks the gateway about the payment; the webhook's body decides nothing. Mounted
 * before the CSRF and session middleware: a gateway has neither, its signature is its
 * credential. An identical retry is accepted like the first delivery (the consumer
 * deduplicates by event id), so a delivery we failed to enqueue is never lost. Refusals
 * are counted per reason and hour (webhook_refusals), and a client refused more than
 * WEBHOOK_REFUSALS allows in a minute has its further refusals answered 429 without a
 * write; a correctly signed webhook is never answered 429.
 */
export const notifications = new Hono<AppEnv>()

notifications.post('/komoju/webhook', resolveUniversity('nearest'), async (c) => {
  const { db, clock, payments } = c.get('deps')
  const university = c.get('university')
  const limiter = c.env.WEBHOOK_REFUSALS
  const address = c.req.header('cf-connecting-ip')
  // Per university and client: one university's (or one merchant's) misfiring webhooks
  // never block another's, and KOMOJU's own addresses are never blocked for what it
  // delivers correctly signed (the limit only ever applies to refusals).
  const client = `${university.id}:${address ? `ip:${address}` : 'no-ip'}`
  // The rate limiter's minute is real time, whatever the development clock says.
  const wallNow = Date.now()

  const refuse = async (reason: string, status: 400 | 401 | 413, detail?: string) => {
    if (isBlocked(client, wallNow)) return tooMany(c)
    if (!(await limiter.limit({ key: client })).success) {
      block(client, wallNow)
      return tooMany(c)
    }
    console.warn('payment webhook refused', { reason, requestId: c.get('requestId') })
    await countWebhookRefusal(db, {
      universityId: university.id,
      reason,
      detail: detail?.slice(0, 500) ?? null,
      at: clock(),
    })
    return c.json({ error: reason }, status)
  }

  const provider = payments(university)
  // Without keys anyone could sign: refuse everything until they are configured.
  if (!provider) return refuse('not_configured', 401)
  const length = Number(c.req.header('content-length') ?? 0)
  if (length > MAX_BODY_BYTES) return refuse('too_large', 413)
  const raw = await c.req.text()
  if (raw.length > MAX_BODY_BYTES) return refuse('too_large', 413)
  const verified = await provider.verifyWebhook(raw, c.req.raw.headers)
  if (!verified.ok) return refuse(verified.reason, verified.status, raw.slice(0, 200))
  // KOMOJU's ping only checks that we answer: whatever it says, there is nothing to do.
  if (verified.kind === 'ping') return c.json({ received: true })
  const message: NotificationMessage = {
    eventId: verified.eventId,
    provider: provider.id,
    type: verified.type,
    paymentId: verified.paymentId,
    universityId: university.id,
    receivedAt: clock(),
  }
  await c.env.PAYMENT_NOTIFICATIONS.send(message)
  return c.json({ received: true })
})

import { Hono } from 'hono'
import type { AppEnv } from '../context'
import { notificationRejections } from '../db/schema'
import { resolveUniversity } from '../middleware/context'
import type { NotificationMessage } from '../queue'

const MAX_BODY_BYTES = 64 * 1024

/**
 * The payment gateway's webhooks. The endpoint only checks and enqueues: it verifies the
 * signature with the university's own webhook secret (the university is the host name
 * the gateway was told to call) and hands the event id and payment id to the queue. The
 * consumer asks the gateway about the payment; the webhook's body decides nothing. Mounted
 * before the CSRF and session middleware: a gateway has neither, its signature is its
 * credential. An identical retry is accepted like the first delivery (the consumer
 * deduplicates by event id), so a delivery we failed to enqueue is never lost.
 */
export const notifications = new Hono<AppEnv>()

notifications.post('/komoju/webhook', resolveUniversity(), async (c) => {
  const { db, clock, payments } = c.get('deps')
  const university = c.get('university')
  const provider = payments(university)
  const now = clock()
  const reject = async (reason: string, status: 400 | 401 | 413, detail?: string) => {
    console.warn('payment webhook refused', { reason, requestId: c.get('requestId') })
    await db.insert(notificationRejections).values({
      provider: 'komoju',
      reason,
      detail: detail?.slice(0, 500) ?? null,
      receivedAt: now,
    })
    return c.json({ error: reason }, status)
  }
  // Without keys anyone could sign: refuse everything until they are configured.
  if (!provider) return reject('not_configured', 401)
  const length = Number(c.req.header('content-length') ?? 0)
  if (length > MAX_BODY_BYTES) return reject('too_large', 413)
  const raw = await c.req.text()
  if (raw.length > MAX_BODY_BYTES) return reject('too_large', 413)
  const verified = await provider.verifyWebhook(raw, c.req.raw.headers)
  if (!verified.ok) return reject(verified.reason, verified.status, raw.slice(0, 200))
  const message: NotificationMessage = {
    eventId: verified.eventId,
    provider: provider.id,
    type: verified.type,
    paymentId: verified.paymentId,
    universityId: university.id,
    receivedAt: now,
  }
  await c.env.PAYMENT_NOTIFICATIONS.send(message)
  return c.json({ received: true })
})

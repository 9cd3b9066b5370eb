import { Hono } from 'hono'
import type { AppEnv } from '../context'
import { notificationReceipts, notificationRejections } from '../db/schema'
import type { NotificationMessage } from '../queue'

const MAX_BODY_BYTES = 64 * 1024

/**
 * Server-to-server payment notifications. The endpoint only checks and enqueues: it
 * verifies the signature and the timestamp, refuses a replayed signature, and hands the
 * event to the queue; the consumer does the rest. Anything refused is logged with its
 * reason and changes nothing. Mounted before the CSRF and session middleware: a
 * provider has neither, its signature is its credential.
 */
export const notifications = new Hono<AppEnv>()

notifications.post('/notify/:provider', async (c) => {
  const { db, clock, provider } = c.get('deps')
  const now = clock()
  const reject = async (reason: string, status: 400 | 401 | 404 | 409 | 413, detail?: string) => {
    console.warn('payment notification refused', { reason, requestId: c.get('requestId') })
    await db.insert(notificationRejections).values({
      provider: c.req.param('provider').slice(0, 50),
      reason,
      detail: detail?.slice(0, 500) ?? null,
      receivedAt: now,
    })
    return c.json({ error: reason }, status)
  }
  if (c.req.param('provider') !== provider.id) return reject('unknown_provider', 404)
  const length = Number(c.req.header('content-length') ?? 0)
  if (length > MAX_BODY_BYTES) return reject('too_large', 413)
  const raw = await c.req.text()
  if (raw.length > MAX_BODY_BYTES) return reject('too_large', 413)
  const verified = await provider.verifyNotification(raw, c.req.raw.headers, now)
  if (!verified.ok) return reject(verified.reason, verified.status, raw.slice(0, 200))
  const fresh = await db
    .insert(notificationReceipts)
    .values({ signature: verified.signature, receivedAt: now })
    .onConflictDoNothing()
    .returning({ signature: notificationReceipts.signature })
    .get()
  if (!fresh) return reject('replayed', 409, verified.event.eventId)
  const message: NotificationMessage = {
    eventId: verified.event.eventId,
    provider: provider.id,
    type: verified.event.type,
    payload: verified.event,
    receivedAt: now,
  }
  await c.env.PAYMENT_NOTIFICATIONS.send(message)
  return c.json({ received: true })
})

import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { database } from './db'
import { paymentNotifications } from './db/schema'

export const PAYMENT_QUEUE = 'payment-notifications'
export const PAYMENT_DLQ = 'payment-notifications-dlq'

/** What the notification endpoint enqueues: one verified provider event. */
export const notificationMessage = z.object({
  eventId: z.string().min(1).max(200),
  provider: z.string().min(1).max(50),
  type: z.string().min(1).max(50),
  payload: z.unknown(),
  receivedAt: z.number().int().nonnegative(),
})
export type NotificationMessage = z.infer<typeof notificationMessage>

/**
 * Payment-callback consumer. Each provider event is recorded once (deduplicated by its
 * event id, however often the queue delivers it); messages that exhaust their retries
 * arrive on the dead-letter queue and are marked there, for staff to see.
 */
export async function queue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const db = database(env.DB)
  const dead = batch.queue === PAYMENT_DLQ
  for (const message of batch.messages) {
    const parsed = notificationMessage.safeParse(message.body)
    if (!parsed.success) {
      // Retrying cannot fix a malformed message: log it and let it go.
      console.error('malformed payment notification', { queue: batch.queue, id: message.id })
      message.ack()
      continue
    }
    const n = parsed.data
    try {
      await db
        .insert(paymentNotifications)
        .values({
          eventId: n.eventId,
          provider: n.provider,
          type: n.type,
          payload: JSON.stringify(n.payload ?? null),
          receivedAt: n.receivedAt,
          deadLetteredAt: dead ? Date.now() : null,
        })
        .onConflictDoNothing()
      if (dead) {
        await db
          .update(paymentNotifications)
          .set({ deadLetteredAt: sql`coalesce(${paymentNotifications.deadLetteredAt}, ${Date.now()})` })
          .where(eq(paymentNotifications.eventId, n.eventId))
      }
      message.ack()
    } catch (error) {
      console.error('payment notification not recorded; retrying', { id: message.id, error: String(error) })
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) })
    }
  }
}

import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { providerEvent } from './adapters/payments'
import { paymentNotifications } from './db/schema'
import { deskFor } from './durable/studentDesk'
import { applyProviderEvent } from './flows/notifications'
import { servicesFor } from './services'

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
 * Payment-callback consumer. Each provider event is recorded once (by its event id,
 * however often the queue or the provider delivers it) and applied to its application;
 * a paid application is then handed to the student's StudentDesk to credit M.I.C.
 * Anything that throws is retried with backoff; messages that exhaust their retries
 * arrive on the dead-letter queue and are marked there, for staff to see.
 */
export async function queue(
  batch: MessageBatch<unknown>,
  env: Env,
  _ctx?: ExecutionContext,
): Promise<void> {
  const s = await servicesFor(env)
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
      const fresh = await s.db
        .insert(paymentNotifications)
        .values({
          eventId: n.eventId,
          provider: n.provider,
          type: n.type,
          payload: JSON.stringify(n.payload ?? null),
          receivedAt: n.receivedAt,
        })
        .onConflictDoNothing()
        .returning({ eventId: paymentNotifications.eventId })
        .get()
      if (dead) {
        await s.db
          .update(paymentNotifications)
          .set({
            deadLetteredAt: sql`coalesce(${paymentNotifications.deadLetteredAt}, ${s.clock()})`,
          })
          .where(eq(paymentNotifications.eventId, n.eventId))
        message.ack()
        continue
      }
      // Only an event seen before can have been applied already: look it up then.
      const recorded = fresh
        ? null
        : await s.db
            .select({ appliedAt: paymentNotifications.appliedAt })
            .from(paymentNotifications)
            .where(eq(paymentNotifications.eventId, n.eventId))
            .get()
      if (recorded?.appliedAt != null) {
        message.ack() // a duplicate of an event already applied
        continue
      }
      const event = providerEvent.safeParse(n.payload)
      if (!event.success) {
        console.error('payment notification payload is not an event', { eventId: n.eventId })
        message.ack()
        continue
      }
      const outcome = await applyProviderEvent(s, n.provider, event.data)
      if (outcome.kind !== 'applied')
        console.warn('payment notification matches no application', {
          eventId: n.eventId,
          outcome: outcome.kind,
        })
      if (outcome.kind === 'applied' && outcome.credit) {
        const a = outcome.application
        await deskFor(s.desks, a.universityId, a.studentId).credit(a.id)
      }
      await s.db
        .update(paymentNotifications)
        .set({
          appliedAt: s.clock(),
          applicationId: outcome.kind === 'applied' ? outcome.application.id : null,
        })
        .where(eq(paymentNotifications.eventId, n.eventId))
      message.ack()
    } catch (error) {
      console.error('payment notification not applied; retrying', {
        id: message.id,
        error: String(error),
      })
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) })
    }
  }
}

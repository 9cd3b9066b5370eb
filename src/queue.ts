import { eq, sql } from 'drizzle-orm'
import * as z from 'zod'
import { paymentNotifications } from './db/schema'
import { loadUniversity } from './flows/charge'
import { applyGatewayPayment, handToDesk } from './flows/payments'
import { servicesFor, type Services } from './services'

export const PAYMENT_QUEUE = 'payment-notifications'
export const PAYMENT_DLQ = 'payment-notifications-dlq'

/** What the webhook endpoint enqueues: a verified event, naming a payment to look at. */
export const notificationMessage = z.object({
  eventId: z.string().min(1).max(200),
  provider: z.string().min(1).max(50),
  type: z.string().min(1).max(100),
  paymentId: z.string().min(1).max(200).nullable(),
  universityId: z.string().min(1).max(100),
  receivedAt: z.number().int().nonnegative(),
})
export type NotificationMessage = z.infer<typeof notificationMessage>

/** The row that records a webhook's event, however often it is delivered. */
const recordOf = (n: NotificationMessage) => ({
  eventId: n.eventId,
  provider: n.provider,
  type: n.type,
  payload: JSON.stringify(n),
  receivedAt: n.receivedAt,
  universityId: n.universityId,
  paymentId: n.paymentId,
})

/**
 * Records the event once (by its id, however often the gateway or the queue delivers
 * it), asks the gateway for the payment it names and applies the gateway's answer; a
 * payment now paid is handed to the student's StudentDesk to credit M.I.C.
 */
const handle = async (s: Services, n: NotificationMessage) => {
  await s.db.insert(paymentNotifications).values(recordOf(n)).onConflictDoNothing()
  const recorded = await s.db
    .select({ appliedAt: paymentNotifications.appliedAt })
    .from(paymentNotifications)
    .where(eq(paymentNotifications.eventId, n.eventId))
    .get()
  if (recorded?.appliedAt != null) return // a duplicate of an event already handled
  const done = (outcome: string, applicationId: number | null = null) =>
    s.db
      .update(paymentNotifications)
      .set({ appliedAt: s.clock(), outcome, applicationId })
      .where(eq(paymentNotifications.eventId, n.eventId))
  if (!n.paymentId) return done('ignored') // ping and other events that name no payment
  const provider = s.payments(await loadUniversity(s.db, n.universityId))
  if (!provider) throw new Error(`gateway keys for ${n.universityId} are not configured`)
  const payment = await provider.payment(n.paymentId)
  if (!payment) {
    console.warn('webhook names a payment the gateway does not know', { eventId: n.eventId })
    return done('unmatched')
  }
  const outcome = await applyGatewayPayment(s, provider, n.universityId, payment, {
    id: n.eventId,
    type: n.type,
  })
  if (outcome.kind === 'unmatched') {
    console.warn('gateway payment matches no application', { eventId: n.eventId })
    return done('unmatched')
  }
  await handToDesk(s.desks, outcome)
  await done('applied', outcome.application.id)
}

/** Backoff of a message that failed: 1, 2, 4 … minutes, then hourly; hours in all. */
export const retryDelaySeconds = (attempts: number) => Math.min(3600, 30 * 2 ** attempts)

/**
 * Payment-webhook consumer. Anything that throws (the gateway or M.I.C. unreachable) is
 * retried with a backoff that spans hours (wrangler.toml: max_retries); a message that
 * exhausts them arrives on the dead-letter queue, whose consumer marks it for staff and
 * still applies it, retrying hourly: a paid payment is never just noted. Beyond that, the
 * cron asks the gateway about every application still awaiting payment past its deadline.
 */
export async function queue(
  batch: MessageBatch<unknown>,
  env: Env,
  _ctx?: ExecutionContext,
): Promise<void> {
  const s = await servicesFor(env)
  const dead = batch.queue === PAYMENT_DLQ
  // A batch's messages are handled side by side: each waits mostly on the gateway and on
  // M.I.C., and what must not interleave (one student's credits and refunds) is serialised
  // by that student's desk; recording an event is one idempotent insert per event id.
  await Promise.all(batch.messages.map((message) => consume(s, message, dead, batch.queue)))
}

const consume = async (s: Services, message: Message<unknown>, dead: boolean, queue: string) => {
  const parsed = notificationMessage.safeParse(message.body)
  if (!parsed.success) {
    // Retrying cannot fix a malformed message: log it and let it go.
    console.error('malformed payment notification', { queue, id: message.id })
    message.ack()
    return
  }
  const n = parsed.data
  try {
    if (dead) await markDeadLettered(s, n)
    await handle(s, n)
    message.ack()
  } catch (error) {
    console.error('payment notification not applied; retrying', {
      queue,
      id: message.id,
      error: String(error),
    })
    message.retry({ delaySeconds: dead ? 3600 : retryDelaySeconds(message.attempts) })
  }
}

const markDeadLettered = (s: Services, n: NotificationMessage) =>
  s.db
    .insert(paymentNotifications)
    .values({ ...recordOf(n), deadLetteredAt: s.clock() })
    .onConflictDoUpdate({
      target: paymentNotifications.eventId,
      set: {
        deadLetteredAt: sql`coalesce(${paymentNotifications.deadLetteredAt}, ${s.clock()})`,
      },
    })

import { and, eq } from 'drizzle-orm'
import type { GatewayPayment, PaymentProvider } from '../adapters/payments'
import { applications, students } from '../db/schema'
import { nextPaymentStatus, type ProviderEventType } from '../domain/application'
import { translator } from '../i18n'
import type { Services } from '../services'
import { claimMail, loadUniversity, type Application } from './charge'
import { chargeCompletedMail } from './mails'

/** A paid application's credit is first tried at once; the cron picks it up 2 minutes on. */
const PENDING_SAFETY_NET_MS = 2 * 60_000

export type PaymentOutcome =
  /** The gateway's payment belongs to no application of ours: kept for staff. */
  | { kind: 'unmatched'; reason: string }
  | { kind: 'applied'; application: Application; changed: boolean; credit: boolean }

/**
 * What a gateway status means for an application. A failed attempt on a hosted page is
 * not an outcome: the student may try another card on the same page until it closes.
 * A refund before we ever saw the capture returns the money, so nothing is owed.
 */
const eventFor = (status: GatewayPayment['status']): ProviderEventType | null => {
  switch (status) {
    case 'captured':
      return 'paid'
    case 'expired':
      return 'expired'
    case 'cancelled':
    case 'refunded':
      return 'cancelled'
    default:
      return null
  }
}

/** The application a gateway payment is for: by its payment id, else by our order number. */
const applicationFor = async (
  s: Pick<Services, 'db'>,
  provider: PaymentProvider,
  universityId: string,
  p: GatewayPayment,
) => {
  const byId = await s.db
    .select()
    .from(applications)
    .where(and(eq(applications.provider, provider.id), eq(applications.providerPaymentId, p.id)))
    .get()
  if (byId) return byId
  if (!p.orderRef || !/^\d{1,12}$/.test(p.orderRef)) return null
  const a = await s.db
    .select()
    .from(applications)
    .where(
      and(
        eq(applications.id, Number(p.orderRef)),
        eq(applications.provider, provider.id),
        eq(applications.universityId, universityId),
      ),
    )
    .get()
  // A store payment is known by its id from the start; only hosted payments are found by
  // order number, and never one that already has another captured payment.
  if (!a || (a.providerPaymentId !== null && a.providerPaymentId !== p.id)) return null
  return a
}

/**
 * Applies what the gateway reports of one payment to its application. Idempotent and
 * order-proof: statuses only move forward (nextPaymentStatus), each change is a
 * compare-and-set on the status it was computed from, and the completion mail goes out
 * once. Says whether the application now needs crediting. The payment must come from
 * the gateway itself (a lookup), never from a webhook's body.
 */
export const applyGatewayPayment = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  provider: PaymentProvider,
  universityId: string,
  p: GatewayPayment,
): Promise<PaymentOutcome> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const a = await applicationFor(s, provider, universityId, p)
    if (!a) return { kind: 'unmatched', reason: 'no_application' }
    const event = eventFor(p.status)
    const next = event && nextPaymentStatus(a.status, event, a.paymentMethod)
    if (!next) {
      const credit =
        a.status === 'paid' && ['pending', 'deferred', 'retrying'].includes(a.creditStatus)
      return { kind: 'applied', application: a, changed: false, credit }
    }
    const now = s.clock()
    // The gateway's amount must be the application's; if not, a person has to look.
    const amountOk = p.amount === a.amount && p.currency === 'JPY'
    const values: Partial<Application> =
      next === 'paid'
        ? {
            status: 'paid',
            providerPaymentId: p.id,
            paidAt: Math.min(p.capturedAt ?? now, now),
            paymentOutcome: null,
            creditStatus: amountOk ? 'pending' : 'failed',
            creditError: amountOk
              ? null
              : `amount_mismatch: gateway ${p.amount} ${p.currency}, application ${a.amount} JPY`,
            nextCreditAt: amountOk ? now + PENDING_SAFETY_NET_MS : null,
          }
        : { status: next, paymentOutcome: event === 'expired' ? 'expired' : 'cancelled' }
    const updated = await s.db
      .update(applications)
      .set({ ...values, updatedAt: now })
      .where(and(eq(applications.id, a.id), eq(applications.status, a.status)))
      .returning()
      .get()
    if (!updated) continue // another delivery changed it first: look again
    if (next === 'paid') await sendCompletionMailOnce(s, updated)
    return {
      kind: 'applied',
      application: updated,
      changed: true,
      credit: next === 'paid' && amountOk,
    }
  }
  throw new Error(`application for payment ${p.id} kept changing`)
}

const sendCompletionMailOnce = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  a: Application,
) => {
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  if (!student?.email || !(await claimMail(s, a.id, 'completionMailAt'))) return
  const u = await loadUniversity(s.db, a.universityId)
  await s.mailer.send(
    chargeCompletedMail(translator(a.lang), u, student.email, student.nameKana, a),
  )
}

/**
 * Asks the gateway what happened to an application's hosted session. Paid: apply the
 * payment. When the gateway has just sent the student back (`sentBack`) and the session
 * is unpaid (キャンセル on its page), cancel the session at the gateway first, so it can no
 * longer be paid, then the application; if the gateway refuses because a payment came in
 * meanwhile, that wins. A student merely reloading our page cancels nothing.
 */
export const settleReturnedSession = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  provider: PaymentProvider,
  a: Application,
  sentBack: boolean,
): Promise<PaymentOutcome | null> => {
  if (!a.providerSessionId || a.status !== 'awaiting_payment') return null
  let session = await provider.session(a.providerSessionId)
  if (!session) return null
  if (session.status === 'pending' && sentBack) {
    session = await provider.cancelSession(session.id).catch(async () => {
      return (await provider.session(a.providerSessionId!)) ?? session!
    })
  }
  if (session.payment) return applyGatewayPayment(s, provider, a.universityId, session.payment)
  if (session.status !== 'cancelled') return null
  const now = s.clock()
  const updated = await s.db
    .update(applications)
    .set({ status: 'cancelled', paymentOutcome: 'cancelled', updatedAt: now })
    .where(and(eq(applications.id, a.id), eq(applications.status, 'awaiting_payment')))
    .returning()
    .get()
  return updated ? { kind: 'applied', application: updated, changed: true, credit: false } : null
}

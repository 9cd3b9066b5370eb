import { and, eq } from 'drizzle-orm'
import type { ProviderEvent } from '../adapters/payments'
import { applications, students } from '../db/schema'
import { nextPaymentStatus } from '../domain/application'
import { translator } from '../i18n'
import type { Services } from '../services'
import { claimMail, loadUniversity, type Application } from './charge'
import { chargeCompletedMail } from './mails'

/** A paid application's credit is first tried at once; the cron picks it up 2 minutes on. */
const PENDING_SAFETY_NET_MS = 2 * 60_000

export type EventOutcome =
  | { kind: 'unknownApplication' }
  | { kind: 'mismatch' }
  | { kind: 'applied'; application: Application; changed: boolean; credit: boolean }

/**
 * Applies one verified provider event to its application. Idempotent and order-proof:
 * statuses only move forward (nextPaymentStatus), each change is a compare-and-set on
 * the status it was computed from, and the completion mail goes out once. Says whether
 * the application now needs crediting.
 */
export const applyProviderEvent = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  provider: string,
  e: ProviderEvent,
): Promise<EventOutcome> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const a = await s.db
      .select()
      .from(applications)
      .where(and(eq(applications.id, Number(e.merchantRef)), eq(applications.provider, provider)))
      .get()
    if (!a) return { kind: 'unknownApplication' }
    if (a.providerPaymentId !== null && a.providerPaymentId !== e.paymentId)
      return { kind: 'mismatch' }
    const next = nextPaymentStatus(a.status, e.type, a.paymentMethod)
    if (next === null) {
      const credit =
        a.status === 'paid' && ['pending', 'deferred', 'retrying'].includes(a.creditStatus)
      return { kind: 'applied', application: a, changed: false, credit }
    }
    const now = s.clock()
    // The provider's amount must be the application's; if not, a person has to look.
    const amountOk = e.amount === a.amount
    const values: Partial<Application> =
      next === 'paid'
        ? {
            status: 'paid',
            paidAt: Math.min(e.occurredAt, now),
            paymentOutcome: null,
            creditStatus: amountOk ? 'pending' : 'failed',
            creditError: amountOk
              ? null
              : `amount_mismatch: provider ${e.amount}, application ${a.amount}`,
            nextCreditAt: amountOk ? now + PENDING_SAFETY_NET_MS : null,
          }
        : {
            status: next,
            paymentOutcome:
              e.type === 'failed' ? 'failed' : e.type === 'expired' ? 'expired' : 'cancelled',
          }
    const updated = await s.db
      .update(applications)
      .set({ ...values, providerPaymentId: e.paymentId, updatedAt: now })
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
  throw new Error(`application ${e.merchantRef} kept changing under event ${e.eventId}`)
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

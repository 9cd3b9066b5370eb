import { and, eq } from 'drizzle-orm'
import { PaymentProviderError } from '../../adapters/payments'
import { applications } from '../../db/schema'
import { refundableByStudent } from '../../domain/application'
import type { Services } from '../../services'
import { loadUniversity } from '../charge'

export type RefundOutcome = 'refunded' | 'notRefundable' | 'unavailable'

/** The key KOMOJU deduplicates an application's refund by: asking twice refunds once. */
export const refundKey = (id: number) => `mic-application-${id}-refund`

/**
 * Gives a paid charge that cannot be credited its money back through the gateway, at the
 * student's request. Must run inside the student's StudentDesk (only the desk calls it):
 * a held credit is never refunded and credited at once, because the cron's credit of it
 * waits in the same line. Only what M.I.C. certainly never applied can be refunded.
 */
export const refundApplication = async (s: Services, id: number): Promise<RefundOutcome> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a || !refundableByStudent(a) || !a.providerPaymentId) return 'notRefundable'
  const provider = s.payments(await loadUniversity(s.db, a.universityId))
  if (!provider) return 'unavailable'
  try {
    const payment = await provider.refund(a.providerPaymentId, refundKey(a.id))
    if (payment.status !== 'refunded') return 'unavailable'
  } catch (e) {
    if (!(e instanceof PaymentProviderError)) throw e
    console.error('refund failed', { application: a.id, error: e.message })
    return 'unavailable'
  }
  const now = s.clock()
  await s.db
    .update(applications)
    .set({ status: 'refunded', refundedAt: now, nextCreditAt: null, updatedAt: now })
    .where(and(eq(applications.id, a.id), eq(applications.status, 'paid')))
  return 'refunded'
}

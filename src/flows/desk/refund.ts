import { and, eq, inArray } from 'drizzle-orm'
import { PaymentProviderError } from '../../adapters/payments'
import { applications } from '../../db/schema'
import { REFUNDABLE, refundableByStudent } from '../../domain/application'
import type { Services } from '../../services'
import { loadUniversity } from '../charge'

export type RefundOutcome = 'refunded' | 'notRefundable' | 'unavailable'

/** The key KOMOJU deduplicates an application's refund by: asking twice refunds once. */
export const refundKey = (id: number) => `mic-application-${id}-refund`

/**
 * Gives a paid charge that cannot be credited its money back through the gateway, at the
 * student's request. Must run inside the student's StudentDesk (only the desk calls it):
 * a held credit is never refunded and credited at once, because the cron's credit of it
 * waits in the same line. Only what M.I.C. certainly never applied can be refunded. The
 * application is marked `refunding` before the gateway is asked, so that whatever happens
 * to the answer it is never credited afterwards; asking again finishes it.
 */
export const refundApplication = async (s: Services, id: number): Promise<RefundOutcome> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a || !refundableByStudent(a) || !a.providerPaymentId) return 'notRefundable'
  const provider = s.payments(await loadUniversity(s.db, a.universityId))
  if (!provider) return 'unavailable'
  await s.db
    .update(applications)
    .set({ creditStatus: 'refunding', nextCreditAt: null, updatedAt: s.clock() })
    .where(eq(applications.id, a.id))
  try {
    const payment = await provider.refund(a.providerPaymentId, refundKey(a.id))
    if (payment.status !== 'refunded') return 'unavailable'
  } catch (e) {
    if (!(e instanceof PaymentProviderError)) throw e
    console.error('refund failed', { application: a.id, error: e.message })
    // A refusal the gateway answered is certain: nothing was refunded, back as it was, with
    // its next look due (a held credit is re-checked by the cron only once one is set).
    // No answer (a timeout): it stays `refunding`, never credited, until asked again.
    if (e.status !== null && e.status < 500)
      await s.db
        .update(applications)
        .set({
          creditStatus: a.creditStatus,
          nextCreditAt: restoredNextCreditAt(a, s.clock()),
          updatedAt: s.clock(),
        })
        .where(and(eq(applications.id, a.id), eq(applications.creditStatus, 'refunding')))
    return 'unavailable'
  }
  return (await markRefunded(s, a.id)) ? 'refunded' : 'notRefundable'
}

/**
 * When a credit put back after a refund the gateway refused is looked at next: a held one
 * at once by the cron's next run (the card may have room by now), one that needs a person
 * never by itself.
 */
const restoredNextCreditAt = (
  a: { creditStatus: string; nextCreditAt: number | null },
  now: number,
) => (a.creditStatus === 'held' ? Math.min(a.nextCreditAt ?? now, now) : a.nextCreditAt)

/**
 * The gateway says the payment was refunded (our request, or one made in its dashboard):
 * an application paid and not credited (nor possibly credited) becomes 返金済み and is
 * never credited. Must run inside the desk, like the credit it rules out.
 */
export const markRefunded = async (s: Pick<Services, 'db' | 'clock'>, id: number) => {
  const now = s.clock()
  const done = await s.db
    .update(applications)
    .set({ status: 'refunded', refundedAt: now, nextCreditAt: null, updatedAt: now })
    .where(
      and(
        eq(applications.id, id),
        eq(applications.status, 'paid'),
        inArray(applications.creditStatus, [...REFUNDABLE]),
      ),
    )
    .returning({ id: applications.id })
    .get()
  return done !== undefined
}

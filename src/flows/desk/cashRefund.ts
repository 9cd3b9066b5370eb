import { and, eq, isNull } from 'drizzle-orm'
import { PaymentProviderError, type GatewayPayment } from '../../adapters/payments'
import { applications, cashRefunds, students } from '../../db/schema'
import { refundableToBankAccount, type CreditStatus } from '../../domain/application'
import type { BankAccount, BankAccountField } from '../../domain/bankAccount'
import { translator } from '../../i18n'
import type { Services } from '../../services'
import { loadUniversity, type Application } from '../charge'
import { cashRefundRejectedMail } from '../mails'
import { studentPageUrl } from '../cashRefunds'
import { markRefunded } from './refund'

export type CashRefundOutcome =
  /** KOMOJU has the request; the application is `refunding` until it decides. */
  | { kind: 'requested' }
  | { kind: 'notRefundable' }
  /** KOMOJU could not be asked, or gave no answer: nothing known to be requested. */
  | { kind: 'unavailable' }
  /** KOMOJU refused the account (a field it names, when it names one): nothing requested. */
  | { kind: 'refused'; field: BankAccountField | null }

/** KOMOJU's parameter names, as the page's fields. */
const FIELD_OF: Record<string, BankAccountField> = {
  customer_name: 'account_holder',
  bank_name: 'bank_name',
  bank_code: 'bank_code',
  branch_name: 'branch_name',
  branch_number: 'branch_code',
  account_type: 'account_type',
  account_number: 'account_number',
}

/** Each request its own key: after a rejection the student asks again with another account. */
export const cashRefundKey = (applicationId: number, requestRow: number) =>
  `mic-application-${applicationId}-refund-request-${requestRow}`

/** How long a request whose answer was lost may take to show at KOMOJU before it counts as not made. */
const UNANSWERED_GRACE_MS = 10 * 60_000

const openRequest = (s: Pick<Services, 'db'>, applicationId: number) =>
  s.db
    .select()
    .from(cashRefunds)
    .where(and(eq(cashRefunds.applicationId, applicationId), isNull(cashRefunds.outcome)))
    .get()

/**
 * Back to the credit state the application had before `refunding`. A held credit gets its
 * next look now, so the cron picks it up again (it may fit on the card by now).
 */
const restore = (s: Pick<Services, 'db' | 'clock'>, a: Application, previous: CreditStatus) =>
  s.db
    .update(applications)
    .set({
      creditStatus: previous,
      nextCreditAt: previous === 'held' ? s.clock() : null,
      updatedAt: s.clock(),
    })
    .where(
      and(
        eq(applications.id, a.id),
        eq(applications.status, 'paid'),
        eq(applications.creditStatus, 'refunding'),
      ),
    )

/**
 * A コンビニ / Pay-easy payment back to the student's bank account, through KOMOJU's
 * refund request: the gateway cannot refund a cash payment by itself. Runs inside the
 * student's desk, like every refund, so it never crosses a credit. The application is
 * `refunding` (never credited, still counted against the cap) before KOMOJU is asked, and
 * stays so until KOMOJU completes the request (payment.refunded: 返金済み) or rejects it
 * (settleCashRefund: back as it was). The account is passed on and kept nowhere: not in
 * D1, not in the logs (errors name the gateway's status and code only).
 */
export const requestCashRefund = async (
  s: Services,
  id: number,
  account: BankAccount,
): Promise<CashRefundOutcome> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a || !refundableToBankAccount(a) || !a.providerPaymentId) return { kind: 'notRefundable' }
  const provider = s.payments(await loadUniversity(s.db, a.universityId))
  if (!provider) return { kind: 'unavailable' }
  // What goes back is what KOMOJU holds (a mismatch paid another amount than applied for).
  let payment: GatewayPayment | null
  try {
    payment = await provider.payment(a.providerPaymentId)
  } catch (e) {
    if (!(e instanceof PaymentProviderError)) throw e
    return { kind: 'unavailable' }
  }
  if (payment?.status !== 'captured') return { kind: 'notRefundable' }
  const amount = payment.amount - payment.amountRefunded
  if (amount <= 0) return { kind: 'notRefundable' }
  const now = s.clock()
  const claimed = await s.db
    .update(applications)
    .set({ creditStatus: 'refunding', nextCreditAt: null, updatedAt: now })
    .where(and(eq(applications.id, a.id), eq(applications.creditStatus, a.creditStatus)))
    .returning({ id: applications.id })
    .get()
  if (!claimed) return { kind: 'notRefundable' }
  const row = (await s.db
    .insert(cashRefunds)
    .values({
      applicationId: a.id,
      universityId: a.universityId,
      requestedAt: now,
      previousCreditStatus: a.creditStatus,
    })
    .returning({ id: cashRefunds.id })
    .get())!
  try {
    const answered = await provider.requestRefund(
      a.providerPaymentId,
      { account, amount, description: `M.I.C. charge ${a.id}` },
      cashRefundKey(a.id, row.id),
    )
    const pending = answered.refundRequests.filter((r) => r.status === 'pending').at(-1)
    if (pending)
      await s.db
        .update(cashRefunds)
        .set({ gatewayRequestId: pending.id })
        .where(eq(cashRefunds.id, row.id))
    return { kind: 'requested' }
  } catch (e) {
    if (!(e instanceof PaymentProviderError)) throw e
    console.error('refund request failed', { application: a.id, error: e.message })
    // A refusal KOMOJU answered is certain: nothing was requested, back as it was.
    if (e.status !== null && e.status < 500) {
      await restore(s, a, a.creditStatus)
      await s.db.delete(cashRefunds).where(eq(cashRefunds.id, row.id))
      return { kind: 'refused', field: (e.param && FIELD_OF[e.param]) || null }
    }
    // No answer: it stays `refunding`; settleCashRefund finds out whether KOMOJU has it.
    return { kind: 'unavailable' }
  }
}

export type CashRefundState = 'none' | 'pending' | 'completed' | 'rejected' | 'lost'

/**
 * What became of the application's refund request, from KOMOJU's own answer (a webhook
 * only says "look again"): refunded there makes it 返金済み; rejected (or never received,
 * when the answer to our request was lost) puts it back in the credit state it had, with
 * a mail to the student, who may ask again. Runs inside the desk.
 */
export const settleCashRefund = async (s: Services, id: number): Promise<CashRefundState> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  const row = a && (await openRequest(s, a.id))
  if (!a || !row || !a.providerPaymentId) return 'none'
  const close = (outcome: 'completed' | 'rejected' | 'lost') =>
    s.db
      .update(cashRefunds)
      .set({ outcome, decidedAt: s.clock() })
      .where(and(eq(cashRefunds.id, row.id), isNull(cashRefunds.outcome)))
  if (a.status === 'refunded') {
    await close('completed')
    return 'completed'
  }
  const provider = s.payments(await loadUniversity(s.db, a.universityId))
  if (!provider) return 'pending'
  let p: GatewayPayment | null
  try {
    p = await provider.payment(a.providerPaymentId)
  } catch (e) {
    if (!(e instanceof PaymentProviderError)) throw e
    return 'pending'
  }
  if (p?.status === 'refunded') {
    if (await markRefunded(s, a.id)) await close('completed')
    return 'completed'
  }
  if (p?.status !== 'captured' || a.creditStatus !== 'refunding') return 'pending'
  const ours = row.gatewayRequestId
    ? p.refundRequests.find((r) => r.id === row.gatewayRequestId)
    : p.refundRequests.filter((r) => (r.createdAt ?? 0) >= row.requestedAt - 5 * 60_000).at(-1)
  let outcome: 'rejected' | 'lost'
  if (ours?.status === 'rejected') outcome = 'rejected'
  else if (!ours && s.clock() - row.requestedAt > UNANSWERED_GRACE_MS) outcome = 'lost'
  else return 'pending'
  await restore(s, a, row.previousCreditStatus)
  await close(outcome)
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  if (student?.email) {
    const u = await loadUniversity(s.db, a.universityId)
    const url = await studentPageUrl(s, a.universityId, `/applications/${a.id}/refund-account`)
    await s.mailer.send(cashRefundRejectedMail(translator(a.lang), u, student.email, a, url))
  }
  return outcome
}

import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm'
import {
  PaymentProviderError,
  type GatewayPayment,
  type PaymentProvider,
} from '../adapters/payments'
import { applications, students } from '../db/schema'
import {
  CREDIT_IN_PROGRESS,
  creditAmountOf,
  netCaptured,
  nextPaymentStatus,
  type ProviderEventType,
} from '../domain/application'
import { hasDeadline } from '../domain/paymentMethods'
import type { University } from '../domain/university'
import { deskFor } from './desks'
import { translator } from '../i18n'
import type { Services } from '../services'
import { claimMail, loadUniversity, type Application } from './charge'
import { alertStaffOnce, sendCreditErrorMailOnce } from './crediting'
import { breakdownFor } from './certificates'
import { chargeCompletedMail } from './mails'

/** A paid application's credit is first tried at once; the cron picks it up 2 minutes on. */
const PENDING_SAFETY_NET_MS = 2 * 60_000

export type PaymentOutcome =
  /** The gateway's payment belongs to no application of ours: kept for staff. */
  | { kind: 'unmatched'; reason: string }
  | { kind: 'applied'; application: Application; changed: boolean; credit: boolean }
  /**
   * The gateway no longer holds all of a paid application's payment (refunded in full or
   * in part, or charged back): the desk settles it (settleWithGateway).
   */
  | { kind: 'refunded'; application: Application }
  /** KOMOJU marked the payment as fraud: the desk holds it back (markFraud). */
  | { kind: 'fraud'; application: Application }

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
 * The webhook event that made us look, when one did. Its type says what the gateway's
 * payment object cannot: KOMOJU's payment has no fraud field, so `payment.marked.as.fraud`
 * is known only by the event (`payment.refund.created`, `payment.updated`, … likewise).
 */
export interface GatewayEvent {
  id: string
  type: string
}

/**
 * Applies what the gateway reports of one payment to its application. Idempotent and
 * order-proof: statuses only move forward (nextPaymentStatus), each change is a
 * compare-and-set on the status it was computed from, and the completion mail goes out
 * once. Says whether the application now needs crediting. The payment must come from
 * the gateway itself (a lookup), never from a webhook's body; `webhook` is the event that
 * asked for the lookup, if any (the return page and the crons have none).
 */
export const applyGatewayPayment = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  provider: PaymentProvider,
  universityId: string,
  p: GatewayPayment,
  webhook: GatewayEvent | null = null,
): Promise<PaymentOutcome> => {
  const outcome = await applyPayment(s, provider, universityId, p)
  // KOMOJU's risk team marked it as fraud: only its (signed) event says so, and it can only
  // stop a credit, never make one. The desk holds a paid application back for staff.
  if (
    webhook?.type === FRAUD_EVENT &&
    outcome.kind !== 'unmatched' &&
    outcome.application.status === 'paid'
  )
    return { kind: 'fraud', application: outcome.application }
  return outcome
}

/** The event KOMOJU sends when its risk team marks a payment as fraud. */
export const FRAUD_EVENT = 'payment.marked.as.fraud'

const applyPayment = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  provider: PaymentProvider,
  universityId: string,
  p: GatewayPayment,
): Promise<PaymentOutcome> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const a = await applicationFor(s, provider, universityId, p)
    if (!a) return { kind: 'unmatched', reason: 'no_application' }
    if (a.status === 'paid' && netCaptured(p) < creditAmountOf(a) && a.creditStatus !== 'mismatch')
      return { kind: 'refunded', application: a }
    // Captured and given back before we ever saw it (a refund in KOMOJU's dashboard while
    // the capture's webhook was late): the money came and went, so 返金済み, never credited,
    // and the application knows the payment (not キャンセル as if nothing had been paid).
    if (p.status === 'refunded' && p.capturedAt !== null && a.status !== 'paid') {
      if (a.status === 'refunded')
        return { kind: 'applied', application: a, changed: false, credit: false }
      const now = s.clock()
      const updated = await s.db
        .update(applications)
        .set({
          status: 'refunded',
          providerPaymentId: p.id,
          paidAt: Math.min(p.capturedAt, now),
          refundedAt: p.refundedAt ?? now,
          paymentOutcome: null,
          gatewayRefunded: p.amount,
          gatewayChargeback: p.chargedBack,
          updatedAt: now,
        })
        .where(and(eq(applications.id, a.id), eq(applications.status, a.status)))
        .returning()
        .get()
      if (!updated) continue
      return { kind: 'applied', application: updated, changed: true, credit: false }
    }
    const event = eventFor(p.status)
    const next = event && nextPaymentStatus(a.status, event, a.paymentMethod)
    if (!next) {
      const credit = a.status === 'paid' && CREDIT_IN_PROGRESS.includes(a.creditStatus)
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
            creditStatus: amountOk ? 'pending' : 'mismatch',
            // Already partly refunded when we first see it: the desk's look before the
            // credit (it asks KOMOJU again) names it and alerts staff.
            gatewayCheckedAt: p.amountRefunded > 0 ? null : now,
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
    // A charge's チャージ完了 is the desk's, after its first credit attempt, so that it can
    // say what happened (a stop window's end, a refusal): sendChargeCompletedMailOnce.
    if (next === 'paid' && amountOk && updated.kind === 'certificate')
      await sendCompletionMailOnce(s, updated)
    if (next === 'paid' && !amountOk) await mismatchNoticeOnce(s, updated)
    return {
      kind: 'applied',
      application: updated,
      changed: true,
      credit: next === 'paid' && amountOk,
    }
  }
  throw new Error(`application for payment ${p.id} kept changing`)
}

/**
 * What the student's desk does after a payment was applied: credit it, or mark it refunded
 * (only the desk may, so that a credit and a refund never cross). Every path that applies
 * a gateway payment (webhook, return page, cron) ends here.
 */
export const handToDesk = async (
  desks: Services['desks'],
  outcome: PaymentOutcome | null,
): Promise<void> => {
  if (!outcome || outcome.kind === 'unmatched') return
  const a = outcome.application
  const desk = deskFor(desks, a.universityId, a.studentId)
  if (outcome.kind === 'refunded') await desk.settleWithGateway(a.id)
  else if (outcome.kind === 'fraud') await desk.markFraud(a.id)
  else if (outcome.credit) await desk.credit(a.id)
  // Still captured while a refund to the student's bank account is under way: KOMOJU may
  // have rejected the request (payment.updated); the desk asks it and acts on the answer.
  else if (awaitsBankRefund(a)) await desk.settleBankRefund(a.id)
}

/** A コンビニ / Pay-easy application whose refund request KOMOJU has not decided yet. */
const awaitsBankRefund = (a: Application) =>
  a.status === 'paid' && a.creditStatus === 'refunding' && hasDeadline(a.paymentMethod)

/** An amount that is not the application's: the student's error mail and staff's alert. */
const mismatchNoticeOnce = async (s: Pick<Services, 'db' | 'clock' | 'mailer'>, a: Application) => {
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  const u = await loadUniversity(s.db, a.universityId)
  await sendCreditErrorMailOnce(s, a, student?.email ?? null, u)
  await alertStaffOnce(s, a, u, 'mismatch')
}

const sendCompletionMailOnce = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  a: Application,
) => {
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  if (!student?.email || !(await claimMail(s, a.id, 'completionMailAt'))) return
  const u = await loadUniversity(s.db, a.universityId)
  const tr = translator(a.lang)
  await s.mailer.send(
    chargeCompletedMail(tr, u, student.email, student.nameKana, a, await breakdownFor(s, tr, a)),
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
  const updated = await closeUnpaid(s, a, 'cancelled')
  return updated ? { kind: 'applied', application: updated, changed: true, credit: false } : null
}

/**
 * Marks an application that the gateway says was never paid as 未払い (コンビニ, Pay-easy) or
 * キャンセル (a hosted page left unpaid), releasing its share of the cap. A payment that
 * still arrives later wins (nextPaymentStatus), and the credit-time check then decides.
 */
const sweep = async (s: Pick<Services, 'db' | 'clock'>, a: Application) =>
  (await closeUnpaid(s, a, 'expired')) !== undefined

/**
 * An application still awaiting payment that the gateway says was not paid: キャンセル
 * when the student left the page (`cancelled`), else 未払い / キャンセル by its method when
 * its time ran out (`expired`). A compare-and-set: whatever moved it first wins.
 */
const closeUnpaid = (
  s: Pick<Services, 'db' | 'clock'>,
  a: Application,
  outcome: 'cancelled' | 'expired',
) =>
  s.db
    .update(applications)
    .set({
      status: outcome === 'expired' && hasDeadline(a.paymentMethod) ? 'unpaid' : 'cancelled',
      paymentOutcome: outcome,
      updatedAt: s.clock(),
    })
    .where(and(eq(applications.id, a.id), eq(applications.status, 'awaiting_payment')))
    .returning()
    .get()

/** Universities loaded once per cron run, however many of their applications it visits. */
const universityCache = (db: Services['db']) => {
  const loaded = new Map<string, Promise<University>>()
  return (id: string) => {
    let u = loaded.get(id)
    if (!u) loaded.set(id, (u = loadUniversity(db, id)))
    return u
  }
}

type OverdueResult = 'swept' | 'paid' | 'waiting'

/** How soon an overdue application the gateway left open is asked about again. */
const RECONCILE_AGAIN_MS = 10 * 60_000

/** Asks the gateway about one overdue application and acts on its answer only. */
const settleOverdue = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer' | 'desks'>,
  provider: PaymentProvider | null,
  a: Application,
): Promise<OverdueResult> => {
  const paid = async (p: GatewayPayment): Promise<OverdueResult | null> => {
    if (p.status !== 'captured') return null
    await handToDesk(s.desks, await applyGatewayPayment(s, provider!, a.universityId, p))
    return 'paid'
  }
  // Never opened at the gateway: nobody can have paid it.
  if (!a.providerSessionId && !a.providerPaymentId) return (await sweep(s, a)) ? 'swept' : 'waiting'
  if (!provider) return 'waiting' // its keys are gone: nobody can be asked, nothing is decided
  if (a.providerPaymentId && !a.providerSessionId) {
    const p = await provider.payment(a.providerPaymentId)
    if (p) {
      const done = await paid(p)
      if (done) return done
      // The store still takes it (the gateway has not closed it yet): ask again later.
      if (p.status === 'authorized' || p.status === 'pending') return 'waiting'
    }
    return (await sweep(s, a)) ? 'swept' : 'waiting'
  }
  let session = await provider.session(a.providerSessionId!)
  if (session?.payment) {
    const done = await paid(session.payment)
    if (done) return done
  }
  // Expired at the gateway with nothing paid: closed for good.
  if (session?.expired && !session.payment) return (await sweep(s, a)) ? 'swept' : 'waiting'
  if (session?.status === 'pending') {
    // Close it first, so that it can no longer be paid once we call it unpaid.
    session = await provider
      .cancelSession(session.id)
      .catch(async () => provider.session(a.providerSessionId!))
    if (session?.payment) {
      const done = await paid(session.payment)
      if (done) return done
    }
    if (session?.status !== 'cancelled') return 'waiting'
  }
  if (session?.status === 'completed') return 'waiting' // completed without a capture yet
  return (await sweep(s, a)) ? 'swept' : 'waiting'
}

/**
 * Cron: no application is called 未払い or キャンセル on our clock alone. Each one still
 * awaiting payment past its deadline is asked about at the gateway (a payment made at the
 * last minute, whose webhook was lost or is late, is found and credited or held); only
 * what the gateway says was never paid is swept. A gateway that cannot be asked decides
 * nothing: the application waits for the next run.
 */
export const reconcileOverdueApplications = async (
  s: Services,
  now: number,
  limit = 50,
): Promise<Record<OverdueResult, number>> => {
  // One the gateway left open is asked again later (reconcileAfter), so a few that stay
  // open never keep the rest from being looked at.
  const overdue = await s.db
    .select()
    .from(applications)
    .where(
      and(
        eq(applications.status, 'awaiting_payment'),
        lte(applications.paymentDeadline, now),
        or(isNull(applications.reconcileAfter), lte(applications.reconcileAfter, now)),
      ),
    )
    .orderBy(sql`coalesce(${applications.reconcileAfter}, ${applications.paymentDeadline})`)
    .limit(limit)
    .all()
  const counts: Record<OverdueResult, number> = { swept: 0, paid: 0, waiting: 0 }
  const university = universityCache(s.db)
  for (const a of overdue) {
    let result: OverdueResult = 'waiting'
    try {
      result = await settleOverdue(s, s.payments(await university(a.universityId)), a)
    } catch (e) {
      if (!(e instanceof PaymentProviderError)) throw e
      console.warn('gateway not reachable for an overdue application', {
        application: a.id,
        error: e.message,
      })
    }
    counts[result]++
    if (result === 'waiting')
      await s.db
        .update(applications)
        .set({ reconcileAfter: now + RECONCILE_AGAIN_MS })
        .where(and(eq(applications.id, a.id), eq(applications.status, 'awaiting_payment')))
  }
  return counts
}

/** Paid and not credited for a reason that waits (no room, a refusal, staff): asked hourly. */
const WAITING_CREDITS = ['held', 'refunding', 'refused', 'mismatch', 'stalled'] as const
const RECHECK_PAID_MS = 60 * 60_000

/**
 * Cron: every paid application whose credit waits (held, refunding, refused, mismatch,
 * stalled) is asked about at the gateway once an hour. A payment refunded there (from its
 * dashboard, or a refund whose answer or webhook was lost) becomes 返金済み through the
 * student's desk, and so is never credited afterwards; a refund request to a bank account
 * that KOMOJU rejected (its webhook lost) puts the application back as it was.
 */
export const reconcileWaitingCredits = async (s: Services, now: number, limit = 50) => {
  const waiting = await s.db
    .select()
    .from(applications)
    .where(
      and(
        eq(applications.status, 'paid'),
        inArray(applications.creditStatus, [...WAITING_CREDITS]),
        or(isNull(applications.reconcileAfter), lte(applications.reconcileAfter, now)),
      ),
    )
    .orderBy(sql`coalesce(${applications.reconcileAfter}, 0)`)
    .limit(limit)
    .all()
  let refunded = 0
  const university = universityCache(s.db)
  for (const a of waiting) {
    const provider = s.payments(await university(a.universityId))
    try {
      const p = provider && a.providerPaymentId ? await provider.payment(a.providerPaymentId) : null
      if (
        p &&
        netCaptured(p) < creditAmountOf(a) &&
        (await deskFor(s.desks, a.universityId, a.studentId).settleWithGateway(a.id)) === 'refunded'
      )
        refunded++
      else if (p?.status === 'captured' && awaitsBankRefund(a))
        await deskFor(s.desks, a.universityId, a.studentId).settleBankRefund(a.id)
    } catch (e) {
      if (!(e instanceof PaymentProviderError)) throw e
    }
    await s.db
      .update(applications)
      .set({ reconcileAfter: now + RECHECK_PAID_MS })
      .where(eq(applications.id, a.id))
  }
  return { asked: waiting.length, refunded }
}

import { and, eq, ne } from 'drizzle-orm'
import { PaymentProviderError, type GatewayPayment } from '../../adapters/payments'
import { applications, students } from '../../db/schema'
import {
  CREDIT_ON_CARD,
  creditAmountOf,
  netCaptured,
  type CreditStatus,
} from '../../domain/application'
import type { University } from '../../domain/university'
import type { Services } from '../../services'
import { claimMail, loadUniversity, type Application } from '../charge'
import { mailRefund } from '../cashRefunds'
import { revokeOrder } from '../certificates'
import { creditKey } from '../crediting'
import { moneyReturnedAlertMail } from '../mails'

/**
 * What the gateway's answer meant for the application:
 * - `holds`: KOMOJU still holds what is (or is to be) credited: go on;
 * - `refunded`: nothing was credited and all the money went back: 返金済み, never credited;
 * - `partlyRefunded`: nothing was credited and part went back: staff decide;
 * - `reversed`: the credit is on the card and (some of) the money went back: staff settle it;
 * - `undecided`: KOMOJU or M.I.C. could not be asked, or a credit's fate is not known yet:
 *   nothing is sent, and the next attempt asks again.
 */
export type GatewayVerdict = 'holds' | 'refunded' | 'partlyRefunded' | 'reversed' | 'undecided'

/** How long KOMOJU's word that it holds a payment is taken without asking again. */
export const GATEWAY_FRESH_MS = 60_000
/** A request sent to M.I.C. less than this long ago may still be applied: wait before deciding. */
const IN_FLIGHT_MS = 2 * 60_000
/** How far either side of our own times M.I.C.'s record of a credit is looked for. */
const CREDIT_SEARCH_MARGIN_MS = 60 * 60_000

/**
 * Settles an application with what its payment's gateway holds now, the rule being that
 * nothing is credited that the gateway no longer holds as captured (a refund in KOMOJU's
 * dashboard, a partial refund, a chargeback). Must run inside the student's StudentDesk,
 * like the credit it may rule out (only the desk calls it). KOMOJU is asked here, at the
 * time of deciding, never believed from a webhook's body; `known` is an answer KOMOJU
 * gave within this same call.
 *
 * A credit whose fate is unknown (sent to M.I.C., no answer) is first settled with M.I.C.
 * by its idempotency key: found, it is on the card (and so `reversed`); not found and no
 * request still in flight, it was never applied and counts as never sent.
 */
export const settleWithGateway = async (
  s: Services,
  id: number,
  known?: GatewayPayment,
): Promise<GatewayVerdict> => {
  let a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a || a.status !== 'paid' || !a.providerPaymentId) return 'holds'
  const u = await loadUniversity(s.db, a.universityId)
  let p = known
  if (!p) {
    const provider = s.payments(u)
    if (!provider) return 'undecided' // its keys are gone: nobody can be asked
    try {
      p = (await provider.payment(a.providerPaymentId)) ?? undefined
    } catch (e) {
      if (!(e instanceof PaymentProviderError)) throw e
      return 'undecided'
    }
    if (!p) return 'undecided'
  }
  const now = s.clock()
  const net = netCaptured(p)
  const returned = p.status === 'refunded' ? p.amount : p.amountRefunded
  if (net >= creditAmountOf(a) && returned === a.gatewayRefunded) {
    await s.db.update(applications).set({ gatewayCheckedAt: now }).where(eq(applications.id, a.id))
    return 'holds'
  }
  const gateway = { gatewayRefunded: returned, gatewayChargeback: p.chargedBack }

  // Sent, and M.I.C. never said: find out by the key whether it landed.
  if (a.creditSentAt !== null && !CREDIT_ON_CARD.includes(a.creditStatus)) {
    const landed = await settleUnknownCredit(s, a, now)
    if (landed === 'unknown') return 'undecided'
    a = landed
  }

  if (CREDIT_ON_CARD.includes(a.creditStatus)) {
    // On the card: the money cannot be taken back from here. A named state and one alert.
    if (net >= creditAmountOf(a)) return 'holds' // a partial refund of what was never credited
    await s.db
      .update(applications)
      .set({ creditStatus: 'reversed', ...gateway, updatedAt: now })
      .where(eq(applications.id, a.id))
    // Certificates whose whole payment went back are no longer the university's word: they
    // show as 失効 on /verify at once. Part of it back: staff decide (the alert says so).
    if (a.kind === 'certificate' && net === 0)
      await revokeOrder(s, a.id, p.chargedBack ? 'chargeback' : 'refunded')
    await alertOnce(s, { ...a, ...gateway }, u, 'reversed')
    return 'reversed'
  }

  if (net === 0) {
    const refunded = await s.db
      .update(applications)
      .set({
        status: 'refunded',
        refundedAt: p.refundedAt ?? now,
        nextCreditAt: null,
        ...gateway,
        updatedAt: now,
      })
      .where(and(eq(applications.id, a.id), eq(applications.status, 'paid')))
      .returning()
      .get()
    // KOMOJU completed a refund (ours, asked with no answer then; a bank transfer; one made
    // in its dashboard): the student is told once, by whoever moved it to 返金済み.
    if (refunded) await mailRefund(s, refunded, 'refund-completed')
    return 'refunded'
  }
  // Part went back and nothing is on the card: staff credit the net or refund the rest.
  // A net staff chose earlier that is no longer held is chosen again.
  await s.db
    .update(applications)
    .set({
      creditStatus: 'partly_refunded',
      creditAmount: null,
      nextCreditAt: null,
      ...gateway,
      updatedAt: now,
    })
    .where(and(eq(applications.id, a.id), ne(applications.creditStatus, 'credited')))
  await alertOnce(s, { ...a, ...gateway }, u, 'partlyRefunded')
  return 'partlyRefunded'
}

/**
 * A credit sent to M.I.C. whose answer never came: M.I.C.'s list of credits says whether
 * its key was applied. Applied: recorded as credited (with M.I.C.'s id and time). Not
 * applied, and the last request long enough ago that none is still in flight: it was never
 * applied, and counts as never sent. Otherwise (M.I.C. cannot be asked, or a request may
 * still land) nothing is decided.
 */
const settleUnknownCredit = async (
  s: Services,
  a: Application,
  now: number,
): Promise<Application | 'unknown'> => {
  // M.I.C. applies a request when it receives it: its record, if any, is from shortly
  // after the first send (M.I.C. lists at most 92 days at a time).
  const from = a.creditSentAt! - CREDIT_SEARCH_MARGIN_MS
  const listed = await s.mic.credits(a.universityId, {
    from,
    to: Math.min(now + CREDIT_SEARCH_MARGIN_MS, from + 90 * 24 * 60 * 60_000),
  })
  if (!listed.ok) return 'unknown'
  const key = creditKey(a)
  const record = listed.credits.find((c) => c.idempotencyKey === key)
  if (record) {
    const credited = await s.db
      .update(applications)
      .set({
        creditStatus: 'credited',
        creditedAt: record.appliedAt,
        micCreditId: record.creditId,
        creditError: null,
        nextCreditAt: null,
        updatedAt: now,
      })
      .where(eq(applications.id, a.id))
      .returning()
      .get()
    return credited ?? 'unknown'
  }
  if (now - a.updatedAt < IN_FLIGHT_MS) return 'unknown'
  const cleared = await s.db
    .update(applications)
    .set({ creditSentAt: null, updatedAt: now })
    .where(eq(applications.id, a.id))
    .returning()
    .get()
  return cleared ?? 'unknown'
}

/**
 * KOMOJU's risk team marked the payment as fraud (its signed event says so; the payment
 * object cannot). Must run inside the student's desk. Nothing more is credited: a credit
 * not on the card becomes `fraud`, for staff to look into and refund; one whose fate is
 * unknown is first settled with M.I.C. by its key. One alert to staff either way (a credit
 * already on the card cannot be taken back from here).
 */
export const markFraud = async (s: Services, id: number): Promise<CreditStatus | null> => {
  let a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a || a.status !== 'paid') return a?.creditStatus ?? null
  const u = await loadUniversity(s.db, a.universityId)
  const now = s.clock()
  if (a.creditSentAt !== null && !CREDIT_ON_CARD.includes(a.creditStatus)) {
    const landed = await settleUnknownCredit(s, a, now)
    // M.I.C. cannot say yet: stop trying to credit it until it can (the hourly look at
    // waiting credits does not send credits; a person decides).
    if (landed !== 'unknown') a = landed
  }
  if (!CREDIT_ON_CARD.includes(a.creditStatus))
    await s.db
      .update(applications)
      .set({ creditStatus: 'fraud', nextCreditAt: null, updatedAt: now })
      .where(and(eq(applications.id, a.id), eq(applications.status, 'paid')))
  await alertOnce(s, a, u, 'fraud')
  return CREDIT_ON_CARD.includes(a.creditStatus) ? a.creditStatus : 'fraud'
}

/** One alert to the university's staff about money the gateway gave back, or fraud. */
const alertOnce = async (
  s: Services,
  a: Application,
  u: University,
  reason: 'partlyRefunded' | 'reversed' | 'fraud',
) => {
  if (!u.staffAlertEmail || !(await claimMail(s, a.id, 'returnAlertAt'))) return
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  await s.mailer.send(moneyReturnedAlertMail(u, a, student?.userId ?? null, reason))
}

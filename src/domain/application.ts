import { linkOpensAt } from './blackout'
import { hasDeadline, type PaymentMethod } from './paymentMethods'
import type { BlackoutPeriod } from './university'

/**
 * お支払いステータス: お支払い待ち / お支払い済み / 未払い / キャンセル, and 返金済み for a paid
 * charge that could not be credited and whose money went back through the gateway.
 */
/** What an application is for: a charge of the card, or an order of certificates. */
export const APPLICATION_KINDS = ['mic_charge', 'certificate'] as const
export type ApplicationKind = (typeof APPLICATION_KINDS)[number]

export const PAYMENT_STATUSES = [
  'awaiting_payment',
  'paid',
  'unpaid',
  'cancelled',
  'refunded',
] as const
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]

/**
 * Where the M.I.C. credit of a paid application stands. Every state has a name the
 * student sees on 申請情報 詳細 and a way out:
 * - `pending`: to be credited now; `deferred`: waiting for a stop window to end;
 *   `retrying`: M.I.C. did not answer, tried again after a backoff (the cron);
 * - `held` (上限超過のため保留): the card has no room for it now; credited by the cron once
 *   it has, or refunded at the student's request;
 * - `refused`: M.I.C. refused the card (suspended, reissued …): staff, or a refund;
 * - `mismatch`: the gateway's amount is not the application's: staff, or a refund;
 * - `stalled`: M.I.C. kept failing past the retry bound: handed to staff with an alert;
 * - `refunding`: the student asked for the money back and the gateway has not confirmed
 *   it yet (asking again, or the gateway's refund webhook, finishes it);
 * - `partly_refunded`: never credited, and the gateway gave part of the payment back (a
 *   refund or chargeback made there): staff credit the net or refund the rest;
 * - `fraud`: KOMOJU's risk team marked the payment as fraud before it was credited: never
 *   credited; staff look into it and refund it;
 * - `credited`: on the card, exactly once;
 * - `reversed`: credited, and then the gateway gave (some of) the money back, a refund in
 *   its dashboard or a chargeback: the money is on the card and no longer with us, so the
 *   university's office settles it with the student (staff close it in the console).
 */
export const CREDIT_STATUSES = [
  'none',
  'pending',
  'deferred',
  'retrying',
  'held',
  'refused',
  'mismatch',
  'stalled',
  'refunding',
  'partly_refunded',
  'fraud',
  'credited',
  'reversed',
] as const
export type CreditStatus = (typeof CREDIT_STATUSES)[number]

/** Credit states the cron (or a webhook) moves on by itself. */
export const CREDIT_IN_PROGRESS: readonly CreditStatus[] = [
  'pending',
  'deferred',
  'retrying',
  'held',
]
/** Credit states that need a person (staff) or the student's refund to end. */
export const CREDIT_NEEDS_PERSON: readonly CreditStatus[] = [
  'refused',
  'mismatch',
  'stalled',
  'partly_refunded',
  'fraud',
]
/** Credit states in which the credit reached the card (a later reversal does not undo it). */
export const CREDIT_ON_CARD: readonly CreditStatus[] = ['credited', 'reversed']

/**
 * Whether an application's amount is on its way to the card and so counts against the
 * cap (残高上限額): awaiting payment, or paid and not yet credited whatever the reason (a
 * held, refused or mismatched credit still counts until it is credited or refunded). The
 * one definition of it; `capCounted` in flows/charge.ts is its SQL form.
 */
export const countsTowardCap = (a: { status: PaymentStatus; creditStatus: CreditStatus }) =>
  a.status === 'awaiting_payment' ||
  (a.status === 'paid' && !CREDIT_ON_CARD.includes(a.creditStatus))
/** The same rule, as the lists the SQL form is written from. */
export const CAP_COUNTED = {
  awaiting: 'awaiting_payment',
  paid: 'paid',
  settled: CREDIT_ON_CARD,
} as const

/** How many times a credit M.I.C. did not answer is tried before staff take over. */
export const MAX_CREDIT_ATTEMPTS = 12
/** How often the cron looks again whether a held credit now fits on the card. */
export const HELD_RECHECK_MS = 10 * 60_000

/** Credit states whose money may go back: M.I.C. certainly never applied them. */
export const REFUNDABLE: readonly CreditStatus[] = [
  'held',
  'refused',
  'mismatch',
  'refunding',
  'partly_refunded',
  'fraud',
]

/**
 * How much of a payment the gateway still holds as captured: all of it, part of it (a
 * partial refund or chargeback), or nothing (refunded in full, or never captured). The
 * one rule for "nothing is credited that the gateway no longer holds".
 */
export const netCaptured = (p: {
  status: string
  amount: number
  amountRefunded: number
}): number => (p.status === 'captured' ? Math.max(0, p.amount - p.amountRefunded) : 0)

/** What is sent to M.I.C. for an application: the amount, or the net staff chose. */
export const creditAmountOf = (a: { amount: number; creditAmount: number | null }) =>
  a.creditAmount ?? a.amount

/**
 * Whether the student may ask for their money back: paid, M.I.C. certainly never applied
 * it (held before sending, refused by M.I.C., never sent for a mismatch), and paid by a
 * method the gateway refunds by itself (a コンビニ / Pay-easy refund needs the student's
 * bank account: staff handle those).
 */
export const refundableByStudent = (a: {
  status: PaymentStatus
  creditStatus: CreditStatus
  creditSentAt: number | null
  paymentMethod: PaymentMethod
}) =>
  a.status === 'paid' &&
  a.creditSentAt === null &&
  !hasDeadline(a.paymentMethod) &&
  REFUNDABLE.includes(a.creditStatus)

/**
 * Whether the student may ask for a コンビニ / Pay-easy payment back to their bank account
 * (the gateway's refund request): paid, certainly never applied by M.I.C. (as for
 * refundableByStudent), and no request already under way.
 */
export const refundableToBankAccount = (a: {
  status: PaymentStatus
  creditStatus: CreditStatus
  creditSentAt: number | null
  paymentMethod: PaymentMethod
}) =>
  a.status === 'paid' &&
  a.creditSentAt === null &&
  hasDeadline(a.paymentMethod) &&
  REFUNDABLE.includes(a.creditStatus) &&
  a.creditStatus !== 'refunding'

export type ProviderEventType = 'paid' | 'failed' | 'cancelled' | 'expired'

/**
 * The status a provider event moves an application to, or null when it changes nothing.
 * Statuses only move forward: once money is received nothing undoes it, and a payment
 * received late (after a cancel or the deadline) still counts, because the money is real.
 */
export const nextPaymentStatus = (
  current: PaymentStatus,
  event: ProviderEventType,
  method: PaymentMethod,
): PaymentStatus | null => {
  // Money received counts even after a cancel or the deadline (it is real); money returned
  // through the gateway is final.
  if (event === 'paid') return current === 'paid' || current === 'refunded' ? null : 'paid'
  if (current !== 'awaiting_payment') return null
  if (event === 'expired') return hasDeadline(method) ? 'unpaid' : 'cancelled'
  return 'cancelled'
}

export type ApplicationTab = 'printable' | 'history'
export const HISTORY_AFTER_DEADLINE_MS = 7 * 24 * 60 * 60_000

/**
 * 申請一覧's tabs (manual §4.2). 印刷可能: paid applications of methods without a deadline,
 * and deadline-method (コンビニ, Pay-easy) applications until they are paid or 7 days past
 * their deadline. 履歴: everything else. A no-deadline application still open on the
 * provider's page (at most 30 minutes) stays in 印刷可能 so the student can follow it.
 */
export const tabOf = (
  a: {
    paymentMethod: PaymentMethod
    status: PaymentStatus
    paymentDeadline: number
    kind?: ApplicationKind
    creditStatus?: CreditStatus
    /** A certificate order: the latest validity of its certificates not revoked, if any. */
    certificatesUntil?: number | null
  },
  now: number,
): ApplicationTab => {
  // A paid certificate order is 印刷可能 while it is being issued and while a certificate
  // of it can be downloaded (the university's validity period), then 履歴.
  if (a.kind === 'certificate' && a.status === 'paid')
    return (a.creditStatus !== undefined && CREDIT_IN_PROGRESS.includes(a.creditStatus)) ||
      (a.certificatesUntil ?? 0) > now
      ? 'printable'
      : 'history'
  if (hasDeadline(a.paymentMethod)) {
    if (a.status === 'paid' || a.status === 'cancelled' || a.status === 'refunded') return 'history'
    return now < a.paymentDeadline + HISTORY_AFTER_DEADLINE_MS ? 'printable' : 'history'
  }
  return a.status === 'paid' || a.status === 'awaiting_payment' ? 'printable' : 'history'
}

export type CreditStanding =
  | { kind: 'notPaid' }
  | { kind: 'credited'; at: number }
  | { kind: 'waiting'; reason: 'processing' | 'blackout' | 'retrying'; expectedAt: number }
  | { kind: 'held' }
  | { kind: 'refunding' }
  | { kind: 'refunded' }
  | { kind: 'partlyRefunded'; refunded: number; chargeback: boolean }
  | { kind: 'reversed'; at: number; refunded: number; chargeback: boolean }
  | { kind: 'error' }

/** What 申請情報 詳細 says about the M.I.C. credit, blackout-aware. */
export const creditStanding = (
  a: {
    status: PaymentStatus
    creditStatus: CreditStatus
    creditedAt: number | null
    nextCreditAt: number | null
    /** What the gateway gave back (refunds, chargebacks), when anything. */
    gatewayRefunded?: number
    gatewayChargeback?: boolean
  },
  now: number,
  fiscalYearEnd: readonly BlackoutPeriod[],
): CreditStanding => {
  if (a.creditStatus === 'credited') return { kind: 'credited', at: a.creditedAt ?? now }
  if (a.creditStatus === 'reversed')
    return {
      kind: 'reversed',
      at: a.creditedAt ?? now,
      refunded: a.gatewayRefunded ?? 0,
      chargeback: a.gatewayChargeback ?? false,
    }
  if (a.status === 'refunded') return { kind: 'refunded' }
  if (a.status !== 'paid') return { kind: 'notPaid' }
  if (a.creditStatus === 'held') return { kind: 'held' }
  if (a.creditStatus === 'refunding') return { kind: 'refunding' }
  if (a.creditStatus === 'partly_refunded')
    return {
      kind: 'partlyRefunded',
      refunded: a.gatewayRefunded ?? 0,
      chargeback: a.gatewayChargeback ?? false,
    }
  if (CREDIT_NEEDS_PERSON.includes(a.creditStatus)) return { kind: 'error' }
  const due = Math.max(a.nextCreditAt ?? now, now)
  const expectedAt = linkOpensAt(due, fiscalYearEnd)
  // A stop window only when one pushes the credit past its due time: a fresh payment's
  // credit is due a minute or two on (the cron's safety net), which is no stop window.
  const reason =
    a.creditStatus === 'retrying'
      ? 'retrying'
      : a.creditStatus === 'deferred' || expectedAt > due
        ? 'blackout'
        : 'processing'
  return { kind: 'waiting', reason, expectedAt }
}

/** Minutes to wait before the n-th retry of a failed credit: 1, 2, 4 … capped at 30. */
export const creditRetryDelayMs = (attempts: number) =>
  Math.min(30, 2 ** Math.max(0, attempts - 1)) * 60_000

/**
 * Credit states a person may send to M.I.C. again at once (再チャージ in the console): those
 * the desk credits by itself in time (pending, deferred, retrying, held) and those handed to
 * staff because M.I.C. refused the card or kept failing (refused, stalled). Never a
 * mismatch (the gateway's amount is not the application's: it must not be credited at all)
 * nor a refund under way.
 */
export const RECREDITABLE: readonly CreditStatus[] = [
  'pending',
  'deferred',
  'retrying',
  'held',
  'refused',
  'stalled',
]

import { linkOpensAt } from './blackout'
import { hasDeadline, type PaymentMethod } from './paymentMethods'
import type { BlackoutPeriod } from './university'

/** お支払いステータス: お支払い待ち / お支払い済み / 未払い / キャンセル. */
export const PAYMENT_STATUSES = ['awaiting_payment', 'paid', 'unpaid', 'cancelled'] as const
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]

/**
 * Where the M.I.C. credit of a paid application stands. `pending`: to be credited now;
 * `deferred`: waiting for a stop window to end; `retrying`: M.I.C. failed and it will be
 * tried again; `failed`: it cannot be credited without staff (see `creditError`).
 */
export const CREDIT_STATUSES = [
  'none',
  'pending',
  'deferred',
  'retrying',
  'credited',
  'failed',
] as const
export type CreditStatus = (typeof CREDIT_STATUSES)[number]

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
  if (event === 'paid') return current === 'paid' ? null : 'paid'
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
  a: { paymentMethod: PaymentMethod; status: PaymentStatus; paymentDeadline: number },
  now: number,
): ApplicationTab => {
  if (hasDeadline(a.paymentMethod)) {
    if (a.status === 'paid' || a.status === 'cancelled') return 'history'
    return now < a.paymentDeadline + HISTORY_AFTER_DEADLINE_MS ? 'printable' : 'history'
  }
  return a.status === 'paid' || a.status === 'awaiting_payment' ? 'printable' : 'history'
}

export type CreditStanding =
  | { kind: 'notPaid' }
  | { kind: 'credited'; at: number }
  | { kind: 'waiting'; reason: 'processing' | 'blackout' | 'retrying'; expectedAt: number }
  | { kind: 'failed' }

/** What 申請情報 詳細 says about the M.I.C. credit, blackout-aware. */
export const creditStanding = (
  a: {
    status: PaymentStatus
    creditStatus: CreditStatus
    creditedAt: number | null
    nextCreditAt: number | null
  },
  now: number,
  fiscalYearEnd: readonly BlackoutPeriod[],
): CreditStanding => {
  if (a.creditStatus === 'credited') return { kind: 'credited', at: a.creditedAt ?? now }
  if (a.status !== 'paid') return { kind: 'notPaid' }
  if (a.creditStatus === 'failed') return { kind: 'failed' }
  const expectedAt = linkOpensAt(Math.max(a.nextCreditAt ?? now, now), fiscalYearEnd)
  const reason =
    a.creditStatus === 'retrying'
      ? 'retrying'
      : a.creditStatus === 'deferred' || expectedAt > now
        ? 'blackout'
        : 'processing'
  return { kind: 'waiting', reason, expectedAt }
}

/** Minutes to wait before the n-th retry of a failed credit: 1, 2, 4 … capped at 30. */
export const creditRetryDelayMs = (attempts: number) =>
  Math.min(30, 2 ** Math.max(0, attempts - 1)) * 60_000

import type { GatewayPaymentStatus } from '../../adapters/payments'
import type { CreditStatus, PaymentStatus } from '../../domain/application'
import { formatYen } from '../../domain/charge'
import { creditCauseOf, type CreditCause, type CreditCauseKind } from '../../domain/creditCause'
import { hasDeadline, type PaymentMethod } from '../../domain/paymentMethods'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'

// The console's words for what the system records in codes: a credit's cause, a credit's
// state, KOMOJU's statuses, a webhook's type and outcome, an amount. Every console page and
// the staff alert mail take their words from here, so one thing has one name everywhere; the
// codes themselves stay for the technical staff, in small type beside the sentence.

/** Money in the console, on every page and in staff mails: ¥2,345. */
export const yen = (n: number) => `¥${formatYen(n)}`

/** Each credit state's one name (i18n/console/applications.ts), on every console page. */
export const CREDIT_LABEL: Record<CreditStatus, ConsoleKey> = {
  none: 'appCreditNone',
  pending: 'appCreditPending',
  deferred: 'appCreditDeferred',
  retrying: 'appCreditRetrying',
  held: 'appCreditHeld',
  refused: 'appCreditRefused',
  mismatch: 'appCreditMismatch',
  stalled: 'appCreditStalled',
  refunding: 'appCreditRefunding',
  partly_refunded: 'appCreditPartlyRefunded',
  fraud: 'appCreditFraud',
  credited: 'appCreditCredited',
  reversed: 'appCreditReversed',
}

/**
 * チャージ状況 as staff read it. A refunded payment's credit is left `refunding` by the desk
 * (it is never credited afterwards): said as what it is, not as a refund under way.
 */
export const creditShown = (
  ct: ConsoleText,
  a: { status: PaymentStatus; creditStatus: CreditStatus },
) => ct(a.status === 'refunded' ? 'appCreditRefunded' : CREDIT_LABEL[a.creditStatus])

/** A credit state recorded as text (an audit entry's, an event's), in words. */
export const creditLabel = (ct: ConsoleText, s: string | null) =>
  s && s in CREDIT_LABEL ? ct(CREDIT_LABEL[s as CreditStatus]) : ct('dash')

/**
 * Whether a store payment (コンビニ, Pay-easy) is past its deadline unpaid: 期限切れ for staff
 * rather than the student's 未払い. An `unpaid` application is one whose deadline passed (the
 * cron or KOMOJU's expiry made it so); one still awaiting payment whose deadline has passed
 * (given `now` and its deadline) waits only for the cron to say the same.
 */
export const storePaymentExpired = (
  a: { status: PaymentStatus; paymentMethod: PaymentMethod; paymentDeadline?: number },
  now?: number,
) =>
  hasDeadline(a.paymentMethod) &&
  (a.status === 'unpaid' ||
    (a.status === 'awaiting_payment' &&
      now !== undefined &&
      a.paymentDeadline !== undefined &&
      a.paymentDeadline <= now))

/** Each cause kind's sentence: what happened, and what to tell the student. */
const CAUSE_SENTENCE: Record<CreditCauseKind, ConsoleKey> = {
  cardSuspended: 'appCauseCardSuspended',
  cardUnknown: 'appCauseCardUnknown',
  overCap: 'appCauseOverCap',
  micUnavailable: 'appCauseMicUnavailable',
  micRefused: 'appCauseMicRefused',
  amountMismatch: 'appCauseAmountMismatch',
  registrarMaintenance: 'appCauseRegistrarMaintenance',
  registrarRefused: 'appCauseRegistrarRefused',
  registrarUnavailable: 'appCauseRegistrarUnavailable',
  other: 'appCauseOther',
}

/** A cause as the sentence a console member reads (the raw record goes beside it). */
export const causeSentence = (ct: ConsoleText, cause: CreditCause) =>
  cause.kind === 'overCap' && cause.balance !== null && cause.amount !== null && cause.cap !== null
    ? ct('appCauseOverCapFigures', {
        balance: yen(cause.balance),
        amount: yen(cause.amount),
        cap: yen(cause.cap),
      })
    : ct(CAUSE_SENTENCE[cause.kind])

/** The sentence for a credit record, or null when there is none. */
export const creditErrorSentence = (
  ct: ConsoleText,
  creditError: string | null | undefined,
  creditStatus?: string,
) => {
  const cause = creditCauseOf(creditError, creditStatus)
  return cause ? { sentence: causeSentence(ct, cause), code: cause.code } : null
}

const GATEWAY_STATUS: Record<GatewayPaymentStatus, ConsoleKey> = {
  pending: 'appGatewayPending',
  authorized: 'appGatewayAuthorized',
  captured: 'appGatewayCaptured',
  refunded: 'appGatewayRefunded',
  cancelled: 'appGatewayCancelled',
  expired: 'appGatewayExpired',
  failed: 'appGatewayFailed',
}
const SESSION_STATUS: Record<string, ConsoleKey> = {
  pending: 'appSessionPending',
  completed: 'appSessionCompleted',
  cancelled: 'appSessionCancelled',
}

/** KOMOJU's status of a payment in words (its code beside it for the technical staff). */
export const gatewayStatusText = (ct: ConsoleText, status: string) =>
  status in GATEWAY_STATUS
    ? ct(GATEWAY_STATUS[status as GatewayPaymentStatus])
    : ct('appGatewayOther')
/** KOMOJU's status of a hosted payment session in words. */
export const sessionStatusText = (ct: ConsoleText, status: string, expired: boolean) =>
  expired
    ? ct('appSessionExpired')
    : SESSION_STATUS[status]
      ? ct(SESSION_STATUS[status])
      : ct('appGatewayOther')

/** A KOMOJU webhook's type (payment.captured …) in words. */
export const webhookTypeText = (ct: ConsoleText, type: string) => {
  const known: Record<string, ConsoleKey> = {
    'payment.authorized': 'appWebhookAuthorized',
    'payment.captured': 'appWebhookCaptured',
    'payment.updated': 'appWebhookUpdated',
    'payment.expired': 'appWebhookExpired',
    'payment.cancelled': 'appWebhookCancelled',
    'payment.failed': 'appWebhookFailed',
    'payment.refunded': 'appWebhookRefunded',
    'payment.refund.created': 'appWebhookRefundCreated',
    'payment.marked.as.fraud': 'appWebhookFraud',
    ping: 'appWebhookPing',
  }
  return known[type] ? ct(known[type]) : ct('appWebhookOther')
}

const WEBHOOK_OUTCOME: Record<string, ConsoleKey> = {
  applied: 'appTlOutcomeApplied',
  unmatched: 'appTlOutcomeUnmatched',
  ignored: 'appTlOutcomeIgnored',
}
/** What handling a webhook led to, in words (null: not yet handled). */
export const webhookOutcomeText = (ct: ConsoleText, outcome: string | null) =>
  outcome === null
    ? ct('appTlOutcomePending')
    : WEBHOOK_OUTCOME[outcome]
      ? ct(WEBHOOK_OUTCOME[outcome])
      : ct('appTlOutcomeOther')

import type { BankAccount } from '../../domain/bankAccount'
import type { PaymentMethod } from '../../domain/paymentMethods'
import type { StoreInstructions } from '../../domain/storePayment'

export type { StoreInstructions }

/**
 * The payment gateway as the service uses it. A payment is opened once per application
 * (a hosted page for methods paid there and then, a store or ATM payment for コンビニ and
 * Pay-easy); what happened to it is always asked of the gateway itself. A webhook only
 * says "look again": it names a payment, it never decides anything.
 */
export interface PaymentProvider {
  readonly id: string
  /** Idempotent per application: asking again returns the same payment or session. */
  openPayment(input: OpenPayment): Promise<OpenedPayment>
  /** The payment as the gateway reports it now; null when it does not know it. */
  payment(paymentId: string): Promise<GatewayPayment | null>
  /** The hosted session the student came back from; null when unknown. */
  session(sessionId: string): Promise<GatewaySession | null>
  /** Closes a hosted session nobody paid; refused by the gateway once it has a payment. */
  cancelSession(sessionId: string): Promise<GatewaySession>
  /** Refunds a captured payment in full (or `amount`), once per idempotency key. */
  refund(paymentId: string, idempotencyKey: string, amount?: number): Promise<GatewayPayment>
  /**
   * Asks for a payment the gateway cannot refund by itself (コンビニ, Pay-easy) to be paid
   * back to a bank account by hand, later: the payment stays captured, with the request
   * pending in `refundRequests`, until the gateway completes it (the payment becomes
   * refunded) or rejects it. The account is only passed on.
   */
  requestRefund(
    paymentId: string,
    request: { account: BankAccount; amount: number; description: string },
    idempotencyKey: string,
  ): Promise<GatewayPayment>
  /**
   * Every payment of the merchant account created in [from, to), all pages read (突合).
   * The gateway filters by creation time only, so a caller after the payments captured or
   * refunded in a period asks from far enough back and filters by `capturedAt` /
   * `refundedAt` itself. Throws PaymentProviderError when any page cannot be read: a
   * partial list must never look like a complete one.
   */
  listPayments(range: { from: number; to: number }): Promise<GatewayPayment[]>
  /** Checks a webhook exactly as received. */
  verifyWebhook(rawBody: string, headers: Headers): Promise<VerifiedWebhook>
}

export interface OpenPayment {
  applicationId: number
  amount: number
  method: PaymentMethod
  /** By when a store payment must be paid, or a hosted page used. */
  deadline: number
  returnUrl: string
  email: string
  lang: 'ja' | 'en'
  /** The student's name in katakana, "family given" (Pay-easy asks for it). */
  nameKana: string
  /** Pay-easy asks for a telephone number. */
  phone: string | null
  /** The service clock's now, from which a hosted page's lifetime is counted. */
  now: number
}

export type OpenedPayment =
  | { kind: 'hosted'; sessionId: string; redirectUrl: string; deadline: number }
  | { kind: 'store'; paymentId: string; store: StoreInstructions; deadline: number }

export const GATEWAY_PAYMENT_STATUSES = [
  'pending',
  'authorized',
  'captured',
  'refunded',
  'cancelled',
  'expired',
  'failed',
] as const
export type GatewayPaymentStatus = (typeof GATEWAY_PAYMENT_STATUSES)[number]

/**
 * A payment as the gateway reports it. KOMOJU's payment object has no fraud field: a
 * payment its risk team marks as fraud is told only by the event `payment.marked.as.fraud`,
 * which is why the event travels with the payment to the step that applies it
 * (`applyGatewayPayment`). Refunds and chargebacks are in the payment itself.
 */
export interface GatewayPayment {
  id: string
  status: GatewayPaymentStatus
  amount: number
  currency: string
  /** Our application's number, as we gave it. */
  orderRef: string | null
  capturedAt: number | null
  deadline: number | null
  store: StoreInstructions | null
  /** When the gateway created it (null if it did not say). */
  createdAt: number | null
  /** How much of it went back to the customer (a full refund also makes it `refunded`). */
  amountRefunded: number
  /** When the latest refund was made, if any. */
  refundedAt: number | null
  /** Whether any of the money went back as a chargeback (the card company took it back). */
  chargedBack: boolean
  /** Every refund, oldest first; a chargeback is a refund with `chargeback` set. */
  refunds: GatewayRefund[]
  /** Refund requests to a bank account (requestRefund), oldest first, without the account. */
  refundRequests: GatewayRefundRequest[]
}

/** One refund of a payment, as the gateway books it (KOMOJU's Refund). */
export interface GatewayRefund {
  id: string | null
  amount: number
  createdAt: number | null
  /** Taken back by the card holder's bank rather than refunded by the merchant. */
  chargeback: boolean
}

export interface GatewayRefundRequest {
  id: string
  status: 'pending' | 'completed' | 'rejected'
  createdAt: number | null
}

export interface GatewaySession {
  id: string
  status: 'pending' | 'completed' | 'cancelled'
  expired: boolean
  orderRef: string | null
  payment: GatewayPayment | null
}

export type VerifiedWebhook =
  | { ok: true; kind: 'event'; eventId: string; type: string; paymentId: string | null }
  /** The gateway checking that the webhook answers: nothing to record or apply. */
  | { ok: true; kind: 'ping' }
  | { ok: false; reason: string; status: 400 | 401 }

/** The gateway did not answer, or answered something other than what was asked. */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    /** The gateway's HTTP status, when it answered. */
    readonly status: number | null = null,
    /** The gateway's error code, when it gave one. */
    readonly code: string | null = null,
    /** The request parameter the gateway named as wrong, when it named one. */
    readonly param: string | null = null,
  ) {
    super(message)
  }
}

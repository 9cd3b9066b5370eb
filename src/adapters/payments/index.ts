import { z } from 'zod'
import type { ProviderEventType } from '../../domain/application'
import { PAYMENT_METHODS, type PaymentMethod } from '../../domain/paymentMethods'

/**
 * A hosted-payment gateway, as the charge flow uses it: create a payment and send the
 * student to the gateway's page; learn the outcome from the gateway's signed
 * server-to-server notifications, which arrive at least once and in any order.
 */
export interface PaymentProvider {
  readonly id: string
  /** Idempotent per application: asking again returns the same payment. */
  createPayment(input: CreatePayment): Promise<CreatedPayment>
  /** The gateway's how-to page for a method (manual §4.1 順序3). */
  howToUrl(method: PaymentMethod): string
  /** Checks a notification exactly as received; never trusts anything unverified. */
  verifyNotification(rawBody: string, headers: Headers, now: number): Promise<VerifiedNotification>
}

export interface CreatePayment {
  applicationId: number
  amount: number
  method: PaymentMethod
  /** When a コンビニ / Pay-easy payment must be paid by, or a page payment completed by. */
  deadline: number
  returnUrl: string
  notifyUrl: string
  description: string
}

export interface CreatedPayment {
  paymentId: string
  redirectUrl: string
  paymentNumber: string | null
  deadline: number
}

export class PaymentProviderError extends Error {}

/** The event body every notification carries, once its signature has been checked. */
export const providerEvent = z.object({
  eventId: z.string().min(1).max(100),
  type: z.enum(['paid', 'failed', 'cancelled', 'expired'] satisfies ProviderEventType[]),
  paymentId: z.string().min(1).max(100),
  merchantRef: z.string().regex(/^\d{1,12}$/),
  amount: z.number().int().positive(),
  method: z.enum(PAYMENT_METHODS),
  occurredAt: z.number().int().nonnegative(),
})
export type ProviderEvent = z.infer<typeof providerEvent>

export type VerifiedNotification =
  | { ok: true; event: ProviderEvent; signature: string }
  | { ok: false; reason: string; status: 400 | 401 }

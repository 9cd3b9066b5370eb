/** The eleven payment methods of manual §4.1, in the manual's order. */
export const PAYMENT_METHODS = [
  'credit_card',
  'cvs_seven_eleven',
  'cvs_familymart',
  'cvs_lawson',
  'payeasy',
  'd_barai',
  'au_kantan',
  'softbank_matomete',
  'apple_pay',
  'paypay',
  'merpay',
] as const
export type PaymentMethod = (typeof PAYMENT_METHODS)[number]

export const isPaymentMethod = (v: unknown): v is PaymentMethod =>
  typeof v === 'string' && (PAYMENT_METHODS as readonly string[]).includes(v)

/**
 * Convenience-store cash and Pay-easy are paid later, by a deadline (manual §4.1 順序4);
 * every other method is paid there and then on the provider's page.
 */
export const hasDeadline = (m: PaymentMethod) => m.startsWith('cvs_') || m === 'payeasy'

/** How long a provider's page stays open for a method paid there and then. */
export const IMMEDIATE_PAYMENT_WINDOW_MS = 30 * 60_000

/**
 * When an application made `now` stops waiting for its payment: the university's days for a
 * コンビニ / Pay-easy payment, the gateway page's window for the others.
 */
export const paymentDeadlineOf = (method: PaymentMethod, deadlineDays: number, now: number) =>
  hasDeadline(method) ? now + deadlineDays * 24 * 60 * 60_000 : now + IMMEDIATE_PAYMENT_WINDOW_MS

import { z } from 'zod'
import { iso, randomId } from './model'

/**
 * KOMOJU's refund request (POST /api/v1/payments/:id/refund_request): a payment its API
 * cannot refund (konbini, Pay-easy) is paid back by hand to the customer's bank account,
 * later, or the request is rejected. Fields and checks as KOMOJU's API reference and SDK
 * models give them: the name in half-width katakana as the bank has it, a 4-digit Zengin
 * bank code, a 3-digit branch number, a 7-digit account number.
 */

/** Half-width katakana (with its voiced marks), capital letters, digits and Zengin's symbols. */
const HALF_WIDTH_KANA_NAME = /^[\uff66-\uff9f0-9A-Z ().,\-/]{1,30}$/

export const refundRequestInput = z
  .object({
    amount: z.number().int().positive(),
    customer_name: z.string().regex(HALF_WIDTH_KANA_NAME, 'half-width katakana, as at the bank'),
    bank_name: z.string().min(1).max(255),
    bank_code: z
      .string()
      .regex(/^[0-9]{4}$/, '4 digits')
      .optional(),
    branch_name: z.string().min(1).max(255).optional(),
    branch_number: z.string().regex(/^[0-9]{3}$/, '3 digits'),
    account_type: z.enum(['normal', 'checking', 'savings']),
    // The SDK types it as an integer (leading zeros lost), the reference's example as a
    // string: both are taken, and it is kept as the 7 digits the bank needs.
    account_number: z.union([
      z.string().regex(/^[0-9]{7}$/, '7 digits'),
      z
        .number()
        .int()
        .min(0)
        .max(9_999_999)
        .transform((n) => String(n).padStart(7, '0')),
    ]),
    include_payment_method_fee: z.boolean(),
    description: z.string().max(255).optional(),
  })
  .strict()
export type RefundRequestInput = z.output<typeof refundRequestInput>

/** A refund request as KOMOJU returns it inside its payment (`refund_requests`). */
export const newRefundRequest = (payment: string, input: RefundRequestInput, now: number) => ({
  id: randomId(25),
  payment,
  customer_name: input.customer_name,
  bank_name: input.bank_name,
  bank_code: input.bank_code ?? null,
  branch_name: input.branch_name ?? null,
  branch_number: input.branch_number,
  account_number: input.account_number,
  description: input.description ?? null,
  status: 'pending' as 'pending' | 'completed' | 'rejected',
  created_at: iso(now),
})
export type RefundRequest = ReturnType<typeof newRefundRequest>

/**
 * What KOMOJU's payment object does not show but the twin must remember to carry a
 * request out: how much, to which kind of account. One row per request.
 */
export const REFUND_REQUEST_SCHEMA = `
  CREATE TABLE IF NOT EXISTS refund_requests (id TEXT PRIMARY KEY, merchant TEXT NOT NULL,
    payment_id TEXT NOT NULL, amount INTEGER NOT NULL, include_fee INTEGER NOT NULL,
    status TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS refund_requests_status ON refund_requests (status);`

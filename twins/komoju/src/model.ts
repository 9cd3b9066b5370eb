import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'

// KOMOJU's objects, field for field as its API returns them: the service parses these.

const paymentType = z.enum([
  'credit_card',
  'konbini',
  'pay_easy',
  'docomo',
  'au',
  'softbank',
  'apple_pay',
  'paypay',
  'merpay',
])
export type PaymentType = z.infer<typeof paymentType>
/** Paid later at a store or ATM: authorized first, captured when paid, with a deadline. */
export const isPayLater = (t: string): t is 'konbini' | 'pay_easy' =>
  t === 'konbini' || t === 'pay_easy'
export type Locale = 'ja' | 'en'
type PaymentDetails = { type: PaymentType; [field: string]: unknown }
/** Every event is named after the status it announces: `payment.captured`, … */
export type PaymentStatus =
  'pending' | 'authorized' | 'captured' | 'refunded' | 'cancelled' | 'expired' | 'failed'

export const iso = (ms: number) => new Date(ms).toISOString()

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** KOMOJU-looking ids: 25 lowercase letters and digits, as its SDK models say of every id. */
export const randomId = (length: number) => {
  let id = ''
  while (id.length < length)
    for (const b of crypto.getRandomValues(new Uint8Array(length)))
      if (b < 252 && id.length < length) id += ALNUM[b % 36] // 252 = 7 × 36: unbiased
  return id
}
export const digits = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b % 10).join('')

export const newRefund = (
  payment: string,
  amount: number,
  description: string | null,
  now: number,
  chargeback = false,
) => ({
  id: randomId(25),
  resource: 'refund' as const,
  amount,
  currency: 'JPY' as const,
  payment,
  description,
  created_at: iso(now),
  /** KOMOJU books a chargeback as a refund with this flag set. */
  chargeback,
})

/**
 * What KOMOJU's payment carries about the merchant: its Merchant Category Code and what the
 * customer's card statement shows. Each merchant of the twin is a university (MCC 8220).
 */
const merchantFields = (merchant: string) => ({
  mcc: '8220',
  statement_descriptor: {
    statement_descriptor: `M.I.C. ${merchant}`,
    statement_descriptor_alpha: `MIC ${merchant}`.toUpperCase().slice(0, 22),
    statement_descriptor_kana: 'ミック チャージ',
    statement_city: 'Tokyo',
    contact_phone: '0312345678',
  },
})

/** A payment as KOMOJU starts one; callers override what differs (keys keep this order). */
export const newPayment = (
  id: string,
  amount: number,
  now: number,
  details: PaymentDetails,
  merchant: string,
) => ({
  id,
  resource: 'payment' as const,
  status: 'pending' as PaymentStatus,
  amount,
  tax: 0,
  customer: null,
  payment_deadline: null as string | null,
  payment_details: details,
  payment_method_fee: 0,
  total: amount,
  currency: 'JPY' as const,
  description: null as string | null,
  captured_at: null as string | null,
  external_order_num: null as string | null,
  metadata: {} as Record<string, unknown>,
  created_at: iso(now),
  amount_refunded: 0,
  locale: 'ja' as Locale,
  session: null as string | null,
  customer_family_name: null as string | null,
  customer_given_name: null as string | null,
  ...merchantFields(merchant),
  refunds: [] as ReturnType<typeof newRefund>[],
  refund_requests: [] as unknown[],
})
export type Payment = ReturnType<typeof newPayment>

const metadata = z.record(z.string(), z.unknown()).default({})
export const sessionInput = z.object({
  amount: z.number().int().positive(),
  currency: z.literal('JPY'),
  return_url: z.url({ protocol: /^https?$/ }),
  mode: z.literal('payment').default('payment'),
  default_locale: z.enum(['ja', 'en']).default('ja'),
  email: z.email().optional(),
  // Real KOMOJU offers every enabled method when this is absent; the service always sends
  // exactly one and the twin's page shows exactly one, so anything else is refused.
  payment_types: z.array(paymentType).length(1),
  // KOMOJU: "The default value and upper limit are 86,400 seconds (24 hours)."
  expires_in_seconds: z.number().int().positive().max(86_400).default(86_400),
  payment_data: z
    .object({
      external_order_num: z.string().min(1).max(255).optional(),
      // Manual capture is not implemented: refusing it beats silently capturing.
      capture: z.literal('auto').default('auto'),
    })
    .default({ capture: 'auto' }),
  metadata,
})

export const newSession = (
  input: z.infer<typeof sessionInput>,
  origin: string,
  now: number,
  id = randomId(25),
) => ({
  id,
  resource: 'session' as const,
  mode: input.mode,
  amount: input.amount,
  currency: input.currency,
  session_url: `${origin}/sessions/${id}`,
  return_url: input.return_url,
  default_locale: input.default_locale as Locale,
  payment_methods: input.payment_types.map((type) => ({ type })),
  created_at: iso(now),
  cancelled_at: null as string | null,
  completed_at: null as string | null,
  status: 'pending' as 'pending' | 'completed' | 'cancelled',
  expired: false,
  metadata: input.metadata,
  // Stored as null; reading a session fills in the payment object.
  payment: null as Payment | null,
  payment_data: input.payment_data,
  email: input.email ?? null,
  expires_at: iso(now + input.expires_in_seconds * 1000),
})
export type Session = ReturnType<typeof newSession>

const phone = z.string().regex(/^\+?[0-9-]{6,20}$/)
const name = z.string().max(100).optional()
export const paymentInput = z.object({
  amount: z.number().int().positive(),
  currency: z.literal('JPY'),
  external_order_num: z.string().min(1).max(255).optional(),
  payment_deadline: z.iso.datetime({ offset: true }).optional(),
  locale: z.enum(['ja', 'en']).default('ja'),
  description: z.string().max(255).optional(),
  metadata,
  payment_details: z.discriminatedUnion(
    'type',
    [
      z.object({
        type: z.literal('konbini'),
        store: z.enum([
          'seven-eleven',
          'family-mart',
          'lawson',
          'ministop',
          'daily-yamazaki',
          'seicomart',
        ]),
        email: z.email(),
        phone: phone.optional(),
      }),
      z.object({
        type: z.literal('pay_easy'),
        email: z.email(),
        phone,
        family_name: name,
        given_name: name,
        family_name_kana: name,
        given_name_kana: name,
      }),
    ],
    { error: 'must be konbini or pay_easy (the twin takes other types through sessions)' },
  ),
})

/** A query-string integer: digits only, as KOMOJU reads them. */
const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback)
const queryTime = (fallback: number) =>
  z
    .string()
    .refine((v) => Number.isFinite(Date.parse(v)), 'must be an ISO 8601 time')
    .transform((v) => Date.parse(v))
    .optional()
    .transform((v) => v ?? fallback)

/** GET /api/v1/payments's query; unknown parameters are ignored, as by KOMOJU. */
export const listQuery = z.object({
  start_time: queryTime(0),
  end_time: queryTime(8.64e15),
  page: queryInt(1, 1_000_000, 1),
  per_page: queryInt(1, 100, 10),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO code')
    .default('JPY'),
  external_order_num: z.string().min(1).max(255).nullable().default(null),
  status: z
    .enum(['pending', 'authorized', 'captured', 'refunded', 'cancelled', 'expired', 'failed'])
    .nullable()
    .default(null),
})

/** PATCH /api/v1/payments/:id: KOMOJU lets only these two change. */
export const updateInput = z
  .object({
    description: z.string().max(255).nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()

/** The numbers KOMOJU's models mark optional, which the twin can be told to leave out. */
export const OMITTABLE = [
  'receipt',
  'confirmation_code',
  'bank_id',
  'customer_id',
  'confirmation_id',
  'instructions_url',
] as const
export type Omittable = (typeof OMITTABLE)[number]
export const omitInput = z.object({ omit: z.array(z.enum(OMITTABLE)).max(6) }).strict()

export const refundInput = z.object({
  amount: z.number().int().positive().optional(),
  description: z.string().max(255).optional(),
})

/**
 * The numbers a customer takes to the store or ATM. Seven-Eleven has a 13-digit 払込票番号
 * and no confirmation code; the other chains a receipt number plus a 4-digit 確認番号.
 */
export const payLaterDetails = (
  type: 'konbini' | 'pay_easy',
  email: string | null,
  store: string,
  instructionsUrl: string,
) =>
  type === 'konbini'
    ? {
        type,
        email,
        store,
        confirmation_code: store === 'seven-eleven' ? null : digits(4),
        receipt: digits(store === 'seven-eleven' ? 13 : 12),
        instructions_url: instructionsUrl,
      }
    : {
        type,
        email,
        bank_id: '58091',
        customer_id: digits(16),
        confirmation_id: digits(6),
        instructions_url: instructionsUrl,
      }

/** The merchant's return_url with `session_id` added, keeping any query it already has. */
export const returnTo = (s: Session) => {
  const url = new URL(s.return_url)
  url.searchParams.append('session_id', s.id)
  return url.toString()
}

// Merchants come from configuration, not the API: real KOMOJU accounts are made by hand.
const merchantList = z.array(
  z.object({
    name: z.string().min(1),
    secretKey: z.string().min(1),
    webhookSecret: z.string().min(1),
    webhookUrl: z.url(),
  }),
)
export type Merchant = z.infer<typeof merchantList>[number]
let parsed: { raw: string; list: Merchant[] } | undefined
export const merchants = (env: Env): Merchant[] => {
  const raw: string = env.MERCHANTS
  if (parsed?.raw !== raw) parsed = { raw, list: merchantList.parse(JSON.parse(raw)) }
  return parsed.list
}

/** KOMOJU's error shape, used for every error (the admin API's too). */
export const fail = (
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  param: string | null = null,
) => c.json({ error: { code, message, param } }, status)

/**
 * The JSON body checked against `schema` (an empty body is `{}`), or KOMOJU's error:
 * 400 for unreadable JSON, 422 naming the first missing or invalid parameter.
 */
export const readBody = async <S extends z.ZodType>(c: Context, schema: S) => {
  const text = await c.req.text()
  let body: unknown = {}
  try {
    if (text.trim()) body = JSON.parse(text)
  } catch {
    return fail(c, 400, 'bad_request', 'The request body is not valid JSON')
  }
  const result = schema.safeParse(body)
  if (result.success) return result.data as z.output<S>
  const issue = result.error.issues[0]!
  const param = issue.path.join('.') || null
  let value = body
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key]
  return issue.path.length > 0 && value === undefined
    ? fail(c, 422, 'missing_parameter', `A required parameter (${param}) is missing`, param)
    : fail(c, 422, 'invalid_parameter', `${param ?? 'body'}: ${issue.message}`, param)
}

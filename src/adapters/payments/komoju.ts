import * as z from 'zod'
import type { BankAccount } from '../../domain/bankAccount'
import type { PaymentMethod } from '../../domain/paymentMethods'
import { hmac, timingSafeEqualText, toHex } from '../../security/crypto'
import {
  GATEWAY_PAYMENT_STATUSES,
  PaymentProviderError,
  type GatewayPayment,
  type GatewaySession,
  type OpenedPayment,
  type OpenPayment,
  type PaymentProvider,
  type StoreInstructions,
  type VerifiedWebhook,
} from './index'

export const KOMOJU_DEFAULT_API_URL = 'https://komoju.com'

/** How each of the manual's methods is named in KOMOJU's API. */
const KOMOJU_TYPES: Record<PaymentMethod, { type: string; store?: string }> = {
  credit_card: { type: 'credit_card' },
  cvs_seven_eleven: { type: 'konbini', store: 'seven-eleven' },
  cvs_familymart: { type: 'konbini', store: 'family-mart' },
  cvs_lawson: { type: 'konbini', store: 'lawson' },
  payeasy: { type: 'pay_easy' },
  d_barai: { type: 'docomo' },
  au_kantan: { type: 'au' },
  softbank_matomete: { type: 'softbank' },
  apple_pay: { type: 'apple_pay' },
  paypay: { type: 'paypay' },
  merpay: { type: 'merpay' },
}
export const komojuType = (m: PaymentMethod) => KOMOJU_TYPES[m]

export interface KomojuAccount {
  apiUrl: string
  secretKey: string
  webhookSecret: string
}

const time = z
  .string()
  .nullish()
  .transform((v) => (v ? Date.parse(v) : null))
  .refine((v) => v === null || Number.isFinite(v))

const paymentDetails = z
  .object({
    type: z.string(),
    store: z.string().nullish(),
    receipt: z.string().nullish(),
    confirmation_code: z.string().nullish(),
    instructions_url: z.string().nullish(),
    bank_id: z.string().nullish(),
    customer_id: z.string().nullish(),
    confirmation_id: z.string().nullish(),
  })
  .loose()

const paymentJson = z
  .object({
    id: z.string().min(1),
    resource: z.literal('payment'),
    status: z.enum(GATEWAY_PAYMENT_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    external_order_num: z.string().nullish(),
    captured_at: time,
    payment_deadline: time,
    payment_details: paymentDetails.nullish(),
    created_at: time.optional(),
    amount_refunded: z.number().int().nonnegative().nullish(),
    // KOMOJU's Refund: a chargeback is booked as a refund with `chargeback: true`.
    refunds: z
      .array(
        z
          .object({
            id: z.string().nullish(),
            amount: z.number().int(),
            created_at: time,
            chargeback: z.boolean().nullish(),
          })
          .loose(),
      )
      .nullish(),
    // Only what tells a request's fate is read: the bank account it carries is left unread.
    refund_requests: z
      .array(z.object({ id: z.string().min(1), status: z.string(), created_at: time }).loose())
      .nullish(),
  })
  .loose()

/**
 * KOMOJU's list answer: one page of `data` and where it stands in the whole list. Its
 * PaymentList model names the resource `payment_list`; older documentation shows `list`.
 */
const paymentListJson = z
  .object({
    resource: z.enum(['payment_list', 'list']),
    total: z.number().int().nonnegative(),
    page: z.number().int().positive(),
    per_page: z.number().int().positive(),
    last_page: z.number().int().nonnegative(),
    data: z.array(paymentJson),
  })
  .loose()

/** Payments asked for per page of a list by default: few round trips, small answers. */
const LIST_PER_PAGE = 100
/** A bound on one listing, so a gateway that never reports its last page cannot loop us. */
const LIST_MAX_PAGES = 500

const sessionJson = z
  .object({
    id: z.string().min(1),
    resource: z.literal('session'),
    status: z.enum(['pending', 'completed', 'cancelled']),
    session_url: z.string().url(),
    expired: z.boolean().optional(),
    payment: paymentJson.nullish(),
    payment_data: z.object({ external_order_num: z.string().nullish() }).loose().nullish(),
  })
  .loose()

const id = z.string().min(1).max(200)
const webhookJson = z
  .object({
    id,
    type: z.string().min(1).max(100),
    resource: z.literal('event'),
    // KOMOJU's Event carries the payment; should a refund event carry the refund itself,
    // its `payment` names the payment.
    data: z
      .object({ id: id.optional(), resource: z.string().optional(), payment: id.optional() })
      .loose()
      .nullish(),
  })
  .loose()

/** KOMOJU's longest hosted session: "The default value and upper limit are 86,400 seconds". */
export const KOMOJU_MAX_SESSION_SECONDS = 86_400

/**
 * What the student pays a store payment with. KOMOJU's models mark every number optional
 * (konbini `receipt` and `confirmation_code`; Pay-easy `bank_id`, `customer_id`,
 * `confirmation_id`): a payment missing one is still open, and its instructions page shows
 * the student everything. Only a payment with a number missing and no instructions page
 * either leaves the student nothing to pay with.
 */
const storeOf = (
  d: z.infer<typeof paymentDetails> | null | undefined,
): StoreInstructions | null => {
  const instructionsUrl = d?.instructions_url || null
  if (d?.type === 'konbini' && d.store) {
    const receipt = d.receipt || null
    if (!receipt && !instructionsUrl) return null
    return {
      kind: 'konbini',
      store: d.store,
      receipt,
      confirmationCode: d.confirmation_code || null,
      instructionsUrl,
    }
  }
  if (d?.type === 'pay_easy') {
    const [bankId, customerId, confirmationId] = [d.bank_id, d.customer_id, d.confirmation_id]
    if (!(bankId && customerId && confirmationId) && !instructionsUrl) return null
    return {
      kind: 'pay_easy',
      bankId: bankId || null,
      customerId: customerId || null,
      confirmationId: confirmationId || null,
      instructionsUrl,
    }
  }
  return null
}

const toPayment = (p: z.infer<typeof paymentJson>): GatewayPayment => ({
  id: p.id,
  status: p.status,
  amount: p.amount,
  currency: p.currency,
  orderRef: p.external_order_num ?? null,
  capturedAt: p.captured_at,
  deadline: p.payment_deadline,
  store: storeOf(p.payment_details),
  createdAt: p.created_at ?? null,
  amountRefunded: p.amount_refunded ?? 0,
  refundedAt: latest((p.refunds ?? []).map((r) => r.created_at)),
  chargedBack: (p.refunds ?? []).some((r) => r.chargeback === true),
  refunds: (p.refunds ?? []).map((r) => ({
    id: r.id ?? null,
    amount: r.amount,
    createdAt: r.created_at,
    chargeback: r.chargeback ?? false,
  })),
  refundRequests: (p.refund_requests ?? []).map((r) => ({
    id: r.id,
    // A status KOMOJU might add later is not a decision: it counts as still pending.
    status: r.status === 'completed' || r.status === 'rejected' ? r.status : 'pending',
    createdAt: r.created_at,
  })),
})

const latest = (times: (number | null)[]) => {
  const known = times.filter((t): t is number => t !== null)
  return known.length > 0 ? Math.max(...known) : null
}

const toSession = (s: z.infer<typeof sessionJson>): GatewaySession => ({
  id: s.id,
  status: s.status,
  expired: s.expired ?? false,
  orderRef: s.payment_data?.external_order_num ?? null,
  payment: s.payment ? toPayment(s.payment) : null,
})

/** "デモ タロウ" → family デモ, given タロウ (KOMOJU's Pay-easy asks for both). */
const splitKana = (name: string) => {
  const [family = name, ...rest] = name.trim().split(/[\s\u3000]+/)
  return { family, given: rest.join(' ') || family }
}

/**
 * KOMOJU's REST API (https://doc.komoju.com), spoken with fetch: Basic auth with the
 * merchant's secret key, JSON bodies, and on every POST an X-KOMOJU-IDEMPOTENCY key derived
 * from the application, so a create retried after a lost answer finds the same object.
 */
export class KomojuProvider implements PaymentProvider {
  readonly id = 'komoju'
  constructor(
    private readonly account: KomojuAccount,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
    private readonly timeoutMs = 15_000,
    /** Payments per page of a list (tests make it small to read several pages). */
    private readonly listPerPage = LIST_PER_PAGE,
  ) {}

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<{ status: number; json: unknown }> {
    const headers = new Headers({
      authorization: `Basic ${btoa(`${this.account.secretKey}:`)}`,
      accept: 'application/json',
    })
    if (body !== undefined) headers.set('content-type', 'application/json')
    if (idempotencyKey) headers.set('x-komoju-idempotency', idempotencyKey)
    let res: Response
    try {
      res = await this.fetcher(`${this.account.apiUrl.replace(/\/$/, '')}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (e) {
      throw new PaymentProviderError(`KOMOJU unreachable: ${String(e)}`)
    }
    const json: unknown = await res.json().catch(() => null)
    return { status: res.status, json }
  }

  private fail(what: string, r: { status: number; json: unknown }): never {
    const error = (r.json as { error?: { code?: unknown; param?: unknown } } | null)?.error
    const code = typeof error?.code === 'string' ? error.code : null
    const param = typeof error?.param === 'string' ? error.param : null
    throw new PaymentProviderError(
      `KOMOJU ${what}: HTTP ${r.status} ${code ?? ''}`.trim(),
      r.status,
      code,
      param,
    )
  }

  private parsePayment(what: string, r: { status: number; json: unknown }) {
    const p = paymentJson.safeParse(r.json)
    if (r.status !== 200 || !p.success) this.fail(what, r)
    return toPayment(p.data)
  }

  private parseSession(what: string, r: { status: number; json: unknown }) {
    const s = sessionJson.safeParse(r.json)
    if (r.status !== 200 || !s.success) this.fail(what, r)
    return s.data
  }

  async openPayment(input: OpenPayment): Promise<OpenedPayment> {
    const { type, store } = komojuType(input.method)
    const key = `mic-application-${input.applicationId}-open`
    const orderRef = String(input.applicationId)
    if (type === 'konbini' || type === 'pay_easy') {
      const name = splitKana(input.nameKana)
      const details =
        type === 'konbini'
          ? { type, store, email: input.email }
          : {
              type,
              email: input.email,
              phone: input.phone ?? '',
              family_name: name.family,
              given_name: name.given,
              family_name_kana: name.family,
              given_name_kana: name.given,
            }
      const r = await this.call(
        'POST',
        '/payments',
        {
          amount: input.amount,
          currency: 'JPY',
          external_order_num: orderRef,
          payment_deadline: new Date(input.deadline).toISOString(),
          locale: input.lang,
          payment_details: details,
        },
        key,
      )
      const p = this.parsePayment('refused the payment', r)
      if (!p.store || p.amount !== input.amount || p.orderRef !== orderRef)
        throw new PaymentProviderError('KOMOJU answered a payment without what the student needs')
      return {
        kind: 'store',
        paymentId: p.id,
        store: p.store,
        deadline: p.deadline ?? input.deadline,
      }
    }
    const r = await this.call(
      'POST',
      '/sessions',
      {
        amount: input.amount,
        currency: 'JPY',
        return_url: input.returnUrl,
        default_locale: input.lang,
        email: input.email,
        payment_types: [type],
        expires_in_seconds: Math.min(
          KOMOJU_MAX_SESSION_SECONDS,
          Math.max(60, Math.round((input.deadline - input.now) / 1000)),
        ),
        payment_data: { external_order_num: orderRef },
      },
      key,
    )
    const s = this.parseSession('refused the session', r)
    return { kind: 'hosted', sessionId: s.id, redirectUrl: s.session_url, deadline: input.deadline }
  }

  async payment(paymentId: string) {
    const r = await this.call('GET', `/payments/${encodeURIComponent(paymentId)}`)
    if (r.status === 404) return null
    return this.parsePayment('payment lookup failed', r)
  }

  async session(sessionId: string) {
    const r = await this.call('GET', `/sessions/${encodeURIComponent(sessionId)}`)
    if (r.status === 404) return null
    return toSession(this.parseSession('session lookup failed', r))
  }

  async cancelSession(sessionId: string) {
    const r = await this.call(
      'POST',
      `/sessions/${encodeURIComponent(sessionId)}/cancel`,
      {},
      `mic-session-${sessionId}-cancel`,
    )
    return toSession(this.parseSession('refused to cancel the session', r))
  }

  async refund(paymentId: string, idempotencyKey: string, amount?: number) {
    const r = await this.call(
      'POST',
      `/payments/${encodeURIComponent(paymentId)}/refund`,
      amount === undefined ? {} : { amount },
      idempotencyKey,
    )
    return this.parsePayment('refused the refund', r)
  }

  /**
   * POST /api/v1/payments/:id/refund_request: KOMOJU's refund of a cash payment to the
   * customer's bank account, carried out by hand later. The account goes in the body
   * only; KOMOJU's answer (the payment, whose refund request repeats it) is read for the
   * request's id and status alone, and no error message of ours repeats the body.
   */
  async requestRefund(
    paymentId: string,
    request: { account: BankAccount; amount: number; description: string },
    idempotencyKey: string,
  ) {
    const a = request.account
    const r = await this.call(
      'POST',
      `/payments/${encodeURIComponent(paymentId)}/refund_request`,
      {
        amount: request.amount,
        customer_name: a.accountHolder,
        bank_name: a.bankName,
        bank_code: a.bankCode,
        ...(a.branchName ? { branch_name: a.branchName } : {}),
        branch_number: a.branchCode,
        account_type: a.accountType,
        account_number: a.accountNumber,
        include_payment_method_fee: false,
        description: request.description,
      },
      idempotencyKey,
    )
    return this.parsePayment('refused the refund request', r)
  }

  /**
   * GET /api/v1/payments with start_time / end_time (KOMOJU filters by creation time) and
   * page / per_page, read page by page up to the `last_page` KOMOJU reports. A payment seen
   * on two pages (the list moved while it was read) counts once.
   */
  async listPayments(range: { from: number; to: number }) {
    const found = new Map<string, GatewayPayment>()
    for (let page = 1; ; page++) {
      if (page > LIST_MAX_PAGES)
        throw new PaymentProviderError(`KOMOJU payment list: more than ${LIST_MAX_PAGES} pages`)
      const query = new URLSearchParams({
        start_time: new Date(range.from).toISOString(),
        end_time: new Date(range.to).toISOString(),
        per_page: String(this.listPerPage),
        page: String(page),
      })
      const r = await this.call('GET', `/payments?${query}`)
      const list = paymentListJson.safeParse(r.json)
      if (r.status !== 200 || !list.success) this.fail('payment list failed', r)
      for (const p of list.data.data) found.set(p.id, toPayment(p))
      if (page >= list.data.last_page || list.data.data.length === 0) break
    }
    return [...found.values()]
  }

  /**
   * X-Komoju-Signature is the hex HMAC-SHA256 of the raw body under the webhook secret.
   * The scheme has no timestamp, so even a valid signature only proves that KOMOJU sent
   * these bytes once: the consumer asks KOMOJU what the payment's status is now. A signed
   * `ping` (KOMOJU sends one when a webhook is created) is answered whatever its body: it
   * names nothing and moves nothing.
   */
  async verifyWebhook(rawBody: string, headers: Headers): Promise<VerifiedWebhook> {
    if (!this.account.webhookSecret) return { ok: false, reason: 'not_configured', status: 401 }
    const signature = headers.get('x-komoju-signature')?.trim().toLowerCase()
    if (!signature) return { ok: false, reason: 'missing_signature', status: 401 }
    if (!/^[0-9a-f]{64}$/.test(signature))
      return { ok: false, reason: 'malformed_signature', status: 401 }
    const expected = toHex(await hmac(this.account.webhookSecret, rawBody))
    if (!timingSafeEqualText(expected, signature))
      return { ok: false, reason: 'bad_signature', status: 401 }
    if (headers.get('x-komoju-event')?.trim() === 'ping') return { ok: true, kind: 'ping' }
    const contentType = headers.get('content-type') ?? ''
    if (!/^application\/json\b/i.test(contentType))
      return { ok: false, reason: 'wrong_content_type', status: 400 }
    let json: unknown
    try {
      json = JSON.parse(rawBody)
    } catch {
      return { ok: false, reason: 'malformed_body', status: 400 }
    }
    const event = webhookJson.safeParse(json)
    if (!event.success) return { ok: false, reason: 'malformed_body', status: 400 }
    // The event is what the signed body says: X-Komoju-ID names the delivery (KOMOJU's docs:
    // "Webhook デリバリーのユニーク ID") and neither header is covered by the signature.
    const { type, data } = event.data
    if (type === 'ping') return { ok: true, kind: 'ping' }
    const paymentId = !type.startsWith('payment.')
      ? null
      : data?.resource === 'refund'
        ? (data.payment ?? null)
        : (data?.id ?? null)
    return { ok: true, kind: 'event', eventId: event.data.id, type, paymentId }
  }
}

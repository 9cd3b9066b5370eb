import * as z from 'zod'

/**
 * Small clients for the admin APIs of the two local twins (twins/komoju, twins/mic), for the
 * development pages only. They never throw: every call answers a Reply, and a twin that is
 * down, slow or answering something unexpected becomes a sentence for the page. What the
 * twins answer is read loosely, so that a field renamed or added there costs a line here.
 */

export type Reply<T> =
  { ok: true; value: T } | { ok: false; error: string; status: number | null; body?: unknown }

const TIMEOUT_MS = 10_000

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** The error a twin answered, as a sentence: KOMOJU's `{error: {code, message}}` or M.I.C.'s `{error: "code", ...}`. */
export const describeError = (body: unknown): string | null => {
  if (!body || typeof body !== 'object') return null
  const error = (body as { error?: unknown }).error
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown }
    if (typeof message === 'string' && message) return message
    if (typeof code === 'string') return code
  }
  if (typeof error === 'string') {
    const extra = Object.entries(body as Record<string, unknown>)
      .filter(([k, v]) => k !== 'error' && (typeof v === 'number' || typeof v === 'string'))
      .map(([k, v]) => `${k} ${String(v).slice(0, 100)}`)
    const issues = (body as { issues?: unknown }).issues
    if (Array.isArray(issues)) extra.push(...issues.slice(0, 3).map((i) => String(i).slice(0, 200)))
    return extra.length ? `${error} (${extra.join(', ')})` : error
  }
  return null
}

/** One admin API at `base` (…/_twin is added here), named `name` on the pages. */
export const twinApi = (name: string, base: string | undefined, setting: string) => {
  const root = typeof base === 'string' ? base.trim().replace(/\/+$/, '') : ''

  const call = async (method: Method, path: string, body?: unknown): Promise<Reply<unknown>> => {
    if (!/^https?:\/\/./.test(root))
      return {
        ok: false,
        status: null,
        error: `${name}: no admin URL to reach it (${setting} is ${JSON.stringify(base ?? '')}).`,
      }
    let res: Response
    try {
      res = await fetch(`${root}/_twin${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch (e) {
      const why =
        e instanceof Error && e.name === 'TimeoutError'
          ? `no answer in ${TIMEOUT_MS / 1000} s`
          : String(e instanceof Error ? e.message : e)
      return {
        ok: false,
        status: null,
        error: `${name} is unreachable at ${root} (${why}). Is it running?`,
      }
    }
    const text = await res.text().catch(() => '')
    let json: unknown = undefined
    try {
      json = text.trim() === '' ? null : JSON.parse(text)
    } catch {
      json = undefined
    }
    if (!res.ok) {
      const said = describeError(json) ?? (text.slice(0, 200) || res.statusText)
      return {
        ok: false,
        status: res.status,
        body: json,
        error: `${name}: ${method} /_twin${path} answered ${res.status}: ${said}`,
      }
    }
    if (json === undefined)
      return {
        ok: false,
        status: res.status,
        error: `${name}: ${method} /_twin${path} did not answer JSON.`,
      }
    return { ok: true, value: json }
  }

  /** The call, its answer read by `read` (null: not understood). */
  const typed = async <T>(
    method: Method,
    path: string,
    read: (v: unknown) => T | null,
    body?: unknown,
  ): Promise<Reply<T>> => {
    const r = await call(method, path, body)
    if (!r.ok) return r
    const value = read(r.value)
    return value === null
      ? {
          ok: false,
          status: null,
          body: r.value,
          error: `${name}: ${method} /_twin${path} answered something unexpected.`,
        }
      : { ok: true, value }
  }

  return { name, call, typed }
}

// ---- Reading loosely ----

/** A list, whether answered bare or as the first array inside an object ({payments: [...]}). */
const listOf = (v: unknown): unknown[] | null => {
  if (Array.isArray(v)) return v
  if (v && typeof v === 'object') for (const x of Object.values(v)) if (Array.isArray(x)) return x
  return null
}

/** The KOMOJU twin lists `{ merchant, payment }`: the payment, with its merchant's name. */
const withMerchant = (x: unknown) =>
  x && typeof x === 'object' && 'payment' in x && x.payment && typeof x.payment === 'object'
    ? { ...x.payment, merchant: 'merchant' in x ? x.merchant : undefined }
    : x

/** Each item read by `schema`; items not understood are left out. */
const itemsOf =
  <S extends z.ZodType>(schema: S, map: (x: z.output<S>) => unknown = (x) => x) =>
  (v: unknown) => {
    const list = listOf(v)
    if (!list) return null
    const out = []
    for (const item of list) {
      const r = schema.safeParse(item)
      if (r.success) out.push(map(r.data))
    }
    return out
  }

/** A field read by `f` from whatever is there, absent included: never a parse failure. */
const field = <T>(f: (v: unknown) => T) => z.unknown().optional().transform(f)
const str = field((v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null))
const num = (fallback: number) =>
  field((v) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback))
/** An instant given as ms or ISO-8601, as ms (null if neither). */
const instant = field((v) => {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && v) {
    const at = Date.parse(v)
    return Number.isFinite(at) ? at : null
  }
  return null
})

const read =
  <S extends z.ZodType>(schema: S) =>
  (v: unknown) => {
    const r = schema.safeParse(v)
    return r.success ? (r.data as z.output<S>) : null
  }

// ---- Both twins ----

export interface TwinClock {
  offsetMs: number
  now: number
}

const clockJson = z.object({ offsetMs: num(0), now: instant }).loose()
const readClock = (v: unknown): TwinClock | null => {
  const c = read(clockJson)(v)
  return c ? { offsetMs: c.offsetMs, now: c.now ?? Date.now() + c.offsetMs } : null
}

// ---- KOMOJU twin ----

export type KomojuStatus =
  'pending' | 'authorized' | 'captured' | 'refunded' | 'cancelled' | 'expired' | 'failed'

/** A KOMOJU payment object, what the pages show of it. */
export interface TwinPayment {
  id: string
  status: string
  amount: number
  currency: string
  /** external_order_num: the service's application id. */
  orderRef: string | null
  deadline: number | null
  /** payment_details.type: konbini, pay_easy, credit_card, … */
  type: string
  store: string | null
  /** What the customer pays with: the konbini receipt or the Pay-easy customer number. */
  number: string | null
  confirmation: string | null
  createdAt: number | null
  capturedAt: number | null
  merchant: string | null
}

const paymentJson = z
  .object({
    id: z.string().min(1),
    status: z.string(),
    amount: num(0),
    currency: str,
    external_order_num: str,
    payment_deadline: instant,
    payment_details: z
      .object({
        type: str,
        store: str,
        receipt: str,
        confirmation_code: str,
        customer_id: str,
        confirmation_id: str,
      })
      .loose()
      .nullish()
      .catch(null),
    created_at: instant,
    captured_at: instant,
    merchant: z.unknown().optional(),
  })
  .loose()

const merchantName = (m: unknown) =>
  typeof m === 'string'
    ? m
    : m && typeof m === 'object' && typeof (m as { name?: unknown }).name === 'string'
      ? (m as { name: string }).name
      : null

const toPayment = (p: z.output<typeof paymentJson>): TwinPayment => {
  const d = p.payment_details
  return {
    id: p.id,
    status: p.status,
    amount: p.amount,
    currency: p.currency ?? 'JPY',
    orderRef: p.external_order_num,
    deadline: p.payment_deadline,
    type: d?.type ?? '?',
    store: d?.store ?? null,
    number: d?.receipt ?? d?.customer_id ?? null,
    confirmation: d?.confirmation_code ?? d?.confirmation_id ?? null,
    createdAt: p.created_at,
    capturedAt: p.captured_at,
    merchant: merchantName(p.merchant),
  }
}

/** Paid later at a store or an ATM: authorized first, with a deadline. */
export const isPayLater = (p: Pick<TwinPayment, 'type'>) =>
  p.type === 'konbini' || p.type === 'pay_easy'

export interface KomojuSettings {
  declineNextCard: boolean
  duplicateRate: number
  maxDelayMs: number
  paused: boolean
}

const settingsJson = z
  .object({
    declineNextCard: z.boolean().catch(false),
    duplicateRate: num(0),
    maxDelayMs: num(0),
    paused: z.boolean().catch(false),
  })
  .loose()
const readSettings = (v: unknown): KomojuSettings | null => {
  const s = read(settingsJson)(v)
  return s
    ? {
        declineNextCard: s.declineNextCard,
        duplicateRate: s.duplicateRate,
        maxDelayMs: s.maxDelayMs,
        paused: s.paused,
      }
    : null
}

/** A webhook delivery (outbox or log entry), kept as the twin answers it. */
export type Delivery = Record<string, unknown>

const deliveryJson = z.record(z.string(), z.unknown())

/** Whether a delivery is finished, by whichever field the twin uses (null: cannot tell). */
export const deliveryDone = (d: Delivery): boolean | null => {
  for (const k of ['done', 'delivered']) if (typeof d[k] === 'boolean') return d[k] as boolean
  for (const k of ['deliveredAt', 'delivered_at', 'doneAt', 'done_at'])
    if (k in d) return d[k] !== null && d[k] !== undefined
  return null
}

/** A refund request (a konbini / Pay-easy refund to a bank account) waiting for KOMOJU's staff. */
export interface TwinRefundRequest {
  id: string
  paymentId: string
  amount: number
  createdAt: number | null
  merchant: string | null
}

const refundRequestJson = z.object({
  merchant: str,
  payment_id: z.string().min(1),
  amount: num(0),
  refund_request: z.object({ id: z.string().min(1), created_at: instant }).loose(),
})
const toRefundRequest = (x: z.output<typeof refundRequestJson>): TwinRefundRequest => ({
  id: x.refund_request.id,
  paymentId: x.payment_id,
  amount: x.amount,
  createdAt: x.refund_request.created_at,
  merchant: x.merchant,
})

export const komojuTwin = (env: Env) => {
  const api = twinApi('KOMOJU twin', env.DEV_KOMOJU_ADMIN_URL, 'DEV_KOMOJU_ADMIN_URL')
  const id = encodeURIComponent
  return {
    name: api.name,
    payments: (status?: KomojuStatus) =>
      api.typed(
        'GET',
        `/payments${status ? `?status=${status}` : ''}`,
        (v: unknown) =>
          itemsOf(paymentJson, toPayment)(listOf(v)?.map(withMerchant)) as TwinPayment[] | null,
      ),
    /** Pays an authorized konbini / Pay-easy payment at the store; 422 `expired` after its deadline. */
    payAtStore: (paymentId: string) => api.call('POST', `/payments/${id(paymentId)}/pay-at-store`),
    expire: (paymentId: string) => api.call('POST', `/payments/${id(paymentId)}/expire`),
    settings: () => api.typed('GET', '/settings', readSettings),
    saveSettings: (s: KomojuSettings) => api.typed('PUT', '/settings', readSettings, s),
    clock: () => api.typed('GET', '/clock', readClock),
    setClock: (offsetMs: number) =>
      api.typed('PUT', '/clock', readClock, { offsetMs: Math.round(offsetMs) }),
    deliveries: (limit = 50) =>
      api.typed(
        'GET',
        `/deliveries?limit=${limit}`,
        itemsOf(deliveryJson) as (v: unknown) => Delivery[] | null,
      ),
    flushDeliveries: () => api.call('POST', '/deliveries/flush'),
    /** Refund requests KOMOJU's staff have not carried out or rejected yet. */
    refundRequests: () =>
      api.typed(
        'GET',
        '/refund-requests?status=pending',
        itemsOf(refundRequestJson, toRefundRequest) as (v: unknown) => TwinRefundRequest[] | null,
      ),
    /** KOMOJU's staff carry a refund request out (payment.refunded) or reject it. */
    decideRefundRequest: (paymentId: string, requestId: string, decision: 'complete' | 'reject') =>
      api.call('POST', `/payments/${id(paymentId)}/refund_requests/${id(requestId)}/${decision}`),
  }
}

// ---- M.I.C. twin ----

export const INITIAL_BALANCE = 1000
export const FAULT_MODES = ['none', 'fail', 'hang', 'lose-response'] as const
export type FaultMode = (typeof FAULT_MODES)[number]

/**
 * What the twin is told to do wrong: `fail` answers 500, `hang` answers nothing for
 * `hangMs`, `lose-response` applies a credit and then hangs; each call with chance `rate`,
 * for the next `remaining` calls (null: until switched off), for one card or (null) all.
 */
export interface Fault {
  mode: FaultMode
  rate: number
  remaining: number | null
  hangMs: number
  card: string | null
}

export interface CardRow {
  /** "<university>:<user>" */
  cardId: string
  balance: number
  credits: number
  suspended: boolean
  updatedAt: number | null
}

const cardJson = z
  .object({
    cardId: z.string().min(1),
    balance: z.number(),
    credits: field((v) => (typeof v === 'number' ? v : Array.isArray(v) ? v.length : 0)),
    suspended: field((v) => v === true || v === 1),
    updatedAt: instant,
  })
  .loose()

const faultJson = z
  .object({
    mode: z.enum(FAULT_MODES).catch('none'),
    rate: num(1),
    remaining: field((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)),
    hangMs: num(30_000),
    card: field((v) => (typeof v === 'string' && v ? v : null)),
  })
  .loose()

/** "<university>:<user>" as the two path segments of /_twin/cards/:university/:user. */
export const CARD_PATTERN = /^[\w.-]+:[\w.-]+$/
const cardPath = (cardId: string) => {
  const [university = '', user = ''] = cardId.split(':')
  return `/cards/${encodeURIComponent(university)}/${encodeURIComponent(user)}`
}

export interface MicLedger {
  initialBalance: number
  cards: unknown[]
}

const readLedger = (v: unknown): MicLedger | null => {
  const cards = Array.isArray(v) ? v : listOf((v as { cards?: unknown } | null)?.cards ?? v)
  if (!cards) return null
  const initial = (v as { initialBalance?: unknown } | null)?.initialBalance
  return { initialBalance: typeof initial === 'number' ? initial : INITIAL_BALANCE, cards }
}

export const micTwin = (env: Env) => {
  const api = twinApi('M.I.C. twin', env.DEV_MIC_ADMIN_URL, 'DEV_MIC_ADMIN_URL')
  return {
    name: api.name,
    cards: (limit = 500) =>
      api.typed(
        'GET',
        `/cards?limit=${limit}`,
        itemsOf(cardJson) as (v: unknown) => CardRow[] | null,
      ),
    setCard: (cardId: string, change: { balance?: number; suspended?: boolean }) =>
      api.call('PUT', cardPath(cardId), change),
    /** Cash in at a campus machine (422 over the cap) or a purchase (422 if it would go negative). */
    campus: (cardId: string, kind: 'cash' | 'purchase', amount: number) =>
      api.call('POST', `${cardPath(cardId)}/${kind}`, { amount }),
    ledger: () => api.typed('GET', '/ledger', readLedger),
    fault: () => api.typed('GET', '/fault', read(faultJson)),
    setFault: (f: Fault) => api.call('PUT', '/fault', f),
    clock: () => api.typed('GET', '/clock', readClock),
    setClock: (offsetMs: number) =>
      api.typed('PUT', '/clock', readClock, { offsetMs: Math.round(offsetMs) }),
    reset: () => api.call('POST', '/reset'),
  }
}

/**
 * The tests' hands on the two twins, through their own admin APIs (the same ones the
 * development pages use). Every call is a real HTTP request routed to the twin's worker.
 */
export const KOMOJU = 'http://komoju.test'
export const MIC = 'http://mic.test'

const call = async <T>(base: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}/_twin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = (await res.json().catch(() => null)) as T
  return { status: res.status, json }
}

const ok = async <T>(base: string, method: string, path: string, body?: unknown) => {
  const r = await call<T>(base, method, path, body)
  if (r.status >= 300)
    throw new Error(`${method} ${base}${path}: ${r.status} ${JSON.stringify(r.json)}`)
  return r.json
}

export interface TwinPayment {
  id: string
  status: string
  amount: number
  amount_refunded?: number
  external_order_num: string | null
  payment_deadline: string | null
  payment_details: Record<string, unknown>
}

export type Fault = {
  mode: 'none' | 'fail' | 'hang' | 'lose-response'
  rate: number
  remaining: number | null
  hangMs: number
  card: string | null
}
export const FAULT_NONE: Fault = {
  mode: 'none',
  rate: 1,
  remaining: null,
  hangMs: 1000,
  card: null,
}

export const komoju = {
  payments: async (status?: string) =>
    (
      await ok<{ data: { merchant: string; payment: TwinPayment }[] }>(
        KOMOJU,
        'GET',
        `/payments${status ? `?status=${status}` : ''}`,
      )
    ).data.map((d) => d.payment),
  payAtStore: (id: string, at?: number) =>
    call<{ error?: { code: string } }>(
      KOMOJU,
      'POST',
      `/payments/${id}/pay-at-store`,
      at ? { at } : {},
    ),
  expire: (id: string) => ok(KOMOJU, 'POST', `/payments/${id}/expire`),
  settings: (s: {
    declineNextCard?: boolean
    duplicateRate?: number
    maxDelayMs?: number
    paused?: boolean
    refuseNextRefund?: boolean
  }) => ok(KOMOJU, 'PUT', '/settings', s),
  markFraud: (id: string) => ok(KOMOJU, 'POST', `/payments/${id}/mark-fraud`, {}),
  chargebackRaw: (id: string, amount?: number) =>
    call<TwinPayment>(KOMOJU, 'POST', `/payments/${id}/chargeback`, amount ? { amount } : {}),
  chargeback: (id: string, amount?: number) =>
    ok<TwinPayment>(KOMOJU, 'POST', `/payments/${id}/chargeback`, amount ? { amount } : {}),
  deliveries: () => ok<unknown>(KOMOJU, 'GET', '/deliveries?limit=500'),
  flush: () => ok<Record<string, number>>(KOMOJU, 'POST', '/deliveries/flush'),
  redeliver: (eventId: string) => ok(KOMOJU, 'POST', `/deliveries/${eventId}/redeliver`),
  setClock: (offsetMs: number) => ok(KOMOJU, 'PUT', '/clock', { offsetMs }),
}

export const mic = {
  cards: (limit = 100_000) =>
    ok<{ cardId: string; balance: number; credits: number; suspended: boolean }[]>(
      MIC,
      'GET',
      `/cards?limit=${limit}`,
    ),
  card: async (cardId: string) => (await mic.cards()).find((c) => c.cardId === cardId),
  setCard: (cardId: string, change: { balance?: number; suspended?: boolean }) =>
    ok(MIC, 'PUT', `/cards/${cardId.replace(':', '/')}`, change),
  cash: (cardId: string, amount: number) =>
    call(MIC, 'POST', `/cards/${cardId.replace(':', '/')}/cash`, { amount }),
  purchase: (cardId: string, amount: number) =>
    call(MIC, 'POST', `/cards/${cardId.replace(':', '/')}/purchase`, { amount }),
  creditsFor: (cardId: string) =>
    ok<{ amount: number; idempotencyKey?: string }[]>(
      MIC,
      'GET',
      `/cards/${cardId.replace(':', '/')}/credits`,
    ),
  ledger: () => ok<unknown>(MIC, 'GET', '/ledger'),
  setFault: (fault: Fault) => ok(MIC, 'PUT', '/fault', fault),
  setClock: (offsetMs: number) => ok(MIC, 'PUT', '/clock', { offsetMs }),
}

// ---- The registrar twin (twins/registrar/README.md) ----

export const REGISTRAR = 'http://registrar.test'

export type RegistrarFault = {
  mode: 'none' | 'fail' | 'timeout' | 'slow' | 'lose-response'
  rate?: number
  remaining?: number | null
  delayMs?: number
  /** "university:user", or null for every call. */
  student?: string | null
  /** The first `skip` calls it would hit pass (a fault on a list's second page: 1). */
  skip?: number
}

/** A student's record as the twin answers it (snake_case); only what tests reach into. */
export type TwinRecord = Record<string, unknown> & {
  status: string
  grades: { grade: string; credits: number }[]
  holds: { code: string }[]
}

export const registrar = {
  reset: () => ok(REGISTRAR, 'POST', '/reset'),
  record: (university: string, user: string) =>
    ok<TwinRecord>(REGISTRAR, 'GET', `/students/${university}/${user}`),
  /** Any fields of the record, over what the registrar holds. */
  change: (university: string, user: string, change: Record<string, unknown>) =>
    ok<TwinRecord>(REGISTRAR, 'PUT', `/students/${university}/${user}`, change),
  addHold: (university: string, user: string, code = 'unpaid_fees') =>
    ok<TwinRecord>(REGISTRAR, 'POST', `/students/${university}/${user}/holds`, { code }),
  removeHold: (university: string, user: string, code = 'unpaid_fees') =>
    ok<TwinRecord>(REGISTRAR, 'DELETE', `/students/${university}/${user}/holds/${code}`),
  issuances: (query = '') =>
    ok<{ issuances: { issuanceId: string; userId: string; idempotencyKey: string }[] }>(
      REGISTRAR,
      'GET',
      `/issuances${query}`,
    ),
  /** `daily` as "HH:MM" JST or null; `windows` as instants. */
  setMaintenance: (m: {
    daily: { from: string; to: string } | null
    windows?: { start: number | string; end: number | string }[]
  }) => ok(REGISTRAR, 'PUT', '/maintenance', m),
  setFault: (fault: RegistrarFault) => ok(REGISTRAR, 'PUT', '/fault', fault),
  clock: () => ok<{ offsetMs: number; now: number }>(REGISTRAR, 'GET', '/clock'),
  setClock: (offsetMs: number) => ok(REGISTRAR, 'PUT', '/clock', { offsetMs }),
  setNow: (now: number) => ok(REGISTRAR, 'PUT', '/clock', { now }),
  /** The university's IT issues a new key: the service's is refused until a reset. */
  setKey: (university: string, key: string) =>
    ok(REGISTRAR, 'PUT', `/universities/${university}/key`, { key }),
}

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

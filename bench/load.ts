// A closed-loop HTTP load generator: `concurrency` keep-alive connections, each sending its
// next request as soon as the last one is answered, timing each with a monotonic clock.
// Small enough to leave the second core to the server on a 2-core machine.
import { createHmac } from 'node:crypto'
import http from 'node:http'

export interface Req {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface LoadOptions {
  base: string
  /** The i-th request to send. */
  request: (i: number) => Req
  /** Which answers count as success. */
  ok?: (status: number) => boolean
  concurrency: number
  /** Stop after this long, or after `count` requests, whichever is first. */
  durationMs?: number
  count?: number
}

export interface LoadResult {
  requests: number
  errors: number
  statuses: Record<string, number>
  elapsedMs: number
  perSecond: number
  p50Ms: number
  p99Ms: number
  /** [ms since start at which it finished, latency ms] for every request. */
  samples: Array<[number, number]>
}

export const percentile = (sorted: ArrayLike<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

export const runLoad = async (o: LoadOptions): Promise<LoadResult> => {
  const url = new URL(o.base)
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency })
  const ok = o.ok ?? ((s: number) => s >= 200 && s < 300)
  const statuses: Record<string, number> = {}
  const samples: Array<[number, number]> = []
  let errors = 0
  let next = 0
  const start = performance.now()
  const stopAt = start + (o.durationMs ?? Infinity)
  const limit = o.count ?? Infinity

  const send = (r: Req) =>
    new Promise<number>((resolve) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          agent,
          method: r.method ?? 'GET',
          path: r.path,
          headers:
            r.body === undefined
              ? r.headers
              : { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
        },
        (res) => {
          res.on('data', () => {})
          res.on('end', () => resolve(res.statusCode ?? 0))
          res.on('error', () => resolve(0))
        },
      )
      req.on('error', () => resolve(0))
      req.end(r.body)
    })

  const worker = async () => {
    for (;;) {
      if (next >= limit || performance.now() >= stopAt) return
      const r = o.request(next++)
      const t0 = performance.now()
      const status = await send(r)
      const t1 = performance.now()
      statuses[status] = (statuses[status] ?? 0) + 1
      if (!ok(status)) errors++
      samples.push([t1 - start, t1 - t0])
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, worker))
  const elapsedMs = performance.now() - start
  agent.destroy()
  const sorted = Float64Array.from(samples, (s) => s[1]).sort()
  return {
    requests: samples.length,
    errors,
    statuses,
    elapsedMs,
    perSecond: (samples.length / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    samples,
  }
}

/** A KOMOJU webhook event (what the twin, like KOMOJU, sends), naming one payment. */
export interface KomojuEvent {
  id: string
  type: string
  resource: 'event'
  data: { id: string } & Record<string, unknown>
  created_at: string
}

/** `payment.captured` for payment `paymentId`, as event `eventId`, at `atMs`. */
export const capturedEvent = (eventId: string, paymentId: string, atMs: number): KomojuEvent => ({
  id: eventId,
  type: 'payment.captured',
  resource: 'event',
  data: { id: paymentId },
  created_at: new Date(atMs).toISOString(),
})

/**
 * A webhook as KOMOJU delivers it to `/payments/komoju/webhook`: the event as JSON, with
 * `X-Komoju-Signature` the lowercase hex HMAC-SHA256 of exactly those bytes under the
 * merchant's webhook secret, and the event's id and type in `X-Komoju-ID` / `X-Komoju-Event`.
 * The same event always gives the same bytes, so a second delivery is an identical retry.
 */
export const komojuWebhook = (secret: string, event: KomojuEvent): Req => {
  const body = JSON.stringify(event)
  return {
    method: 'POST',
    path: '/payments/komoju/webhook',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Komoju-Webhook',
      'x-komoju-id': event.id,
      'x-komoju-event': event.type,
      'x-komoju-signature': createHmac('sha256', secret).update(body).digest('hex'),
    },
    body,
  }
}

/**
 * A signed `payment.captured` webhook for a payment KOMOJU never made: the endpoint checks
 * and queues it like any other, and the consumer, asking KOMOJU for the payment, is told
 * there is no such payment (it is kept as unmatched).
 */
export const strayCapturedWebhook = (secret: string, id: string, atMs: number) =>
  komojuWebhook(secret, capturedEvent(`evt_${id}`, `pay_${id}`, atMs))

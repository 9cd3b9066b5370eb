import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { opensAt, stopWindowAt } from './calendar'
import { cardIdOf, type Fault, type Store } from './store'

const KEY = /^[\w:.-]{1,200}$/

const MAX_RANGE_MS = 92 * 24 * 60 * 60_000
const ms = z
  .string()
  .regex(/^\d{1,15}$/, 'milliseconds since the epoch')
  .transform(Number)
/** from ≤ applied < to (ms), at most 92 days; `after` is the cursor of the previous page. */
const creditsQuery = z
  .object({
    from: ms,
    to: ms,
    after: ms.default(0),
    limit: z
      .string()
      .regex(/^\d{1,4}$/)
      .transform(Number)
      .pipe(z.number().int().min(1).max(500))
      .default(100),
  })
  .refine((q) => q.from < q.to && q.to - q.from <= MAX_RANGE_MS, {
    message: 'from must be before to, at most 92 days apart',
  })

/** M.I.C. in a stop window answers every call 503 with when it opens again. */
const stopWindowRefusal = (c: Context, store: Store, university: string, now: number) => {
  const fiscalYearEnd = store.university(university).stopWindows
  if (!stopWindowAt(now, fiscalYearEnd)) return null
  const until = opensAt(now, fiscalYearEnd)
  c.header('retry-after', String(Math.ceil((until - now) / 1000)))
  return c.json({ error: 'blackout', until }, 503)
}

/**
 * M.I.C.'s API, the one the service's HttpMic speaks: read a card's balance, credit it
 * under an idempotency key. In this order a call is refused: without the API key (401), in
 * a stop window (503), by an injected fault (500/504); then on its own merits.
 */
export const micApi = (store: Store, env: Env) => {
  const api = new Hono<{ Variables: { now: number; fault: Fault | null } }>()

  api.use('/v1/*', async (c, next) => {
    const key: string = env.MIC_API_KEY
    if (!key || c.req.header('authorization') !== `Bearer ${key}`)
      return c.json({ error: 'unauthorized' }, 401)
    await next()
  })

  api.use('/v1/cards/:university/:user/*', async (c, next) => {
    const university = c.req.param('university')
    const now = store.now()
    const closed = stopWindowRefusal(c, store, university, now)
    if (closed) return closed
    const fault = store.takeFault(cardIdOf(university, c.req.param('user')))
    if (fault?.mode === 'fail') return c.json({ error: 'internal' }, 500)
    if (fault?.mode === 'hang') {
      await scheduler.wait(fault.hangMs)
      return c.json({ error: 'timeout' }, 504)
    }
    c.set('now', now)
    c.set('fault', fault)
    await next()
  })

  // The day's credits of a university, for the service's reconciliation (突合): refused in
  // a stop window like every call, and by a fault for every card; paged by a cursor.
  api.get('/v1/universities/:university/credits', async (c) => {
    const university = c.req.param('university')
    const now = store.now()
    const closed = stopWindowRefusal(c, store, university, now)
    if (closed) return closed
    const fault = store.takeFault(null)
    if (fault?.mode === 'fail') return c.json({ error: 'internal' }, 500)
    if (fault?.mode === 'hang' || fault?.mode === 'lose-response') {
      await scheduler.wait(fault.hangMs)
      return c.json({ error: 'timeout' }, 504)
    }
    const q = creditsQuery.safeParse(c.req.query())
    if (!q.success)
      return c.json({ error: 'invalid_query', issues: q.error.issues.map((i) => i.message) }, 400)
    const { from, to, after, limit } = q.data
    return c.json(store.creditsOfUniversity(university, from, to, after, limit))
  })

  // Whether M.I.C. serves a university (the operator's connection check): 404 for one it
  // does not know, so a key that works is not taken for a university that is connected.
  api.get('/v1/universities/:university', (c) => {
    const university = c.req.param('university')
    if (!store.knowsUniversity(university)) return c.json({ error: 'unknown_university' }, 404)
    return c.json({ id: university, balanceCap: store.university(university).balanceCap })
  })

  api.get('/v1/cards/:university/:user', (c) => {
    const { university, user } = c.req.param()
    const now = c.get('now')
    return c.json({ balance: store.card(cardIdOf(university, user), now).balance, asOf: now })
  })

  api.post('/v1/cards/:university/:user/credits', async (c) => {
    const key = c.req.header('idempotency-key') ?? ''
    const body = (await c.req.json().catch(() => null)) as { amount?: unknown } | null
    const amount = body?.amount
    if (!KEY.test(key)) return c.json({ error: 'idempotency_key_required' }, 400)
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
      return c.json({ error: 'invalid_amount' }, 400)
    const { university, user } = c.req.param()
    const result = store.credit(university, user, amount, key, c.get('now'))
    // The credit stands (or was refused); only the answer goes missing.
    if (c.get('fault')?.mode === 'lose-response' && result.status < 300) {
      await scheduler.wait(c.get('fault')!.hangMs)
      return c.json({ error: 'timeout' }, 504)
    }
    return c.json(result.body, result.status)
  })

  return api
}

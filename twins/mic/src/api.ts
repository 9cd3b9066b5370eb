import { Hono } from 'hono'
import { opensAt, stopWindowAt } from './calendar'
import { cardIdOf, type Fault, type Store } from './store'

const KEY = /^[\w:.-]{1,200}$/

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
    const fiscalYearEnd = store.university(university).stopWindows
    if (stopWindowAt(now, fiscalYearEnd)) {
      const until = opensAt(now, fiscalYearEnd)
      c.header('retry-after', String(Math.ceil((until - now) / 1000)))
      return c.json({ error: 'blackout', until }, 503)
    }
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

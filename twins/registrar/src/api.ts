import { Hono } from 'hono'
import { z } from 'zod'
import { CERTIFICATES } from './record'
import { jstIso, maintenanceAt, opensAt } from './rules'
import type { Fault, Store } from './store'

const KEY = /^[\w:.-]{1,200}$/

/** An issuance request; 学割証 exists only in Japanese (it is a form for Japanese railways). */
const issueBody = z
  .object({
    certificate: z.enum(CERTIFICATES),
    language: z.enum(['ja', 'en']),
    copies: z.number().int().min(1).max(20),
  })
  .strict()
  .refine((b) => !(b.certificate === 'student_discount' && b.language === 'en'), {
    message: 'student_discount is issued in Japanese only',
    path: ['language'],
  })

type Vars = { now: number; fault: Fault | null }

/**
 * The registrar's API, the one the service's HttpRegistrar speaks. A call is refused in
 * this order: without its university's key (401), in the maintenance window (503), by an
 * injected fault (500/504); then on its own merits (400, 404, 409, 422).
 */
export const registrarApi = (store: Store) => {
  const api = new Hono<{ Variables: Vars }>()

  api.use('/v1/universities/:university/*', async (c, next) => {
    const university = store.university(c.req.param('university'))
    if (!university || c.req.header('authorization') !== `Bearer ${university.key}`)
      return c.json({ error: 'unauthorized' }, 401)
    const now = store.now()
    const maintenance = store.maintenance()
    if (maintenanceAt(now, maintenance)) {
      const until = opensAt(now, maintenance)
      c.header('retry-after', String(Math.ceil((until - now) / 1000)))
      return c.json({ error: 'maintenance', until: jstIso(until) }, 503)
    }
    // A fault for one student hits the calls about that student (the ping is about none).
    const user = /\/students\/([^/]+)/.exec(c.req.path)?.[1]
    const fault = store.takeFault(user ? `${university.id}:${decodeURIComponent(user)}` : null)
    if (fault?.mode === 'fail') return c.json({ error: 'internal' }, 500)
    if (fault?.mode === 'timeout') {
      await scheduler.wait(fault.delayMs)
      return c.json({ error: 'timeout' }, 504)
    }
    if (fault?.mode === 'slow') await scheduler.wait(fault.delayMs)
    c.set('now', store.now())
    c.set('fault', fault)
    await next()
  })

  api.get('/v1/universities/:university/ping', (c) => c.json({ at: jstIso(c.get('now')) }))

  api.get('/v1/universities/:university/students/:user', (c) => {
    const record = store.record(c.req.param('university'), c.req.param('user'))
    return record ? c.json(record) : c.json({ error: 'unknown_student' }, 404)
  })

  api.post('/v1/universities/:university/students/:user/issuances', async (c) => {
    // The body is read first, whatever the answer: a request is answered whole.
    const body = issueBody.safeParse(await c.req.json().catch(() => undefined))
    const key = c.req.header('idempotency-key') ?? ''
    if (!KEY.test(key)) return c.json({ error: 'idempotency_key_required' }, 400)
    if (!body.success)
      return c.json(
        {
          error: 'invalid_request',
          issues: body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
        },
        400,
      )
    const result = store.issue(c.req.param('university'), c.req.param('user'), body.data, key)
    // The issuance stands; only the answer goes missing on the way.
    const fault = c.get('fault')
    if (fault?.mode === 'lose-response' && result.status < 300) {
      await scheduler.wait(fault.delayMs)
      return c.json({ error: 'timeout' }, 504)
    }
    return c.json(result.body, result.status)
  })

  return api
}

import { Hono } from 'hono'
import { z } from 'zod'
import {
  byChange,
  changeEntry,
  parseChangesQuery,
  readCursor,
  writeCursor,
  type Cursor,
} from './changes'
import { CERTIFICATES } from './record'
import { jstIso, jstIsoMs, maintenanceAt, opensAt } from './rules'
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

  // The students changed since an instant (src/changes.ts), oldest change first, paged.
  api.get('/v1/universities/:university/students', async (c) => {
    const parsed = parseChangesQuery(new URL(c.req.url).searchParams)
    if ('issues' in parsed) return c.json({ error: 'invalid_request', issues: parsed.issues }, 400)
    const { since, limit, cursor } = parsed.query
    const university = store.university(c.req.param('university'))!
    let asOf = c.get('now')
    let after: Pick<Cursor, 't' | 'i'> | null = null
    if (cursor !== null) {
      const read = await readCursor(cursor, university.key)
      if (!read || read.u !== university.id)
        return c.json({ error: 'invalid_cursor', detail: 'not a cursor this registrar gave' }, 400)
      if (read.s !== since || read.l !== limit)
        return c.json(
          {
            error: 'invalid_cursor',
            detail: 'the cursor belongs to another changed_since or limit',
          },
          400,
        )
      asOf = read.a
      after = read
    }
    const pending = store
      .changeTimes(university.id)
      .filter(
        (r) =>
          r.changedAt >= since &&
          r.changedAt <= asOf &&
          (!after || byChange(r, { changedAt: after.t, userId: after.i }) > 0),
      )
      .sort(byChange)
    const page = pending.slice(0, limit)
    const last = page.at(-1)
    const nextCursor =
      pending.length > limit && last
        ? await writeCursor(
            { u: university.id, s: since, l: limit, a: asOf, t: last.changedAt, i: last.userId },
            university.key,
          )
        : null
    return c.json({
      students: page.map((r) =>
        changeEntry(r.userId, store.stored(university.id, r.userId)!, r.changedAt),
      ),
      next_cursor: nextCursor,
      as_of: jstIsoMs(asOf),
    })
  })

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

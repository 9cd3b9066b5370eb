import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { holdSchema, storedRecord } from './record'
import { instant, jstIso, maintenanceAt, maintenanceJson, maintenanceSchema } from './rules'
import { faultSchema, type Store } from './store'

const clockSchema = z.union([
  z.object({ offsetMs: z.number().int() }),
  // Or the instant the clock should read now, which is what a test usually means.
  z.object({ now: instant }),
])

/** A hold to add: its description and date may be left to the registrar. */
const newHold = holdSchema.partial({ description: true, since: true })
const KNOWN_HOLDS: Record<string, { ja: string; en: string }> = {
  unpaid_fees: { ja: '学費未納', en: 'Tuition unpaid' },
  library: { ja: '図書未返却', en: 'Library books not returned' },
}

/** The request's JSON body checked against `schema`, or the 400 to answer. */
const parse = async <S extends z.ZodType>(c: Context, schema: S) => {
  const result = schema.safeParse(await c.req.json().catch(() => undefined))
  if (result.success) return { data: result.data as z.output<S> }
  const issues = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
  return { error: c.json({ error: 'invalid_request', issues }, 400) }
}

const count = (v: string | undefined, fallback: number, max: number) => {
  const n = Number(v)
  return v !== undefined && /^\d{1,6}$/.test(v) ? Math.min(n, max) : fallback
}

/**
 * The twin's back door for development tools and tests: read and change records as the
 * registrar's office would (status, names, grades, holds …), read the ledger, switch the
 * maintenance window and faults, move the clock. Not the registrar's API: no key, and
 * open during maintenance.
 */
export const adminApi = (store: Store) => {
  const admin = new Hono()

  admin.get('/universities', (c) => c.json(store.universities().map(({ key: _, ...u }) => u)))

  // The university's IT issues a new key (the old one is refused from then on); reset undoes it.
  admin.put('/universities/:university/key', async (c) => {
    const id = c.req.param('university')
    if (!store.university(id)) return c.json({ error: 'unknown_university' }, 404)
    const p = await parse(c, z.object({ key: z.string().min(8).max(200) }).strict())
    if (p.error) return p.error
    store.setKey(id, p.data.key)
    return c.json({ id })
  })

  admin.get('/students', (c) =>
    c.json(
      store.students({
        university: c.req.query('university'),
        status: c.req.query('status'),
        limit: count(c.req.query('limit'), 100, 2000),
        offset: count(c.req.query('offset'), 0, 100_000),
      }),
    ),
  )

  admin.get('/students/:university/:user', (c) => {
    const r = store.record(c.req.param('university'), c.req.param('user'))
    return r ? c.json(r) : c.json({ error: 'unknown_student' }, 404)
  })

  // Any fields of the record, over what the registrar holds (a new student needs them all).
  // GPA and credits earned are the registrar's sums of the grades, never set by hand.
  admin.put('/students/:university/:user', async (c) => {
    const { university, user } = c.req.param()
    const p = await parse(c, z.record(z.string(), z.unknown()))
    if (p.error) return p.error
    const { gpa: _g, credits_earned: _c, user_id: _u, ...change } = p.data
    const merged = storedRecord.safeParse({ ...store.stored(university, user), ...change })
    if (!merged.success) {
      const issues = merged.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
      return c.json({ error: 'invalid_request', issues }, 400)
    }
    return c.json(store.put(university, user, merged.data))
  })

  admin.post('/students/:university/:user/holds', async (c) => {
    const { university, user } = c.req.param()
    const p = await parse(c, newHold)
    if (p.error) return p.error
    const hold = {
      code: p.data.code,
      description: p.data.description ??
        KNOWN_HOLDS[p.data.code] ?? { ja: p.data.code, en: p.data.code },
      since: p.data.since ?? jstIso(store.now()).slice(0, 10),
    }
    const r = store.addHold(university, user, hold)
    return r ? c.json(r) : c.json({ error: 'unknown_student' }, 404)
  })

  admin.delete('/students/:university/:user/holds/:code', (c) => {
    const { university, user, code } = c.req.param()
    const r = store.removeHold(university, user, code)
    return r ? c.json(r) : c.json({ error: 'unknown_student' }, 404)
  })

  admin.get('/issuances', (c) =>
    c.json({
      issuances: store.issuances({
        university: c.req.query('university'),
        userId: c.req.query('user'),
        limit: count(c.req.query('limit'), 200, 10_000),
      }),
    }),
  )

  const maintenance = (c: Context) => {
    const m = store.maintenance()
    const now = store.now()
    const current = maintenanceAt(now, m)
    return c.json({
      ...maintenanceJson(m),
      now: jstIso(now),
      active: current ? { start: jstIso(current.start), end: jstIso(current.end) } : null,
    })
  }
  admin.get('/maintenance', maintenance)
  admin.put('/maintenance', async (c) => {
    const body = await c.req.json().catch(() => undefined)
    const p = maintenanceSchema.safeParse(body)
    if (!p.success) {
      const issues = p.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
      return c.json({ error: 'invalid_request', issues }, 400)
    }
    store.setMaintenance(body)
    return maintenance(c)
  })

  admin.get('/fault', (c) => c.json(store.fault()))
  admin.put('/fault', async (c) => {
    const p = await parse(c, faultSchema)
    if (p.error) return p.error
    store.setFault(p.data)
    return c.json(store.fault())
  })

  const clock = (c: Context) => c.json({ offsetMs: store.clockOffset(), now: store.now() })
  admin.get('/clock', clock)
  admin.put('/clock', async (c) => {
    const p = await parse(c, clockSchema)
    if (p.error) return p.error
    store.setClockOffset('offsetMs' in p.data ? p.data.offsetMs : p.data.now - Date.now())
    return clock(c)
  })

  admin.post('/reset', (c) => {
    store.reset()
    return c.json({ ok: true })
  })

  return admin
}

import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { instant, windowSchema } from './calendar'
import { cardIdOf, faultSchema, type Store } from './store'

const yen = z.number().int().positive()

const cardChange = z.object({
  balance: z.number().int().nonnegative().optional(),
  suspended: z.boolean().optional(),
})

const clockSchema = z.union([
  z.object({ offsetMs: z.number().int() }),
  // Or the instant the clock should read now, which is what a test usually means.
  z.object({ now: instant }),
])

const universityChange = z.object({
  balanceCap: z.number().int().positive().optional(),
  stopWindows: z.array(windowSchema).optional(),
})

/** The request's JSON body checked against `schema`, or the 400 to answer. */
const parse = async <S extends z.ZodType>(c: Context, schema: S) => {
  const result = schema.safeParse(await c.req.json().catch(() => undefined))
  if (result.success) return { data: result.data as z.output<S> }
  const issues = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
  return { error: c.json({ error: 'invalid_request', issues }, 400) }
}

/**
 * The twin's back door for development tools and tests: inspect and set cards, make
 * campus events happen, switch faults, move the clock, change a university's calendar.
 * Not part of M.I.C.'s API, so no key and no stop windows.
 */
export const adminApi = (store: Store) => {
  const admin = new Hono()

  admin.get('/cards', (c) => {
    const limit = Number(c.req.query('limit') ?? 200)
    return c.json(store.cards(Number.isInteger(limit) && limit > 0 ? Math.min(limit, 10_000) : 200))
  })

  admin.put('/cards/:university/:user', async (c) => {
    const p = await parse(c, cardChange)
    if (p.error) return p.error
    return c.json(store.setCard(c.req.param('university'), c.req.param('user'), p.data))
  })

  for (const kind of ['cash', 'purchase'] as const)
    admin.post(`/cards/:university/:user/${kind}`, async (c) => {
      const p = await parse(c, z.object({ amount: yen }))
      if (p.error) return p.error
      const r = store.campus(c.req.param('university'), c.req.param('user'), kind, p.data.amount)
      return c.json(r.body, r.status)
    })

  admin.get('/cards/:university/:user/credits', (c) =>
    c.json(store.creditsFor(cardIdOf(c.req.param('university'), c.req.param('user')))),
  )

  admin.get('/ledger', (c) => c.json(store.ledger()))

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

  admin.get('/universities/:id', (c) => c.json(store.university(c.req.param('id'))))
  admin.put('/universities/:id', async (c) => {
    const p = await parse(c, universityChange)
    if (p.error) return p.error
    const current = store.university(c.req.param('id'))
    store.setUniversity({ ...current, ...p.data })
    return c.json(store.university(current.id))
  })

  admin.post('/reset', (c) => {
    store.reset()
    return c.json({ ok: true })
  })

  return admin
}

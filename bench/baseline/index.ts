// The benchmark's baseline: a worker served by `wrangler dev` exactly like the service, so
// each figure of the service can be given as a ratio to what the same runtime, on the same
// machine, in the same run, does.
//
// - Any other path: a fixed response and nothing else (the ratio every goal is set against).
// - `/floor?steps=kv.b2,r100`: the runtime's floor for a page, the binding calls the page
//   cannot do without, made as the service makes them, and nothing else. Steps (`,`) one
//   after the other, each waiting for the one before; the calls of a step (`.`) side by
//   side. A call is `kv` (one KV read, the session), `d1` (one one-row D1 query), `bN` (one
//   D1 batch of N one-row queries), `rN` (one query of N rows as wide as an application) or
//   `q` (one message queued). Every step is one round trip. A page can go no faster than
//   its floor; the bench measures each page's floor beside it.
// - `POST /floor/setup`: the floor's table and KV key, made once before measuring.
const PAGE =
  '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>baseline</title></head><body><main><h1>baseline</h1></main></body></html>'

interface Env {
  DB: D1Database
  KV: KVNamespace
  QUEUE: Queue<unknown>
}

/** As wide as an `applications` row: 30 columns of numbers and short texts. */
const COLUMNS = Array.from({ length: 30 }, (_, i) => `c${i} ${i % 3 === 0 ? 'TEXT' : 'INTEGER'}`)
const html = (body: string) =>
  new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8' } })

const setup = async (env: Env) => {
  await env.DB.exec(
    `CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, ${COLUMNS.join(', ')})`,
  )
  await env.DB.exec('CREATE INDEX IF NOT EXISTS floor_owner ON floor (owner, id)')
  await env.DB.exec('DELETE FROM floor')
  const values = COLUMNS.map((c, i) => (c.endsWith('TEXT') ? `'value ${i}'` : String(i * 1000)))
  const insert = env.DB.prepare(`INSERT INTO floor VALUES (?, ?, ${values.join(', ')})`)
  await env.DB.batch(Array.from({ length: 500 }, (_, i) => insert.bind(i + 1, i < 100 ? 1 : 2)))
  await env.KV.put('session', JSON.stringify({ studentId: 1, createdAt: 0, refreshedAt: 0 }))
}

const ONE_ROW = 'SELECT * FROM floor WHERE id = ?'

/** One call of a floor's step (see the top of this file), answering how many rows it found. */
const call = async (token: string, env: Env): Promise<number> => {
  const n = Number(token.slice(1))
  if (token === 'kv') return (await env.KV.get('session', 'json')) ? 1 : 0
  if (token === 'd1') return (await env.DB.prepare(ONE_ROW).bind(1).first()) ? 1 : 0
  if (token === 'q') return (await env.QUEUE.send({ at: Date.now() }), 0)
  if (token.startsWith('b') && n > 0) {
    const one = env.DB.prepare(ONE_ROW)
    const results = await env.DB.batch(Array.from({ length: n }, (_, i) => one.bind(i + 1)))
    return results.reduce((k, r) => k + r.results.length, 0)
  }
  if (token.startsWith('r') && n > 0) {
    const { results } = await env.DB.prepare(
      'SELECT * FROM floor WHERE owner = 1 ORDER BY id DESC LIMIT ?',
    )
      .bind(n)
      .all()
    return results.length
  }
  throw new Error(`no such floor call: ${token}`)
}

const floor = async (url: URL, env: Env) => {
  let found = 0
  for (const step of (url.searchParams.get('steps') ?? '').split(',').filter(Boolean))
    found += (await Promise.all(step.split('.').map((token) => call(token, env)))).reduce(
      (a, b) => a + b,
      0,
    )
  return found
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/floor/setup') {
      await setup(env)
      return Response.json({ ready: true })
    }
    if (url.pathname === '/floor') {
      const found = await floor(url, env)
      return request.method === 'POST' ? Response.json({ received: found }) : html(PAGE)
    }
    if (request.method === 'POST') return Response.json({ received: true })
    return html(PAGE)
  },
  // The floor's messages are taken and dropped, as a consumer that does nothing would.
  async queue(batch: MessageBatch<unknown>): Promise<void> {
    batch.ackAll()
  },
} satisfies ExportedHandler<Env>

// The benchmark's baseline: a worker served by `wrangler dev` exactly like the service, so
// each figure of the service can be given as a ratio to what the same runtime, on the same
// machine, in the same run, does.
//
// - Any other path: a fixed response and nothing else (the ratio every goal is set against).
// - `/floor?d1=N&kv=K&rows=R&queue=1`: the runtime's floor for a page, the binding calls
//   the page cannot do without and nothing else: K KV reads and N one-row D1 queries one
//   after the other (as the service's middleware makes them), then, with rows, one query of
//   R rows as wide as an application, and with queue, one message sent. A page can go no
//   faster than its floor; the bench measures each page's floor beside it.
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

const floor = async (url: URL, env: Env) => {
  const n = (k: string) => Number(url.searchParams.get(k) ?? 0)
  let found = 0
  for (let i = 0; i < n('kv'); i++) if (await env.KV.get('session', 'json')) found++
  for (let i = 0; i < n('d1'); i++)
    if (
      await env.DB.prepare('SELECT * FROM floor WHERE id = ?')
        .bind(i + 1)
        .first()
    )
      found++
  if (n('rows') > 0) {
    const { results } = await env.DB.prepare(
      'SELECT * FROM floor WHERE owner = 1 ORDER BY id DESC LIMIT ?',
    )
      .bind(n('rows'))
      .all()
    found += results.length
  }
  if (n('queue') > 0) await env.QUEUE.send({ at: Date.now() })
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

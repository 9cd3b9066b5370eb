import { DurableObject } from 'cloudflare:workers'
import { Hono } from 'hono'
import { adminApi } from './admin'
import { micApi } from './api'
import { Store } from './store'

/** The whole M.I.C. twin: its own storage, M.I.C.'s API under /v1, the admin API under /_twin. */
export class MicTwin extends DurableObject<Env> {
  private readonly app = new Hono()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const store = new Store(ctx.storage, env)
    this.app.route('/', micApi(store, env))
    this.app.route('/_twin', adminApi(store))
    this.app.notFound((c) => c.json({ error: 'not_found' }, 404))
    this.app.onError((e, c) => c.json({ error: 'internal', detail: String(e) }, 500))
  }

  override fetch(request: Request) {
    return this.app.fetch(request)
  }
}

/** Every request goes to one instance: M.I.C. is one system with one ledger. */
export default {
  fetch: (request, env) => env.MIC.getByName('mic').fetch(request),
} satisfies ExportedHandler<Env>

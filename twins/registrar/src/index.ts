import { DurableObject } from 'cloudflare:workers'
import { Hono } from 'hono'
import { adminApi } from './admin'
import { registrarApi } from './api'
import { Store } from './store'

/** The whole registrar twin: its storage, the registrar's API under /v1, the admin API under /_twin. */
export class RegistrarTwin extends DurableObject<Env> {
  private readonly app = new Hono()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const store = new Store(ctx.storage, env)
    this.app.route('/', registrarApi(store))
    this.app.route('/_twin', adminApi(store))
    this.app.notFound((c) => c.json({ error: 'not_found' }, 404))
    this.app.onError((e, c) => c.json({ error: 'internal', detail: String(e) }, 500))
  }

  override fetch(request: Request) {
    return this.app.fetch(request)
  }
}

/**
 * Every request goes to one instance: the twin stands in for each university's registrar,
 * with one ledger for all (issuance keys are unique per university).
 */
export default {
  fetch: (request, env) => env.REGISTRAR.getByName('registrar').fetch(request),
} satisfies ExportedHandler<Env>

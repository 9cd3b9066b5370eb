/** @jsxImportSource hono/jsx */
import { KomojuTwin } from './twin'

export { KomojuTwin }

// Every request goes to one Durable Object: all merchants share one KOMOJU, and a single
// instance serialises what must happen once (idempotency keys, order numbers, the outbox).
export default {
  fetch(request, env) {
    return env.KOMOJU.get(env.KOMOJU.idFromName('komoju')).fetch(request)
  },
} satisfies ExportedHandler<Env>

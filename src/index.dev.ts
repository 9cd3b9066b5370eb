import { app } from './app'
import { withCatalogues } from './i18n/load'
import { queues } from './queues'
import { dev } from './routes/dev'
import { scheduled } from './scheduled'

// The development worker: the production app plus /_dev (mail, the twins' controls, the
// clock, the ledger). `npm start`, the tests and the benchmark run it; `wrangler deploy`
// builds src/index.ts, which never imports this file (npm test checks the bundle).
export { StudentDesk } from './durable/studentDesk'

app.route('/_dev', dev)

export default {
  fetch: withCatalogues(app.fetch),
  queue: withCatalogues(queues),
  scheduled: withCatalogues(scheduled),
} satisfies ExportedHandler<Env>

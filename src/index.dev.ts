import { app } from './app'
import { countingRoundTrips } from './devRoundTrips'
import { withCatalogues } from './i18n/load'
import { queues } from './queues'
import { dev } from './routes/dev'
import { scheduled } from './scheduled'

// The development worker: the production app plus /_dev (mail, the twins' controls, the
// clock, the ledger). `npm start`, the tests and the benchmark run it; `wrangler deploy`
// builds src/index.ts, which never imports this file (npm test checks the bundle). A request
// with `x-bench-round-trips: 1` is answered with its storage round trips counted
// (devRoundTrips.ts, for the bench); any other is served as production serves it.
export { StudentDesk } from './durable/studentDesk'

app.route('/_dev', dev)

export default {
  // The catalogues are loaded before the round trips are counted: they are no storage.
  fetch: withCatalogues(countingRoundTrips(app.fetch)),
  queue: withCatalogues(queues),
  scheduled: withCatalogues(scheduled),
} satisfies ExportedHandler<Env>

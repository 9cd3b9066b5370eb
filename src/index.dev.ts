import { app } from './app'
import { queue } from './queue'
import { ROSTER_QUEUE, rosterQueue } from './rosterQueue'
import { dev } from './routes/dev'
import { scheduled } from './scheduled'

// The development worker: the production app plus /_dev (mail, the twins' controls, the
// clock, the ledger). `npm start`, the tests and the benchmark run it; `wrangler deploy`
// builds src/index.ts, which never imports this file (npm test checks the bundle).
export { StudentDesk } from './durable/studentDesk'

app.route('/_dev', dev)

export default {
  fetch: app.fetch,
  // Each queue to its consumer: the roster's chunks, else the payment notifications.
  queue: (batch, env, ctx) =>
    batch.queue === ROSTER_QUEUE ? rosterQueue(batch, env) : queue(batch, env, ctx),
  scheduled,
} satisfies ExportedHandler<Env>

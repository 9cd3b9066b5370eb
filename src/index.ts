import { app } from './app'
import { queue } from './queue'
import { ROSTER_QUEUE, rosterQueue } from './rosterQueue'
import { scheduled } from './scheduled'

// The production worker: the service and nothing else. The development tools (/_dev) are
// only in index.dev.ts, which `npm start`, the tests and the benchmark run.
export { StudentDesk } from './durable/studentDesk'

export default {
  fetch: app.fetch,
  // Each queue to its consumer: the roster's chunks, else the payment notifications.
  queue: (batch, env, ctx) =>
    batch.queue === ROSTER_QUEUE ? rosterQueue(batch, env) : queue(batch, env, ctx),
  scheduled,
} satisfies ExportedHandler<Env>

import { app } from './app'
import { queues } from './queues'
import { scheduled } from './scheduled'

// The production worker: the service and nothing else. The development tools (/_dev) are
// only in index.dev.ts, which `npm start`, the tests and the benchmark run.
export { StudentDesk } from './durable/studentDesk'

export default {
  fetch: app.fetch,
  queue: queues,
  scheduled,
} satisfies ExportedHandler<Env>

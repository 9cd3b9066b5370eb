import { app } from './app'
import { withCatalogues } from './i18n/load'
import { queues } from './queues'
import { scheduled } from './scheduled'

// The production worker: the service and nothing else. The development tools (/_dev) are
// only in index.dev.ts, which `npm start`, the tests and the benchmark run.
export { StudentDesk } from './durable/studentDesk'

export default {
  fetch: withCatalogues(app.fetch),
  queue: withCatalogues(queues),
  scheduled: withCatalogues(scheduled),
} satisfies ExportedHandler<Env>

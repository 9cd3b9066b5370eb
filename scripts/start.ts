// `npm start` after the setup: the service on :8787 and the KOMOJU and M.I.C. twins on
// :8790 and :8791, on the local state in .wrangler/state, until Ctrl+C.
import { DEV_PORTS, startStack } from './devServer.ts'

const stack = await startStack({ ports: DEV_PORTS, state: '.wrangler/state', echo: true })
console.log(`
  M.I.C. Online Charge   http://localhost:${DEV_PORTS.service}
  development tools      http://localhost:${DEV_PORTS.service}/_dev/
  KOMOJU twin            http://localhost:${DEV_PORTS.komoju}
  M.I.C. twin            http://localhost:${DEV_PORTS.mic}
`)
const stop = () => {
  stack.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

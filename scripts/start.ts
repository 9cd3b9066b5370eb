// `npm start` after the setup: the service on :8787 and the KOMOJU, M.I.C. and registrar
// twins on :8790, :8791 and :8792, on the local state in .wrangler/state, until Ctrl+C.
import { DEV_PORTS, startStack } from './devServer.ts'

const stack = await startStack({ ports: DEV_PORTS, state: '.wrangler/state', echo: true })
console.log(`
  M.I.C. Online Charge   http://localhost:${DEV_PORTS.service}
  development tools      http://localhost:${DEV_PORTS.service}/_dev/
  KOMOJU twin            http://localhost:${DEV_PORTS.komoju}
  M.I.C. twin            http://localhost:${DEV_PORTS.mic}
  registrar twin         http://localhost:${DEV_PORTS.registrar}
`)
const stop = () => {
  stack.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

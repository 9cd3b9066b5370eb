// `npm run test:e2e`: starts the whole service with `wrangler dev` on its own fresh local
// state (migrations + demo seed), drives it in Debian's Chromium with the tests in this
// folder (node:test + playwright-core), and stops it again.
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, rmSync } from 'node:fs'

const PORT = Number(process.env.E2E_PORT ?? 8788)
const STATE = '.wrangler/e2e-state'
const BASE = `http://localhost:${PORT}`

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'inherit' })

run('bash', ['scripts/dev-vars.sh'])
rmSync(STATE, { recursive: true, force: true })
run('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', `--persist-to=${STATE}`])
run('node', ['scripts/seed.ts', `--persist-to=${STATE}`])

const server = spawn(
  'wrangler',
  ['dev', '--port', String(PORT), `--persist-to=${STATE}`, '--test-scheduled'],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  },
)
let log = ''
server.stdout.on('data', (d) => (log += d))
server.stderr.on('data', (d) => (log += d))
const stop = () => {
  try {
    process.kill(-server.pid!, 'SIGTERM')
  } catch {}
}
process.on('exit', stop)

const deadline = Date.now() + 90_000
for (;;) {
  try {
    if ((await fetch(`${BASE}/login`)).ok) break
  } catch {}
  if (Date.now() > deadline || server.exitCode !== null) {
    console.error(log)
    throw new Error('wrangler dev did not come up')
  }
  await new Promise((r) => setTimeout(r, 500))
}

const files = readdirSync('test/e2e')
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/e2e/${f}`)
const tests = spawn('node', ['--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, E2E_BASE_URL: BASE },
})
const code: number = await new Promise((resolve) => tests.on('exit', (c) => resolve(c ?? 1)))
if (code !== 0 && process.env.E2E_SHOW_SERVER_LOG) console.error(log)
stop()
process.exit(code)

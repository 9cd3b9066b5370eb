// `npm run test:e2e`: starts the whole service with `wrangler dev` on its own fresh local
// state (migrations + demo seed), drives it in Debian's Chromium with the tests in this
// folder (node:test + playwright-core), and stops it again.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { prepareState, startStack } from '../../scripts/devServer.ts'

const PORT = Number(process.env.E2E_PORT ?? 8788)
const STATE = '.wrangler/e2e-state'

// A wrangler dev registry of our own: with the shared one, every other wrangler dev or
// vitest run on the machine (they register workers of the same names) makes ours reload
// mid-test, losing the local queue's messages.
process.env.WRANGLER_REGISTRY_PATH ??= resolve('.wrangler/e2e-registry')

prepareState(STATE)
const stack = await startStack({
  ports: { service: PORT, komoju: PORT + 4, mic: PORT + 5 },
  state: STATE,
})
const server = stack.service

// `npm run test:e2e -- a11y` runs only the files whose names contain "a11y".
const only = process.argv.slice(2)
const files = readdirSync('test/e2e')
  .filter((f) => f.endsWith('.test.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .map((f) => `test/e2e/${f}`)
const tests = spawn('node', ['--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, E2E_BASE_URL: server.base, E2E_KOMOJU_URL: stack.komoju.base },
})
const code: number = await new Promise((resolve) => tests.on('exit', (c) => resolve(c ?? 1)))
if (code !== 0 && process.env.E2E_SHOW_SERVER_LOG)
  for (const [name, s] of Object.entries({ service: server, komoju: stack.komoju, mic: stack.mic }))
    console.error(`---- ${name} (${s.base}) ----\n${s.log()}`)
stack.stop()
process.exit(code)

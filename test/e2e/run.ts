// `npm run test:e2e`: starts the whole service with `wrangler dev` on its own fresh local
// state (migrations + demo seed), drives it in Debian's Chromium with the tests in this
// folder (node:test + playwright-core), and stops it again.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { prepareState, startStack } from '../../scripts/devServer.ts'
import { copyCertificateFonts } from '../../scripts/fonts.ts'

const PORT = Number(process.env.E2E_PORT ?? 8788)
const STATE = '.wrangler/e2e-state'

// A wrangler dev registry of our own: with the shared one, every other wrangler dev or
// vitest run on the machine (they register workers of the same names) makes ours reload
// mid-test, losing the local queue's messages.
process.env.WRANGLER_REGISTRY_PATH ??= resolve('.wrangler/e2e-registry')

// The certificates' font is a static asset the service reads (scripts/fonts.ts).
copyCertificateFonts()
prepareState(STATE)
const stack = await startStack({
  // The registrar twin too (certificates): 8794 by default, clear of npm start (8787,
  // 8790–8792) and the benchmark (8795+). startStack points REGISTRAR_API_URL at it.
  ports: { service: PORT, komoju: PORT + 4, mic: PORT + 5, registrar: PORT + 6 },
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
  env: {
    ...process.env,
    E2E_BASE_URL: server.base,
    E2E_KOMOJU_URL: stack.komoju.base,
    E2E_REGISTRAR_URL: stack.registrar!.base,
  },
})
const code: number = await new Promise((resolve) => tests.on('exit', (c) => resolve(c ?? 1)))
if (code !== 0 && process.env.E2E_SHOW_SERVER_LOG)
  for (const [name, s] of Object.entries({
    service: server,
    komoju: stack.komoju,
    mic: stack.mic,
    registrar: stack.registrar!,
  }))
    console.error(`---- ${name} (${s.base}) ----\n${s.log()}`)
stack.stop()
process.exit(code)

// Builds the production worker as `wrangler deploy` would (without deploying) and fails if
// any stand-in or development tool is inside: the twins are workers of their own and the
// development tools are only in src/index.dev.ts, never part of the product.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'

const out = '.wrangler/bundle-check'
rmSync(out, { recursive: true, force: true })
execFileSync('wrangler', ['deploy', '--dry-run', `--outdir=${out}`], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
const code = readdirSync(out)
  .filter((f) => f.endsWith('.js') || f.endsWith('.mjs'))
  .map((f) => readFileSync(`${out}/${f}`, 'utf8'))
  .join('\n')

// Names and texts that only the twins (or the removed sandbox) carry.
const FORBIDDEN = [
  'KomojuTwin',
  'MicTwin',
  'LocalMic',
  'SandboxGateway',
  'sandbox-gateway',
  'Komoju-Webhook', // the twin's webhook User-Agent
  'twins/',
  // The development tools (src/index.dev.ts only).
  'developmentOnly',
  'DEV_KOMOJU_ADMIN_URL',
]
const found = FORBIDDEN.filter((s) => code.includes(s))
if (code.length < 10_000) throw new Error(`the bundle in ${out} looks empty`)
if (found.length > 0) {
  console.error(`The production bundle contains stand-in code: ${found.join(', ')}`)
  process.exit(1)
}
console.log(
  `bundle check: ${(code.length / 1024).toFixed(0)} KiB of worker code, no stand-in inside`,
)

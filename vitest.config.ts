import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { writeCatalogues } from './scripts/catalogues.ts'
import { copyCertificateFonts } from './scripts/fonts.ts'
import { demoSigningVars } from './scripts/secrets.ts'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/** A twin (twins/<name>) bundled the way wrangler would, for Miniflare to run beside us. */
const bundle = async (entry: string) => {
  const out = await build({
    entryPoints: [here(entry)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2024',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*'],
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    write: false,
  })
  return out.outputFiles[0]!.text
}

/**
 * Where the Workers under test send their `fetch`es: the KOMOJU, M.I.C. and registrar twins by host
 * name, and everything else (the twins' webhooks) back to the service itself, keeping
 * the Host header so the service picks the university as it would in production.
 */
const ROUTER = `export default { fetch(request, env) {
  const host = new URL(request.url).hostname
  if (host === 'komoju.test') return env.KOMOJU.fetch(request)
  if (host === 'mic.test') return env.MIC.fetch(request)
  if (host === 'registrar.test') return env.REGISTRAR.fetch(request)
  if (host === 'localhost' || host.endsWith('.localhost')) return env.SERVICE.fetch(request)
  return new Response('no route to ' + host + ' in tests', { status: 502 })
} }`

/** The service's worker in @cloudflare/vitest-plugin (a project without a name). */
const RUNNER = 'vitest-plugin-runner-'

/**
 * TEST_CLOCK_JST="2026-11-30 23:45": the suite runs as if the wall clock had read that JST
 * time when it started. The offset goes to the service's development clock and both twins'
 * clocks (test/setup.ts) and to the tests' own sense of now (testNow in test/charge.ts).
 */
const pinnedClockOffset = () => {
  const pinned = process.env.TEST_CLOCK_JST?.trim()
  if (!pinned) return 0
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(pinned)
  if (!m) throw new Error(`TEST_CLOCK_JST must read YYYY-MM-DD HH:MM (JST), not ${pinned}`)
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number]
  console.log(`tests run as if it were ${pinned} JST`)
  return Date.UTC(y, mo - 1, d, h - 9, mi) - Date.now()
}

export const TEST_MERCHANTS = [
  {
    name: 'demo',
    secretKey: 'sk_test_demo',
    webhookSecret: 'whsec_test_demo',
    webhookUrl: 'http://localhost/payments/komoju/webhook',
  },
  // test/integration/console-universities.test.ts: the merchant account of op-s, a university
  // the operator creates and suspends (its webhooks must still be accepted and applied).
  {
    name: 'opsusp',
    secretKey: 'sk_test_op_suspended',
    webhookSecret: 'whsec_test_op_suspended',
    webhookUrl: 'http://op-s.localhost/payments/komoju/webhook',
  },
]

/** The registrar twin's universities in tests; demo2 allows 3 学割証 a year, to show the setting. */
export const TEST_REGISTRAR_UNIVERSITIES = [
  { id: 'demo', key: 'test-registrar-key-demo', studentDiscountPerYear: 10 },
  { id: 'demo2', key: 'test-registrar-key-demo2', studentDiscountPerYear: 3 },
]

// Tests run inside workerd with the real bindings of wrangler.toml (D1, KV, Queues,
// Durable Objects, send_email), in development mode with a test pepper, beside the three
// twins as Workers of their own: every call to KOMOJU, M.I.C. and the registrar goes over HTTP.
export default defineConfig(async () => {
  const [komoju, mic, registrar] = await Promise.all([
    bundle('./twins/komoju/src/index.tsx'),
    bundle('./twins/mic/src/index.ts'),
    bundle('./twins/registrar/src/index.ts'),
  ])
  const compatibilityDate = '2026-10-01'
  // The certificate's font, served to the worker under test through ASSETS as in production.
  copyCertificateFonts()
  // The catalogues, likewise (src/i18n/load.ts), written afresh from src/i18n/.
  writeCatalogues()
  const clockOffset = pinnedClockOffset()
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        // The development worker: the production app plus /_dev (src/index.dev.ts).
        main: './src/index.dev.ts',
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations(here('./migrations')),
            APP_ENV: 'development',
            MAIL_TRANSPORT: 'outbox',
            PEPPER: 'test-pepper',
            TOTP_KEYS: 'test1:8fTBas1b3nh7aVyEHeSwaE9Bna564MHk28u8tf3Ix9Q',
            MAILCHANNELS_API_KEY: '',
            MIC_API_URL: 'http://mic.test',
            MIC_API_KEY: 'test-mic-key',
            MIC_TIMEOUT_MS: '400',
            KOMOJU_API_URL: 'http://komoju.test',
            KOMOJU_SECRET_KEY: 'sk_test_demo',
            KOMOJU_WEBHOOK_SECRET: 'whsec_test_demo',
            DEV_KOMOJU_ADMIN_URL: 'http://komoju.test',
            DEV_MIC_ADMIN_URL: 'http://mic.test',
            REGISTRAR_API_URL: 'http://registrar.test',
            REGISTRAR_API_KEY_DEMO: TEST_REGISTRAR_UNIVERSITIES[0]!.key,
            REGISTRAR_API_KEY_DEMO2: TEST_REGISTRAR_UNIVERSITIES[1]!.key,
            REGISTRAR_TIMEOUT_MS: '1000',
            // test/integration/console-universities.test.ts: a test-only university op-a whose
            // keys the twins refuse (gateway account "opa", registrar key of OP_A).
            KOMOJU_SECRET_KEY_OPA: 'sk_test_refused_by_the_twin',
            KOMOJU_WEBHOOK_SECRET_OPA: 'whsec_test_op_a',
            REGISTRAR_API_KEY_OP_A: 'test-registrar-key-refused',
            KOMOJU_SECRET_KEY_OPSUSP: 'sk_test_op_suspended',
            KOMOJU_WEBHOOK_SECRET_OPSUSP: 'whsec_test_op_suspended',
            DEV_REGISTRAR_ADMIN_URL: 'http://registrar.test',
            TEST_CLOCK_OFFSET_MS: String(clockOffset),
            // test/integration/model.test.ts: how many random runs, and a seed to repeat one.
            MODEL_RUNS: process.env.MODEL_RUNS ?? '',
            MODEL_SEED: process.env.MODEL_SEED ?? '',
            // The demo universities' self-signed certificate signing keys: demo material kept
            // in .dev.vars.example, not secrets.
            ...demoSigningVars(),
          },
          outboundService: 'router',
          workers: [
            {
              name: 'router',
              modules: [{ type: 'ESModule', path: 'router.mjs', contents: ROUTER }],
              compatibilityDate,
              serviceBindings: {
                KOMOJU: 'komoju-twin',
                MIC: 'mic-twin',
                REGISTRAR: 'registrar-twin',
                SERVICE: RUNNER,
              },
            },
            {
              name: 'komoju-twin',
              modules: [{ type: 'ESModule', path: 'index.mjs', contents: komoju }],
              compatibilityDate,
              compatibilityFlags: ['nodejs_compat'],
              durableObjects: { KOMOJU: { className: 'KomojuTwin', useSQLite: true } },
              bindings: { MERCHANTS: JSON.stringify(TEST_MERCHANTS) },
              outboundService: 'router',
            },
            {
              name: 'mic-twin',
              modules: [{ type: 'ESModule', path: 'index.mjs', contents: mic }],
              compatibilityDate,
              compatibilityFlags: ['nodejs_compat'],
              durableObjects: { MIC: { className: 'MicTwin', useSQLite: true } },
              bindings: {
                MIC_API_KEY: 'test-mic-key',
                UNIVERSITIES: JSON.stringify([
                  {
                    id: 'demo',
                    balanceCap: 20000,
                    stopWindows: [{ start: '2027-03-31T11:00:00Z', end: '2027-04-01T00:00:00Z' }],
                  },
                ]),
              },
              outboundService: 'router',
            },
            {
              name: 'registrar-twin',
              modules: [{ type: 'ESModule', path: 'index.mjs', contents: registrar }],
              compatibilityDate,
              compatibilityFlags: ['nodejs_compat'],
              durableObjects: { REGISTRAR: { className: 'RegistrarTwin', useSQLite: true } },
              bindings: {
                UNIVERSITIES: JSON.stringify(TEST_REGISTRAR_UNIVERSITIES),
                // Off in tests: a file pinned at 01:15 JST (TEST_CLOCK_JST) is not about the
                // registrar's nightly window; the tests that are switch it on themselves.
                MAINTENANCE_WINDOW: 'off',
              },
            },
          ],
        },
      }),
    ],
    test: {
      include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
      setupFiles: ['./test/setup.ts'],
      testTimeout: 30_000,
    },
  }
})

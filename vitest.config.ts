import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests run inside workerd with the real bindings of wrangler.toml (D1, KV, Queues,
// Durable Objects, send_email), in development mode with a test pepper.
export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url))),
          APP_ENV: 'development',
          MAIL_TRANSPORT: 'outbox',
          PEPPER: 'test-pepper',
          MAILCHANNELS_API_KEY: '',
          MIC_TRANSPORT: 'local',
          MIC_API_KEY: 'test-mic-key',
          MIC_TIMEOUT_MS: '400',
          PAYMENT_API_KEY: 'test-payment-key',
          PAYMENT_WEBHOOK_SECRET: 'test-webhook-secret',
        },
      },
    }),
  ],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 30_000,
  },
}))

import type { D1Migration } from 'cloudflare:test'

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[]
      /** TEST_CLOCK_JST's offset from the real clock (vitest.config.ts), "0" without it. */
      TEST_CLOCK_OFFSET_MS: string
    }
  }
}

import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { seed } from './fixtures'

// Setup files run outside per-test storage isolation and may run more than once; both
// steps are idempotent.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
const seeded = await env.DB.prepare("SELECT 1 FROM universities WHERE id = 'demo'").first()
if (!seeded) await seed(env.DB, env.PEPPER)

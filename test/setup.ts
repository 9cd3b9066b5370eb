import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { database } from '../src/db'
import { setDevClockOffset } from '../src/flows/clock'
import { loadCatalogues } from '../src/i18n/load'
import { seed } from './fixtures'

// The catalogues, as each entry point of the worker loads them (tests call flows and views
// directly too).
await loadCatalogues(env.ASSETS)

// Setup files run outside per-test storage isolation and may run more than once; both
// steps are idempotent.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
const seeded = await env.DB.prepare("SELECT 1 FROM universities WHERE id = 'demo'").first()
if (!seeded) await seed(env.DB, env.PEPPER)

// TEST_CLOCK_JST: every test file starts at the pinned time, the service and the twins
// alike (a test that moves the clock moves them again, see setClock).
const offset = Number(env.TEST_CLOCK_OFFSET_MS || 0)
if (offset !== 0) {
  await setDevClockOffset(database(env.DB), offset)
  for (const twin of ['http://komoju.test', 'http://mic.test', 'http://registrar.test'])
    await fetch(`${twin}/_twin/clock`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ offsetMs: offset }),
    })
}

// The catalogues (src/i18n/: ja.ts, en.ts, console/) are served to the worker as a static
// asset (wrangler.toml [assets], read through env.ASSETS by src/i18n/load.ts), never bundled
// into its script: a third of it otherwise. This writes them as static/i18n/catalogues.json
// (gitignored). wrangler runs it before every build ([build] in wrangler.toml: `wrangler dev`,
// `deploy`, `check startup`), the tests' config runs it, so the asset is never older than
// the sources it is made from.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { catalogueSources } from '../src/i18n/sources.ts'
import { CATALOGUES_PATH } from '../src/i18n/load.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const CATALOGUES_FILE = resolve(root, `static${CATALOGUES_PATH}`)

/** Writes static/i18n/catalogues.json where it is missing or differs from the sources. */
export const writeCatalogues = () => {
  const json = JSON.stringify(catalogueSources())
  let current: string | null = null
  try {
    current = readFileSync(CATALOGUES_FILE, 'utf8')
  } catch {}
  // Unchanged: left alone, so `wrangler dev` sees no change in its assets.
  if (current === json) return
  mkdirSync(dirname(CATALOGUES_FILE), { recursive: true })
  writeFileSync(CATALOGUES_FILE, json)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeCatalogues()
  console.log(`catalogues: static${CATALOGUES_PATH}`)
}

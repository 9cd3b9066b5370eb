import type { Catalogue } from './catalogue'
import type { ConsoleCatalogue } from './console/parts'

/**
 * Every text the service shows, in both languages: the student pages' and mails' catalogues
 * and the console's. They are a third of the script's size, so they stay out of it:
 * scripts/catalogues.ts writes them from src/i18n/ (the one source) into the static assets,
 * and each isolate reads them once through the ASSETS binding before its first request,
 * message, cron run or Durable Object call (every entry point awaits loadCatalogues).
 */
export interface Catalogues {
  ja: Catalogue
  en: Catalogue
  console: { ja: ConsoleCatalogue; en: ConsoleCatalogue }
}

/** The ASSETS binding, as much of it as is used (scripts/catalogues.ts reads this file in Node). */
type Assets = { fetch(url: string): Promise<Response> }

/** Where the catalogues are among the static assets. */
export const CATALOGUES_PATH = '/i18n/catalogues.json'

let loaded: Catalogues | null = null
let loading: Promise<void> | null = null

/**
 * Reads the catalogues from the assets, once per isolate (later calls return at once). A
 * missing or unreadable file fails the call, and the next call tries again: never a page
 * with keys in place of texts.
 */
export const loadCatalogues = (assets: Assets): Promise<void> => {
  if (loaded) return Promise.resolve()
  loading ??= (async () => {
    // The assets binding answers by path; the host is not looked at.
    const res = await assets.fetch(`https://assets.invalid${CATALOGUES_PATH}`)
    if (!res.ok) throw new Error(`the catalogues are missing from the assets (${res.status})`)
    const read = (await res.json()) as Partial<Catalogues>
    if (!read.ja || !read.en || !read.console?.ja || !read.console.en)
      throw new Error(`${CATALOGUES_PATH} lacks a catalogue: run node scripts/catalogues.ts`)
    loaded = read as Catalogues
  })().catch((e: unknown) => {
    loading = null
    throw e
  })
  return loading
}

/** The loaded catalogues; throws before loadCatalogues has succeeded in this isolate. */
export const catalogues = (): Catalogues => {
  if (!loaded) throw new Error('the catalogues are not loaded: await loadCatalogues(env.ASSETS)')
  return loaded
}

/**
 * `handler` once the catalogues are loaded: each entry point of a worker (fetch, queue,
 * scheduled: `(input, env, ctx)`) is wrapped in this, keeping its type.
 */
export const withCatalogues = <H extends (input: never, env: never, ctx: never) => unknown>(
  handler: H,
): H =>
  (async (input: never, env: { ASSETS: Assets }, ctx: never) => {
    if (!loaded) await loadCatalogues(env.ASSETS)
    return handler(input, env as never, ctx)
  }) as unknown as H

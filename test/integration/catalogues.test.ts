import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { CATALOGUES_PATH } from '../../src/i18n/load'
import { catalogueSources } from '../../src/i18n/sources'

// The catalogues are a static asset the worker reads once per isolate (src/i18n/load.ts).
// test/setup.ts loads them for every test file, so the module-level state here is fresh
// copies of the modules (vi.resetModules) wherever what happens before loading matters.
const fresh = async () => {
  vi.resetModules()
  const load = await import('../../src/i18n/load')
  const i18n = await import('../../src/i18n/index')
  const console = await import('../../src/i18n/console/index')
  return { ...load, ...i18n, ...console }
}

/** An ASSETS binding serving `body` at every path, or nothing (404). */
const assetsServing = (body: unknown | null) => ({
  fetch: async () => (body === null ? new Response('', { status: 404 }) : Response.json(body)),
})

describe('catalogues as a static asset', () => {
  it('serves the worker every text of src/i18n as written, in both languages', async () => {
    const res = await env.ASSETS.fetch(`https://assets.invalid${CATALOGUES_PATH}`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(catalogueSources())
  })

  it('fails loudly before they are loaded and while the asset is missing, then reads it', async () => {
    const { loadCatalogues, translator, consoleText } = await fresh()
    expect(() => translator('ja').t('menu')).toThrow(/not loaded/)
    expect(() => consoleText('en')('consoleName')).toThrow(/not loaded/)
    await expect(loadCatalogues(assetsServing(null))).rejects.toThrow(/missing/)
    await expect(loadCatalogues(assetsServing({ ja: {} }))).rejects.toThrow(/lacks a catalogue/)
    expect(() => translator('ja').t('menu')).toThrow(/not loaded/)
    // A failed read is tried again on the next call.
    await loadCatalogues(env.ASSETS)
    const { ja, en, console } = catalogueSources()
    expect(translator('ja').t('menu')).toBe(ja.menu)
    expect(translator('en').sections('manualSections')).toEqual(en.manualSections)
    expect(consoleText('en')('consoleName')).toBe(console.en.consoleName)
  })

  it('throws rather than show a key when the asset lacks a text', async () => {
    const { loadCatalogues, translator, consoleText } = await fresh()
    const { ja, en, console } = catalogueSources()
    const { menu: _, ...jaWithoutMenu } = ja
    const { consoleName: __, ...enWithoutName } = console.en
    await loadCatalogues(
      assetsServing({ ja: jaWithoutMenu, en, console: { ja: console.ja, en: enWithoutName } }),
    )
    expect(() => translator('ja').t('menu')).toThrow(/no text menu/)
    expect(translator('en').t('menu')).toBe(en.menu)
    expect(() => consoleText('en')('consoleName')).toThrow(/no text consoleName/)
  })

  it('has each entry point of the worker load them before it handles anything', async () => {
    const { default: worker } = (await (async () => {
      vi.resetModules()
      return import('../../src/index')
    })()) as typeof import('../../src/index')
    const ctx = createExecutionContext()
    const res = await worker.fetch(new Request('http://localhost/login'), env, ctx)
    await waitOnExecutionContext(ctx)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain(catalogueSources().ja.serviceName)
  })
})

describe('the favicon (issue 22: a 404 on every page before)', () => {
  it('is a static asset in both forms, linked from the student pages and the console', async () => {
    for (const [path, type] of [
      ['/favicon.svg', 'image/svg+xml'],
      ['/favicon.ico', 'image/'],
    ] as const) {
      const res = await env.ASSETS.fetch(`https://assets.invalid${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type'), path).toContain(type)
      await res.arrayBuffer()
    }
    const { default: worker } = await import('../../src/index')
    for (const page of ['http://localhost/login', 'http://localhost/staff/login']) {
      const ctx = createExecutionContext()
      const res = await worker.fetch(new Request(page), env, ctx)
      await waitOnExecutionContext(ctx)
      const html = await res.text()
      expect(html, page).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>')
      expect(html, page).toContain('<link rel="icon" href="/favicon.ico" sizes="32x32"/>')
    }
  })
})

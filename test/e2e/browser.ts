import assert from 'node:assert/strict'
import { chromium, type Browser, type Page } from 'playwright-core'

export const BASE = process.env.E2E_BASE_URL ?? 'http://localhost:8788'
/** The KOMOJU twin, where the student's browser is sent to pay (run.ts starts it). */
export const KOMOJU_BASE = process.env.E2E_KOMOJU_URL ?? 'http://localhost:8792'

/** Debian's Chromium, headless, with nothing that reaches for the network. */
export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })

export const PHONE = { width: 375, height: 812 }
export const DESKTOP = { width: 1280, height: 800 }

/** The newest mail to `to` in /_dev/mail, as its first link; waits for mail sent after the response. */
export const mailLink = async (page: Page, to: string, notBefore?: string): Promise<string> => {
  for (let i = 0; i < 40; i++) {
    await page.goto(`${BASE}/_dev/mail`)
    const href = await page
      .locator(`article[data-to="${to}"]`)
      .first()
      .locator('pre a')
      .first()
      .getAttribute('href')
      .catch(() => null)
    if (href && href !== notBefore) return href
    await page.waitForTimeout(250)
  }
  throw new Error(`no mail with a link to ${to}`)
}

export const mainText = async (page: Page) =>
  (await page.locator('main').innerText()).replace(/\s+/g, ' ')

/** A page's description lists (`dl`) as label → value, in the order shown. */
export const definitions = (page: Page, selector = 'main dl') =>
  page.locator(selector).evaluateAll((lists) => {
    const out: Record<string, string> = {}
    for (const dl of lists)
      for (const dt of Array.from(dl.querySelectorAll('dt'))) {
        const dd = dt.nextElementSibling
        const label = (dt.textContent ?? '').trim()
        if (dd?.tagName === 'DD' && !(label in out))
          out[label] = (dd.textContent ?? '').replace(/\s+/g, ' ').trim()
      }
    return out
  })

/** The card's balance on the M.I.C. twin, as /_dev/mic shows it (¥1,000 before first use). */
export const cardBalance = async (page: Page, userId: string) => {
  await page.goto(`${BASE}/_dev/mic`)
  const cell = page.locator(`tr[data-card="demo:${userId}"] .balance`)
  return (await cell.count()) ? Number((await cell.innerText()).replace(/[^0-9]/g, '')) : 1000
}

/** Fails when the page scrolls sideways: the layout must fit the width. */
export const fitsWidth = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)

/** Asserts the page does not scroll sideways, naming the elements that stick out if it does. */
export const assertFits = async (page: Page, where = page.url()) => {
  if (await fitsWidth(page)) return
  const wide = await page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const out: string[] = []
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect()
      const inside = el.parentElement && el.parentElement.getBoundingClientRect().right > width
      if (r.right > width + 0.5 && !inside)
        out.push(
          `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).replace(/ /g, '.')}` : ''} ` +
            `(right edge ${Math.round(r.right)} px of ${width}): ${(el.textContent ?? '').trim().slice(0, 60)}`,
        )
    }
    return out.slice(0, 5)
  })
  assert.fail(`${where} scrolls sideways: ${wide.join('; ')}`)
}

/** Moves the service clock with /_dev/clock, the way a developer would ("YYYY-MM-DD HH:MM" JST). */
export const setClock = async (page: Page, jst: string) => {
  await page.goto(`${BASE}/_dev/clock`)
  await page.getByLabel(/Set the service time/).fill(jst)
  await page.getByRole('button', { name: 'Set', exact: true }).click()
  const shown = await page.locator('#service-time').innerText()
  if (!shown.includes(jst.replace(/-/g, '/'))) throw new Error(`clock shows ${shown}, not ${jst}`)
}

/** The next `hh:mm` JST after `after`. */
export const nextJstAt = (hh: number, mm: number, after = Date.now()) => {
  let at =
    Math.floor((after + 9 * 3600_000) / 86_400_000) * 86_400_000 -
    9 * 3600_000 +
    (hh * 60 + mm) * 60_000
  while (at <= after) at += 86_400_000
  return at
}
/** "YYYY-MM-DD HH:MM" in JST. */
export const jstText = (ms: number) =>
  new Date(ms + 9 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
export const nextJst = (hh: number, mm: number) => jstText(nextJstAt(hh, mm))

/** A name matched whole, as written. */
export const exact = (text: string) =>
  new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)

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

/** The elements that stick out to the right of the page, if it scrolls sideways. */
const sticksOut = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth
    if (document.documentElement.scrollWidth <= width) return []
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
    return out.length ? out.slice(0, 5) : ['(no single element)']
  })

/**
 * Text squeezed into a column a few pixels wide, which a page that fits its width can still
 * show (and axe does not see): a text of three or more characters that wraps onto lines of a
 * character or two each, or whose lines are each narrower than about two characters, or
 * that runs out of a box narrower than two characters. Text a reader cannot see (hidden,
 * clipped to nothing) is left out.
 */
const squeezed = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = []
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().replace(/\s+/g, '.')}` : ''}`
    const unseen = (el: Element) => {
      // Inside a closed <details>, display: none, content-visibility: hidden, visibility: hidden.
      if (!el.checkVisibility({ visibilityProperty: true })) return true
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e)
        if (s.visibility === 'hidden' || s.clipPath !== 'none' || (s.clip && s.clip !== 'auto'))
          return true
        const r = e.getBoundingClientRect()
        if (s.overflow !== 'visible' && (r.width <= 1 || r.height <= 1)) return true
      }
      return false
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const chars = Array.from((node.textContent ?? '').replace(/\s+/g, '')).length
      const el = node.parentElement
      if (chars < 3 || !el || el.closest('script, style, noscript, svg')) continue
      const range = document.createRange()
      range.selectNodeContents(node)
      const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0)
      if (rects.length === 0 || unseen(el)) continue
      // The rectangles of one line overlap vertically; a new line starts below the last.
      const lines: { top: number; bottom: number; left: number; right: number }[] = []
      for (const r of rects.sort((a, b) => a.top - b.top)) {
        const line = lines.find(
          (l) => r.top + r.height / 2 > l.top && r.top + r.height / 2 < l.bottom,
        )
        if (line) {
          line.left = Math.min(line.left, r.left)
          line.right = Math.max(line.right, r.right)
        } else lines.push({ top: r.top, bottom: r.bottom, left: r.left, right: r.right })
      }
      const em = parseFloat(getComputedStyle(el).fontSize)
      const widest = Math.max(...lines.map((l) => l.right - l.left))
      let box: Element = el
      while (box.parentElement && ['inline', 'contents'].includes(getComputedStyle(box).display))
        box = box.parentElement
      const boxWidth = box.getBoundingClientRect().width
      const text = (node.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)
      if (lines.length >= 2 && (chars / lines.length < 3 || widest < 2.5 * em))
        out.push(`${name(el)} "${text}": ${lines.length} lines of ${Math.round(widest)} px at most`)
      else if (boxWidth < 2 * em && widest > boxWidth + 1)
        out.push(
          `${name(el)} "${text}": ${Math.round(widest)} px of text in a box ${Math.round(boxWidth)} px wide`,
        )
    }
    return out.slice(0, 5)
  })

/** The phone widths every layout check covers: the smallest in use, iPhone SE, 12–15, Plus. */
export const PHONE_WIDTHS = [320, 375, 390, 414]

/**
 * Asserts the page fits its width: it does not scroll sideways and no text is squeezed into a
 * column a few pixels wide, naming what does not fit. Checked at the page's own width and at
 * each of `PHONE_WIDTHS`, the page then back at its own size.
 */
export const assertFits = async (page: Page, where = page.url()) => {
  const own = page.viewportSize()!
  const problems: string[] = []
  for (const width of [own.width, ...PHONE_WIDTHS.filter((w) => w !== own.width)]) {
    if (width !== page.viewportSize()!.width) await page.setViewportSize({ ...own, width })
    const wide = await sticksOut(page)
    if (wide.length) problems.push(`at ${width} px it scrolls sideways: ${wide.join('; ')}`)
    const narrow = await squeezed(page)
    if (narrow.length) problems.push(`at ${width} px text is squeezed: ${narrow.join('; ')}`)
  }
  if (page.viewportSize()!.width !== own.width) await page.setViewportSize(own)
  if (problems.length) assert.fail(`${where} does not fit:\n${problems.join('\n')}`)
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

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import type { Locator, Page } from 'playwright-core'

// axe-core from npm, injected into each page as it is (the context must bypass our CSP).
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: unknown[]; failureSummary?: string }>
}

/** The WCAG 2.2 AA rules: A and AA of WCAG 2.0, 2.1 and 2.2 (target size among them). */
export const WCAG22AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

/**
 * Runs axe-core on the page as it stands; fails on any serious or critical violation, or,
 * with `wcag22aa`, on any violation of the WCAG 2.2 AA rules whatever its impact (the
 * student's pages). axe's `target-size` (2.5.8, 24×24 px) is off by default: enabled here.
 */
export const checkA11y = async (
  page: Page,
  where: string,
  seen?: Set<string>,
  { wcag22aa = false }: { wcag22aa?: boolean } = {},
) => {
  await page.waitForLoadState('domcontentloaded')
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE })
  const options = wcag22aa
    ? { runOnly: { type: 'tag', values: WCAG22AA }, rules: { 'target-size': { enabled: true } } }
    : {}
  const violations = await page.evaluate(async (options) => {
    type Axe = { run(c: Document, o: object): Promise<{ violations: unknown[] }> }
    const axe = (window as unknown as { axe: Axe }).axe
    return (await axe.run(document, options)).violations
  }, options)
  const bad = (violations as AxeViolation[]).filter(
    (v) => wcag22aa || v.impact === 'serious' || v.impact === 'critical',
  )
  seen?.add(new URL(page.url()).pathname)
  assert.deepEqual(
    bad.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      where: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    })),
    [],
    `accessibility violations on ${where} (${page.url()})`,
  )
}

const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement)

/**
 * Moves focus with the Tab key alone until `target` has it, and checks that focus can be
 * seen there (an outline or a shadow).
 */
export const tabTo = async (page: Page, target: Locator) => {
  await target.waitFor()
  // 90: the operator's 大学を作成 form has some 70 stops from its first field to its button.
  for (let i = 0; i < 90 && !(await isFocused(target)); i++) await page.keyboard.press('Tab')
  assert.ok(await isFocused(target), `Tab never reaches ${target}`)
  const visible = await target.evaluate((el) => {
    const s = getComputedStyle(el)
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'
  })
  assert.ok(visible, `focus on ${target} cannot be seen`)
}

/** Tabs to a field and types into it, as a keyboard user does. */
export const typeInto = async (page: Page, field: Locator, text: string) => {
  await tabTo(page, field)
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Backspace')
  if (text) await page.keyboard.type(text)
}

/** Tabs to a link or button and presses Enter, then waits for the page it leads to. */
export const activate = async (page: Page, target: Locator) => {
  await tabTo(page, target)
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')])
}

/** Chooses a radio button with Tab and the arrow keys. */
export const chooseRadio = async (page: Page, group: Locator, choice: Locator) => {
  const count = await group.count()
  for (let i = 0; i < 60 && !(await isFocused(choice)); i++) {
    const inGroup = await group.evaluateAll((els) =>
      els.includes(document.activeElement as HTMLElement),
    )
    await page.keyboard.press(inGroup ? 'ArrowDown' : 'Tab')
  }
  assert.ok(count > 0 && (await isFocused(choice)), `cannot reach ${choice} by keyboard`)
  await page.keyboard.press('Space')
  assert.ok(await choice.isChecked())
}

/**
 * Everything a reader can see lies inside the viewport: no element's box reaches past its
 * left edge (0) or its right edge (innerWidth), and the page does not scroll sideways. What
 * is hidden (a closed <details>, display: none, clipped to nothing for screen readers only)
 * is left out. And no date, amount or status is split over two lines ("2026/12/0|6",
 * "1,000|円", "お支払い済|み").
 */
export const assertInsideViewport = async (page: Page, where: string) => {
  const problems = await page.evaluate(() => {
    const width = window.innerWidth
    const out: string[] = []
    const scroll = document.documentElement.scrollWidth
    if (scroll > width) out.push(`the page is ${scroll} px wide`)
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().replace(/\s+/g, '.')}` : ''}`
    const clipped = (el: Element) => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e)
        if (s.clipPath !== 'none' || (s.clip && s.clip !== 'auto')) return true
      }
      return false
    }
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      if (r.left > -0.5 && r.right < width + 0.5) continue
      if (!el.checkVisibility({ visibilityProperty: true }) || clipped(el)) continue
      out.push(
        `${name(el)} (${Math.round(r.left)}..${Math.round(r.right)} px of ${width}): ${(el.textContent ?? '').trim().slice(0, 30)}`,
      )
    }
    // A value of one piece: a date, a time, an amount in yen, a payment status.
    const whole = /^(\d{4}\/\d{2}\/\d{2}( \d{2}:\d{2})?|¥[\d,]+|[\d,]+円|お支払い(済み|待ち|完了))$/
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? '').trim()
      if (!whole.test(text) || !node.parentElement?.checkVisibility()) continue
      const range = document.createRange()
      range.selectNodeContents(node)
      const tops = new Set(
        Array.from(range.getClientRects())
          .filter((r) => r.width > 0)
          .map((r) => Math.round(r.top + r.height / 2)),
      )
      if (tops.size > 1) out.push(`"${text}" is split over ${tops.size} lines`)
    }
    return out.slice(0, 8)
  })
  assert.deepEqual(
    problems,
    [],
    `${where} at ${page.viewportSize()?.width} px: outside the viewport`,
  )
}

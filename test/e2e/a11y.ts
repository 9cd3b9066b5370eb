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

/** Runs axe-core on the page as it stands; fails on any serious or critical violation. */
export const checkA11y = async (page: Page, where: string, seen?: Set<string>) => {
  await page.waitForLoadState('domcontentloaded')
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE })
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe
    return (await axe.run()).violations
  })
  const bad = (violations as AxeViolation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
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

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { admin } from '../../src/i18n/console/admin.ts'
import { common } from '../../src/i18n/console/common.ts'
import { activate, typeInto } from './a11y.ts'
import { assertFits, BASE, DESKTOP, exact, launch } from './browser.ts'
import { button, field, staffLogin } from './staff.ts'

/**
 * 監査ログ read at a desktop's width as a person reads it (issue 21): the page and its table
 * both without sideways scrolling, 変更前 / 変更後 as fields; and the console's menu on a
 * phone (390 and 320 px), where ログアウト never sits alone on a line. One browser, one
 * sign-in, each page once per width and language.
 */

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** How far the page and the audit table scroll sideways (0 when they fit). */
const sideways = (page: Page) =>
  page.evaluate(() => {
    const doc = document.documentElement
    const wrap = document.querySelector('.table-wrap:has(table.admin-audit)')
    return {
      page: doc.scrollWidth - doc.clientWidth,
      table: wrap ? wrap.scrollWidth - wrap.clientWidth : -1,
    }
  })

/**
 * Whether ログアウト shares its line with something else of the menu: the button's middle lies
 * within another item's height (the member's name beside it).
 */
const logoutAlone = (page: Page) =>
  page.evaluate(() => {
    const nav = document.querySelector('.console-nav')!
    const logout = nav.querySelector('form button')!.getBoundingClientRect()
    const middle = logout.top + logout.height / 2
    const others = Array.from(nav.querySelectorAll('li, .console-who'))
      .map((e) => e.getBoundingClientRect())
      .filter((r) => r.width > 0)
    return !others.some((r) => r.top < middle && r.bottom > middle)
  })

describe('the console in plain words, at a desktop and on a phone', () => {
  it('shows 監査ログ at 1280 px without sideways scrolling, and keeps ログアウト company on a phone', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage()
    await page.goto(`${BASE}/lang/ja?next=/staff/login`)
    await staffLogin(page, 'admin@demo.example')
    // An entry with fields: an invitation of a long address (staff.invite, its 変更後).
    await page.goto(`${BASE}/staff/members`)
    const invitee = `plain-words-${Date.now()}-with-a-rather-long-local-part@university-office.example`
    await typeInto(page, field(page, 'email'), invitee)
    await typeInto(page, field(page, 'name'), 'カンサ ハナコ')
    await activate(page, button(page, admin.ja.adminInviteButton))

    for (const lang of ['ja', 'en'] as const) {
      await page.setViewportSize(DESKTOP)
      await page.goto(`${BASE}/lang/${lang}?next=/staff/audit`)
      const main = page.locator('main')
      // The invitation is named in words, its address among the fields.
      const row = main.locator('tbody tr', { hasText: invitee }).first()
      await row.waitFor()
      assert.equal(
        (await row.locator('td.audit-action').innerText()).trim(),
        admin[lang].adminActStaffInvite,
      )
      assert.ok(
        await row
          .locator('dl.audit-fields dt', { hasText: exact(admin[lang].adminFldEmail) })
          .count(),
        `${lang}: no ${admin[lang].adminFldEmail} field`,
      )
      assert.deepEqual(await sideways(page), { page: 0, table: 0 }, `${lang} at 1280 px`)
      await assertFits(page, `監査ログ (${lang})`)

      for (const width of [390, 320]) {
        await page.setViewportSize({ width, height: 800 })
        assert.equal(
          await logoutAlone(page),
          false,
          `${lang}: ${common[lang].logout} alone at ${width} px`,
        )
      }
    }
    await page.context().close()
  })
})

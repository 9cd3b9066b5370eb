import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { admin } from '../../src/i18n/console/admin.ts'
import { applications } from '../../src/i18n/console/applications.ts'
import { common } from '../../src/i18n/console/common.ts'
import { reconcile } from '../../src/i18n/console/reconcile.ts'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import { students } from '../../src/i18n/console/students.ts'
import { activate, checkA11y, typeInto } from './a11y.ts'
import { assertFits, BASE, DESKTOP, exact, launch, nextJst, PHONE, setClock } from './browser.ts'
import { button, field, staffLogin } from './staff.ts'
import { onboard } from './student.ts'

/**
 * Every console page, at a phone's width in Japanese and at a desktop's in English, used by
 * keyboard alone: axe-core finds no serious or critical violation, error states included,
 * and no page scrolls sideways. The administrator sees every page there is; the invitation
 * page is opened from an invitation made here.
 */

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

type Lang = 'ja' | 'en'
const text = (lang: Lang) => ({
  ...common[lang],
  ...applications[lang],
  ...students[lang],
  ...reconcile[lang],
  ...admin[lang],
})

const tour = async (page: Page, lang: Lang, invitee: string, userId: string) => {
  const t = text(lang)
  const seen = new Set<string>()
  const check = async (where: string) => {
    await checkA11y(page, where, seen)
    await assertFits(page, where)
  }
  const main = page.locator('main')
  const link = (name: string) => main.getByRole('link', { name: exact(name) }).first()
  const nav = (name: string) =>
    page.locator('.console-nav').getByRole('link', { name: exact(name) })

  // A student with an application of their own to look at: a コンビニ charge, awaiting payment.
  const student = await (await browser.newContext({ viewport: DESKTOP })).newPage()
  await onboard(student, userId, lang)
  await student.goto(`${BASE}/charge/confirm?amount=1000&method=cvs_lawson`)
  await student.getByRole('button', { name: exact(lang === 'ja' ? ja.apply : en.apply) }).click()
  await student.context().close()

  await page.goto(`${BASE}/lang/${lang}?next=/staff/login`)
  await check('login')
  await activate(page, button(page, t.loginButton))
  await check('login with errors')
  await staffLogin(page, 'admin@demo.example')
  await check('要対応')

  await activate(page, nav(t.navSearch))
  await check('検索')
  await typeInto(page, field(page, 'id'), 'abc')
  await activate(page, button(page, t.appSearchButton))
  await check('検索 with an error')
  await typeInto(page, field(page, 'id'), '')
  await typeInto(page, field(page, 'user'), userId)
  await activate(page, button(page, t.appSearchButton))
  await check('検索 results')
  await activate(page, main.locator('table a[href^="/staff/applications/"]').first())
  await check('申請詳細')
  const detail = page.url()
  await activate(page, link(t.appActionResendMail))
  await check('メール再送 confirmation')
  await activate(page, button(page, t.appActionResendMail))
  await check('confirmation with a missing reason')

  await page.goto(detail)
  await activate(page, link(t.appStudentLink))
  await check('学生')
  await activate(page, link(t.studentsUnlock))
  await check('ログインロック解除 confirmation')

  await activate(page, nav(t.navReconcile))
  await check('突合')
  await activate(page, button(page, t.reconcileRunButton))
  await check('突合 with an error')

  await activate(page, nav(t.navSettings))
  await check('大学設定')
  await typeInto(page, field(page, 'balance_cap'), '0')
  await activate(page, button(page, t.adminSave))
  await check('大学設定 with errors')

  await activate(page, nav(t.navStaff))
  await check('スタッフ')
  await typeInto(page, field(page, 'email'), invitee)
  await typeInto(page, field(page, 'name'), 'アクセス テスト')
  await activate(page, button(page, t.adminInviteButton))
  await check('スタッフ with a new invitation')
  const url = await main.locator('.invite-url').innerText()

  await activate(page, nav(t.navAudit))
  await check('監査ログ')

  await page.goto(`${BASE}/staff/applications/999999999`)
  await check('not found')

  // The invitee's page, in a browser of their own.
  const other = await (
    await browser.newContext({ viewport: page.viewportSize()!, bypassCSP: true })
  ).newPage()
  await other.goto(`${BASE}/lang/${lang}?next=${encodeURIComponent(new URL(url).pathname)}`)
  await checkA11y(other, 'invitation', seen)
  await assertFits(other, 'invitation')
  assert.ok(await other.locator('main img[src^="data:image/svg+xml"]').count(), 'no QR code')
  await activate(other, button(other, t.inviteButton))
  await checkA11y(other, 'invitation with errors', seen)
  await assertFits(other, 'invitation with errors')
  return seen
}

describe('console accessibility and keyboard use', () => {
  before(async () => {
    const page = await browser.newPage()
    await setClock(page, nextJst(12, 0))
    await page.close()
  })

  it(
    'every console page at 375 px, in Japanese, by keyboard alone',
    { timeout: 300_000 },
    async () => {
      const page = await (await browser.newContext({ viewport: PHONE, bypassCSP: true })).newPage()
      const seen = await tour(page, 'ja', 'a11y-ja@demo.example', 'demo0402')
      assert.ok(seen.size >= 12, `only ${seen.size} pages checked`)
    },
  )

  it(
    'every console page at desktop width, in English, by keyboard alone',
    { timeout: 300_000 },
    async () => {
      const page = await (
        await browser.newContext({ viewport: DESKTOP, bypassCSP: true })
      ).newPage()
      await tour(page, 'en', 'a11y-en@demo.example', 'demo0403')
    },
  )
})

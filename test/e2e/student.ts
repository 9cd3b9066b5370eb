import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import { BASE, exact, mailLink } from './browser.ts'

// A student's first steps in Chromium, shared by the browser tests that need a student
// ready to charge (manual §2).

export type Lang = 'ja' | 'en'
export const SECOND = 'Charge2024x'
const CATALOGUE = { ja, en }

/** Where and with what a student logs in: demo's host and its seeded password by default. */
export interface StudentSite {
  base?: string
  password?: string
  /** Called on each page the first login meets (axe, layout), with a name for it. */
  look?: (page: Page, where: string) => Promise<void>
}

export const login = async (
  page: Page,
  userId: string,
  second = SECOND,
  { base = BASE, password = 'univpass' }: StudentSite = {},
) => {
  await page.goto(`${base}/login`)
  await page.getByLabel(/^(ユーザID|User ID)$/).fill(userId)
  await page.getByLabel(/^(パスワード|Password)$/).fill(password)
  await page.getByLabel(/^(第2パスワード|Second password)$/).fill(second)
  await page.getByRole('button', { name: /^(ログイン|Log in)$/ }).click()
}

/** First login, email and second password (manual §2), in the page's language. */
export const onboard = async (page: Page, userId: string, lang: Lang, site: StudentSite = {}) => {
  const t = CATALOGUE[lang]
  const look = site.look ?? (async () => {})
  await page.goto(`${site.base ?? BASE}/lang/${lang}?next=/login`)
  await look(page, 'login')
  await login(page, userId, '', site)
  await look(page, 'email registration')
  const email = `${userId}@example.ac.jp`
  await page.getByLabel(t.emailAddress, { exact: true }).fill(email)
  await page.getByLabel(t.emailConfirm, { exact: true }).fill(email)
  await page.getByRole('button', { name: exact(t.confirmButton) }).click()
  await look(page, 'email sent')
  await page.goto(await mailLink(page, email))
  await look(page, 'email confirmed')
  await page.getByRole('link', { name: t.goToLogin }).click()
  assert.equal(await page.locator('h1').innerText(), t.secondPasswordSetupTitle)
  await look(page, 'second password')
  await page.getByLabel(t.secondPassword, { exact: true }).fill(SECOND)
  await page.getByLabel(t.secondPasswordConfirm, { exact: true }).fill(SECOND)
  await page.getByRole('button', { name: exact(t.setButton) }).click()
  await look(page, 'second password set')
  await page.getByRole('link', { name: exact(t.ok) }).click()
  assert.equal(await page.locator('h1').innerText(), t.menuTitle)
  await look(page, 'menu')
}

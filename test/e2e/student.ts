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

export const login = async (page: Page, userId: string, second = SECOND) => {
  await page.goto(`${BASE}/login`)
  await page.getByLabel(/^(ユーザID|User ID)$/).fill(userId)
  await page.getByLabel(/^(パスワード|Password)$/).fill('univpass')
  await page.getByLabel(/^(第2パスワード|Second password)$/).fill(second)
  await page.getByRole('button', { name: /^(ログイン|Log in)$/ }).click()
}

/** First login, email and second password (manual §2), in the page's language. */
export const onboard = async (page: Page, userId: string, lang: Lang) => {
  const t = CATALOGUE[lang]
  await page.goto(`${BASE}/lang/${lang}?next=/login`)
  await login(page, userId, '')
  const email = `${userId}@example.ac.jp`
  await page.getByLabel(t.emailAddress, { exact: true }).fill(email)
  await page.getByLabel(t.emailConfirm, { exact: true }).fill(email)
  await page.getByRole('button', { name: exact(t.confirmButton) }).click()
  await page.goto(await mailLink(page, email))
  await page.getByRole('link', { name: t.goToLogin }).click()
  assert.equal(await page.locator('h1').innerText(), t.secondPasswordSetupTitle)
  await page.getByLabel(t.secondPassword, { exact: true }).fill(SECOND)
  await page.getByLabel(t.secondPasswordConfirm, { exact: true }).fill(SECOND)
  await page.getByRole('button', { name: exact(t.setButton) }).click()
  await page.getByRole('link', { name: exact(t.ok) }).click()
  assert.equal(await page.locator('h1').innerText(), t.menuTitle)
}

import type { Locator, Page } from 'playwright-core'
import { DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET } from '../../src/db/demo.ts'
import { totpCode, totpStep } from '../../src/security/totp.ts'
import { activate, typeInto } from './a11y.ts'
import { BASE, exact } from './browser.ts'

// The console in Chromium: a seeded member (README) signs in by keyboard with a TOTP code
// made as an authenticator app makes it.

let lastStep = -1

/**
 * A code never used before in this process: each code works once, so a second login in the
 * same 30-second step waits for the next one.
 */
export const freshCode = async (secret = DEMO_TOTP_SECRET) => {
  while (totpStep(Date.now()) <= lastStep) await new Promise((r) => setTimeout(r, 500))
  lastStep = totpStep(Date.now())
  return totpCode(secret, Date.now())
}

export const field = (page: Page, name: string): Locator =>
  page.locator('main').locator(`[name="${name}"]`)

/** /staff/login by keyboard alone: メールアドレス, パスワード, 確認コード, ログイン. */
export const staffLogin = async (page: Page, email: string) => {
  await page.goto(`${BASE}/staff/login`)
  await typeInto(page, field(page, 'email'), email)
  await typeInto(page, field(page, 'password'), DEMO_STAFF_PASSWORD)
  await typeInto(page, field(page, 'code'), await freshCode())
  await activate(page, page.locator('main').getByRole('button', { name: /^(ログイン|Log in)$/ }))
}

export const button = (page: Page, name: string) =>
  page.locator('main').getByRole('button', { name: exact(name) })

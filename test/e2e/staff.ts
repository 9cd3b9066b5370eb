import type { Locator, Page } from 'playwright-core'
import { DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET } from '../../src/db/demo.ts'
import { totpCode, totpStep } from '../../src/security/totp.ts'
import { activate, typeInto } from './a11y.ts'
import { BASE, exact } from './browser.ts'

// The console in Chromium: a seeded member (README) signs in by keyboard with a TOTP code
// made as an authenticator app makes it.

const lastStep = new Map<string, number>()

/**
 * A code never used before in this process for this secret: each code works once, so a
 * second login in the same 30-second step waits for the next one.
 */
export const freshCode = async (secret = DEMO_TOTP_SECRET) => {
  while (totpStep(Date.now()) <= (lastStep.get(secret) ?? -1))
    await new Promise((r) => setTimeout(r, 500))
  lastStep.set(secret, totpStep(Date.now()))
  return totpCode(secret, Date.now())
}

export const field = (page: Page, name: string): Locator =>
  page.locator('main').locator(`[name="${name}"]`)

/**
 * /staff/login by keyboard alone: メールアドレス, パスワード, 確認コード, ログイン. A seeded
 * member by default; a member registered in the test gives their own password and TOTP
 * secret, and `at: null` signs in on the login page already open.
 */
export const staffLogin = async (
  page: Page,
  email: string,
  {
    password = DEMO_STAFF_PASSWORD,
    secret = DEMO_TOTP_SECRET,
    at = `${BASE}/staff/login` as string | null,
  } = {},
) => {
  if (at) await page.goto(at)
  await typeInto(page, field(page, 'email'), email)
  await typeInto(page, field(page, 'password'), password)
  await typeInto(page, field(page, 'code'), await freshCode(secret))
  await activate(page, page.locator('main').getByRole('button', { name: /^(ログイン|Log in)$/ }))
}

export const button = (page: Page, name: string) =>
  page.locator('main').getByRole('button', { name: exact(name) })

/**
 * 大学を作成's form by keyboard, every field in the page's order: a university with one host
 * name of its own (`<id>.localhost`, which Chromium sends to the loopback address) that takes
 * credit cards through the default KOMOJU account.
 */
export const fillUniversity = async (
  page: Page,
  u: { id: string; name: string; nameEn: string },
) => {
  await typeInto(page, field(page, 'id'), u.id)
  await typeInto(page, field(page, 'gateway_account'), 'default')
  await typeInto(page, field(page, 'retention_years'), '5')
  await typeInto(page, field(page, 'name'), u.name)
  await typeInto(page, field(page, 'name_en'), u.nameEn)
  await typeInto(page, field(page, 'legal_name'), '学校法人 E2E学園')
  await typeInto(page, field(page, 'legal_name_en'), 'E2E Gakuen Educational Foundation')
  await typeInto(page, field(page, 'call_centre_name'), `${u.name} コールセンター`)
  await typeInto(page, field(page, 'call_centre_name_en'), `${u.nameEn} Call Centre`)
  await typeInto(page, field(page, 'call_centre_phone'), '03-5555-0101')
  await typeInto(page, field(page, 'call_centre_hours'), '平日 9:00〜17:00')
  await typeInto(page, field(page, 'call_centre_hours_en'), 'Weekdays 9:00-17:00')
  await typeInto(page, field(page, 'mail_from'), `noreply@${u.id}.example`)
  await typeInto(page, field(page, 'mail_from_name'), u.name)
  await typeInto(page, field(page, 'mail_from_name_en'), u.nameEn)
  await typeInto(page, field(page, 'card_money_desk'), `${u.name} 学生課`)
  await typeInto(page, field(page, 'card_money_desk_en'), `Student Affairs, ${u.nameEn}`)
  await typeInto(page, field(page, 'hosts'), `${u.id}.localhost`)
  await typeInto(page, field(page, 'balance_cap'), '20000')
  await typeInto(page, field(page, 'min_charge'), '100')
  await typeInto(page, field(page, 'charge_step'), '100')
  await typeInto(page, field(page, 'payment_deadline_days'), '3')
  await page.locator('main').locator('#method-credit_card').check()
}

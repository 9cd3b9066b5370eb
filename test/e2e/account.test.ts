import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import { assertFits, BASE, DESKTOP, launch, mailLink, mainText, PHONE } from './browser.ts'

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const newPage = async (viewport: { width: number; height: number }) =>
  (await browser.newContext({ viewport })).newPage()

const login = async (page: Page, userId: string, password: string, second = '') => {
  await page.goto(`${BASE}/login`)
  await page.getByLabel(/^(ユーザID|User ID)$/).fill(userId)
  await page.getByLabel(/^(パスワード|Password)$/).fill(password)
  await page.getByLabel(/^(第2パスワード|Second password)$/).fill(second)
  await page.getByRole('button', { name: /^(ログイン|Log in)$/ }).click()
}

type Lang = 'ja' | 'en'
const CATALOGUE = { ja, en }
const exact = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)

/** The language switch is a link on every page; it names the other language. */
const useLanguage = async (page: Page, lang: Lang) => {
  await page.goto(`${BASE}/login`)
  const other = lang === 'ja' ? 'en' : 'ja'
  if ((await page.locator('html').getAttribute('lang')) !== lang)
    await page.getByRole('link', { name: CATALOGUE[other].switchLanguage }).click()
  assert.equal(await page.locator('html').getAttribute('lang'), lang)
}

const openMenuItem = async (page: Page, name: string, button = false) => {
  await page.locator('details.account-menu summary').click()
  await page
    .locator('details.account-menu')
    .getByRole(button ? 'button' : 'link', { name: exact(name) })
    .click()
}

/** Manual §2–3 end to end for one student, with the labels of the given language. */
const journey = async (page: Page, lang: Lang, userId: string) => {
  const t = CATALOGUE[lang]
  const email = `${userId}@example.ac.jp`
  const h1 = () => page.locator('h1').innerText()
  await useLanguage(page, lang)

  // 2.1 first login → メールアドレス設定
  await login(page, userId, 'univpass')
  assert.equal(await h1(), t.emailSetupTitle)
  await page.getByLabel(t.emailAddress, { exact: true }).fill(email)
  await page.getByLabel(t.emailConfirm, { exact: true }).fill(`x${email}`)
  await page.getByRole('button', { name: exact(t.confirmButton) }).click()
  assert.match(await page.locator('#email_confirm-error').innerText(), exact(t.emailMismatch))
  await page.getByLabel(t.emailConfirm, { exact: true }).fill(email)
  await page.getByRole('button', { name: exact(t.confirmButton) }).click()
  assert.ok((await mainText(page)).includes(t.emailSent))
  await page.goto(await mailLink(page, email))
  assert.equal(await h1(), t.emailSetDoneTitle)
  await page.getByRole('link', { name: t.goToLogin }).click()

  // 2.2 第2パスワード設定, a broken rule first
  assert.equal(await h1(), t.secondPasswordSetupTitle)
  await page.getByLabel(t.secondPassword, { exact: true }).fill('weak')
  await page.getByLabel(t.secondPasswordConfirm, { exact: true }).fill('weak')
  await page.getByRole('button', { name: exact(t.setButton) }).click()
  assert.match(
    await page.locator('#second_password-error').innerText(),
    new RegExp(t.ruleMinLength.replace(/[.()]/g, '\\$&')),
  )
  await page.getByLabel(t.secondPassword, { exact: true }).fill('First2nd1')
  await page.getByLabel(t.secondPasswordConfirm, { exact: true }).fill('First2nd1')
  await page.getByRole('button', { name: exact(t.setButton) }).click()
  assert.match(await mainText(page), new RegExp(`${t.doneTitle} ${t.secondPasswordSet}`))
  await page.getByRole('link', { name: exact(t.ok) }).click()

  // 2.3 メニュー選択 and 3 マニュアル
  assert.equal(await h1(), t.menuTitle)
  await assertFits(page, 'the menu')
  for (const label of [t.lastLogin, t.menuCharge, t.menuApplications])
    assert.ok((await mainText(page)).includes(label))
  assert.match(await page.locator('footer').innerText(), /06-6809-4327/)
  await openMenuItem(page, t.menuManual)
  assert.equal(await h1(), t.manualTitle)
  await assertFits(page, 'the manual')

  // 2.4(a) メールアドレス変更; the URL works once
  const newEmail = `new-${email}`
  await openMenuItem(page, t.menuEmailChange)
  await page.getByLabel(t.newEmailAddress, { exact: true }).fill(newEmail)
  await page.getByLabel(t.emailConfirm, { exact: true }).fill(newEmail)
  await page.getByLabel(t.currentSecondPassword, { exact: true }).fill('First2nd1')
  await page.getByRole('button', { name: exact(t.confirmButton) }).click()
  assert.ok((await mainText(page)).includes(t.emailChangeSent))
  const changeUrl = await mailLink(page, newEmail)
  await page.goto(changeUrl)
  assert.equal(await h1(), t.emailChangedTitle)
  await page.goto(changeUrl)
  assert.ok((await mainText(page)).includes(t.linkUsed))

  // 2.4(b) 第2パスワード変更, a wrong current one first
  await page.goto(`${BASE}/menu`)
  await openMenuItem(page, t.menuSecondPasswordChange)
  await page.getByLabel(t.currentSecondPassword, { exact: true }).fill('Wrong2nd9')
  await page.getByLabel(t.newSecondPassword, { exact: true }).fill('Second2nd2')
  await page.getByLabel(t.secondPasswordConfirm, { exact: true }).fill('Second2nd2')
  await page.getByRole('button', { name: exact(t.changeButton) }).click()
  assert.ok((await mainText(page)).includes(t.currentSecondPasswordWrong))
  await page.getByLabel(t.currentSecondPassword, { exact: true }).fill('First2nd1')
  await page.getByLabel(t.newSecondPassword, { exact: true }).fill('Second2nd2')
  await page.getByLabel(t.secondPasswordConfirm, { exact: true }).fill('Second2nd2')
  await page.getByRole('button', { name: exact(t.changeButton) }).click()
  assert.ok((await mainText(page)).includes(t.secondPasswordChanged))
  await page.getByRole('link', { name: exact(t.ok) }).click()

  // ログアウト ends the session
  await openMenuItem(page, t.logout, true)
  assert.ok((await mainText(page)).includes(t.loggedOut))
  await page.goto(`${BASE}/menu`)
  assert.equal(await h1(), t.loginTitle)

  // 2.3 login with the second password shows 前回ログイン日時
  await login(page, userId, 'univpass', 'Second2nd2')
  assert.equal(await h1(), t.menuTitle)
  assert.match(await mainText(page), /\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/)
  await openMenuItem(page, t.logout, true)

  // 2.4(c) 第2パスワードを忘れた場合
  await page.getByRole('link', { name: t.forgotSecondPasswordLink }).click()
  assert.equal(await h1(), t.forgotTitle)
  await page.getByLabel(t.emailAddress, { exact: true }).fill(newEmail)
  await page.getByRole('button', { name: exact(t.sendButton) }).click()
  assert.ok((await mainText(page)).includes(t.forgotSent))
  await page.goto(await mailLink(page, newEmail, changeUrl))
  assert.equal(await h1(), t.resetTitle)
  await page.getByLabel(t.secondPassword, { exact: true }).fill('Third2nd3')
  await page.getByLabel(t.secondPasswordConfirm, { exact: true }).fill('Third2nd3')
  await page.getByRole('button', { name: exact(t.setButton) }).click()
  assert.ok((await mainText(page)).includes(t.secondPasswordSet))
  await page.getByRole('link', { name: exact(t.ok) }).click()
  await login(page, userId, 'univpass', 'Third2nd3')
  assert.equal(await h1(), t.menuTitle)
}

const runs: [string, { width: number; height: number }, Lang, string][] = [
  ['a phone, in Japanese', PHONE, 'ja', 'demo0001'],
  ['a phone, in English', PHONE, 'en', 'demo0002'],
  ['a desktop, in Japanese', DESKTOP, 'ja', 'demo0006'],
  ['a desktop, in English', DESKTOP, 'en', 'demo0007'],
]
for (const [where, viewport, lang, userId] of runs) {
  describe(`manual §2–3 on ${where}`, () => {
    it('first login, email registration, second password, menu, manual, email change, second password change, logout, login, forgotten second password', async () => {
      await journey(await newPage(viewport), lang, userId)
    })
  })
}

describe('errors and security in the browser', () => {
  it('tells a locked student when to retry', async () => {
    const page = await newPage(PHONE)
    for (let i = 0; i < 5; i++) await login(page, 'demo0003', 'wrong-password')
    assert.match(
      await mainText(page),
      /一時的にログインを制限しています。\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} 以降/,
    )
    await login(page, 'demo0003', 'univpass')
    assert.match(await mainText(page), /一時的にログインを制限しています/)
  })

  it('refuses a form whose CSRF token was tampered with', async () => {
    const page = await newPage(DESKTOP)
    await page.goto(`${BASE}/login`)
    await page.locator('input[name="_csrf"]').evaluate((el) => el.setAttribute('value', 'tampered'))
    await page.getByLabel('ユーザID').fill('demo0004')
    await page.getByLabel('パスワード', { exact: true }).fill('univpass')
    await page.getByRole('button', { name: 'ログイン' }).click()
    assert.equal(await page.locator('h1').innerText(), '操作を続けられません')
  })

  it('shows a clear page for a forged one-time URL', async () => {
    const page = await newPage(PHONE)
    await page.goto(`${BASE}/email/verify/${'x'.repeat(43)}`)
    assert.match(await mainText(page), /有効期限（30分）が切れているか、正しくありません/)
  })

  it('can be used with the keyboard alone', async () => {
    const page = await newPage(DESKTOP)
    await page.goto(`${BASE}/login`)
    await page.keyboard.press('Tab') // skip link
    await page.keyboard.press('Tab') // language
    await page.keyboard.press('Tab')
    await page.keyboard.type('demo0005')
    await page.keyboard.press('Tab')
    await page.keyboard.type('univpass')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/email\/setup$/)
    assert.equal(await page.locator('h1').innerText(), 'メールアドレス設定')
  })
})

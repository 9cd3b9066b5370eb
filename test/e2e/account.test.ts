import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { BASE, DESKTOP, fitsWidth, launch, mailLink, mainText, PHONE } from './browser.ts'

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const newPage = async (viewport: { width: number; height: number }) => (await browser.newContext({ viewport })).newPage()

const login = async (page: Page, userId: string, password: string, second = '') => {
  await page.goto(`${BASE}/login`)
  await page.getByLabel(/^(ユーザID|User ID)$/).fill(userId)
  await page.getByLabel(/^(パスワード|Password)$/).fill(password)
  await page.getByLabel(/^(第2パスワード|Second password)$/).fill(second)
  await page.getByRole('button', { name: /^(ログイン|Log in)$/ }).click()
}

/** Manual §2.1 and §2.2: the whole first login of one student. */
const firstLogin = async (page: Page, userId: string, email: string, second: string, lang: 'ja' | 'en') => {
  const L =
    lang === 'ja'
      ? { setup: 'メールアドレス設定', email: 'メールアドレス', confirm: '確認', done: 'メールアドレス設定完了', toLogin: 'ログインページへ移動', pwSetup: '第2パスワード設定', pw: '第2パスワード', set: '設定', ok: 'OK', menu: 'メニュー選択' }
      : { setup: 'Email Address Setup', email: 'Email address', confirm: 'Confirm', done: 'Email Address Set', toLogin: 'Go to the login page', pwSetup: 'Second Password Setup', pw: 'Second password', set: 'Set', ok: 'OK', menu: 'Menu' }
  await login(page, userId, 'univpass')
  assert.equal(await page.locator('h1').innerText(), L.setup)
  await page.getByLabel(L.email, { exact: true }).fill(email)
  await page.getByLabel(L.confirm, { exact: true }).fill(email)
  await page.getByRole('button', { name: L.confirm, exact: true }).click()
  assert.match(await mainText(page), lang === 'ja' ? /確認メールを送信しました。/ : /A confirmation mail has been sent/)
  const link = await mailLink(page, email)
  await page.goto(link)
  assert.equal(await page.locator('h1').innerText(), L.done)
  await page.getByRole('link', { name: L.toLogin }).click()
  // Still logged in: the login page sends the student on to the next step.
  assert.equal(await page.locator('h1').innerText(), L.pwSetup)
  await page.getByLabel(L.pw, { exact: true }).fill('weak')
  await page.getByLabel(L.confirm, { exact: true }).fill('weak')
  await page.getByRole('button', { name: L.set, exact: true }).click()
  const error = await page.locator('#second_password-error').innerText()
  assert.match(error, lang === 'ja' ? /8文字以上であること。/ : /At least 8 characters/)
  await page.getByLabel(L.pw, { exact: true }).fill(second)
  await page.getByLabel(L.confirm, { exact: true }).fill(second)
  await page.getByRole('button', { name: L.set, exact: true }).click()
  assert.match(await mainText(page), lang === 'ja' ? /変更完了 第2パスワードが設定されました/ : /Your second password has been set/)
  await page.getByRole('link', { name: L.ok }).click()
  assert.equal(await page.locator('h1').innerText(), L.menu)
}

const openMenuItem = async (page: Page, name: RegExp) => {
  await page.locator('details.account-menu summary').click()
  await page.locator('details.account-menu').getByRole(/ログアウト|Log out/.test(name.source) ? 'button' : 'link', { name }).click()
}

describe('manual §2–3 on a phone, in Japanese', () => {
  it('first login, menu, manual, email change, second password change, logout, forgotten second password', async () => {
    const page = await newPage(PHONE)
    await firstLogin(page, 'demo0001', 'demo0001@example.ac.jp', 'Phone2nd1', 'ja')
    assert.ok(await fitsWidth(page), 'menu fits a phone')
    assert.match(await mainText(page), /前回ログイン日時/)
    for (const label of ['M.I.C.チャージ', '申請一覧']) assert.match(await mainText(page), new RegExp(label))
    assert.match(await page.locator('footer').innerText(), /06-6809-4327/)

    await openMenuItem(page, /^マニュアル$/)
    assert.equal(await page.locator('h1').innerText(), '操作マニュアル')
    assert.ok(await fitsWidth(page), 'manual fits a phone')

    await openMenuItem(page, /^メールアドレス変更$/)
    await page.getByLabel('新しいメールアドレス').fill('new0001@example.ac.jp')
    await page.getByLabel('確認', { exact: true }).fill('new0001@example.ac.jp')
    await page.getByRole('button', { name: '確認', exact: true }).click()
    await page.goto(await mailLink(page, 'new0001@example.ac.jp'))
    assert.match(await mainText(page), /メールアドレスを変更しました。/)
    // The URL works once.
    const used = page.url()
    await page.goto(used)
    assert.match(await mainText(page), /このURLは既に使用されています。/)

    await page.goto(`${BASE}/menu`)
    await openMenuItem(page, /^第2パスワード変更$/)
    await page.getByLabel('現在の第2パスワード').fill('Phone2nd1')
    await page.getByLabel('新しい第2パスワード').fill('Phone2nd2')
    await page.getByLabel('確認', { exact: true }).fill('Phone2nd2')
    await page.getByRole('button', { name: '変更', exact: true }).click()
    assert.match(await mainText(page), /第2パスワードは変更されました/)
    await page.getByRole('link', { name: 'OK' }).click()

    await openMenuItem(page, /^ログアウト$/)
    assert.match(await mainText(page), /ログアウトしました。/)
    await page.goto(`${BASE}/menu`)
    assert.equal(await page.locator('h1').innerText(), '在学生ログイン')

    await login(page, 'demo0001', 'univpass', 'Phone2nd2')
    assert.equal(await page.locator('h1').innerText(), 'メニュー選択')
    assert.match(await mainText(page), /前回ログイン日時 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/)
    await openMenuItem(page, /^ログアウト$/)

    await page.getByRole('link', { name: '第2パスワードを忘れた場合' }).click()
    assert.equal(await page.locator('h1').innerText(), '第2パスワードを忘れた場合')
    await page.getByLabel('メールアドレス').fill('new0001@example.ac.jp')
    await page.getByRole('button', { name: '送信' }).click()
    assert.match(await mainText(page), /第2パスワード再設定用のURL/)
    await page.goto(await mailLink(page, 'new0001@example.ac.jp', undefined))
    assert.equal(await page.locator('h1').innerText(), '第2パスワード再設定')
    await page.getByLabel('第2パスワード', { exact: true }).fill('Reset2nd3')
    await page.getByLabel('確認', { exact: true }).fill('Reset2nd3')
    await page.getByRole('button', { name: '設定' }).click()
    assert.match(await mainText(page), /第2パスワードが設定されました/)
    await page.getByRole('link', { name: 'OK' }).click()
    await login(page, 'demo0001', 'univpass', 'Reset2nd3')
    assert.equal(await page.locator('h1').innerText(), 'メニュー選択')
  })
})

describe('manual §2–3 on a desktop, in English', () => {
  it('switches language and completes the first login', async () => {
    const page = await newPage(DESKTOP)
    await page.goto(`${BASE}/login`)
    await page.getByRole('link', { name: 'English' }).click()
    assert.equal(await page.locator('h1').innerText(), 'Student Login')
    await firstLogin(page, 'demo0002', 'demo0002@example.ac.jp', 'Desk2nd12', 'en')
    assert.ok(await fitsWidth(page))
    await openMenuItem(page, /^Manual$/)
    assert.equal(await page.locator('h1').innerText(), 'Operation Manual')
    await page.getByRole('link', { name: '日本語' }).click()
    assert.equal(await page.locator('h1').innerText(), '操作マニュアル')
  })
})

describe('errors and security in the browser', () => {
  it('tells a locked student when to retry', async () => {
    const page = await newPage(PHONE)
    for (let i = 0; i < 5; i++) await login(page, 'demo0003', 'wrong-password')
    assert.match(await mainText(page), /一時的にログインを制限しています。\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} 以降/)
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

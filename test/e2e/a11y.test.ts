import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import { activate, assertInsideViewport, checkA11y, chooseRadio, tabTo, typeInto } from './a11y.ts'
import {
  assertFits,
  BASE,
  DESKTOP,
  exact,
  KOMOJU_BASE,
  launch,
  mailLink,
  mainText,
  nextJst,
  PHONE,
  setClock,
} from './browser.ts'
import { onboard } from './student.ts'

/**
 * Every page a student meets, in both languages, at a phone's width (375 px) and a
 * desktop's, used by keyboard alone (Tab, arrows, Space, Enter, typing): axe-core finds no
 * serious or critical violation on any of them, in their error states too, and focus is
 * always visible. That includes the pages of the KOMOJU twin the student is sent to: the
 * hosted payment page (paid there with the keyboard) and a store payment's instructions.
 */

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const SECOND = 'Access2024k'
const NEW_SECOND = 'Access2025m'

const journey = async (page: Page, lang: 'ja' | 'en', userId: string) => {
  const t = lang === 'ja' ? ja : en
  const seen = new Set<string>()
  const check = async (where: string) => {
    await checkA11y(page, where, seen)
    await assertFits(page, where)
  }
  const main = page.locator('main')
  const field = (name: string) => main.locator(`[name="${name}"]`)
  const button = (name: string) => main.getByRole('button', { name: exact(name) })
  const link = (name: string) => page.getByRole('link', { name: exact(name) })
  const h1 = () => page.locator('h1').innerText()
  const email = `${userId}@example.ac.jp`
  /** Fills the fields by keyboard, presses the button, and checks the page that comes back. */
  const submit = async (fields: Record<string, string>, buttonName: string, where: string) => {
    for (const [name, value] of Object.entries(fields)) await typeInto(page, field(name), value)
    await activate(page, button(buttonName))
    await check(where)
  }

  await page.goto(`${BASE}/lang/${lang}?next=/login`)
  await check('在学生ログイン')
  await submit({}, t.loginButton, '在学生ログイン, nothing entered')

  await submit({ user_id: userId, password: 'univpass' }, t.loginButton, 'メールアドレス設定')
  assert.equal(await h1(), t.emailSetupTitle)
  const addresses = { email, email_confirm: `x${email}` }
  await submit(addresses, t.confirmButton, 'メールアドレス設定, addresses differ')
  await submit({ email_confirm: email }, t.confirmButton, 'メールアドレス設定, mail sent')

  await page.goto(await mailLink(page, email))
  await check('メールアドレス確認完了')
  await activate(page, link(t.goToLogin))
  assert.equal(await h1(), t.secondPasswordSetupTitle)
  await check('第2パスワード設定')
  const weak = { second_password: 'weak', second_password_confirm: 'weak' }
  await submit(weak, t.setButton, '第2パスワード設定, rules broken')
  const chosen = { second_password: SECOND, second_password_confirm: SECOND }
  await submit(chosen, t.setButton, '第2パスワード設定完了')
  await activate(page, link(t.ok))
  assert.equal(await h1(), t.menuTitle)
  await check('メニュー選択')

  // M.I.C.チャージ, start to finish.
  await activate(page, link(t.menuCharge))
  await check('M.I.C.チャージ')
  await submit({ amount: 'abc' }, t.next, 'M.I.C.チャージ, not an amount')
  await submit({ amount: '1000' }, t.next, 'お支払い方法選択')
  assert.equal(await h1(), t.methodTitle)
  // Nothing chosen: the browser itself asks for a choice (the radios are required).
  await tabTo(page, button(t.next))
  await page.keyboard.press('Enter')
  assert.equal(await h1(), t.methodTitle)
  assert.equal((await main.locator('input[name="method"]:invalid').count()) > 0, true)
  await chooseRadio(
    page,
    main.locator('input[name="method"]'),
    main.locator('input[value="credit_card"]'),
  )
  await submit({}, t.next, '申請内容確認')
  assert.equal(await h1(), t.confirmTitle)
  await submit({}, t.apply, '申請完了')
  assert.equal(await h1(), t.appliedTitle)
  // KOMOJU's hosted page (the twin's), in the student's language, used by keyboard too.
  const pay = lang === 'ja' ? '支払う' : 'Pay'
  await activate(page, link(t.ok))
  assert.ok(page.url().startsWith(`${KOMOJU_BASE}/sessions/`), page.url())
  await check('KOMOJU hosted page (お支払い)')
  await activate(page, page.getByRole('button', { name: exact(pay) }))
  assert.equal(new URL(page.url()).pathname.endsWith('/return'), true, page.url())
  await page.getByText(t.paymentDone).waitFor({ timeout: 20_000 })
  await check('お支払い完了')
  await activate(page, link(t.seeDetails))
  assert.equal(await h1(), t.detailTitle)
  await check('申請情報 詳細')

  // A charge paid later: 操作手順, the numbers on 申請完了, KOMOJU's instructions page.
  const store = lang === 'ja' ? 'cvs_familymart' : 'payeasy'
  await page.goto(`${BASE}/menu`)
  await activate(page, link(t.menuCharge))
  await submit({ amount: '1000' }, t.next, 'お支払い方法選択 (again)')
  const howTo = main.getByRole('link', { name: t.howToFor.replace('{method}', t[`pm_${store}`]) })
  await activate(page, howTo)
  assert.equal(new URL(page.url()).pathname, `/howto/${store}`)
  await check(`操作手順 (${store})`)
  await page.goBack()
  assert.equal(await h1(), t.methodTitle)
  await chooseRadio(
    page,
    main.locator('input[name="method"]'),
    main.locator(`input[value="${store}"]`),
  )
  await submit(store === 'payeasy' ? { phone: '09012345678' } : {}, t.next, '申請内容確認 (store)')
  assert.equal(await h1(), t.confirmTitle)
  await submit({}, t.apply, '申請完了 (store: numbers and deadline)')
  assert.equal(await h1(), t.appliedTitle)
  assert.ok((await mainText(page)).includes(t.payLater))
  await activate(page, main.getByRole('link', { name: exact(t.paymentInstructions) }))
  assert.ok(page.url().startsWith(`${KOMOJU_BASE}/instructions/`), page.url())
  await check('KOMOJU instructions page (お支払い方法のご案内)')
  await page.goBack()
  assert.equal(await h1(), t.appliedTitle)
  await activate(page, link(t.ok))
  assert.equal(await h1(), t.detailTitle)
  await check('申請情報 詳細 (awaiting payment at the store)')

  await page.goto(`${BASE}/menu`)
  await activate(page, link(t.menuApplications))
  await check('申請一覧 印刷可能')
  await activate(page, link(t.tabHistory))
  await check('申請一覧 履歴')

  // The account menu, opened from the keyboard.
  const fromAccountMenu = async (name: string, role: 'link' | 'button' = 'link') => {
    await tabTo(page, page.locator('details.account-menu summary'))
    await page.keyboard.press('Enter')
    await activate(
      page,
      page.locator('details.account-menu').getByRole(role, { name: exact(name) }),
    )
  }
  await fromAccountMenu(t.menuEmailChange)
  assert.equal(await h1(), t.emailChangeTitle)
  await check('メールアドレス変更')
  const same = { email, email_confirm: email, current_second_password: SECOND }
  await submit(same, t.confirmButton, 'メールアドレス変更, same address')

  await fromAccountMenu(t.menuSecondPasswordChange)
  assert.equal(await h1(), t.secondPasswordChangeTitle)
  await check('第2パスワード変更')
  const change = (current: string) => ({
    current_second_password: current,
    second_password: NEW_SECOND,
    second_password_confirm: NEW_SECOND,
  })
  await submit(change('Wrong1234'), t.changeButton, '第2パスワード変更, wrong current')
  await submit(change(SECOND), t.changeButton, '第2パスワード変更完了')

  await fromAccountMenu(t.menuManual)
  await check('マニュアル')

  await fromAccountMenu(t.menuMyData)
  assert.equal(await h1(), t.myDataTitle)
  await check('個人データのダウンロード')

  await fromAccountMenu(t.logout, 'button')
  await check('ログアウト')

  // 第2パスワードを忘れた場合, through the mailed URL.
  await activate(page, link(t.forgotSecondPasswordLink))
  assert.equal(await h1(), t.forgotTitle)
  await check('第2パスワードを忘れた場合')
  const notAnAddress = { email: 'not-an-address' }
  await submit(notAnAddress, t.sendButton, '第2パスワードを忘れた場合, not an address')
  await submit({ email }, t.sendButton, '第2パスワードを忘れた場合, sent')
  await page.goto(await mailLink(page, email))
  await check('第2パスワード再設定')
  await submit(chosen, t.setButton, '第2パスワード再設定完了')
  assert.ok((await mainText(page)).includes(t.secondPasswordSet))

  // Links that cannot be used, and pages that do not exist.
  await page.goto(`${BASE}/email/verify/${'x'.repeat(43)}`)
  await check('unusable one-time URL')
  await page.goto(`${BASE}/no-such-page`)
  await check('404')
  return seen
}

/**
 * The pages a student meets, on a phone: one student per language, with a card charge paid
 * (お支払い完了), one cancelled on KOMOJU's page and one left on it (the payment page);
 * the URLs to visit at each width.
 */
const phoneStudent = async (context: BrowserContext, lang: 'ja' | 'en', userId: string) => {
  const t = lang === 'ja' ? ja : en
  const page = await context.newPage()
  await onboard(page, userId, lang)
  const main = page.locator('main')
  const cardCharge = async () => {
    await page.goto(`${BASE}/charge/method?amount=1000`)
    await main.locator('input[value="credit_card"]').check()
    await main.getByRole('button', { name: exact(t.next) }).click()
    await main.getByRole('button', { name: exact(t.apply) }).click()
    const id = new URL(page.url()).pathname.split('/')[2]
    await main.getByRole('link', { name: exact(t.ok) }).click()
    return id
  }
  const hosted = (name: { ja: string; en: string }) =>
    page.getByRole('button', { name: exact(name[lang]) }).click()
  const paid = await cardCharge()
  await hosted({ ja: '支払う', en: 'Pay' })
  await page.getByText(t.paymentDone).waitFor()
  const cancelled = await cardCharge()
  await hosted({ ja: 'キャンセル', en: 'Cancel' })
  await cardCharge()
  const paymentPage = page.url()
  await page.close()
  return {
    メニュー選択: '/menu',
    'M.I.C.チャージ': '/charge',
    お支払い方法選択: '/charge/method?amount=1000',
    'the payment page (KOMOJU)': paymentPage,
    お支払い完了: `/applications/${paid}/return`,
    'not paid (cancelled)': `/applications/${cancelled}/return`,
    申請一覧: '/applications',
    '申請一覧 履歴': '/applications?tab=history',
    '申請情報 詳細': `/applications/${paid}`,
    メールアドレス変更: '/email/change',
    第2パスワード変更: '/second-password/change',
    マニュアル: '/manual',
    操作手順: '/howto/cvs_familymart',
    'unusable one-time URL': `/email/verify/${'x'.repeat(43)}`,
    404: '/no-such-page',
  }
}

describe('on a phone at 320 and 390 px, in Japanese and English', () => {
  before(async () => {
    const page = await browser.newPage()
    await setClock(page, nextJst(12, 0)) // M.I.C. open
    await page.close()
  })

  for (const [lang, userId] of [
    ['ja', 'demo0351'],
    ['en', 'demo0352'],
  ] as const)
    it(
      `every page a student meets meets WCAG 2.2 AA and lies inside the viewport, the ☰ menu opened too (${lang})`,
      { timeout: 300_000 },
      async () => {
        const t = lang === 'ja' ? ja : en
        const setUp = await browser.newContext({ viewport: { width: 320, height: 700 } })
        const pages = await phoneStudent(setUp, lang, userId)
        const cookies = await setUp.storageState()
        await setUp.close()
        for (const width of [320, 390]) {
          const viewport = { width, height: 700 }
          const look = async (page: Page, where: string) => {
            await checkA11y(page, `${where} (${width} px, ${lang})`, undefined, { wcag22aa: true })
            await assertInsideViewport(page, `${where} (${lang})`)
          }
          // Logged out: the login page.
          const context = await browser.newContext({ viewport, bypassCSP: true })
          const page = await context.newPage()
          await page.goto(`${BASE}/lang/${lang}?next=/login`)
          await look(page, '在学生ログイン')
          await context.close()
          // Logged in: every other page, each once.
          const student = await browser.newContext({
            viewport,
            bypassCSP: true,
            storageState: cookies,
          })
          const tab = await student.newPage()
          for (const [where, url] of Object.entries(pages)) {
            await tab.goto(url.startsWith('http') ? url : `${BASE}${url}`)
            await look(tab, where)
            if (where === 'メニュー選択') {
              await tab.locator('details.account-menu summary').click()
              await look(tab, 'the ☰ menu, opened')
            }
            if (where === 'お支払い方法選択') {
              // Pay-easy's telephone number shows only once Pay-easy is chosen.
              const phone = tab.getByLabel(t.contactPhone)
              assert.equal(await phone.isVisible(), false, 'the phone field shows before Pay-easy')
              await tab.locator('input[value="payeasy"]').check()
              assert.equal(await phone.isVisible(), true, 'Pay-easy chosen, no phone field')
              await look(tab, 'お支払い方法選択, Pay-easy chosen')
            }
          }
          await student.close()
        }
      },
    )
})

describe('accessibility and keyboard use', () => {
  before(async () => {
    const page = await browser.newPage()
    await setClock(page, nextJst(12, 0)) // M.I.C. open
    await page.close()
  })

  it('every page at 375 px, in Japanese, by keyboard alone', { timeout: 300_000 }, async () => {
    const page = await (await browser.newContext({ viewport: PHONE, bypassCSP: true })).newPage()
    const seen = await journey(page, 'ja', 'demo0301')
    assert.ok(seen.size >= 22, `only ${seen.size} pages checked`)
  })

  it(
    'every page at desktop width, in English, by keyboard alone',
    { timeout: 300_000 },
    async () => {
      const page = await (
        await browser.newContext({ viewport: DESKTOP, bypassCSP: true })
      ).newPage()
      await journey(page, 'en', 'demo0302')
    },
  )
})

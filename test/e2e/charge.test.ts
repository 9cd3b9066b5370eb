import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import {
  BASE,
  DESKTOP,
  exact,
  fitsWidth,
  jstText,
  launch,
  mailLink,
  mainText,
  nextJst,
  nextJstAt,
  PHONE,
  setClock,
} from './browser.ts'

// Manual §4 in Chromium: charge, pay in the sandbox gateway, see the card, the list, the
// detail and the mails; and a credit held by the 2:00–5:00 stop window.

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const SECOND = 'Charge2024x'
const CATALOGUE = { ja, en }
const newPage = async (viewport: { width: number; height: number }) =>
  (await browser.newContext({ viewport })).newPage()

const runCron = async (page: Page) => {
  await page.goto(`${BASE}/_dev/clock`)
  await page.getByRole('button', { name: 'Run cron now' }).click()
  await page.getByText('Cron ran.').waitFor()
}

const login = async (page: Page, userId: string, second = SECOND) => {
  await page.goto(`${BASE}/login`)
  await page.getByLabel(/^(ユーザID|User ID)$/).fill(userId)
  await page.getByLabel(/^(パスワード|Password)$/).fill('univpass')
  await page.getByLabel(/^(第2パスワード|Second password)$/).fill(second)
  await page.getByRole('button', { name: /^(ログイン|Log in)$/ }).click()
}

/** First login, email and second password (manual §2), in the page's language. */
const onboard = async (page: Page, userId: string, lang: 'ja' | 'en') => {
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

/** The card's balance on the local M.I.C. (/_dev/mic). */
const cardBalance = async (page: Page, userId: string) => {
  await page.goto(`${BASE}/_dev/mic`)
  const cell = page.locator(`tr[data-card="demo:${userId}"] .balance`)
  return (await cell.count()) ? Number((await cell.innerText()).replace(/[^0-9]/g, '')) : 1000
}

/** Reloads a page until `text` shows (the queue and the cron work in their own time). */
const reloadUntil = async (page: Page, url: string, text: string | RegExp, tries = 40) => {
  for (let i = 0; i < tries; i++) {
    await page.goto(url)
    const body = await mainText(page)
    if (typeof text === 'string' ? body.includes(text) : text.test(body)) return body
    await page.waitForTimeout(250)
  }
  assert.fail(`${url} never showed ${text}: ${await mainText(page)}`)
}

/** チャージ → お支払い方法選択 → 申請内容確認 → 申請 → 申請完了 → OK: ends on the gateway page. */
const applyFor = async (
  page: Page,
  lang: 'ja' | 'en',
  amount: number,
  method: keyof typeof ja & `pm_${string}`,
  balance: number,
) => {
  const t = CATALOGUE[lang]
  await page.goto(`${BASE}/menu`)
  await page.getByRole('link', { name: exact(t.menuCharge) }).click()
  assert.equal(await page.locator('h1').innerText(), t.chargeTitle)
  assert.ok(
    (await mainText(page)).includes(t.yen.replace('{amount}', balance.toLocaleString('en-US'))),
  )
  await page.getByLabel(t.chargeAmountYen).fill(String(amount))
  await page.getByRole('button', { name: exact(t.next) }).click()
  assert.equal(await page.locator('h1').innerText(), t.methodTitle)
  assert.ok(await fitsWidth(page))
  await page.getByLabel(exact(t[method])).check()
  await page.getByRole('button', { name: exact(t.next) }).click()
  assert.equal(await page.locator('h1').innerText(), t.confirmTitle)
  const confirm = await mainText(page)
  assert.ok(
    confirm.includes(t.yen.replace('{amount}', (balance + amount).toLocaleString('en-US'))),
    confirm,
  )
  assert.ok(confirm.includes(t[method]))
  await page.getByRole('button', { name: exact(t.apply) }).click()
  assert.equal(await page.locator('h1').innerText(), t.appliedTitle)
  assert.ok((await mainText(page)).includes(t.goingToPayment))
  const id = Number(new URL(page.url()).pathname.split('/')[2])
  await page.getByRole('link', { name: exact(t.ok) }).click()
  assert.match(page.url(), /\/sandbox-gateway\/pay\//)
  return id
}

describe('manual §4 in the browser', () => {
  it('charges with a card on a phone, in Japanese: paid, credited exactly once, listed, mailed', async () => {
    const page = await newPage(PHONE)
    const t = ja
    await setClock(page, nextJst(12, 0))
    await onboard(page, 'demo0101', 'ja')
    const before = await cardBalance(page, 'demo0101')
    const id = await applyFor(page, 'ja', 2000, 'pm_credit_card', before)
    await page.getByRole('button', { name: '支払う' }).click()
    // Back on the service: お支払い完了 once the notification is in (the page refreshes itself).
    await page.getByText(t.paymentDone).waitFor({ timeout: 20_000 })
    assert.ok(await fitsWidth(page))
    await page.getByRole('link', { name: exact(t.seeDetails) }).click()
    assert.equal(await page.locator('h1').innerText(), t.detailTitle)
    await reloadUntil(page, `${BASE}/applications/${id}`, 'M.I.C.へ反映しました')
    const detail = await mainText(page)
    for (const part of [
      t.issueInfo,
      t.paymentInfo,
      t.detailInfo,
      t.statusPaid,
      t.pm_credit_card,
      '2,000円',
    ])
      assert.ok(detail.includes(part), part)
    assert.equal(await cardBalance(page, 'demo0101'), before + 2000)

    await page.goto(`${BASE}/menu`)
    await page.getByRole('link', { name: exact(t.menuApplications) }).click()
    assert.equal(await page.locator('h1').innerText(), t.applicationsTitle)
    const row = page.locator('table.applications tr', {
      has: page.getByRole('link', { name: String(id), exact: true }),
    })
    assert.match(
      (await row.innerText()).replace(/\s+/g, ' '),
      /お支払い完了 \d{4}\/\d{2}\/\d{2} M\.I\.C\.チャージ 1部 2,000円/,
    )
    assert.ok(await fitsWidth(page))

    await page.goto(`${BASE}/_dev/mail`)
    const mail = page.locator(
      'article[data-to="demo0101@example.ac.jp"][data-kind="charge-completed"]',
    )
    assert.equal(await mail.count(), 1)
    assert.ok((await mail.innerText()).includes(`発行申請番号は ${id} です。`))
  })

  it('charges with コンビニ on a desktop, in English: payment number, paid at the store, History tab', async () => {
    const page = await newPage(DESKTOP)
    const t = en
    await setClock(page, nextJst(12, 0))
    await onboard(page, 'demo0102', 'en')
    const before = await cardBalance(page, 'demo0102')
    const id = await applyFor(page, 'en', 1500, 'pm_cvs_seven_eleven', before)
    const number = await page.locator('.payment-number').innerText()
    assert.match(number, /^\d{12}$/)
    await page.getByRole('link', { name: 'ショップに戻る' }).click()
    assert.ok((await mainText(page)).includes(number))
    assert.ok((await mainText(page)).includes(t.payLaterHeading))

    await page.goto(`${BASE}/_dev/mail`)
    assert.ok(
      (
        await page
          .locator('article[data-to="demo0102@example.ac.jp"][data-kind="payment-deadline"]')
          .innerText()
      ).includes(number),
    )

    await page.goto(`${BASE}/_dev/payments`)
    await page.getByRole('button', { name: `Pay at the store #${id}` }).click()
    await reloadUntil(page, `${BASE}/applications/${id}`, 'Credited to M.I.C.')
    assert.ok((await mainText(page)).includes(t.statusPaid))
    assert.equal(await cardBalance(page, 'demo0102'), before + 1500)

    await page.goto(`${BASE}/applications`)
    assert.equal(await page.getByRole('link', { name: String(id), exact: true }).count(), 0)
    await page.getByRole('link', { name: exact(t.tabHistory) }).click()
    assert.equal(await page.getByRole('link', { name: String(id), exact: true }).count(), 1)
  })

  it('at 02:30 JST the credit waits for the stop window, and the cron credits it after 05:00', async () => {
    const page = await newPage(PHONE)
    await setClock(page, nextJst(12, 0))
    await onboard(page, 'demo0103', 'ja')
    // Seen once while M.I.C. answers, the balance is shown (with its time) during the stop.
    await page.goto(`${BASE}/charge`)
    const before = await cardBalance(page, 'demo0103')
    const night = nextJstAt(2, 30)
    await setClock(page, jstText(night))
    await login(page, 'demo0103')
    await page.goto(`${BASE}/charge`)
    const stopped = await mainText(page)
    assert.ok(stopped.includes('時点の残高を表示しています'), stopped)
    assert.ok(stopped.includes('05:00 以降にM.I.C.へ反映されます'), stopped)
    const id = await applyFor(page, 'ja', 1000, 'pm_paypay', before)
    await page.getByRole('button', { name: '支払う' }).click()
    await page.getByText(ja.paymentDone).waitFor({ timeout: 20_000 })
    const waiting = await reloadUntil(
      page,
      `${BASE}/applications/${id}`,
      /05:00 以降に反映されます/,
    )
    assert.ok(waiting.includes('連携停止時間'))
    assert.equal(await cardBalance(page, 'demo0103'), before)

    await setClock(page, jstText(nextJstAt(5, 1, night)))
    await runCron(page)
    assert.equal(await cardBalance(page, 'demo0103'), before + 1000)
    await login(page, 'demo0103')
    await reloadUntil(page, `${BASE}/applications/${id}`, 'M.I.C.へ反映しました')
    await setClock(page, nextJst(12, 0))
  })
})

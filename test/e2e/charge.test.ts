import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { PaymentMethod } from '../../src/domain/paymentMethods.ts'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import {
  BASE,
  cardBalance,
  definitions,
  DESKTOP,
  exact,
  assertFits,
  jstText,
  KOMOJU_BASE,
  launch,
  mailLink,
  mainText,
  nextJstAt,
  PHONE,
  setClock,
} from './browser.ts'
import { login, onboard, SECOND, type Lang } from './student.ts'

// Manual §4 in Chromium against the KOMOJU and M.I.C. twins: charge, pay on KOMOJU's
// hosted page (or at the store, from the numbers on 申請完了), see the card, the list, the
// detail and the mails; every one of the eleven payment methods once; a cancel on the hosted
// page; and a credit held by the 2:00–5:00 stop window.

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const CATALOGUE = { ja, en }
const newPage = async (viewport: { width: number; height: number }) =>
  (await browser.newContext({ viewport })).newPage()
const yen = (lang: Lang, n: number) =>
  CATALOGUE[lang].yen.replace('{amount}', n.toLocaleString('en-US'))
/** The words of 申請情報 詳細 that say the charge is on the card ("… にM.I.C.へ反映しました。"). */
const creditedText = (lang: Lang) =>
  CATALOGUE[lang].creditDone
    .split('{time}')
    .map((s) => s.trim())
    .reduce((a, b) => (b.length > a.length ? b : a))
const noon = () => jstText(nextJstAt(12, 0))

const runCron = async (page: Page) => {
  await page.goto(`${BASE}/_dev/clock`)
  await page.getByRole('button', { name: 'Run cron now' }).click()
  await page.getByText('Cron ran.').waitFor()
}

/** Reloads a page until `text` shows (the webhook, the queue and the cron work in their own time). */
const reloadUntil = async (page: Page, url: string, text: string | RegExp, tries = 60) => {
  for (let i = 0; i < tries; i++) {
    await page.goto(url)
    const body = await mainText(page)
    if (typeof text === 'string' ? body.includes(text) : text.test(body)) return body
    await page.waitForTimeout(250)
  }
  assert.fail(`${url} never showed ${text}: ${await mainText(page)}`)
}

/**
 * チャージ → お支払い方法選択 (with Pay-easy's 電話番号) → 申請内容確認 → 申請: ends on
 * 申請完了 and returns the application number. `balance` is the card's balance before.
 */
const applyFor = async (
  page: Page,
  lang: Lang,
  amount: number,
  method: PaymentMethod,
  balance: number,
) => {
  const t = CATALOGUE[lang]
  const label = t[`pm_${method}`]
  await page.goto(`${BASE}/menu`)
  await page.getByRole('link', { name: exact(t.menuCharge) }).click()
  assert.equal(await page.locator('h1').innerText(), t.chargeTitle)
  assert.ok((await mainText(page)).includes(yen(lang, balance)), await mainText(page))
  await page.getByLabel(t.chargeAmountYen).fill(String(amount))
  await page.getByRole('button', { name: exact(t.next) }).click()
  assert.equal(await page.locator('h1').innerText(), t.methodTitle)
  await assertFits(page)
  // 操作手順 is the service's own page for the method.
  assert.equal(
    await page
      .locator('li', { has: page.getByLabel(exact(label)) })
      .locator('a.howto')
      .getAttribute('href'),
    `/howto/${method}`,
  )
  await page.getByLabel(exact(label)).check()
  if (method === 'payeasy') await page.getByLabel(t.contactPhone).fill('09012345678')
  await page.getByRole('button', { name: exact(t.next) }).click()
  assert.equal(await page.locator('h1').innerText(), t.confirmTitle)
  const confirm = await mainText(page)
  assert.ok(confirm.includes(yen(lang, balance + amount)), confirm)
  assert.ok(confirm.includes(label))
  await page.getByRole('button', { name: exact(t.apply) }).click()
  assert.equal(await page.locator('h1').innerText(), t.appliedTitle)
  const id = Number(new URL(page.url()).pathname.split('/')[2])
  assert.ok(Number.isInteger(id) && id > 0, page.url())
  assert.ok((await mainText(page)).includes(`${t.applicationNumber} ${id}`))
  return id
}

/** What KOMOJU's hosted page calls each method paid there and then (its [ja, en] names). */
const HOSTED_NAMES: Partial<Record<PaymentMethod, [string, string]>> = {
  credit_card: ['クレジットカード', 'Credit card'],
  d_barai: ['ドコモ払い', 'docomo Payment'],
  au_kantan: ['auかんたん決済', 'au Easy Payment'],
  softbank_matomete: ['ソフトバンクまとめて支払い', 'SoftBank Payment'],
  apple_pay: ['Apple Pay', 'Apple Pay'],
  paypay: ['PayPay', 'PayPay'],
  merpay: ['メルペイ', 'Merpay'],
}
const hosted = (lang: Lang) =>
  lang === 'ja'
    ? { title: 'お支払い', pay: '支払う', cancel: 'キャンセル' }
    : { title: 'Checkout', pay: 'Pay', cancel: 'Cancel' }

/** From 申請完了 of a method paid there and then: OK leads to KOMOJU's hosted page for it. */
const openHostedPage = async (
  page: Page,
  lang: Lang,
  id: number,
  amount: number,
  method: PaymentMethod,
) => {
  const t = CATALOGUE[lang]
  assert.ok((await mainText(page)).includes(t.goingToPayment))
  await page.getByRole('link', { name: exact(t.ok) }).click()
  assert.ok(
    page.url().startsWith(`${KOMOJU_BASE}/sessions/`),
    `not on the KOMOJU twin's hosted page: ${page.url()}`,
  )
  assert.equal(await page.locator('html').getAttribute('lang'), lang)
  assert.equal(await page.locator('h1').innerText(), hosted(lang).title)
  const [nameJa, nameEn] = HOSTED_NAMES[method]!
  const shown = await definitions(page)
  const expected =
    lang === 'ja'
      ? { お支払い金額: '', お支払い方法: nameJa, ご注文番号: String(id) }
      : { Amount: '', 'Payment method': nameEn, 'Order number': String(id) }
  const amountLabel = lang === 'ja' ? 'お支払い金額' : 'Amount'
  assert.deepEqual(
    Object.fromEntries(Object.keys(expected).map((k) => [k, shown[k]])),
    { ...expected, [amountLabel]: `¥${amount.toLocaleString('en-US')}` },
    'what the hosted page shows',
  )
  await assertFits(page, 'the hosted page')
}

/** On KOMOJU's hosted page: 支払う / Pay, back to the service, お支払い完了 at once. */
const payOnHostedPage = async (page: Page, lang: Lang, id: number) => {
  const t = CATALOGUE[lang]
  await page.getByRole('button', { name: exact(hosted(lang).pay) }).click()
  const back = new URL(page.url())
  assert.equal(`${back.origin}${back.pathname}`, `${BASE}/applications/${id}/return`)
  assert.ok(back.searchParams.get('session_id'), page.url())
  // The service asked KOMOJU on the way back: no waiting for the webhook.
  assert.equal(await page.locator('h1').innerText(), t.paymentDoneTitle)
  assert.ok((await mainText(page)).includes(t.paymentDone), await mainText(page))
}

const STORE_LABELS = (lang: Lang, method: PaymentMethod) => {
  const t = CATALOGUE[lang]
  return method === 'payeasy'
    ? [
        [t.payEasyBankId, /^\d{5}$/],
        [t.payEasyCustomerId, /^\d{16}$/],
        [t.payEasyConfirmationId, /^\d{6}$/],
      ]
    : method === 'cvs_seven_eleven'
      ? [[t.paymentNumber, /^\d{13}$/]]
      : [
          [t.paymentNumber, /^\d{12}$/],
          [t.confirmationCode, /^\d{4}$/],
        ]
}

/** The numbers to pay with, as 申請完了 or 申請情報 詳細 shows them, checked for their shape. */
const storeNumbers = async (page: Page, lang: Lang, method: PaymentMethod) => {
  const t = CATALOGUE[lang]
  const shown = await definitions(page, 'main dl.deadline')
  const numbers: string[] = []
  for (const [label, shape] of STORE_LABELS(lang, method) as [string, RegExp][]) {
    assert.match(shown[label] ?? '', shape, `${label} on ${page.url()}: ${JSON.stringify(shown)}`)
    numbers.push(shown[label]!)
  }
  if (method === 'cvs_seven_eleven') assert.equal(shown[t.confirmationCode], undefined)
  assert.match(shown[t.paymentDeadline] ?? '', /\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/)
  const link = page.locator('main dl.deadline').getByRole('link', { name: t.paymentInstructions })
  const href = (await link.getAttribute('href')) ?? ''
  assert.ok(href.startsWith(`${KOMOJU_BASE}/instructions/`), `instructions link: ${href}`)
  return { numbers, deadline: shown[t.paymentDeadline]!, href, link }
}

/**
 * 申請完了 of a コンビニ / Pay-easy charge: the numbers and the deadline, the KOMOJU twin's
 * instructions page (it loads and shows the same numbers), then OK to 申請情報 詳細, which
 * shows them again while the payment is awaited.
 */
const checkReceipt = async (
  page: Page,
  lang: Lang,
  id: number,
  amount: number,
  method: PaymentMethod,
) => {
  const t = CATALOGUE[lang]
  const applied = await mainText(page)
  assert.ok(applied.includes(t.payLater), applied)
  assert.ok(!applied.includes(t.goingToPayment))
  await assertFits(page)
  const receipt = await storeNumbers(page, lang, method)

  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === receipt.href),
    receipt.link.click(),
  ])
  assert.equal(response.status(), 200, `the instructions page answered ${response.status()}`)
  await page.waitForURL(receipt.href)
  const howTo = await mainText(page)
  assert.ok(
    (await page.locator('h1').innerText()).startsWith(
      lang === 'ja' ? 'お支払い方法のご案内' : 'How to pay',
    ),
  )
  for (const part of [...receipt.numbers, `¥${amount.toLocaleString('en-US')}`])
    assert.ok(howTo.includes(part), `the instructions page does not show ${part}: ${howTo}`)
  await assertFits(page, 'the instructions page')
  await page.goBack()
  assert.equal(await page.locator('h1').innerText(), t.appliedTitle)

  await page.getByRole('link', { name: exact(t.ok) }).click()
  assert.equal(new URL(page.url()).pathname, `/applications/${id}`)
  assert.equal(await page.locator('h1').innerText(), t.detailTitle)
  const detail = await storeNumbers(page, lang, method)
  await assertFits(page)
  assert.deepEqual(detail.numbers, receipt.numbers)
  assert.equal(detail.deadline, receipt.deadline)
  const text = await mainText(page)
  for (const part of [t.statusAwaiting, t[`pm_${method}`], t.creditNotPaid])
    assert.ok(text.includes(part), `${part}: ${text}`)
  return receipt.numbers
}

/** /_dev/payments: "Pay at the store" for each application, then every webhook delivered now. */
const payAtStore = async (page: Page, ...ids: number[]) => {
  for (const id of ids) {
    await page.goto(`${BASE}/_dev/payments`)
    const pay = page.getByRole('button', { name: `Pay at the store #${id}`, exact: true })
    if ((await pay.count()) === 0) {
      const twin = await (await fetch(`${KOMOJU_BASE}/_twin/payments?status=authorized`)).json()
      assert.fail(
        `/_dev/payments offers no "Pay at the store #${id}": ${(await mainText(page)).slice(0, 300)}\n` +
          `while the KOMOJU twin has open payments: ${JSON.stringify(twin).slice(0, 400)}`,
      )
    }
    await pay.click()
    assert.equal(new URL(page.url()).pathname, '/_dev/payments')
    assert.equal(await page.locator('[data-twin-problem], .message-error').count(), 0)
    assert.equal(
      await page.getByRole('button', { name: `Pay at the store #${id}`, exact: true }).count(),
      0,
    )
  }
  await page.getByRole('button', { name: 'Deliver now (flush)' }).click()
}

/** 申請情報 詳細 once the charge is on the card: お支払い済み, the method, the amount. */
const expectCredited = async (
  page: Page,
  lang: Lang,
  id: number,
  amount: number,
  method: PaymentMethod,
) => {
  const t = CATALOGUE[lang]
  const detail = await reloadUntil(page, `${BASE}/applications/${id}`, creditedText(lang))
  assert.equal(await page.locator('main dd.status').innerText(), t.statusPaid)
  for (const part of [t[`pm_${method}`], yen(lang, amount)])
    assert.ok(detail.includes(part), `application ${id} does not show ${part}: ${detail}`)
  return detail
}

describe('manual §4 in the browser', () => {
  it('charges with a card on a phone, in Japanese: paid on the hosted page, credited exactly once, listed, mailed', async () => {
    const page = await newPage(PHONE)
    const t = ja
    await setClock(page, noon())
    await onboard(page, 'demo0101', 'ja')
    const before = await cardBalance(page, 'demo0101')
    const id = await applyFor(page, 'ja', 2000, 'credit_card', before)
    await openHostedPage(page, 'ja', id, 2000, 'credit_card')
    await payOnHostedPage(page, 'ja', id)
    await assertFits(page)
    await page.getByRole('link', { name: exact(t.seeDetails) }).click()
    assert.equal(await page.locator('h1').innerText(), t.detailTitle)
    const detail = await expectCredited(page, 'ja', id, 2000, 'credit_card')
    for (const part of [t.issueInfo, t.paymentInfo, t.detailInfo, t.statusPaid, '2,000円'])
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
    await assertFits(page)

    // The webhooks (duplicates among them) change nothing more: one mail, one credit.
    await page.goto(`${BASE}/_dev/payments`)
    await page.getByRole('button', { name: 'Deliver now (flush)' }).click()
    await page.goto(`${BASE}/_dev/mail`)
    const mail = page.locator(
      'article[data-to="demo0101@example.ac.jp"][data-kind="charge-completed"]',
    )
    assert.equal(await mail.count(), 1)
    assert.ok((await mail.innerText()).includes(`発行申請番号は ${id} です。`))
    assert.equal(await cardBalance(page, 'demo0101'), before + 2000)
  })

  it('charges with コンビニ on a desktop, in English: numbers on 申請完了, paid at the store, History tab', async () => {
    const page = await newPage(DESKTOP)
    const t = en
    await setClock(page, noon())
    await onboard(page, 'demo0102', 'en')
    const before = await cardBalance(page, 'demo0102')
    const id = await applyFor(page, 'en', 1500, 'cvs_seven_eleven', before)
    const [number] = await checkReceipt(page, 'en', id, 1500, 'cvs_seven_eleven')
    assert.equal(await page.locator('main .payment-number').innerText(), number)

    await page.goto(`${BASE}/_dev/mail`)
    assert.ok(
      (
        await page
          .locator('article[data-to="demo0102@example.ac.jp"][data-kind="payment-deadline"]')
          .innerText()
      ).includes(number!),
    )

    await payAtStore(page, id)
    await expectCredited(page, 'en', id, 1500, 'cvs_seven_eleven')
    assert.equal(await cardBalance(page, 'demo0102'), before + 1500)

    await page.goto(`${BASE}/applications`)
    assert.equal(await page.getByRole('link', { name: String(id), exact: true }).count(), 0)
    await page.getByRole('link', { name: exact(t.tabHistory) }).click()
    assert.equal(await page.getByRole('link', { name: String(id), exact: true }).count(), 1)
  })

  /**
   * All eleven methods, each once: the seven paid there and then on the hosted page, the
   * four paid later from 申請完了's numbers. Japanese at a phone's width for one student,
   * English at a desktop's for another, each language with both kinds.
   */
  const ELEVEN: Record<Lang, { userId: string; charges: [PaymentMethod, number][] }> = {
    ja: {
      userId: 'demo0104',
      charges: [
        ['credit_card', 1100],
        ['d_barai', 1200],
        ['softbank_matomete', 1300],
        ['paypay', 1400],
        ['cvs_familymart', 1500],
        ['payeasy', 1600],
      ],
    },
    en: {
      userId: 'demo0105',
      charges: [
        ['au_kantan', 2100],
        ['apple_pay', 2200],
        ['merpay', 2300],
        ['cvs_seven_eleven', 2400],
        ['cvs_lawson', 2500],
      ],
    },
  }
  it(
    'pays with each of the eleven methods once, in both languages, and credits the card by exactly their sum',
    { timeout: 360_000 },
    async () => {
      const covered = Object.values(ELEVEN).flatMap((s) => s.charges.map(([m]) => m))
      assert.equal(new Set(covered).size, 11)
      const admin = await newPage(DESKTOP)
      await setClock(admin, noon())
      for (const lang of ['ja', 'en'] as const) {
        const { userId, charges } = ELEVEN[lang]
        const page = await newPage(lang === 'ja' ? PHONE : DESKTOP)
        await onboard(page, userId, lang)
        const before = await cardBalance(page, userId)
        let balance = before
        const applied: { id: number; method: PaymentMethod; amount: number }[] = []
        for (const [method, amount] of charges) {
          const id = await applyFor(page, lang, amount, method, balance)
          if (HOSTED_NAMES[method]) {
            await openHostedPage(page, lang, id, amount, method)
            await payOnHostedPage(page, lang, id)
            // Credited at once or very soon: the next charge starts from the new balance.
            await expectCredited(page, lang, id, amount, method)
            balance += amount
          } else await checkReceipt(page, lang, id, amount, method)
          applied.push({ id, method, amount })
        }
        const later = applied.filter((a) => !HOSTED_NAMES[a.method])
        await payAtStore(admin, ...later.map((a) => a.id))
        for (const a of later) await expectCredited(page, lang, a.id, a.amount, a.method)
        const sum = charges.reduce((n, [, amount]) => n + amount, 0)
        assert.equal(await cardBalance(page, userId), before + sum, `${userId}'s card`)
        // Every webhook delivered (duplicates too): still exactly the sum.
        await admin.goto(`${BASE}/_dev/payments`)
        await admin.getByRole('button', { name: 'Deliver now (flush)' }).click()
        await runCron(admin)
        assert.equal(
          await cardBalance(page, userId),
          before + sum,
          `${userId}'s card after the webhooks`,
        )
        await page.context().close()
      }
    },
  )

  it('キャンセル on the hosted page: back on the service the application is cancelled, nothing charged', async () => {
    const page = await newPage(PHONE)
    const t = ja
    await setClock(page, noon())
    await onboard(page, 'demo0106', 'ja')
    const before = await cardBalance(page, 'demo0106')
    const id = await applyFor(page, 'ja', 3000, 'credit_card', before)
    await openHostedPage(page, 'ja', id, 3000, 'credit_card')
    const sessionUrl = page.url()
    await page.getByRole('button', { name: exact(hosted('ja').cancel) }).click()
    const back = new URL(page.url())
    assert.equal(`${back.origin}${back.pathname}`, `${BASE}/applications/${id}/return`)
    // Headed by what happened, not 申請完了 (the manual's 申請完了 is a payment made).
    assert.equal(await page.locator('h1').innerText(), t.notPaidHeading)
    const shown = await mainText(page)
    assert.ok(shown.includes(t.notPaid.replace('{status}', t.statusCancelled)), shown)
    assert.ok(!shown.includes(t.paymentDone))

    await page.getByRole('link', { name: exact(t.seeDetails) }).click()
    assert.equal(await page.locator('main dd.status').innerText(), t.statusCancelled)
    assert.ok((await mainText(page)).includes(t.creditNotPaid))
    // The service cancelled the session at KOMOJU: its page can no longer be paid.
    const again = await page.goto(sessionUrl)
    assert.equal(again?.status(), 409)
    assert.equal(await page.getByRole('button', { name: exact(hosted('ja').pay) }).count(), 0)
    assert.equal(await cardBalance(page, 'demo0106'), before)
  })

  it('at 02:30 JST the credit waits for the stop window, and the cron credits it after 05:00', async () => {
    const page = await newPage(PHONE)
    // Noon first, then the night after it: the clock only moves forward in this test.
    const noonAt = nextJstAt(12, 0)
    await setClock(page, jstText(noonAt))
    await onboard(page, 'demo0103', 'ja')
    // Seen once while M.I.C. answers, the balance is shown (with its time) during the stop.
    await page.goto(`${BASE}/charge`)
    const before = await cardBalance(page, 'demo0103')
    const night = nextJstAt(2, 30, noonAt)
    await setClock(page, jstText(night))
    await login(page, 'demo0103')
    await page.goto(`${BASE}/charge`)
    const stopped = await mainText(page)
    assert.ok(stopped.includes('時点の残高を表示しています'), stopped)
    assert.ok(stopped.includes('05:00 以降にM.I.C.へ反映されます'), stopped)
    const id = await applyFor(page, 'ja', 1000, 'paypay', before)
    await openHostedPage(page, 'ja', id, 1000, 'paypay')
    await payOnHostedPage(page, 'ja', id)
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
    await setClock(page, noon())
  })
})

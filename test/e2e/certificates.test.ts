import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { certificates as certText } from '../../src/i18n/console/certificates.ts'
import { common } from '../../src/i18n/console/common.ts'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import { activate, checkA11y, tabTo, typeInto } from './a11y.ts'
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
import { button, field, staffLogin } from './staff.ts'
import { login, onboard, type Lang } from './student.ts'

/**
 * 各種証明書のオンライン申請 in Chromium (issue 18, "Proof"): a student orders two types,
 * sees their 見本, pays (at a konbini on a phone in Japanese, by card on a desktop in
 * English), downloads a certificate, and /verify says the very file is 同一 while a copy
 * with one byte changed is not; the recipient opens the mailed link without an account;
 * a postal order is printed, enclosed (厳封) and shipped in the console by keyboard alone;
 * axe-core and the layout check on every new page. With E2E_SHOTS=<folder> the last test
 * also takes screenshots of every new page for a person to look at.
 */

let browser: Browser
before(async () => {
  browser = await launch()
  const page = await browser.newPage()
  await setClock(page, nextJst(12, 0)) // the registrar and M.I.C. open
  await page.close()
})
after(async () => {
  await browser?.close()
})

const CATALOGUE = { ja, en }
const DOWNLOADS = '/tmp/e2e-certificates'
mkdirSync(DOWNLOADS, { recursive: true })

/** Axe and the layout check, as a11y.test.ts does on each page (the context bypasses CSP). */
const check = async (page: Page, where: string) => {
  await checkA11y(page, where)
  await assertFits(page, where)
}
const h1 = (page: Page) => page.locator('h1').innerText()
const idFrom = (page: Page) => Number(new URL(page.url()).pathname.split('/')[2])

/** Reloads a page until `text` shows (the webhook and the queue issue in their own time). */
const reloadUntil = async (page: Page, url: string, text: string, tries = 80) => {
  for (let i = 0; i < tries; i++) {
    await page.goto(url)
    if ((await mainText(page)).includes(text)) return
    await page.waitForTimeout(250)
  }
  assert.fail(`${url} never showed ${text}: ${await mainText(page)}`)
}

interface Order {
  copies: Record<string, number>
  delivery: 'pdf' | 'post'
  method: string
  recipient?: { organisation: string; name: string; email: string }
  post?: { name: string; postalCode: string; address: string; phone: string; sealed: boolean }
}

/** メニュー → 各種証明書のオンライン申請, the form filled in, 次へ: 申請内容確認. */
const fillOrder = async (page: Page, lang: Lang, order: Order, where?: (s: string) => unknown) => {
  const t = CATALOGUE[lang]
  await page.goto(`${BASE}/menu`)
  await page.getByRole('link', { name: exact(t.menuCertificates) }).click()
  assert.equal(await h1(page), t.certTitle)
  await where?.('各種証明書のオンライン申請')
  const main = page.locator('main')
  // Nothing chosen: the form comes back with its errors named.
  await main.getByRole('button', { name: exact(t.next) }).click()
  assert.equal(await h1(page), t.certTitle)
  const errors = await mainText(page)
  for (const e of [t.copiesNone, t.deliveryRequired, t.methodRequired])
    assert.ok(errors.includes(e), `${e}: ${errors}`)
  await where?.('各種証明書のオンライン申請, with errors')

  for (const [name, n] of Object.entries(order.copies))
    await main.locator(`#copies_${name}`).fill(String(n))
  await main.locator(`#delivery-${order.delivery}`).check()
  if (order.recipient) {
    await main
      .getByLabel(t.recipientOrganisation, { exact: true })
      .fill(order.recipient.organisation)
    await main.getByLabel(t.recipientName, { exact: true }).fill(order.recipient.name)
    await main.getByLabel(t.recipientEmail, { exact: true }).fill(order.recipient.email)
    await main.getByLabel(t.recipientEmailConfirm, { exact: true }).fill(order.recipient.email)
  }
  if (order.post) {
    await main.getByLabel(t.postName, { exact: true }).fill(order.post.name)
    await main.getByLabel(t.postalCode, { exact: true }).fill(order.post.postalCode)
    await main.getByLabel(t.postAddress, { exact: true }).fill(order.post.address)
    await main.getByLabel(t.postPhone, { exact: true }).fill(order.post.phone)
    if (order.post.sealed) await main.locator('#sealed').check()
  }
  await main.locator(`#method-${order.method}`).check()
  await main.getByRole('button', { name: exact(t.next) }).click()
  assert.equal(await h1(page), t.confirmTitle, await mainText(page))
}

/** 申請内容確認: one 見本 per type ordered, marked 見本 / SAMPLE, and the total. */
const checkSamples = async (page: Page, lang: Lang, titles: string[], total: number) => {
  const t = CATALOGUE[lang]
  const samples = page.locator('main figure.certificate-sample')
  assert.equal(await samples.count(), titles.length)
  for (const [i, title] of titles.entries()) {
    const sample = samples.nth(i)
    assert.equal((await sample.locator('h3').textContent())?.trim(), title)
    assert.ok(
      await sample.locator('.sample-mark').isVisible(),
      `${title} is not marked as a sample`,
    )
  }
  const text = await mainText(page)
  assert.ok(text.includes(t.certSamples), text)
  assert.ok(text.includes(t.yen.replace('{amount}', total.toLocaleString('en-US'))), text)
}

/** /_dev/payments: "Pay at the store" for the application, then every webhook delivered. */
const payAtStore = async (page: Page, id: number) => {
  await page.goto(`${BASE}/_dev/payments`)
  await page.getByRole('button', { name: `Pay at the store #${id}`, exact: true }).click()
  await page.getByRole('button', { name: 'Deliver now (flush)' }).click()
}

/** On KOMOJU's hosted page (the twin's): 支払う / Pay, back on the service. */
const payByCard = async (page: Page, lang: Lang) => {
  const t = CATALOGUE[lang]
  await page.getByRole('link', { name: exact(t.ok) }).click()
  assert.ok(page.url().startsWith(`${KOMOJU_BASE}/sessions/`), page.url())
  await page.getByRole('button', { name: exact(lang === 'ja' ? '支払う' : 'Pay') }).click()
  assert.equal(await h1(page), t.paymentDoneTitle)
}

/** 申請情報 詳細's certificates: each one's 照合番号 and download link. */
const issuedOn = async (page: Page) =>
  page.locator('main ul.issued > li').evaluateAll((items) =>
    items.map((li) => ({
      name: li.querySelector('.issued-name')?.textContent?.trim() ?? '',
      code: li.querySelector('dd.code')?.textContent?.trim() ?? '',
      href: li.querySelector('a[download]')?.getAttribute('href') ?? null,
    })),
  )

/** Clicks a download link and keeps the file; returns its path and bytes. */
const download = async (page: Page, href: string, name: string) => {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`main a[href="${href}"]`).click(),
  ])
  assert.match(file.suggestedFilename(), /\.pdf$/)
  const path = `${DOWNLOADS}/${name}.pdf`
  await file.saveAs(path)
  const bytes = readFileSync(path)
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-')
  return { path, bytes }
}

/**
 * /verify: the 照合番号 typed (as printed, with hyphens) shows the certificate 有効; the
 * file dropped on the page is 同一; a copy with one byte changed does not match.
 */
const verify = async (
  page: Page,
  lang: Lang,
  code: string,
  pdf: { path: string; bytes: Buffer },
  where?: (s: string) => unknown,
) => {
  const t = CATALOGUE[lang]
  await page.goto(`${BASE}/verify`)
  assert.equal(await h1(page), t.verifyTitle)
  await where?.('/verify')
  await page.getByLabel(t.verificationCode, { exact: true }).fill(code)
  await page.getByRole('button', { name: exact(t.verifyButton) }).click()
  assert.equal(await page.locator('main .verify-standing strong').innerText(), t.verifyValid)
  const sha = createHash('sha256').update(pdf.bytes).digest('hex')
  assert.equal(await page.locator('main dd.hash').innerText(), sha)
  await where?.('/verify, a valid certificate')

  const outcome = page.locator('#verify-outcome')
  await page.locator('#verify-file').setInputFiles(pdf.path)
  await assert.doesNotReject(outcome.getByText(t.verifySame).waitFor({ timeout: 10_000 }))
  assert.equal(await outcome.getAttribute('class'), 'verify-same')

  // One byte changed, in the middle of the file: not the certificate the university issued.
  const tampered = Buffer.from(pdf.bytes)
  const middle = tampered.length >> 1
  tampered.writeUInt8(tampered.readUInt8(middle) ^ 0x01, middle)
  await page
    .locator('#verify-file')
    .setInputFiles({ name: 'tampered.pdf', mimeType: 'application/pdf', buffer: tampered })
  await assert.doesNotReject(outcome.getByText(t.verifyDifferent).waitFor({ timeout: 10_000 }))
  assert.equal(await outcome.getAttribute('class'), 'verify-different')
  assert.match(t.verifyDifferent, lang === 'ja' ? /一致しません/ : /does not match/)

  // A code that was never issued.
  await page.getByLabel(t.verificationCode, { exact: true }).fill('ABCD-EFGH-JKMN-PQRS')
  await page.getByRole('button', { name: exact(t.verifyButton) }).click()
  assert.ok((await mainText(page)).includes(t.verifyNotFound), await mainText(page))
  await where?.('/verify, not found')
}

/** 申請内容確認 → 申請. */
const apply = async (page: Page, lang: Lang) => {
  await page.getByRole('button', { name: exact(CATALOGUE[lang].apply) }).click()
  assert.equal(await h1(page), CATALOGUE[lang].appliedTitle)
}

const SHOTS = process.env.E2E_SHOTS
/** Viewport-sized screenshots down the page at each width, into E2E_SHOTS (if set). */
const shots = async (page: Page, name: string, widths = [320, 390, 1280]) => {
  if (!SHOTS) return
  mkdirSync(SHOTS, { recursive: true })
  const own = page.viewportSize()!
  for (const width of widths) {
    const height = width < 800 ? 740 : 800
    await page.setViewportSize({ width, height })
    const total = await page.evaluate(() => document.documentElement.scrollHeight)
    for (let i = 0; i * height < total && i < 8; i++) {
      await page.evaluate((y) => window.scrollTo(0, y), i * height)
      await page.screenshot({ path: `${SHOTS}/${name}-${width}-${i + 1}.png` })
    }
  }
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.setViewportSize(own)
}

/** What the later tests reuse: the Japanese student's order and the recipient's link. */
const made: { jaOrder?: number; recipientLink?: string; code?: string } = {}

describe('certificates in the browser', () => {
  it(
    'orders two types on a phone in Japanese, pays at a konbini, downloads and verifies the PDF',
    { timeout: 240_000 },
    async () => {
      const t = ja
      const context = await browser.newContext({ viewport: PHONE, bypassCSP: true })
      const page = await context.newPage()
      const where = (s: string) => check(page, s)
      await onboard(page, 'demo0601', 'ja')
      await fillOrder(
        page,
        'ja',
        { copies: { enrolment_ja: 1, transcript_en: 1 }, delivery: 'pdf', method: 'cvs_lawson' },
        where,
      )
      await checkSamples(page, 'ja', ['在学証明書', 'Academic Transcript'], 600)
      await check(page, '申請内容確認 with 見本')

      await page.getByRole('button', { name: exact(t.apply) }).click()
      assert.equal(await h1(page), t.appliedTitle)
      const id = idFrom(page)
      assert.ok((await mainText(page)).includes(t.payLater), await mainText(page))
      await check(page, '申請完了 (konbini)')
      await payAtStore(page, id)
      await reloadUntil(page, `${BASE}/applications/${id}`, t.certIssuedPdf)
      assert.equal(await h1(page), t.detailTitle)
      await check(page, '申請情報 詳細 with certificates')

      const issued = await issuedOn(page)
      assert.equal(issued.length, 2, JSON.stringify(issued))
      for (const c of issued) {
        assert.match(c.code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/, c.code)
        assert.ok(c.href, `${c.name} has no download`)
      }
      const pdf = await download(page, issued[1]!.href!, 'ja-transcript')
      await verify(page, 'ja', issued[1]!.code, pdf, where)
      made.jaOrder = id
      made.code = issued[0]!.code
      await context.close()
    },
  )

  it(
    'orders on a desktop in English by card with a recipient, who downloads from the mailed link without an account',
    { timeout: 240_000 },
    async () => {
      const t = en
      // No CSP bypass here: /verify's own script must run under the page's policy.
      const page = await (await browser.newContext({ viewport: DESKTOP })).newPage()
      const fits = (s: string) => assertFits(page, s)
      const recipient = {
        organisation: 'Globex Corporation',
        name: 'Hiring Team',
        email: 'hiring@globex.example',
      }
      await onboard(page, 'demo0602', 'en')
      await fillOrder(
        page,
        'en',
        {
          copies: { enrolment_en: 1, transcript_ja: 1 },
          delivery: 'pdf',
          method: 'credit_card',
          recipient,
        },
        fits,
      )
      await checkSamples(page, 'en', ['Certificate of Enrollment', '成績証明書'], 600)
      const confirm = await mainText(page)
      assert.ok(confirm.includes(`${recipient.organisation} ${recipient.name}`), confirm)
      await assertFits(page, 'Review (samples)')
      await page.getByRole('button', { name: exact(t.apply) }).click()
      const id = idFrom(page)
      await payByCard(page, 'en')
      await page.getByRole('link', { name: exact(t.seeDetails) }).click()
      await reloadUntil(page, `${BASE}/applications/${id}`, t.certIssuedPdf)
      await assertFits(page, 'Application details with certificates')
      const issued = await issuedOn(page)
      assert.equal(issued.length, 2)
      const mine = await download(page, issued[0]!.href!, 'en-enrolment')
      await verify(page, 'en', issued[0]!.code, mine, fits)

      // The recipient's mail: a link that needs no account, opened in a browser of its own.
      const link = await mailLink(page, recipient.email)
      assert.match(new URL(link).pathname, /^\/r\/[\w-]{20,}$/)
      const stranger = await (
        await browser.newContext({ viewport: DESKTOP, bypassCSP: true })
      ).newPage()
      await stranger.goto(`${BASE}/lang/en?next=${encodeURIComponent(new URL(link).pathname)}`)
      assert.equal(new URL(stranger.url()).pathname, new URL(link).pathname)
      assert.equal(await h1(stranger), t.recipientPageTitle)
      const intro = await mainText(stranger)
      assert.ok(intro.includes(recipient.organisation), intro)
      await check(stranger, '/r/:token')
      const theirs = await issuedOn(stranger)
      assert.deepEqual(
        theirs.map((c) => c.code),
        issued.map((c) => c.code),
      )
      const received = await download(stranger, theirs[0]!.href!, 'en-recipient')
      assert.ok(received.bytes.equals(mine.bytes), 'the recipient got another file')
      made.recipientLink = new URL(link).pathname
      await stranger.context().close()
      await page.context().close()
    },
  )

  it(
    'a postal order is printed, enclosed (厳封) and shipped in the console by keyboard alone; the student is mailed the tracking number',
    { timeout: 240_000 },
    async () => {
      const t = ja
      const ct = { ...common.ja, ...certText.ja }
      const student = await (await browser.newContext({ viewport: PHONE })).newPage()
      await onboard(student, 'demo0603', 'ja')
      await fillOrder(student, 'ja', {
        copies: { enrolment_ja: 2 },
        delivery: 'post',
        method: 'credit_card',
        post: {
          name: '伊藤 ユイ',
          postalCode: '663-8558',
          address: '兵庫県西宮市池開町6-46',
          phone: '090-1234-5678',
          sealed: true,
        },
      })
      await apply(student, 'ja')
      const id = idFrom(student)
      await payByCard(student, 'ja')
      await reloadUntil(student, `${BASE}/applications/${id}`, t.certIssuedPost)

      const staff = await (
        await browser.newContext({ viewport: DESKTOP, bypassCSP: true })
      ).newPage()
      await staff.goto(`${BASE}/lang/ja?next=/staff/login`)
      await staffLogin(staff, 'staff@demo.example')
      await activate(
        staff,
        staff.locator('.console-nav').getByRole('link', { name: exact(ct.certNav) }),
      )
      assert.equal(await h1(staff), ct.certQueueTitle)
      await check(staff, '証明書の郵送 印刷待ち')
      const card = () => staff.locator(`#order-${id}`)
      assert.ok((await card().innerText()).includes('兵庫県西宮市池開町6-46'))
      assert.ok((await card().innerText()).includes(ct.certSealedYes))

      // 印刷: the certificates as issued are there to print; then 印刷済みにする.
      assert.equal(await card().locator('a[href$="/pdf"]').count(), 2)
      await activate(staff, card().getByRole('button', { name: exact(ct.certMarkPrinted) }))
      assert.match(staff.url(), /step=printed/)
      assert.ok((await mainText(staff)).includes(ct.certDonePrint.replace('{id}', String(id))))
      await check(staff, '証明書の郵送 封入待ち')

      // 封入: without the 厳封 confirmation it is refused, named on the order.
      await activate(staff, card().getByRole('button', { name: exact(ct.certMarkEnclosed) }))
      assert.ok((await mainText(staff)).includes(ct.certErrSealedConfirm))
      await check(staff, '証明書の郵送 封入, 厳封 not confirmed')
      const sealed = card().getByLabel(ct.certSealedConfirm)
      await tabTo(staff, sealed)
      await staff.keyboard.press('Space')
      assert.ok(await sealed.isChecked())
      await activate(staff, card().getByRole('button', { name: exact(ct.certMarkEnclosed) }))
      assert.match(staff.url(), /step=enclosed/)
      await check(staff, '証明書の郵送 発送待ち')

      // 発送 with the tracking number (typed with hyphens, as on the label).
      await activate(staff, card().getByRole('button', { name: exact(ct.certMarkShipped) }))
      assert.ok((await mainText(staff)).includes(ct.certTracking))
      await typeInto(staff, card().getByLabel(ct.certTracking), '1234-5678-9012')
      await activate(staff, card().getByRole('button', { name: exact(ct.certMarkShipped) }))
      assert.match(staff.url(), /step=shipped/)
      const done = await mainText(staff)
      assert.ok(
        done.includes(
          ct.certDoneShip.replace('{id}', String(id)).replace('{tracking}', '123456789012'),
        ),
        done,
      )
      assert.ok(done.includes(ct.certDoneMailed), done)
      await check(staff, '証明書の郵送 発送済み')

      // The student's mail for 発送 carries the tracking number; 申請情報 詳細 says so too.
      await student.goto(`${BASE}/_dev/mail`)
      const mail = student.locator(
        'article[data-to="demo0603@example.ac.jp"][data-kind="certificate-shipped"]',
      )
      assert.equal(await mail.count(), 1)
      assert.ok((await mail.innerText()).includes('123456789012'), await mail.innerText())
      await student.goto(`${BASE}/applications/${id}`)
      assert.ok(
        (await mainText(student)).includes(t.certShipped.replace('{tracking}', '123456789012')),
      )
      await student.context().close()

      // 申請詳細's 失効 and 再発行 confirmations, and 大学設定's catalogue (as the admin).
      await staff.goto(`${BASE}/staff/applications/${made.jaOrder ?? id}`)
      await check(staff, '申請詳細 with certificates')
      await activate(staff, staff.locator('main a[href$="/revoke"]').first())
      assert.equal(await h1(staff), ct.certRevokeTitle)
      await check(staff, '失効 confirmation')
      await activate(staff, button(staff, ct.certRevoke))
      assert.ok((await mainText(staff)).length > 0)
      assert.equal(await h1(staff), ct.certRevokeTitle)
      await check(staff, '失効 confirmation without a reason')
      await staff.goBack()
      await staff.goto(`${BASE}/staff/applications/${made.jaOrder ?? id}`)
      await activate(staff, staff.locator('main a[href$="/reissue"]').first())
      assert.equal(await h1(staff), ct.certReissueTitle)
      await check(staff, '再発行 confirmation')
      await staff.context().close()

      const admin = await (
        await browser.newContext({ viewport: DESKTOP, bypassCSP: true })
      ).newPage()
      await admin.goto(`${BASE}/lang/ja?next=/staff/login`)
      await staffLogin(admin, 'admin@demo.example')
      await admin.goto(`${BASE}/staff/settings/certificates`)
      assert.equal(await h1(admin), ct.certSettingsTitle)
      await check(admin, '大学設定（各種証明書）')
      // (The catalogue has some sixty controls: this one is filled, not reached by Tab.)
      await field(admin, 'validity_days').fill('0')
      await admin.locator('main button[type="submit"]').last().click()
      assert.ok((await mainText(admin)).includes(ct.certValidityDays), await mainText(admin))
      await check(admin, '大学設定（各種証明書） with an error')
      await admin.context().close()
    },
  )

  /**
   * Every new page at a desktop's width in both languages through the layout check (which
   * also tries each phone width), and with E2E_SHOTS=<folder> a screenshot of each at 320,
   * 390 and 1280 px, viewport by viewport down the page, for a person to look at.
   */
  it(
    'every new page fits at 320–1280 px in both languages (screenshots with E2E_SHOTS)',
    {
      timeout: 300_000,
    },
    async () => {
      assert.ok(made.jaOrder && made.code && made.recipientLink, 'the tests above ran first')
      for (const lang of ['ja', 'en'] as const) {
        const t = CATALOGUE[lang]
        const page = await (await browser.newContext({ viewport: DESKTOP })).newPage()
        const look = async (name: string) => {
          await assertFits(page, `${name} (${lang})`)
          await shots(page, `${lang}-${name}`)
        }
        await page.goto(`${BASE}/lang/${lang}?next=/login`)
        await login(page, 'demo0601')
        await page.goto(`${BASE}/certificates`)
        await look('order')
        await page
          .locator('main')
          .getByRole('button', { name: exact(t.next) })
          .click()
        await look('order-errors')
        await page.goto(`${BASE}/certificates`)
        await page.locator('#copies_enrolment_ja').fill('1')
        await page.locator('#copies_transcript_en').fill('2')
        await page.locator('#delivery-pdf').check()
        await page
          .getByLabel(t.recipientOrganisation, { exact: true })
          .fill('株式会社グローベックス人事部')
        await page.getByLabel(t.recipientName, { exact: true }).fill('採用担当 山﨑 希 様')
        await page.locator('#method-cvs_lawson').check()
        await page
          .locator('main')
          .getByRole('button', { name: exact(t.next) })
          .click()
        assert.equal(await h1(page), t.confirmTitle)
        await look('confirm')
        await page.goto(`${BASE}/applications/${made.jaOrder}`)
        await look('detail')
        await page.goto(`${BASE}/applications`)
        await look('applications')
        await page.goto(`${BASE}/verify`)
        await look('verify')
        await page.goto(`${BASE}/verify?code=${made.code}`)
        await look('verify-result')
        await page.goto(`${BASE}/verify?code=ABCD-EFGH-JKMN-PQRS`)
        await look('verify-not-found')
        await page.goto(`${BASE}/verify?code=12`)
        await look('verify-invalid')
        await page.goto(`${BASE}${made.recipientLink}`)
        await look('recipient')
        await page.goto(`${BASE}/r/${'x'.repeat(43)}`)
        await look('recipient-invalid')
        await page.context().close()
      }
      const staff = await (await browser.newContext({ viewport: DESKTOP })).newPage()
      await staff.goto(`${BASE}/lang/ja?next=/staff/login`)
      await staffLogin(staff, 'admin@demo.example')
      for (const [name, path] of [
        ['queue-to-print', '/staff/certificates'],
        ['queue-shipped', '/staff/certificates?step=shipped'],
        ['application', `/staff/applications/${made.jaOrder}`],
        ['settings', '/staff/settings/certificates'],
      ]) {
        await staff.goto(`${BASE}${path}`)
        await assertFits(staff, name)
        await shots(staff, `console-${name}`, [1280])
      }
      await staff.goto(`${BASE}/staff/applications/${made.jaOrder}`)
      await staff.locator('main a[href$="/reissue"]').first().click()
      await shots(staff, 'console-reissue', [1280])
    },
  )
})

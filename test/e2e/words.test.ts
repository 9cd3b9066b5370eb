import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import {
  assertFits,
  BASE,
  DESKTOP,
  exact,
  KOMOJU_BASE,
  launch,
  mainText,
  nextJst,
  setClock,
} from './browser.ts'
import { onboard, type Lang } from './student.ts'

/**
 * The student's messages of issue 22 in Chromium: a credit M.I.C. refuses (a suspended
 * card) named on 申請情報 詳細 with one next step, 返金を申し込む leading to its own
 * question, and the tries left after a failed login; in Japanese on a phone (English on a
 * desktop with E2E_WORDS_EN=1), each page checked for fit at every phone width. With E2E_SHOTS=<folder>,
 * screenshots of each page at 320, 390 and 1280 px.
 */
const CATALOGUE = { ja, en }
const PHONE_390 = { width: 390, height: 844 }

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const SHOTS = process.env.E2E_SHOTS
const shots = async (page: Page, name: string) => {
  if (!SHOTS) return
  mkdirSync(SHOTS, { recursive: true })
  const own = page.viewportSize()!
  for (const width of [320, 390, 1280]) {
    await page.setViewportSize({ width, height: width < 800 ? 740 : 800 })
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true })
  }
  await page.setViewportSize(own)
}

const creditStatus = async (id: number) => {
  const l = (await (await fetch(`${BASE}/_dev/ledger?detail=1`)).json()) as {
    detail: { id: number; creditStatus: string }[]
  }
  return l.detail.find((a) => a.id === id)?.creditStatus
}

describe("the student's messages", () => {
  // Japanese on a phone only: the run costs about a minute, and the English words are
  // checked in test/integration/student-words.test.ts (E2E_WORDS_EN=1 adds the English run
  // at a desktop's width, for screenshots).
  for (const [lang, userId, viewport] of [
    ['ja', 'demo0961', PHONE_390],
    ...(process.env.E2E_WORDS_EN ? ([['en', 'demo0962', DESKTOP]] as const) : []),
  ] as const) {
    it(`a refused credit: its cause, one next step, the refund asked on its own page (${lang})`, async () => {
      const t = CATALOGUE[lang as Lang]
      const page = await (await browser.newContext({ viewport })).newPage()
      await setClock(page, nextJst(12, 0)) // M.I.C. open
      await onboard(page, userId, lang)
      await page.goto(`${BASE}/charge`) // the card is read (and so known to the twin)
      await page.goto(`${BASE}/_dev/mic`)
      await page.getByRole('button', { name: `Suspend demo:${userId}` }).click()

      await page.goto(`${BASE}/charge/confirm?amount=1000&method=credit_card`)
      await page.getByRole('button', { name: exact(t.apply) }).click()
      const id = Number(new URL(page.url()).pathname.split('/')[2])
      await page.getByRole('link', { name: exact(t.ok) }).click()
      assert.ok(page.url().startsWith(`${KOMOJU_BASE}/sessions/`), page.url())
      await page.getByRole('button', { name: /^(支払う|Pay)$/ }).click()
      assert.equal(await page.locator('h1').innerText(), t.paymentDoneTitle)
      for (let i = 0; i < 60 && (await creditStatus(id)) !== 'refused'; i++)
        await page.waitForTimeout(250)
      assert.equal(await creditStatus(id), 'refused')

      await page.goto(`${BASE}/applications/${id}`)
      const detail = await mainText(page)
      assert.ok(detail.includes(t.creditCause_cardSuspended), detail)
      assert.ok(!detail.includes(t.refundConfirm.slice(-6)), detail) // no question yet
      await assertFits(page, 'a refused credit')
      await shots(page, `words-${lang}-refused`)

      await page.getByRole('link', { name: exact(t.refundRequest) }).click()
      assert.equal(await page.locator('h1').innerText(), t.refundConfirmTitle)
      await assertFits(page, 'the refund question')
      await shots(page, `words-${lang}-refund-confirm`)
      await page.getByRole('button', { name: exact(t.refundConfirmButton) }).click()
      assert.ok((await mainText(page)).includes(t.refundDone))
      await page.goto(`${BASE}/_dev/mic`)
      await page.getByRole('button', { name: `Unsuspend demo:${userId}` }).click()

      // A failed login says how many tries are left.
      const other = await (await browser.newContext({ viewport })).newPage()
      await other.goto(`${BASE}/lang/${lang}?next=/login`)
      await other.getByLabel(exact(t.userId)).fill(userId)
      await other.getByLabel(exact(t.password)).fill('wrong')
      await other.getByRole('button', { name: exact(t.loginButton) }).click()
      assert.ok((await mainText(other)).includes(t.loginTriesLeft.slice(0, 2)))
      await assertFits(other, 'a failed login')
      await shots(other, `words-${lang}-login-failed`)
    })
  }
})

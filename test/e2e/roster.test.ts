import assert from 'node:assert/strict'
import { writeFileSync, mkdirSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { roster } from '../../src/i18n/console/roster.ts'
import { ja } from '../../src/i18n/ja.ts'
import { checkA11y } from './a11y.ts'
import { assertFits, BASE, DESKTOP, exact, launch, mainText } from './browser.ts'
import { staffLogin } from './staff.ts'
import { onboard } from './student.ts'

// Issue 19's story in Chromium: the demo university's 管理者 (admin@demo.example) uploads a
// roster saved by Excel as Shift_JIS (CP932) with a new student and an initial password,
// reads the preview (a rejected row with its line), applies it; the new student then logs
// in for the first time at the student site and goes through onboarding. axe on every new
// page; each page fits 320–414 px and the desktop, in Japanese and in English.

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const t = roster.ja

/**
 * ユーザID,氏名カナ,氏名,在籍状況,離籍日,初期パスワード
 * r199901,シンニュウ タロウ,新入 太郎,在学,,univpass
 * r199902,ソツギョウ ハナコ,卒業 花子,卒業,2027/3/25,univpass
 * bad id,テスト,,在学,,univpass
 * as Python's cp932 codec writes it (Excel's "CSV (コンマ区切り)"): not the code under test.
 */
const CP932 =
  '8386815b835549442c8e8196bc834a83692c8e8196bc2c8ddd90d08ff38bb52c97a390d093fa2c8f898afa83708358838f815b83680d0a723139393930312c83568393836a8385834520835e838d83452c905693fc2091be98592c8ddd8a772c2c756e6976706173730d0a723139393930322c835c8363834d8387834520836e836983522c91b28bc62089d48e712c91b28bc62c323032372f332f32352c756e6976706173730d0a6261642069642c8365835883672c2c8ddd8a772c2c756e6976706173730d0a'

const SHOTS = process.env.E2E_SHOTS // a folder: screenshots of each page, for a person to look at

const look = async (page: Page, where: string) => {
  await checkA11y(page, where)
  await assertFits(page, where)
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true })
    for (const width of [320, 390, DESKTOP.width]) {
      await page.setViewportSize({ width, height: DESKTOP.height })
      await page.screenshot({ path: `${SHOTS}/${where}-${width}.png`, fullPage: true })
    }
    await page.setViewportSize(DESKTOP)
  }
}

describe('名簿', () => {
  it(
    'a 管理者 uploads a CP932 roster, previews and applies it; the new student logs in',
    { timeout: 240_000 },
    async () => {
      const page = await (
        await browser.newContext({ viewport: DESKTOP, bypassCSP: true })
      ).newPage()
      await staffLogin(page, 'admin@demo.example')
      await page
        .locator('.console-nav')
        .getByRole('link', { name: exact(t.rosterNav) })
        .click()
      assert.equal(await page.locator('h1').innerText(), t.rosterTitle)
      await look(page, 'roster-ja')

      // A file that is not CSV: said on the upload page, by the field.
      const file = '/tmp/e2e-roster.csv'
      writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))
      await page.locator('input[type=file]').setInputFiles(file)
      await page.getByRole('button', { name: exact(t.rosterUploadButton) }).click()
      assert.match(await mainText(page), /テキストの CSV として読めません/)
      await look(page, 'roster-error-ja')

      writeFileSync(file, Buffer.from(CP932, 'hex'))
      await page.locator('input[type=file]').setInputFiles(file)
      await page.getByRole('button', { name: exact(t.rosterUploadButton) }).click()
      assert.match(page.url(), /\/staff\/roster\/\d+$/)
      // The page follows the check by itself (refresh.js) until the preview is ready.
      await page.getByRole('heading', { name: t.rosterApplyHeading }).waitFor({ timeout: 60_000 })
      const preview = await mainText(page)
      assert.match(preview, /Shift_JIS/)
      assert.match(preview, /新入 太郎/)
      assert.match(preview, /ユーザID に使えない文字があるか、長すぎます/)
      await look(page, 'preview-ja')

      // Applying without confirming the skipped row is refused, with why, on the same page.
      await page.getByRole('button', { name: exact(t.rosterApplyButton) }).click()
      assert.match(await mainText(page), /エラーの行を反映しないことを確認してから/)
      await look(page, 'preview-ack-ja')
      await page.getByLabel(t.rosterApplyAck.replace('{rejected}', '1')).check()
      await page.getByRole('button', { name: exact(t.rosterApplyButton) }).click()
      assert.match(await mainText(page), /名簿に反映しました（新規 2・変更 0・離籍 0）/)
      await look(page, 'applied-ja')

      // English, at a phone's width.
      await page.goto(`${BASE}/lang/en?next=${encodeURIComponent(new URL(page.url()).pathname)}`)
      await page.setViewportSize({ width: 390, height: 844 })
      assert.equal(
        await page.locator('h1').innerText(),
        roster.en.rosterImportTitle.replace('{id}', page.url().split('/').pop()!),
      )
      await look(page, 'applied-en')
      await page.goto(`${BASE}/staff/roster`)
      await look(page, 'roster-en')
      await page.goto(`${BASE}/lang/ja?next=/staff/roster`)
      await page.context().close()

      // The new student's first login: e-mail and second password, then the menu.
      const student = await (await browser.newContext({ viewport: DESKTOP })).newPage()
      await onboard(student, 'r199901', 'ja')
      assert.equal(await student.locator('h1').innerText(), ja.menuTitle)
      await student.context().close()
    },
  )
})

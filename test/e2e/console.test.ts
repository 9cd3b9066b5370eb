import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { applications as appText } from '../../src/i18n/console/applications.ts'
import { ja } from '../../src/i18n/ja.ts'
import { activate, typeInto } from './a11y.ts'
import {
  assertFits,
  BASE,
  cardBalance,
  DESKTOP,
  exact,
  KOMOJU_BASE,
  launch,
  mainText,
  nextJst,
  setClock,
} from './browser.ts'
import { button, field, staffLogin } from './staff.ts'
import { onboard } from './student.ts'

// Issue 11's story in Chromium: a student charges while M.I.C. refuses the card; the fault
// is cleared; a staff member signs in with the seeded account and its TOTP code, searches
// the 発行申請番号, reads the timeline, presses 再チャージ; the card rises by exactly the
// amount. The staff member uses the keyboard alone.

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const USER = 'demo0401'
const CARD = `demo:${USER}`
const AMOUNT = 1500
const t = appText.ja

const ledgerCredit = async (id: number) => {
  const res = await fetch(`${BASE}/_dev/ledger?detail=1`)
  const l = (await res.json()) as { detail: { id: number; creditStatus: string }[] }
  return l.detail.find((a) => a.id === id)?.creditStatus
}

describe('the operations console', () => {
  it(
    'a staff member finishes a credit M.I.C. refused, end to end',
    { timeout: 180_000 },
    async () => {
      const student = await (await browser.newContext({ viewport: DESKTOP })).newPage()
      await setClock(student, nextJst(12, 0)) // M.I.C. open
      await onboard(student, USER, 'ja')
      await student.goto(`${BASE}/charge`) // the card is read (and so known to the twin)
      const before = await cardBalance(student, USER)

      // M.I.C. refuses the card (suspended, as after a loss report).
      await student.goto(`${BASE}/_dev/mic`)
      await student.getByRole('button', { name: `Suspend ${CARD}` }).click()

      // The student charges by credit card and pays on KOMOJU's page.
      await student.goto(`${BASE}/charge/confirm?amount=${AMOUNT}&method=credit_card`)
      await student.getByRole('button', { name: exact(ja.apply) }).click()
      const id = Number(new URL(student.url()).pathname.split('/')[2])
      assert.ok(id > 0, student.url())
      await student.getByRole('link', { name: exact(ja.ok) }).click()
      assert.ok(student.url().startsWith(`${KOMOJU_BASE}/sessions/`), student.url())
      await student.getByRole('button', { name: '支払う' }).click()
      assert.equal(await student.locator('h1').innerText(), ja.paymentDoneTitle)
      for (let i = 0; i < 60 && (await ledgerCredit(id)) !== 'refused'; i++)
        await student.waitForTimeout(250)
      assert.equal(await ledgerCredit(id), 'refused')
      assert.equal(await cardBalance(student, USER), before)

      // The card is in order again.
      await student.goto(`${BASE}/_dev/mic`)
      await student.getByRole('button', { name: `Unsuspend ${CARD}` }).click()

      // Staff: sign in, 検索 by 発行申請番号, 申請詳細 with its タイムライン, 再チャージ.
      const staff = await (await browser.newContext({ viewport: DESKTOP })).newPage()
      await staffLogin(staff, 'staff@demo.example')
      assert.equal(await staff.locator('h1').innerText(), '要対応')
      await activate(staff, staff.getByRole('link', { name: exact('検索') }))
      await typeInto(staff, field(staff, 'id'), String(id))
      await activate(staff, button(staff, t.appSearchButton))
      await activate(staff, staff.locator('main').getByRole('link', { name: exact(String(id)) }))
      assert.equal(
        await staff.locator('h1').innerText(),
        t.appDetailTitle.replace('{id}', String(id)),
      )
      await assertFits(staff, '申請詳細 with a refused credit')
      const timeline = await staff.locator('ol.timeline').innerText()
      assert.ok(timeline.includes('M.I.C.がチャージを拒否'), timeline)
      assert.ok(timeline.includes('card_suspended'), timeline)

      await activate(
        staff,
        staff.locator('main').getByRole('link', { name: exact(t.appActionRecredit) }),
      )
      await assertFits(staff, '再チャージ confirmation')
      await typeInto(staff, field(staff, 'reason'), 'カード停止解除を確認（学生より電話）')
      await activate(staff, button(staff, t.appActionRecredit))
      assert.equal(new URL(staff.url()).pathname, `/staff/applications/${id}`)
      const done = await mainText(staff)
      assert.ok(done.includes('再チャージを実行しました'), done)

      assert.equal(await ledgerCredit(id), 'credited')
      assert.equal(await cardBalance(student, USER), before + AMOUNT)
      // The whole story, the staff action included, is on the timeline.
      const story = await staff.locator('ol.timeline').innerText()
      assert.ok(story.includes('カード停止解除を確認'), story)

      // Pressing it again changes nothing: the credit is done.
      await staff.goto(`${BASE}/staff/applications/${id}/actions/recredit`)
      assert.equal(await cardBalance(student, USER), before + AMOUNT)
    },
  )
})

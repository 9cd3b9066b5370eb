import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET } from '../../src/db/demo.ts'
import { applications as appText } from '../../src/i18n/console/applications.ts'
import { common } from '../../src/i18n/console/common.ts'
import { students as studentText } from '../../src/i18n/console/students.ts'
import { ja } from '../../src/i18n/ja.ts'
import { totpCode } from '../../src/security/totp.ts'
import { activate, typeInto } from './a11y.ts'
import { assertFits, BASE, DESKTOP, exact, launch, mainText } from './browser.ts'
import { button, field, staffLogin } from './staff.ts'
import { login } from './student.ts'

// Issue 21's most common call, "I can't log in", for a student who never applied (nor ever
// logged in): a console member finds them by 検索, opens their page, reads which lock they
// have and lifts it, by keyboard alone (Tab and Enter), on a phone in Japanese and at a
// desktop in English; the student then logs in.

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** Five wrong passwords on the student login page: the account is locked. */
const lockOut = async (page: Page, userId: string) => {
  for (let i = 0; i < 5; i++) await login(page, userId, '', { password: 'not-the-password' })
  assert.ok((await mainText(page)).includes(ja.loginLocked.split('{time}')[0]!))
}

const CASES = [
  {
    name: 'at 390 px in Japanese, as the call centre',
    viewport: { width: 390, height: 844 },
    lang: 'ja' as const,
    member: 'callcenter@demo.example',
    userId: 'demo0951',
  },
  {
    name: 'at desktop width in English, as the university’s staff',
    viewport: DESKTOP,
    lang: 'en' as const,
    member: 'staff@demo.example',
    userId: 'demo0952',
  },
]

describe('the console answers "I can’t log in"', () => {
  for (const c of CASES)
    it(c.name, { timeout: 120_000 }, async () => {
      const t = { ...appText[c.lang], ...studentText[c.lang], ...common[c.lang] }
      const student = await (await browser.newContext({ viewport: c.viewport })).newPage()
      await lockOut(student, c.userId)

      const staff = await (await browser.newContext({ viewport: c.viewport })).newPage()
      if (c.lang === 'ja') await staffLogin(staff, c.member)
      else {
        // The second member of the run: the same demo secret, a code of its own account
        // (a code is spent per member), so no wait for the next 30-second step.
        await staff.goto(`${BASE}/staff/login`)
        await activate(staff, staff.getByRole('link', { name: exact(common.ja.switchLanguage) }))
        await typeInto(staff, field(staff, 'email'), c.member)
        await typeInto(staff, field(staff, 'password'), DEMO_STAFF_PASSWORD)
        await typeInto(staff, field(staff, 'code'), await totpCode(DEMO_TOTP_SECRET, Date.now()))
        await activate(staff, button(staff, 'Log in'))
      }
      assert.equal(new URL(staff.url()).pathname, '/staff')

      // 検索 by ユーザID: the student, though no application of theirs exists.
      await activate(staff, staff.locator('nav').getByRole('link', { name: exact(t.navSearch) }))
      await typeInto(staff, field(staff, 'user'), c.userId)
      await activate(staff, button(staff, t.appSearchButton))
      const found = await mainText(staff)
      assert.ok(found.includes(t.studentsSearchNeverLoggedIn), found)
      assert.ok(found.includes(t.studentsSearchApplicationsHeading), found)
      // The layout is checked once, on the phone: assertFits tries every phone width anyway.
      if (c.lang === 'ja') await assertFits(staff, '検索 with a student found')
      await activate(staff, staff.locator('main').getByRole('link', { name: exact(c.userId) }))

      // The page says which lock, in a sentence, and what to do.
      const page = await mainText(staff)
      assert.ok(page.includes(t.studentsAccountLocked.split('{until}')[0]!), page)
      assert.ok(page.includes(t.studentsAccountLockedLift), page)
      if (c.lang === 'ja') await assertFits(staff, 'a roster person’s page with a lock')

      await activate(
        staff,
        staff.locator('main').getByRole('link', { name: exact(t.studentsUnlock) }),
      )
      await typeInto(staff, field(staff, 'reason'), 'Student called: cannot log in')
      await activate(staff, button(staff, t.studentsUnlock))
      const done = await mainText(staff)
      assert.ok(done.includes(t.studentsUnlockDone), done)
      assert.ok(done.includes(t.studentsNoLock.split(/[。.]/)[0]!), done)

      // The student logs in at once: their first login goes on to register an address.
      await login(student, c.userId, '')
      assert.equal(await student.locator('h1').innerText(), ja.emailSetupTitle)
    })
})

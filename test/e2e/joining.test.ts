import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { common } from '../../src/i18n/console/common.ts'
import { roster } from '../../src/i18n/console/roster.ts'
import { universities } from '../../src/i18n/console/universities.ts'
import { ja } from '../../src/i18n/ja.ts'
import { activate, checkA11y, typeInto } from './a11y.ts'
import { assertFits, BASE, exact, launch, mailLink, mainText } from './browser.ts'
import { button, field, fillUniversity, freshCode, staffLogin } from './staff.ts'
import { login, onboard } from './student.ts'

/**
 * Issue 19's whole path in Chromium, on a university that did not exist when the test began:
 * the operator creates it with a host of its own and invites its first 管理者; the invitee
 * registers (password and TOTP from the invitation page) and signs in; the 管理者 uploads a
 * roster with a new student and an initial password, waits for the preview and applies it;
 * the new student logs in for the first time on the university's own host and goes through
 * onboarding to the menu. axe-core and the layout check (320–414 px) on each page the path
 * meets, at 390 px in Japanese. With E2E_SHOTS=<folder>, screenshots of each at 320 and 390 px.
 */

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const ID = 'join-u'
const NAME = '参加大学'
/** The new university's student site: Chromium sends *.localhost to the loopback address. */
const SITE = BASE.replace('://localhost', `://${ID}.localhost`)
const ADMIN = `admin@${ID}.example`
const ADMIN_PASSWORD = 'Join-u-admin-2027'
const STUDENT = 'j2027001'
const INITIAL_PASSWORD = 'Hajimete-2027'
const PHONE_390 = { width: 390, height: 844 }

const t = { ...common.ja, ...universities.ja, ...roster.ja }

const SHOTS = process.env.E2E_SHOTS
const look = async (page: Page, where: string) => {
  await checkA11y(page, where)
  await assertFits(page, where)
  if (!SHOTS) return
  mkdirSync(SHOTS, { recursive: true })
  const own = page.viewportSize()!
  for (const width of [320, 390]) {
    await page.setViewportSize({ ...own, width })
    const name = `joining-${where.replace(/[^a-z0-9]+/gi, '-')}-${width}.png`
    await page.screenshot({ path: `${SHOTS}/${name}`, fullPage: true })
  }
  await page.setViewportSize(own)
}

/** A browser of one's own (cookies), at 390 px; axe needs to pass the CSP. */
const newPage = async () =>
  (await browser.newContext({ viewport: PHONE_390, bypassCSP: true })).newPage()

describe('a university joins', () => {
  it(
    'the operator creates it, its 管理者 registers and uploads a roster, a new student logs in',
    { timeout: 300_000 },
    async () => {
      // 1. The operator creates the university, with a host name of its own.
      const operator = await newPage()
      await staffLogin(operator, 'operator@demo.example')
      assert.equal(new URL(operator.url()).pathname, '/staff/universities')
      await activate(
        operator,
        operator.locator('main').getByRole('link', { name: exact(t.uniCreateLink) }),
      )
      await fillUniversity(operator, { id: ID, name: NAME, nameEn: 'Joining University' })
      await activate(operator, button(operator, t.uniCreateButton))
      assert.equal(new URL(operator.url()).pathname, `/staff/universities/${ID}`)
      assert.match(await mainText(operator), new RegExp(`${ID}\\.localhost`))

      // 2. Its first 管理者: the invitation's URL is shown once, and mailed.
      await typeInto(operator, field(operator, 'email'), ADMIN)
      await typeInto(operator, field(operator, 'name'), '参加 管理者')
      await activate(operator, button(operator, t.uniInviteButton))
      const invitation = await operator.locator('main .invite-url').innerText()
      assert.match(invitation, /\/staff\/invite\/[^/]+$/)
      assert.equal(await mailLink(operator, ADMIN), invitation)
      await operator.context().close()

      // 3. The invitee registers: a password, and a code from the secret the page shows.
      const admin = await newPage()
      await admin.goto(invitation)
      assert.equal(await admin.locator('h1').innerText(), t.inviteTitle)
      assert.match(await mainText(admin), new RegExp(ADMIN))
      await look(admin, 'invitation')
      const secret = (await admin.locator('main .totp-qr code').innerText()).replace(/\s/g, '')
      // A password too short first: said on the same page, the invitation still open (no
      // code spent: the form is refused before the code is looked at).
      await typeInto(admin, field(admin, 'password'), 'short')
      await typeInto(admin, field(admin, 'password_confirm'), 'short')
      await typeInto(admin, field(admin, 'code'), '123456')
      await activate(admin, button(admin, t.inviteButton))
      assert.match(await mainText(admin), new RegExp(t.errorSummary))
      await look(admin, 'invitation with errors')
      await typeInto(admin, field(admin, 'password'), ADMIN_PASSWORD)
      await typeInto(admin, field(admin, 'password_confirm'), ADMIN_PASSWORD)
      await typeInto(admin, field(admin, 'code'), await freshCode(secret))
      await activate(admin, button(admin, t.inviteButton))
      assert.equal(new URL(admin.url()).pathname, '/staff/login')
      assert.match(await mainText(admin), new RegExp(t.inviteDone))
      await look(admin, 'registered')
      // The invitation works once.
      const again = await newPage()
      const used = await again.goto(invitation)
      assert.equal(used?.status(), 410)
      assert.match(await mainText(again), new RegExp(t.inviteUsed))
      await again.context().close()

      // Signs in where the registration left them, with a code of the next step.
      await staffLogin(admin, ADMIN, { password: ADMIN_PASSWORD, secret, at: null })
      assert.equal(new URL(admin.url()).pathname, '/staff')
      await look(admin, 'first console page')

      // 4. 名簿: the university's empty roster, a CSV with one new student, preview, apply.
      await activate(
        admin,
        admin.locator('.console-nav').getByRole('link', { name: exact(t.rosterNav) }),
      )
      assert.equal(await admin.locator('h1').innerText(), t.rosterTitle)
      assert.match(await mainText(admin), new RegExp(t.rosterNoImports))
      await look(admin, 'empty roster')
      const file = '/tmp/e2e-joining-roster.csv'
      writeFileSync(
        file,
        'ユーザID,氏名カナ,氏名,在籍状況,離籍日,初期パスワード\r\n' +
          `${STUDENT},サンカ イチロウ,参加 一郎,在学,,${INITIAL_PASSWORD}\r\n`,
      )
      await admin.locator('input[type=file]').setInputFiles(file)
      await activate(admin, button(admin, t.rosterUploadButton))
      assert.match(admin.url(), /\/staff\/roster\/\d+$/)
      // The queue checks the file; the page follows it by itself (refresh.js) until the preview.
      await admin.getByRole('heading', { name: t.rosterApplyHeading }).waitFor({ timeout: 60_000 })
      const preview = await mainText(admin)
      assert.match(preview, /参加 一郎/)
      assert.doesNotMatch(preview, new RegExp(INITIAL_PASSWORD), 'the initial password is shown')
      await look(admin, 'preview')
      await activate(admin, button(admin, t.rosterApplyButton))
      assert.match(
        await mainText(admin),
        new RegExp(
          t.rosterApplied
            .replace('{new}', '1')
            .replace('{changed}', '0')
            .replace('{leaving}', '0')
            .replace(/[()（）]/g, '\\$&'),
        ),
      )
      await look(admin, 'applied')
      await admin.context().close()

      // 5. The new student, on the new university's own host: not known at demo's.
      const elsewhere = await newPage()
      await login(elsewhere, STUDENT, '', { password: INITIAL_PASSWORD })
      assert.equal(new URL(elsewhere.url()).pathname, '/login')
      await elsewhere.context().close()

      const student = await newPage()
      await onboard(student, STUDENT, 'ja', {
        base: SITE,
        password: INITIAL_PASSWORD,
        look: async (page, where) => {
          // Every page of it on the university's host, under its name.
          assert.equal(new URL(page.url()).host, new URL(SITE).host, `${where} left the host`)
          assert.equal(await page.locator('.site-header .university').innerText(), NAME)
          await look(page, `student ${where}`)
        },
      })
      assert.equal(await student.locator('h1').innerText(), ja.menuTitle)
      await student.context().close()
    },
  )
})

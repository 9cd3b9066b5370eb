import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { admin } from '../../src/i18n/console/admin.ts'
import { common } from '../../src/i18n/console/common.ts'
import { universities } from '../../src/i18n/console/universities.ts'
import { en } from '../../src/i18n/en.ts'
import { ja } from '../../src/i18n/ja.ts'
import { activate, checkA11y, typeInto } from './a11y.ts'
import { assertFits, BASE, DESKTOP, exact, launch, mainText } from './browser.ts'
import { button, field, fillUniversity, staffLogin } from './staff.ts'

/**
 * The operator (運用者) in Chromium, by keyboard: signs in with password and TOTP, lands on
 * 大学一覧, creates a university (a refused form first), checks a connection and invites its
 * first 管理者; then suspends and resumes a university and the student side shows it. axe-core
 * and the layout check (every phone width and desktop) on every new page, in Japanese at a
 * phone's width and in English at a desktop's. With E2E_SHOTS=<folder>, screenshots of each
 * page at 320, 390 and 1280 px.
 */

type Lang = 'ja' | 'en'
const text = (lang: Lang) => ({ ...common[lang], ...admin[lang], ...universities[lang] })

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const SHOTS = process.env.E2E_SHOTS
const shots = async (page: Page, name: string, widths = [320, 390, 1280]) => {
  if (!SHOTS) return
  mkdirSync(SHOTS, { recursive: true })
  const own = page.viewportSize()!
  for (const width of widths) {
    const height = width < 800 ? 740 : 800
    await page.setViewportSize({ width, height })
    const total = await page.evaluate(() => document.documentElement.scrollHeight)
    for (let i = 0; i * height < total && i < 10; i++) {
      await page.evaluate((y) => window.scrollTo(0, y), i * height)
      await page.screenshot({ path: `${SHOTS}/${name}-${width}-${i + 1}.png` })
    }
  }
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.setViewportSize(own)
}

/**
 * Under Node < 22 the tests run through tsx, whose esbuild wraps named functions in
 * `__name(...)`; page.evaluate sends those functions into the page, which has no __name.
 */
const newPage = async (viewport: { width: number; height: number }) => {
  const page = await browser.newPage({ viewport, bypassCSP: true })
  await page.addInitScript({ content: 'window.__name = (f) => f' })
  return page
}

const tour = async (page: Page, lang: Lang, id: string) => {
  const t = text(lang)
  const check = async (where: string) => {
    await checkA11y(page, where)
    await assertFits(page, where)
    await shots(page, `${lang}-${where.replace(/[^a-z0-9]+/gi, '-')}`)
  }
  const main = page.locator('main')

  await page.goto(`${BASE}/lang/${lang}?next=/staff/login`)
  await staffLogin(page, 'operator@demo.example')
  // The operator's console starts at 大学一覧, and its menu has nothing else.
  assert.equal(new URL(page.url()).pathname, '/staff/universities')
  assert.equal(await page.locator('h1').innerText(), t.uniListTitle)
  const menu = await page.locator('.console-nav a').allInnerTexts()
  assert.deepEqual(menu, [t.uniNav])
  await check('universities')

  await activate(page, main.getByRole('link', { name: exact(t.uniCreateLink) }))
  await check('new university')
  // Nothing filled in: every field says what it needs, on the same page.
  await typeInto(page, field(page, 'gateway_account'), '')
  await activate(page, button(page, t.uniCreateButton))
  assert.match(await mainText(page), new RegExp(t.errorSummary))
  await check('new university with errors')

  await fillUniversity(page, { id, name: `E2E大学 ${lang}`, nameEn: `E2E University ${lang}` })
  await activate(page, button(page, t.uniCreateButton))
  assert.equal(new URL(page.url()).pathname, `/staff/universities/${id}`)
  assert.match(
    await mainText(page),
    new RegExp(`E2E${lang === 'ja' ? '大学' : ' University'} ${lang}`),
  )
  await check('university')

  // 接続確認: the registrar knows no such university; the page names the secret to set.
  await activate(page, button(page, t.uniCheckButton.replace('{name}', t.uniConnRegistrar)))
  const registrar = main.locator('[data-check="registrar"]')
  assert.equal(await registrar.getAttribute('data-status'), 'missing')
  assert.match(
    await registrar.innerText(),
    new RegExp(`REGISTRAR_API_KEY_${id.toUpperCase().replace(/-/g, '_')}`),
  )
  await check('university after a check')
  // KOMOJU with the default account's keys: accepted.
  await activate(page, button(page, t.uniCheckButton.replace('{name}', t.uniConnKomoju)))
  assert.equal(await main.locator('[data-check="komoju"]').getAttribute('data-status'), 'ok')

  // Its first 管理者.
  await typeInto(page, field(page, 'email'), `first-admin-${lang}@${id}.example`)
  await typeInto(page, field(page, 'name'), `最初の管理者 ${lang}`)
  await activate(page, button(page, t.uniInviteButton))
  assert.match(await mainText(page), /\/staff\/invite\//)
  await check('university after an invitation')

  await activate(page, main.getByRole('link', { name: exact(t.uniEditLink) }))
  await check('edit university')
  await page.goto(`${BASE}/staff/universities/${id}/certificates`)
  await check('university certificates')
  await page.goto(`${BASE}/staff/universities/${id}`)

  // Suspend with a reason; the university's students see the page; resume.
  await typeInto(page, field(page, 'reason'), 'E2E')
  await activate(page, button(page, t.uniSuspendButton))
  assert.match(await mainText(page), new RegExp(t.uniSuspended.replace('{name}', '.*')))
  const student = await newPage(page.viewportSize()!)
  // The seeded hosts serve demo; this one is the new university's (Chromium sends
  // *.localhost to the loopback address, so it reaches the same server).
  await student.goto(`${BASE.replace('localhost', `${id}.localhost`)}/lang/${lang}?next=/login`)
  const suspended = lang === 'ja' ? ja.suspendedTitle : en.suspendedTitle
  assert.equal(await student.locator('h1').innerText(), suspended)
  await checkA11y(student, 'suspended page')
  await assertFits(student, 'suspended page')
  await shots(student, `${lang}-suspended`)
  await student.close()
  await typeInto(page, field(page, 'reason'), 'E2E done')
  await activate(page, button(page, t.uniResumeButton))
  assert.match(await mainText(page), new RegExp(t.uniResumed.replace('{name}', '.*')))
}

describe('the operator', () => {
  it('creates a university, checks it, invites its 管理者 and suspends it, in Japanese on a phone', async () => {
    const page = await newPage({ width: 390, height: 844 })
    await tour(page, 'ja', 'e2e-op-ja')
    await page.close()
  })

  it('does the same in English on a desktop', async () => {
    const page = await newPage(DESKTOP)
    await tour(page, 'en', 'e2e-op-en')
    await page.close()
  })
})

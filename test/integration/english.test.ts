import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { database } from '../../src/db'
import { universities } from '../../src/db/schema'
import { hasJapanese } from '../../src/domain/settings'
import { universityFromRow } from '../../src/domain/university'
import {
  cashRefundAccountMail,
  cashRefundRejectedMail,
  chargeCompletedMail,
  creditErrorMail,
  creditHeldMail,
  oneTimeUrlMail,
  type OutgoingMail,
} from '../../src/flows/mails'
import { certificatePostMail } from '../../src/flows/staff/certificateMails'
import { translator } from '../../src/i18n'
import { hashSecret } from '../../src/security/crypto'
import {
  application,
  applyCharge,
  atNoon,
  creditStatusBecomes,
  mic,
  payOnGateway,
  SECOND,
} from '../charge'
import { Client, lastMailId, latestMail, login, urlIn } from '../client'
import { PASSWORD } from '../fixtures'
import { eq } from 'drizzle-orm'

/**
 * Issue 22: English pages and mails carry no Japanese except the student's own name and
 * data. A student who reads English walks every page of the manual (login, onboarding, the
 * menu, a charge by card and at a コンビニ, a cancelled payment, a credit M.I.C. refuses,
 * 申請一覧 and 詳細, the account pages, the manual, errors) and gets the mails of those tasks;
 * the mails no walk reaches here (上限超過, refunds, a certificate's post) are built for the
 * same student. What remains after the student's own name, ID and address are taken out
 * must hold no kana, kanji or full-width punctuation. Students eng01–eng03 (this file's own).
 */

const NAME = 'エイゴ ハナコ'
const USERS = ['eng01', 'eng02', 'eng03'] as const
const emailOf = (userId: string) => `${userId}@example.ac.jp`

/** Japanese characters in a text, with a little of their surroundings, for the message. */
const japaneseIn = (text: string) =>
  [...text.matchAll(/.{0,30}[\u203b\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef].{0,30}/g)]
    .map((m) => m[0].trim())
    .filter((s) => hasJapanese(s) || s.includes('\u203b'))

/**
 * What a person reads of a page: the text, the title and every attribute read aloud or
 * shown (aria-label, alt, title, placeholder, a button's value). Not: scripts and styles,
 * and what is marked lang="ja" on purpose (the switch to 日本語 reads in its own language).
 */
const readable = (html: string) => {
  const withoutJa = html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<(\w+)[^>]*\blang="ja"[^>]*>[\s\S]*?<\/\1>/g, ' ')
  const attributes = [
    ...withoutJa.matchAll(/\b(?:aria-label|alt|title|placeholder|value)="([^"]*)"/g),
  ].map((m) => m[1])
  const text = withoutJa.replace(/<[^>]+>/g, ' ')
  return [text, ...attributes]
    .join(' ')
    .replace(/&[a-z]+;|&#\d+;/g, ' ')
    .replace(/\s+/g, ' ')
}

/** The student's own data, taken out before looking: their name, ID and addresses. */
const withoutOwnData = (text: string) =>
  [NAME, ...USERS, ...USERS.map(emailOf)].reduce((t, own) => t.split(own).join(' '), text)

/** Every page and mail seen, by what it is, with the Japanese left in it. */
const found: Record<string, string[]> = {}
const look = (what: string, text: string) => {
  const left = japaneseIn(withoutOwnData(text))
  if (left.length > 0) found[what] = left
}

/** An English client's page, looked at; its response for the walk to go on. */
const page = async (client: Client, what: string, path: string) => {
  const got = await client.get(path)
  // A page, not a redirect to one: the walk must see what the student sees.
  expect(got.res.status, `${what} (${path})`).not.toBe(303)
  expect(got.html, `${what} (${path})`).toContain('<main')
  look(`page ${what} (${path})`, readable(got.html))
  return got
}

const mail = (what: string, m: { subject: string; body: string } | null | undefined) => {
  expect(m, `the ${what} mail`).toBeTruthy()
  look(`mail ${what}`, `${m!.subject}\n${m!.body}`)
}

const built = (what: string, m: OutgoingMail) => {
  look(`mail ${what} (From)`, m.from.name ?? '')
  look(`mail ${what}`, `${m.subject}\n${m.text}`)
}

const english = () => {
  const client = new Client()
  client.cookies.set('lang', 'en')
  return client
}

beforeAll(async () => {
  await atNoon()
  const hash = await hashSecret(PASSWORD, env.PEPPER)
  await env.DB.batch(
    USERS.map((userId) =>
      env.DB.prepare(
        "INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES ('demo', ?, ?, ?)",
      ).bind(userId, hash, NAME),
    ),
  )
})

describe('English pages and mails', () => {
  it('carry no Japanese but the student’s own name and data', async () => {
    const [userId, suspendedId, refundId] = USERS
    const email = emailOf(userId)
    const client = english()

    // 2.1: login, a wrong password, onboarding with its one-time URL.
    await page(client, 'login', '/login')
    const wrong = await login(client, userId, 'not-the-password')
    look('page login refused', readable(wrong.html))
    await login(client, userId, PASSWORD)
    await page(client, 'email setup', '/email/setup')
    const refused = await client.post('/email/setup', {
      email,
      email_confirm: 'other@example.ac.jp',
    })
    look('page email setup refused', readable(refused.html))
    let since = await lastMailId()
    await client.post('/email/setup', { email, email_confirm: email })
    await page(client, 'email sent', '/email/setup/sent')
    const registration = await latestMail(email, since)
    mail('email registration', registration)
    const verified = await client.get(new URL(urlIn(registration?.body)).pathname)
    look('page email verified', readable(verified.html))
    await page(client, 'second password setup', '/second-password/setup')
    const weak = await client.post('/second-password/setup', {
      second_password: 'abc',
      second_password_confirm: 'abd',
    })
    look('page second password refused', readable(weak.html))
    await client.post('/second-password/setup', {
      second_password: SECOND,
      second_password_confirm: SECOND,
    })

    // 3 and 4.1: the menu, the manual, a charge by card to お支払い完了.
    await page(client, 'menu', '/menu')
    await page(client, 'manual', '/manual')
    await page(client, 'how to pay at Lawson', '/howto/cvs_lawson')
    await page(client, 'charge', '/charge')
    await page(client, 'charge refused', '/charge?amount=abc')
    const badAmount = await client.post('/charge/method', { amount: '0' })
    look('page charge amount refused', readable(badAmount.html))
    await page(client, 'payment method', '/charge/method?amount=1000')
    await page(client, 'confirm', '/charge/confirm?amount=1000&method=credit_card')
    since = await lastMailId()
    const card = await applyCharge(client, 1000)
    await page(client, 'applied', `/applications/${card.id}/pay`)
    const paid = await payOnGateway(client, card.id)
    look('page payment complete', readable(paid.returned?.html ?? ''))
    await creditStatusBecomes(card.id, 'credited')
    mail('charge complete', await latestMail(email, since))

    // A コンビニ charge: 申請完了 with its numbers, the mail with them.
    since = await lastMailId()
    const store = await applyCharge(client, 500, 'cvs_lawson')
    await page(client, 'applied at a store', `/applications/${store.id}/pay`)
    await client.post(`/applications/${store.id}/pay`, { _csrf: client.csrf })
    await page(client, 'applied at a store, numbers', `/applications/${store.id}/pay`)
    mail('payment number', await latestMail(email, since))

    // A cancelled payment.
    const cancelled = await applyCharge(client, 300)
    const back = await payOnGateway(client, cancelled.id, 'cancel')
    look('page payment cancelled', readable(back.returned?.html ?? ''))

    // 4.2: 申請一覧 (both tabs) and 詳細.
    await page(client, 'applications', '/applications')
    await page(client, 'applications history', '/applications?tab=history')
    await page(client, 'detail (credited)', `/applications/${card.id}`)
    await page(client, 'detail (store)', `/applications/${store.id}`)
    await page(client, 'detail (cancelled)', `/applications/${cancelled.id}`)

    // 2.3 and 2.4: the account pages, a change of e-mail address with its two mails.
    await page(client, 'email change', '/email/change')
    await page(client, 'second password change', '/second-password/change')
    const wrongCurrent = await client.post('/second-password/change', {
      current_second_password: 'Wrong2024x',
      second_password: 'Other2024y',
      second_password_confirm: 'Other2024y',
    })
    look('page second password change refused', readable(wrongCurrent.html))
    const newEmail = `${userId}.new@example.ac.jp`
    since = await lastMailId()
    await client.post('/email/change', {
      email: newEmail,
      email_confirm: newEmail,
      current_second_password: SECOND,
    })
    const change = await latestMail(newEmail, since)
    mail('email change', change)
    await client.get(new URL(urlIn(change?.body)).pathname)
    mail('email changed notice', await latestMail(email, since))
    await page(client, 'not found', '/no-such-page')
    await page(client, 'not your application', '/applications/999999999')

    // 4.3: a credit M.I.C. refuses (the card is suspended): 詳細 and the mail.
    const other = english()
    const otherEmail = emailOf(suspendedId)
    await login(other, suspendedId, PASSWORD)
    since = await lastMailId()
    await other.post('/email/setup', { email: otherEmail, email_confirm: otherEmail })
    await other.get(new URL(urlIn((await latestMail(otherEmail, since))?.body)).pathname)
    await other.post('/second-password/setup', {
      second_password: SECOND,
      second_password_confirm: SECOND,
    })
    const doomed = await applyCharge(other, 700)
    await mic().setCard(`demo:${suspendedId}`, { suspended: true })
    since = await lastMailId()
    await payOnGateway(other, doomed.id)
    await creditStatusBecomes(doomed.id, 'refused')
    await page(other, 'detail (refused)', `/applications/${doomed.id}`)
    await page(other, 'applications (refused)', '/applications')
    const mails = await env.DB.prepare(
      'SELECT subject, body, kind FROM mail_log WHERE to_address = ? AND id > ? ORDER BY id',
    )
      .bind(otherEmail, since)
      .all<{ subject: string; body: string; kind: string }>()
    expect(mails.results.length).toBeGreaterThan(0)
    for (const m of mails.results) mail(`${m.kind} (refused credit)`, m)
    await mic().setCard(`demo:${suspendedId}`, { suspended: false })

    // Logged out: a forgotten second password.
    await page(english(), 'second password forgotten', '/second-password/forgot')

    // The mails no walk above reaches, for the same student in English.
    const row = await database(env.DB)
      .select()
      .from(universities)
      .where(eq(universities.id, 'demo'))
      .get()
    const u = universityFromRow(row!)
    const tr = translator('en')
    const a = (await application(card.id))!
    const charge = {
      id: card.id,
      kind: 'mic_charge' as const,
      amount: a.amount,
      quantity: 1,
      paymentMethod: 'credit_card' as const,
      paidAt: a.paid_at,
      paymentNumber: null,
      paymentDetails: null,
      paymentDeadline: a.payment_deadline,
    }
    const to = emailOf(refundId)
    built(
      'reset URL',
      oneTimeUrlMail(tr, u, 'second-password-reset', to, 'https://example.com/x', refundId),
    )
    built('charge complete', chargeCompletedMail(tr, u, to, NAME, charge))
    built('credit error', creditErrorMail(tr, u, to, charge))
    built('credit held (cap)', creditHeldMail(tr, u, to, charge))
    built('refund account', cashRefundAccountMail(tr, u, to, charge, 'https://example.com/r'))
    built('refund rejected', cashRefundRejectedMail(tr, u, to, charge, 'https://example.com/r'))
    for (const step of ['printed', 'enclosed', 'shipped'] as const)
      built(
        `certificate ${step}`,
        certificatePostMail(u, 'en', to, NAME, {
          order: { applicationId: card.id, sealed: true, trackingNumber: '123456789012' },
          address: null,
          lines: [{ type: 'enrolment', language: 'en', copies: 2 }],
          step,
        }),
      )

    expect(found).toEqual({})
  })
})

describe('an English value not yet filled in', () => {
  it('shows the Japanese value on English pages rather than nothing', async () => {
    // A university made before English values existed: its English ones are ''.
    await env.DB.batch([
      env.DB.prepare(
        `INSERT OR IGNORE INTO universities (id, name, name_en, legal_name, call_centre_name, call_centre_phone, call_centre_hours, mail_from, mail_from_name, balance_cap, payment_methods, payment_deadline_days, gateway_account)
         VALUES ('olden', 'オールド大学', 'Olden University', '学校法人 オールド学園', 'オールド大学 窓口', '03-0000-1111', '平日 9:00〜17:00', 'noreply@olden.example', 'オールド大学', 20000, '["credit_card"]', 7, 'default')`,
      ),
      env.DB.prepare(
        "INSERT OR IGNORE INTO university_hosts (hostname, university_id) VALUES ('olden.example', 'olden')",
      ),
    ])
    const client = new Client('https://olden.example')
    client.cookies.set('lang', 'en')
    const { html } = await client.get('/login')
    expect(html).toContain('オールド大学 窓口')
    expect(html).toContain('平日 9:00〜17:00')
    const row = await database(env.DB)
      .select()
      .from(universities)
      .where(eq(universities.id, 'olden'))
      .get()
    const m = chargeCompletedMail(
      translator('en'),
      universityFromRow(row!),
      'x@example.ac.jp',
      NAME,
      {
        id: 1,
        kind: 'mic_charge',
        amount: 1000,
        quantity: 1,
        paymentMethod: 'credit_card',
        paidAt: 0,
        paymentNumber: null,
        paymentDetails: null,
        paymentDeadline: 0,
      },
    )
    expect(m.from.name).toBe('オールド大学')
    expect(m.text).toContain('学校法人 オールド学園')
    expect(m.text).toContain('オールド大学 窓口')
  })
})

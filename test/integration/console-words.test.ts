import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  application,
  applyCharge,
  atNoon,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  notify,
  payOnGateway,
  ready,
  signedWebhook,
  twinPaymentOf,
  webhookEvent,
} from '../charge'
import { Client, mainText } from '../client'
import { staffClient } from '../staff'
import { FAULT_NONE } from '../twins'

/**
 * The console speaks to a member in sentences: every cause and answer says what happened and
 * what to tell the student, the system's record following in small type inside a `<code>`.
 * Real situations are made through the student side and the twins (a card M.I.C. refuses, a
 * credit held over the cap, a konbini payment left to expire, a webhook no application
 * takes), and every console page about them is read as an administrator and as the call
 * centre, in Japanese and in English. Students test0076 … test0085 belong to this file.
 */
const user = (n: number) => `test${String(75 + n).padStart(4, '0')}`
const card = (userId: string) => `demo:${userId}`

/** The text a person reads: <code> elements (records for the technical staff), tags with their attributes, and URLs removed. */
const wordsOf = (html: string) =>
  mainText(html.replace(/<code\b[^>]*>[\s\S]*?<\/code>/g, ' ')).replace(/https?:\/\/\S+/g, ' ')

/** System words where a sentence belongs: an HTTP status, or a snake_case code. */
const rawCodes = (html: string) => {
  const text = wordsOf(html)
  return [...text.matchAll(/HTTP \d{3}|\b[a-z]+_[a-z_]+\b/g)].map((m) => m[0])
}

const inEnglish = async (client: Client) => {
  await client.get('/lang/en?next=%2Fstaff')
}

/** 再チャージ from the console: its confirmation, then the form with a reason. */
const recredit = async (client: Client, id: number) => {
  await client.get(`/staff/applications/${id}/actions/recredit`)
  const { res } = await client.post(`/staff/applications/${id}/actions/recredit`, {
    reason: '学生から電話',
  })
  expect(res.status).toBe(303)
}

const attemptsShown = (html: string, label: string) =>
  new RegExp(`<dt>${label}</dt>\\s*<dd>(\\d+)</dd>`).exec(html)?.[1]

const made = {
  suspended: 0,
  held: 0,
  expired: 0,
  tried: 0,
  eventId: '',
  studentOfSuspended: 0,
}

beforeAll(async () => {
  await atNoon()
  await mic().setFault(FAULT_NONE)
  await gateway().settings({
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
    paused: false,
  })

  // A card M.I.C. refuses: suspended before the payment.
  const refusedUser = user(1)
  const a = await ready(refusedUser)
  const { id: suspended } = await applyCharge(a, 1000)
  await mic().setCard(card(refusedUser), { suspended: true })
  await payOnGateway(a, suspended)
  await creditStatusBecomes(suspended, 'refused')
  made.suspended = suspended
  made.studentOfSuspended = (await env.DB.prepare(
    'SELECT student_id AS id FROM applications WHERE id = ?',
  )
    .bind(suspended)
    .first<{ id: number }>())!.id

  // A credit held over the cap: the card filled up on campus after the application.
  const heldUser = user(2)
  const b = await ready(heldUser)
  const { id: held } = await applyCharge(b, 5000)
  expect((await mic().cash(card(heldUser), 15_000)).status).toBe(200)
  await payOnGateway(b, held)
  await creditStatusBecomes(held, 'held')
  made.held = held

  // A konbini payment left to expire at KOMOJU.
  const storeUser = user(3)
  const c = await ready(storeUser)
  const { id: expired } = await applyCharge(c, 2000, 'cvs_lawson')
  await gateway().expire((await twinPaymentOf(expired)).id)
  await eventually(
    () => application(expired),
    (x) => x?.status === 'unpaid',
  )
  made.expired = expired

  // A webhook no application takes (ids without underscores, as KOMOJU's are).
  const hex = crypto.randomUUID().replace(/-/g, '')
  const event = webhookEvent('payment.captured', `paywords${hex.slice(0, 16)}`, `evtwords${hex}`)
  expect((await notify(await signedWebhook(event))).status).toBe(200)
  await eventually(
    () =>
      env.DB.prepare('SELECT outcome FROM payment_notifications WHERE event_id = ?')
        .bind(event.id)
        .first<{ outcome: string | null }>(),
    (n) => n?.outcome === 'unmatched',
  )
  made.eventId = event.id
})

describe('causes in words', () => {
  it('says why a suspended card was refused and what to tell the student, the record in small type', async () => {
    const { client } = await staffClient('staff')
    const ja = (await client.get(`/staff/applications/${made.suspended}`)).html
    expect(mainText(ja)).toContain(
      'カードが利用停止中のため、M.I.C.がチャージを受け付けません。学生には',
    )
    // The record M.I.C. gave follows, inside a <code> for the technical staff.
    expect(ja).toMatch(/<code>[^<]*card_suspended[^<]*<\/code>/)
    expect(mainText(ja)).not.toContain('エラー HTTP')
    await inEnglish(client)
    const en = (await client.get(`/staff/applications/${made.suspended}`)).html
    expect(mainText(en)).toContain('The card is suspended, so M.I.C. does not accept the charge.')
    expect(en).toMatch(/<code>[^<]*card_suspended[^<]*<\/code>/)
  })

  it('says a held credit’s figures in yen and that it is credited by itself', async () => {
    const { client } = await staffClient('staff')
    const ja = mainText((await client.get(`/staff/applications/${made.held}`)).html)
    expect(ja).toContain(
      '残高 ¥16,000 に ¥5,000 を加えると残高上限額 ¥20,000 を超えるため、保留しています。',
    )
    const triage = mainText((await client.get('/staff')).html)
    expect(triage).toContain('残高 ¥16,000 に ¥5,000 を加えると残高上限額 ¥20,000 を超える')
    expect(triage).toContain('¥5,000')
    expect(triage).not.toMatch(/\d円/)
    await inEnglish(client)
    const en = mainText((await client.get(`/staff/applications/${made.held}`)).html)
    expect(en).toContain(
      'Held: the balance ¥16,000 plus ¥5,000 would be over the balance cap ¥20,000.',
    )
  })

  it('names a credit state the same on the student page as on the application', async () => {
    const { client } = await staffClient('staff')
    const student = mainText((await client.get(`/staff/students/${made.studentOfSuspended}`)).html)
    const detail = mainText((await client.get(`/staff/applications/${made.suspended}`)).html)
    expect(detail).toContain('M.I.C.が拒否')
    expect(student).toContain('M.I.C.が拒否')
    expect(student).not.toMatch(/\d円/)
    await inEnglish(client)
    const en = mainText((await client.get(`/staff/students/${made.studentOfSuspended}`)).html)
    expect(en).toContain('Refused by M.I.C.')
  })

  it('says 期限切れ for a konbini payment whose deadline passed unpaid', async () => {
    const { client } = await staffClient('staff')
    const detail = mainText((await client.get(`/staff/applications/${made.expired}`)).html)
    expect(detail).toMatch(/お支払いステータス 期限切れ/)
    const search = mainText((await client.get(`/staff/search?id=${made.expired}`)).html)
    // The result row (the state filter above it still offers the student's 未払い).
    expect(search).toContain('コンビニ現金払い（ローソン） 期限切れ')
    await inEnglish(client)
    const en = mainText((await client.get(`/staff/applications/${made.expired}`)).html)
    expect(en).toMatch(/Payment status Expired/)
  })
})

describe('試行回数', () => {
  it('counts every attempt to credit: held, refused, and each 再チャージ', async () => {
    const userId = user(4)
    const student = await ready(userId)
    const { id } = await applyCharge(student, 5000)
    expect((await mic().cash(card(userId), 15_000)).status).toBe(200)
    await payOnGateway(student, id)
    await creditStatusBecomes(id, 'held') // attempt 1: no room on the card
    // Room on the card, but the card is suspended: 再チャージ twice, refused twice.
    expect((await mic().purchase(card(userId), 15_000)).status).toBe(200)
    await mic().setCard(card(userId), { suspended: true })
    const { client } = await staffClient('staff')
    await recredit(client, id) // attempt 2
    expect((await application(id))!.credit_status).toBe('refused')
    await recredit(client, id) // attempt 3
    const ja = (await client.get(`/staff/applications/${id}`)).html
    expect(attemptsShown(ja, '試行回数')).toBe('3')
    await inEnglish(client)
    const en = (await client.get(`/staff/applications/${id}`)).html
    expect(attemptsShown(en, 'Attempts')).toBe('3')
    await mic().setCard(card(userId), { suspended: false })
  })
})

describe('no console page shows a raw code where a sentence belongs', () => {
  for (const role of ['admin', 'callcentre'] as const)
    it(`as ${role === 'admin' ? 'an administrator' : 'the call centre'}, in Japanese and English`, async () => {
      const { client } = await staffClient(role)
      const pages = [
        '/staff',
        `/staff/applications/${made.suspended}`,
        `/staff/applications/${made.held}`,
        `/staff/applications/${made.expired}`,
        `/staff/students/${made.studentOfSuspended}`,
        `/staff/search?id=${made.suspended}`,
        // Only staff and administrators look into a gateway's event (the call centre: 403).
        ...(role === 'admin' ? [`/staff/events/${made.eventId}/resolve`] : []),
      ]
      for (const lang of ['ja', 'en'] as const) {
        if (lang === 'en') await inEnglish(client)
        for (const path of pages) {
          const { res, html } = await client.get(path)
          expect(res.status, `${lang} ${path}`).toBe(200)
          expect(rawCodes(html), `${lang} ${path}`).toEqual([])
        }
      }
    })
})

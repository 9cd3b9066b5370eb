import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  application,
  applyCharge,
  atNoon,
  creditsOf,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  payOnGateway,
  ready,
} from '../charge'
import { Client, lastMailId, login, mainText } from '../client'
import { PASSWORD } from '../fixtures'
import { FAULT_NONE } from '../twins'

/**
 * The student's messages of issue 22: a credit M.I.C. refuses (the page, its refund, the
 * mails and their order), a temporary error that keeps the manual's §4.3 mail, and the
 * tries left before the login lock. Starts at noon: no stop window is crossed.
 */
const user = (n: number) => `words${String(n).padStart(2, '0')}`
const card = (userId: string) => `demo:${userId}`

beforeEach(async () => {
  await atNoon()
  await gateway().settings({
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
    paused: false,
  })
  await mic().setFault(FAULT_NONE)
})

/** The mails to `userId` after `since`, oldest first, once `n` of them have arrived. */
const mailsAfter = async (userId: string, since: number, n: number) =>
  eventually(
    async () =>
      (
        await env.DB.prepare(
          'SELECT kind, subject, body FROM mail_log WHERE to_address = ? AND id > ? ORDER BY id',
        )
          .bind(`${userId}@example.ac.jp`, since)
          .all<{ kind: string; subject: string; body: string }>()
      ).results,
    (rows) => rows.length >= n,
  )

const inLang = async (userId: string, lang: 'ja' | 'en') => {
  const client = await ready(userId)
  client.cookies.set('lang', lang)
  return client
}

const WORDS = {
  ja: {
    cause: 'カードが利用停止中',
    noWait: 'お待ちいただいても反映されません',
    nextStep: '下の「返金を申し込む」から、お支払いいただいた2,000円の返金を申し込めます。',
    question: 'よろしいですか',
    staffWillLook: '担当者が確認します',
    mailNext:
      '申請情報 詳細の「返金を申し込む」から、お支払いいただいた2,000円の返金を申し込めます。',
    pleaseWait: 'しばらくお待ちください',
    minutes: '数分かかります',
    notYet: 'M.I.C.へのチャージはまだ完了していません。',
    refunded: '返金済み',
  },
  en: {
    cause: 'the card is suspended',
    noWait: 'Waiting will not make it arrive',
    nextStep: 'You can ask for the ¥2,000 you paid back with “Ask for a refund” below.',
    question: 'Continue?',
    staffWillLook: 'Staff will look into it',
    mailNext:
      'You can ask for the ¥2,000 you paid back with “Ask for a refund” in the application details.',
    pleaseWait: 'Please wait a while',
    minutes: 'It takes a few minutes',
    notYet: 'The charge has not reached your M.I.C. card yet.',
    refunded: 'Refunded',
  },
} as const

describe('a credit M.I.C. refuses (a suspended card)', () => {
  for (const [n, lang] of [
    [1, 'ja'],
    [2, 'en'],
  ] as const) {
    it(`names the cause and one next step, asks about the refund only on its own page, and mails the same (${lang})`, async () => {
      const w = WORDS[lang]
      const userId = user(n)
      const client = await inLang(userId, lang)
      const { id } = await applyCharge(client, 2000)
      await mic().setCard(card(userId), { suspended: true })
      const since = await lastMailId()
      await payOnGateway(client, id)
      await creditStatusBecomes(id, 'refused')

      // 申請情報 詳細: the cause in words, one next step, the offer as a button (a link to
      // the confirmation page), and no question yet.
      const detail = await client.get(`/applications/${id}`)
      const text = mainText(detail.html)
      expect(text).toContain(w.cause)
      expect(text).toContain(w.noWait)
      expect(text).toContain(w.nextStep)
      expect(text).not.toContain(w.staffWillLook)
      expect(text).not.toContain(w.question)
      expect(detail.html).toContain(`href="/applications/${id}/refund"`)
      expect(detail.html).not.toContain(`action="/applications/${id}/refund"`)

      // The mails: チャージ完了 first, promising no minutes; then the refusal, in the page's
      // words, without "please wait".
      const mails = await mailsAfter(userId, since, 2)
      expect(mails.map((m) => m.kind)).toEqual(['charge-completed', 'credit-error'])
      expect(mails[0]!.body).not.toContain(w.minutes)
      expect(mails[0]!.body).toContain(w.notYet)
      expect(mails[1]!.body).toContain(w.cause)
      expect(mails[1]!.body).toContain(w.mailNext)
      expect(mails[1]!.body).not.toContain(w.pleaseWait)

      // The button leads to the question, and only its own button refunds.
      const confirm = await client.get(`/applications/${id}/refund`)
      expect(confirm.res.status).toBe(200)
      expect(mainText(confirm.html)).toContain(w.question)
      expect(confirm.html).toContain(`action="/applications/${id}/refund"`)
      expect((await application(id))!.status).toBe('paid')
      await client.post(`/applications/${id}/refund`, {})
      expect((await application(id))!.status).toBe('refunded')
      expect(mainText((await client.get(`/applications/${id}`)).html)).toContain(w.refunded)
      expect(await creditsOf(userId)).toEqual([])
      await mic().setCard(card(userId), { suspended: false })
    })
  }

  it('sends nothing to confirm when there is nothing to refund', async () => {
    const userId = user(3)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1000)
    await payOnGateway(client, id)
    await creditStatusBecomes(id, 'credited')
    const { res } = await client.get(`/applications/${id}/refund`)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/applications/${id}?refund=notRefundable`)
  })
})

describe('a temporary M.I.C. error keeps the manual’s words', () => {
  it('mails チャージ完了 with its few minutes first, then §4.3’s "しばらくお待ちください"', async () => {
    const userId = user(4)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1000)
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: 1, card: card(userId) })
    const since = await lastMailId()
    await payOnGateway(client, id)
    await creditStatusBecomes(id, 'retrying')
    const mails = await mailsAfter(userId, since, 2)
    expect(mails.map((m) => m.kind)).toEqual(['charge-completed', 'credit-error'])
    expect(mails[0]!.body).toContain('数分かかります')
    expect(mails[1]!.subject).toBe('【お知らせ】M.I.C.へのチャージ状況について')
    expect(mails[1]!.body).toContain('チャージ金額が反映されるまでしばらくお待ちください。')
  })
})

describe('tries left before the login lock', () => {
  const triesLeft = async (userId: string, lang: 'ja' | 'en', ip: string) => {
    const client = new Client()
    client.cookies.set('lang', lang)
    const { res, html } = await client.post(
      '/login',
      { user_id: userId, password: 'wrong', second_password: '' },
      { headers: { 'cf-connecting-ip': ip } },
    )
    expect(res.status).toBe(401)
    return mainText(html).replace(/value="[^"]*"/g, '')
  }

  for (const [lang, after1, after2] of [
    ['ja', 'あと4回失敗すると、15分間ログインできなくなります。', 'あと3回失敗すると'],
    ['en', 'Attempts left before login is locked for 15 minutes: 4.', 'for 15 minutes: 3.'],
  ] as const) {
    it(`says how many tries are left, the same for a real and an unknown user ID (${lang})`, async () => {
      const real = lang === 'ja' ? user(5) : user(6)
      const ghost = lang === 'ja' ? 'nobody-w1' : 'nobody-w2'
      const first = [
        await triesLeft(real, lang, '198.51.100.1'),
        await triesLeft(ghost, lang, '198.51.100.2'),
      ]
      expect(first[0]).toContain(after1)
      expect(first[1]).toBe(first[0]!.replace(real, ghost))
      const second = [
        await triesLeft(real, lang, '198.51.100.3'),
        await triesLeft(ghost, lang, '198.51.100.4'),
      ]
      expect(second[0]).toContain(after2)
      expect(second[1]).toBe(second[0]!.replace(real, ghost))
      // The right password still gets in for the real one (nothing is locked yet).
      expect((await login(new Client(), real, PASSWORD)).res.status).toBe(303)
    })
  }
})

import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatJstDateTime, formatJstJapanese } from '../../src/domain/time'
import {
  applyCharge,
  atNoon,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  nextJst,
  payOnGateway,
  ready,
  setClock,
} from '../charge'
import { lastMailId, mainText } from '../client'
import { FAULT_NONE } from '../twins'

/**
 * A payment in M.I.C.'s nightly stop (issue 22): お支払い完了 and the チャージ完了 mail give the
 * time the credit will land (05:00, the rule 申請情報 詳細 uses), and the チャージ page's
 * banner calls the stop planned, with its end. Sets the clock itself (01:55, then 02:10).
 */
const user = (n: number) => `words${String(n).padStart(2, '0')}`

beforeAll(async () => {
  await gateway().settings({
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
    paused: false,
  })
  await mic().setFault(FAULT_NONE)
})
afterAll(() => atNoon())

const WORDS = {
  ja: {
    banner: (end: number) =>
      `ただいまM.I.C.オンラインチャージ連携停止時間（予定された停止）です。${formatJstDateTime(end)} に再開します。`,
    failure: 'M.I.C.に接続できないため',
    done: (end: number) => `連携停止時間のため、${formatJstDateTime(end)} 以降に反映されます。`,
    mail: (end: number) => `連携停止時間のため、${formatJstJapanese(end)} 以降に反映されます。`,
    minutes: '数分かかります',
  },
  en: {
    banner: (end: number) =>
      `The M.I.C. link is in its scheduled stop until ${formatJstDateTime(end)}.`,
    failure: 'cannot be reached',
    done: (end: number) => `the charge reaches your card after ${formatJstDateTime(end)}.`,
    mail: (end: number) => `the charge reaches your card after ${formatJstDateTime(end)} JST.`,
    minutes: 'It takes a few minutes',
  },
} as const

describe('a payment in the nightly stop window', () => {
  for (const [n, lang] of [
    [7, 'ja'],
    [8, 'en'],
  ] as const) {
    it(`says when the credit lands on お支払い完了 and in チャージ完了, and calls the stop planned (${lang})`, async () => {
      const w = WORDS[lang]
      // Logged in a few minutes before the stop, while M.I.C. answers (the balance is
      // remembered), then into the stop: within the session's 30 idle minutes.
      await setClock(nextJst(1, 55))
      const userId = user(n)
      const client = await ready(userId)
      client.cookies.set('lang', lang)
      await client.get('/charge')
      const at = nextJst(2, 10)
      const end = at + 170 * 60_000 // 05:00 JST
      await setClock(at)

      const charge = mainText((await client.get('/charge')).html)
      expect(charge).toContain(w.banner(end))
      expect(charge).not.toContain(w.failure)

      const { id } = await applyCharge(client, 1000)
      const since = await lastMailId()
      const { returned } = await payOnGateway(client, id)
      expect(mainText(returned!.html)).toContain(w.done(end))

      await creditStatusBecomes(id, 'deferred')
      const mail = await eventually(
        () =>
          env.DB.prepare(
            "SELECT body FROM mail_log WHERE kind = 'charge-completed' AND to_address = ? AND id > ?",
          )
            .bind(`${userId}@example.ac.jp`, since)
            .first<{ body: string }>(),
        (m) => m !== null,
      )
      expect(mail!.body).toContain(w.mail(end))
      expect(mail!.body).not.toContain(w.minutes)
      // 申請情報 詳細 gives the same time, as before.
      expect(mainText((await client.get(`/applications/${id}`)).html)).toContain(w.done(end))
    })
  }
})

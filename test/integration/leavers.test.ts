import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChargeRequest } from '../../src/flows/desk/apply'
import { deskFor } from '../../src/flows/desks'
import {
  application,
  applyCharge,
  atNoon,
  cardBalance,
  creditStatusBecomes,
  gateway,
  notify,
  payWithoutReturning,
  ready,
  SECOND,
  signedWebhook,
  twinPaymentOf,
  webhookEvent,
} from '../charge'
import { drizzle } from 'drizzle-orm/d1'
import { D1Directory } from '../../src/adapters/directory'
import { hashSecret } from '../../src/security/crypto'
import { Client, expectRedirect, login, mainText } from '../client'
import { PASSWORD } from '../fixtures'
import { registrar } from '../twins'

/**
 * University passwords carried over from a directory (legacy hashes upgraded at the first
 * login), and leavers: what 卒業, 退学 and 除籍 students may still do, and that nothing in
 * flight is lost when a status changes. Students test1161 … test1200 belong to this file.
 */

const user = (n: number) => `test${1160 + n}`

const directoryRow = (userId: string) =>
  env.DB.prepare(
    "SELECT password_hash, status FROM directory_people WHERE university_id = 'demo' AND user_id = ?",
  )
    .bind(userId)
    .first<{ password_hash: string | null; status: string }>()

const setHash = (userId: string, hash: string | null) =>
  env.DB.prepare(
    "UPDATE directory_people SET password_hash = ? WHERE university_id = 'demo' AND user_id = ?",
  )
    .bind(hash, userId)
    .run()

/** As a roster upload or the registrar sync would change it. */
const setStatus = (userId: string, status: string) =>
  env.DB.prepare(
    "UPDATE directory_people SET status = ?, left_on = CASE WHEN ? IN ('graduated', 'withdrawn', 'expelled') THEN '2027-03-20' END WHERE university_id = 'demo' AND user_id = ?",
  )
    .bind(status, status, userId)
    .run()

const studentId = async (userId: string) =>
  (await env.DB.prepare("SELECT id FROM students WHERE university_id = 'demo' AND user_id = ?")
    .bind(userId)
    .first<{ id: number }>())!.id

const applicationCount = async (userId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM applications WHERE student_id = ?')
    .bind(await studentId(userId))
    .first<{ n: number }>())!.n

/** {SSHA} as slappasswd writes it, with WebCrypto's SHA-1. */
const ssha = async (password: string) => {
  const salt = crypto.getRandomValues(new Uint8Array(8))
  const input = new Uint8Array([...new TextEncoder().encode(password), ...salt])
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', input))
  return `{SSHA}${btoa(String.fromCharCode(...digest, ...salt))}`
}

/** Published vectors (test/unit/passwords.test.ts says where from), as a roster carries them. */
const BCRYPT_ABC = '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'
const LEGACY: [name: string, password: string, hash: () => Promise<string> | string][] = [
  ['{SSHA}', 'Slapd-secret1', () => ssha('Slapd-secret1')],
  ['bcrypt $2a$', 'abc', () => BCRYPT_ABC],
  ['bcrypt $2b$', 'abc', () => `$2b$${BCRYPT_ABC.slice(4)}`],
  ['bcrypt $2y$', 'abc', () => `$2y$${BCRYPT_ABC.slice(4)}`],
  [
    "PBKDF2 (passlib's LDAP form)",
    'secret',
    () => '{PBKDF2-SHA256}10000$jq40ImWtmpTE.aYDYV1GfQ$mpiL4ui02ACmYOAnCjp/MI1gQk50xLbZ54RZneU0fCg',
  ],
  [
    "PBKDF2 (Django's form)",
    'letmein',
    () => 'pbkdf2_sha256$10000$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y=',
  ],
]

beforeAll(async () => {
  // This file's people, in the directory as a roster would put them (enrolled, 'univpass').
  const hash = await hashSecret(PASSWORD, env.PEPPER)
  await env.DB.batch(
    Array.from({ length: 40 }, (_, i) =>
      env.DB.prepare(
        "INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES ('demo', ?, ?, 'テスト ハナコ')",
      ).bind(user(i + 1), hash),
    ),
  )
  await atNoon()
})

describe('university passwords from a directory (legacy hashes)', () => {
  LEGACY.forEach(([name, password, hash], i) => {
    it(`logs in with ${name} and upgrades it to the service's own hash`, async () => {
      const userId = user(1 + i)
      const legacy = await hash()
      await setHash(userId, legacy)

      // A wrong password: refused like any other, and the hash stays as it was.
      const wrong = await login(new Client(), userId, `${password}x`)
      expect(wrong.res.status).toBe(401)
      expect((await directoryRow(userId))?.password_hash).toBe(legacy)

      const first = await login(new Client(), userId, password)
      expectRedirect(first.res, '/email/setup')
      const upgraded = (await directoryRow(userId))!.password_hash!
      expect(upgraded).not.toBe(legacy)
      expect(upgraded).toMatch(/^pbkdf2-sha256\$100000\$[\w-]+\$[\w-]+$/)

      // The next login checks the new hash; the old password still works, a wrong one not.
      expectRedirect((await login(new Client(), userId, password)).res, '/email/setup')
      expect((await login(new Client(), userId, `${password}x`)).res.status).toBe(401)
      expect((await directoryRow(userId))!.password_hash).toBe(upgraded)
    })
  })

  it('leaves a hash that a roster changed while the old one was being verified', async () => {
    const userId = user(16)
    await setHash(userId, BCRYPT_ABC)
    const fromRoster = 'pbkdf2_sha256$10000$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y='
    // The real D1, with a roster's write landing just before the upgrade's UPDATE runs.
    const racing = new Proxy(env.DB, {
      get(target, key) {
        if (key !== 'prepare') {
          const value: unknown = Reflect.get(target, key)
          return typeof value === 'function' ? value.bind(target) : value
        }
        return (query: string) => {
          const statement = target.prepare(query)
          if (!/^update "directory_people"/i.test(query)) return statement
          return {
            bind: (...values: unknown[]) => {
              const bound = statement.bind(...values)
              return {
                run: async () => {
                  await setHash(userId, fromRoster)
                  return bound.run()
                },
              }
            },
          }
        }
      },
    })
    const directory = new D1Directory(drizzle(racing) as never, env.PEPPER)
    expect(await directory.authenticate('demo', userId, 'abc')).toMatchObject({ userId })
    expect((await directoryRow(userId))!.password_hash).toBe(fromRoster)
  })

  it('refuses a hash too costly for a Worker, or malformed, and changes nothing', async () => {
    const userId = user(8)
    for (const hash of [
      `$2b$13$${BCRYPT_ABC.slice(7)}`,
      'pbkdf2_sha256$600000$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y=',
      '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8',
      '{SSHA}abc',
    ]) {
      await setHash(userId, hash)
      const res = await login(new Client(), userId, 'abc')
      expect(res.res.status).toBe(401)
      expect(mainText(res.html)).toContain(
        'ユーザID、パスワード、または第2パスワードが正しくありません。',
      )
      expect((await directoryRow(userId))!.password_hash).toBe(hash)
    }
  })

  it('refuses a person with no password yet exactly as a wrong password or an unknown ID', async () => {
    const userId = user(9)
    await setHash(userId, null)
    const none = await login(new Client(), userId, PASSWORD)
    const unknown = await login(new Client(), 'nobody-here', PASSWORD)
    expect(none.res.status).toBe(401)
    expect(mainText(none.html)).toBe(mainText(unknown.html).replace('nobody-here', userId))
    expect((await directoryRow(userId))!.password_hash).toBeNull()
  })
})

describe('卒業: logs in, sees 申請一覧, orders certificates, cannot charge', () => {
  it('shows the charge closed, with why, on the menu, every charge page and POST, and at the desk', async () => {
    const userId = user(10)
    const client = await ready(userId)
    await setStatus(userId, 'graduated')

    const menu = await client.get('/menu')
    expect(menu.res.status).toBe(200)
    expect(mainText(menu.html)).toContain('M.I.C.チャージ 卒業されたため、ご利用いただけません')
    expect(menu.html).not.toContain('href="/charge"')
    expect(menu.html).toContain('href="/applications"')
    expect(menu.html).toContain('href="/email/change"')

    for (const path of [
      '/charge',
      '/charge/method?amount=1000',
      '/charge/confirm?amount=1000&method=credit_card',
    ]) {
      const page = await client.get(path)
      expect(page.res.status, path).toBe(403)
      expect(mainText(page.html)).toContain(
        '卒業されたため、M.I.C.チャージはご利用いただけません。',
      )
      expect(mainText(page.html)).toContain('証明書の申請')
    }
    for (const [path, fields] of [
      ['/charge', { amount: '1000' }],
      ['/charge/method', { amount: '1000', method: 'credit_card' }],
      ['/charge/apply', { amount: '1000', method: 'credit_card', request_key: 'k'.repeat(22) }],
    ] as const) {
      const res = await client.post(path, fields)
      expect(res.res.status, path).toBe(403)
      expect(mainText(res.html)).toContain('卒業されたため、M.I.C.チャージはご利用いただけません。')
    }
    expect(await applicationCount(userId)).toBe(0)

    // Around the pages, straight to the desk: refused there too.
    const id = await studentId(userId)
    const request: ChargeRequest = {
      universityId: 'demo',
      studentId: id,
      amount: 1000,
      method: 'credit_card',
      requestKey: 'desk-'.padEnd(22, 'x'),
      lang: 'ja',
      provider: 'komoju',
      contactPhone: null,
    }
    const outcome = await deskFor(env.STUDENT_DESK, 'demo', id).apply(request)
    expect(outcome).toEqual({ ok: false, problem: { code: 'notAllowed' } })
    expect(await applicationCount(userId)).toBe(0)

    // Everything else is as before.
    for (const path of ['/applications', '/email/change', '/second-password/change', '/manual'])
      expect((await client.get(path)).res.status, path).toBe(200)
  })

  it('orders a 卒業証明書 through the real flow, up to payment', async () => {
    const userId = user(11)
    await registrar.change('demo', userId, {
      student_number: '22E1161',
      status: 'graduated',
      name: { kanji: '試験 花子', kana: 'テスト ハナコ', roman: 'TEST Hanako' },
      date_of_birth: '2003-05-06',
      faculty: { ja: '経済学部', en: 'Faculty of Economics' },
      department: { ja: '経済学科', en: 'Department of Economics' },
      enrolled_on: '2022-04-01',
      graduation: { on: '2026-03-20', expected: false },
      degree: null,
      leave: null,
      grades: [],
      health: null,
      holds: [],
    })
    const client = await ready(userId)
    await setStatus(userId, 'graduated')
    const page = await client.get('/certificates')
    expect(page.res.status).toBe(200)
    const fields = { copies_graduation_ja: '1', delivery: 'pdf', method: 'credit_card' }
    const confirm = await client.post('/certificates/confirm', fields)
    expect(confirm.res.status).toBe(200)
    const key = confirm.html.match(/name="request_key" value="([^"]+)"/)?.[1]
    expect(key).toBeTruthy()
    const applied = await client.post('/certificates/apply', { ...fields, request_key: key! })
    expect(applied.res.status).toBe(303)
    const id = Number(applied.res.headers.get('location')?.match(/\/applications\/(\d+)\/pay/)?.[1])
    expect(id).toBeGreaterThan(0)
    expect((await client.get(`/applications/${id}/pay`)).res.status).toBe(200)
    expect((await application(id))?.status).toBe('awaiting_payment')
  })
})

describe('退学 / 除籍: only 申請一覧 and money still on its way', () => {
  for (const [n, status, word] of [
    [12, 'withdrawn', '退学'],
    [13, 'expelled', '除籍'],
  ] as const) {
    it(`${word}: every other page leads to 申請一覧, which says why`, async () => {
      const userId = user(n)
      const client = await ready(userId)
      // An application made while enrolled, its payment still on its way.
      const { id } = await applyCharge(client, 1000, 'cvs_lawson')
      await setStatus(userId, status)

      expectRedirect((await client.get('/menu')).res, '/applications')
      expectRedirect((await client.get('/')).res, '/applications')
      const list = await client.get('/applications')
      expect(list.res.status).toBe(200)
      expect(mainText(list.html)).toContain(
        `${word}のため、ご利用いただけるのは申請一覧（申請とお支払い・返金の状況、返金の手続き）と、ご自身のデータのダウンロードのみです。`,
      )
      expect(mainText(list.html)).not.toContain('お探しのページはご利用いただけません')
      // Their menu offers 申請一覧 and logout, not the settings.
      expect(list.html).not.toContain('href="/email/change"')
      expect(list.html).not.toContain('href="/menu"')

      for (const path of [
        '/charge',
        '/charge/method?amount=1000',
        '/certificates',
        '/email/change',
        '/second-password/change',
      ])
        expectRedirect((await client.get(path)).res, '/applications?closed=1')
      for (const [path, fields] of [
        ['/charge/apply', { amount: '1000', method: 'credit_card', request_key: 'k'.repeat(22) }],
        ['/certificates/confirm', { copies_transcript_ja: '1' }],
        ['/email/change', { email: 'x@example.ac.jp', email_confirm: 'x@example.ac.jp' }],
      ] as const)
        expectRedirect((await client.post(path, fields)).res, '/applications?closed=1')
      const closed = await client.get('/applications?closed=1')
      expect(mainText(closed.html)).toContain('お探しのページはご利用いただけません。')

      // Money on its way: the application, its payment page, its refund page.
      expect((await client.get(`/applications/${id}`)).res.status).toBe(200)
      expect((await client.get(`/applications/${id}/pay`)).res.status).toBe(200)
      // Their own data (another page's work): not sent away.
      expect((await client.get('/account/data')).res.headers.get('location')).toBeNull()
      expect(await applicationCount(userId)).toBe(1)

      // They log out, and in again: straight to 申請一覧.
      expectRedirect((await client.post('/logout', {})).res, '/login?out=1')
      const again = await login(new Client(), userId, PASSWORD, SECOND)
      expectRedirect(again.res, '/applications')
    })
  }
})

describe('休学: as 在学', () => {
  it('charges as usual', async () => {
    const userId = user(14)
    const client = await ready(userId)
    await setStatus(userId, 'on_leave')
    expect((await client.get('/menu')).html).toContain('href="/charge"')
    expect((await client.get('/charge')).res.status).toBe(200)
    const { id } = await applyCharge(client, 1000)
    expect((await application(id))?.status).toBe('awaiting_payment')
  })
})

describe('nothing in flight is lost when a status changes', () => {
  afterAll(async () => {
    await gateway().settings({ paused: false })
  })

  it('credits a charge paid before the student turned 卒業, when the webhook comes after', async () => {
    const userId = user(15)
    const client = await ready(userId)
    const before = await cardBalance(userId)
    // The twin's own webhooks are held: this test delivers the one that matters.
    await gateway().settings({ paused: true })
    const { id } = await applyCharge(client, 1500)
    expect((await payWithoutReturning(client, id)).status).toBe(303)
    await setStatus(userId, 'graduated')
    expect((await directoryRow(userId))?.status).toBe('graduated')
    // The service does not know the payment yet: only the webhook will tell it.
    expect((await application(id))?.status).toBe('awaiting_payment')
    const paymentId = (await twinPaymentOf(id)).id

    const res = await notify(await signedWebhook(webhookEvent('payment.captured', paymentId)))
    expect(res.status).toBeLessThan(300)
    await creditStatusBecomes(id, 'credited')
    expect(await cardBalance(userId)).toBe(before + 1500)
    // They see it on 申請一覧's 詳細, and still cannot charge again.
    expect((await client.get(`/applications/${id}`)).res.status).toBe(200)
    expect((await client.get('/charge')).res.status).toBe(403)
  })
})

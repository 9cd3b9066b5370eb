import { env, exports } from 'cloudflare:workers'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../src/security/crypto'
import { newTotpSecret } from '../../src/security/totp'
import { applyCharge, atNoon, eventually, payOnGateway, ready, serviceClockNow } from '../charge'
import { Client } from '../client'
import { form, fuzz, LONG, multipart, nasty, post } from '../fuzz'
import { staffClient } from '../staff'

/**
 * The console's forms abused as the student's are (integration/fuzz.test.ts): generated
 * input to the login, an invitation, 検索, every action's reason and 突合 must each get a
 * 4xx page that says what was wrong, and change nothing anywhere (D1, KV, both twins).
 * 大学設定, スタッフ and 監査ログ are fuzzed in console-admin.test.ts.
 */

/** Reasons that can never be accepted: empty, blank, or over 500 characters. */
const badReason = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', '\u3000'),
  fc.integer({ min: 501, max: 20_000 }).map((n) => 'あ'.repeat(n)),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .map((s) => s.repeat(600))
    .filter((s) => s.trim().length > 500),
)

/** Not a day the search takes (YYYY-MM-DD). */
const badDay = nasty.filter(
  (v) => typeof v !== 'string' || (v.trim() !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(v.trim())),
)

const INVITE_TOKEN = 'fuzzinvitetoken0000000000000000000000000000'.slice(0, 43)

describe('fuzzing every console form', () => {
  let admin: Client
  let applicationId = 0
  let studentId = 0
  beforeAll(async () => {
    await atNoon()
    admin = (await staffClient('admin')).client
    const student = await ready('test0283')
    applicationId = (await applyCharge(student, 1000)).id
    await payOnGateway(student, applicationId)
    // KOMOJU's webhook for it comes in its own time: let it land before any snapshot.
    await eventually(
      () =>
        env.DB.prepare('SELECT applied_at FROM payment_notifications WHERE application_id = ?')
          .bind(applicationId)
          .first<{ applied_at: number | null }>(),
      (n) => n?.applied_at != null,
    )
    studentId = (await env.DB.prepare('SELECT student_id FROM applications WHERE id = ?')
      .bind(applicationId)
      .first<{ student_id: number }>())!.student_id
    // Valid for 25 minutes by the service's clock, which atNoon() moved up to a day ahead.
    const now = await serviceClockNow()
    await env.DB.prepare(
      `INSERT INTO staff_invites (token_hash, email, name, role, university_id, totp_secret, invited_by, created_at, expires_at)
       VALUES (?, 'fuzz-invitee@staff.example', 'フズ', 'staff', 'demo', ?, 1, ?, ?)`,
    )
      .bind(await sha256Hex(INVITE_TOKEN), newTotpSecret(), now, now + 25 * 60_000)
      .run()
  }, LONG)

  it('スタッフログイン', { timeout: LONG }, async () => {
    // From an address of its own: its failures lock that client, not the address every
    // other test's logins come from.
    const client = new Client('https://example.com', (req) => {
      const headers = new Headers(req.headers)
      headers.set('cf-connecting-ip', '203.0.113.77')
      return exports.default.fetch(new Request(req, { headers }))
    })
    await client.get('/staff/login')
    await fuzz(
      fc.tuple(form({ email: nasty, password: nasty, code: nasty }), multipart),
      ([f, m]) => post(client, '/staff/login', f, m),
    )
  })

  it('スタッフ登録 (an invitation, which stays unused)', { timeout: LONG }, async () => {
    const client = new Client()
    // The form itself, not the page for an expired invitation, is what is fuzzed.
    expect((await client.get(`/staff/invite/${INVITE_TOKEN}`)).res.status).toBe(200)
    await fuzz(
      fc.tuple(form({ password: nasty, password_confirm: nasty, code: nasty }), multipart),
      ([f, m]) => post(client, `/staff/invite/${INVITE_TOKEN}`, f, m),
    )
  })

  it('検索', { timeout: LONG }, async () => {
    // Each query has at least one field that cannot be searched by.
    const bad = fc.oneof(
      nasty
        .filter(
          (v): v is string =>
            typeof v === 'string' && !/^\s*\d{0,12}\s*$/.test(v.normalize('NFKC')),
        )
        .map((id) => ({ id })),
      badDay.filter((v): v is string => typeof v === 'string').map((from) => ({ from })),
      nasty
        .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
        .map((state) => ({ state: `x${state}` })),
      fc.integer({ min: 65, max: 5000 }).map((n) => ({ user: 'u'.repeat(n) })),
      fc.constant({ from: '2026-12-02', to: '2026-12-01' }),
    )
    const others = fc.dictionary(
      fc.constantFrom('user', 'name', 'email', 'ref', 'university'),
      fc.string({ maxLength: 20 }),
    )
    await fuzz(fc.tuple(bad, others), ([b, o]) => {
      const q = new URLSearchParams({ ...o, ...b })
      return admin.request(`/staff/search?${q}`)
    })
  })

  it(
    'each action’s reason (メール再送, 再チャージ, 返金, ログインロック解除, 全セッション終了)',
    { timeout: LONG },
    async () => {
      const paths = [
        `/staff/applications/${applicationId}/actions/resend-mail`,
        `/staff/applications/${applicationId}/actions/recredit`,
        `/staff/applications/${applicationId}/actions/refund`,
        `/staff/applications/${applicationId}/actions/inquire`,
        `/staff/students/${studentId}/unlock`,
        `/staff/students/${studentId}/end-sessions`,
      ]
      await fuzz(
        fc.tuple(fc.constantFrom(...paths), form({ reason: badReason }), multipart),
        ([path, f, m]) => post(admin, path, f, m),
      )
    },
  )

  it('突合を実行', { timeout: LONG }, async () => {
    await fuzz(fc.tuple(form({ day: badDay, university: nasty }), multipart), ([f, m]) =>
      post(admin, '/staff/reconciliation', f, m),
    )
  })
})

import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { KomojuProvider } from '../../src/adapters/payments/komoju'
import { hmac, toHex } from '../../src/security/crypto'
import { Client, login } from '../client'
import { application, applyCharge, atNoon, paymentUrlOf, ready, WEBHOOK_URL } from '../charge'
import { badAmount, badId, encode, form, fuzz, LONG, multipart, nasty, post } from '../fuzz'
import { KOMOJU } from '../twins'
import { PASSWORD } from '../fixtures'

/**
 * Property-based abuse of every form and of the payment-notification endpoint: thousands
 * of generated inputs (negative, fractional, huge and full-width amounts, overlong, binary
 * and non-UTF-8 strings, bad ids, missing, repeated and unknown fields, urlencoded and
 * multipart bodies) must each get a 4xx page or answer, never a 5xx, and change nothing.
 *
 * "Nothing" is every table of the database and every key in KV, except the two records
 * whose job is to note bad input: failed-attempt counters (login_throttle) and the counts
 * of refused notifications (webhook_refusals); and the last balance M.I.C. reported
 * (students.mic_balance*), a cache that any page showing the balance refreshes.
 */

describe('fuzzing every form', () => {
  let student: Client // a student with everything set up (test0181)
  let newcomer: Client // logged in, no e-mail yet (test0182)
  let halfway: Client // e-mail registered, no second password yet (test0183)
  beforeAll(async () => {
    await atNoon()
    student = await ready('test0181')
    await applyCharge(student, 1000) // an application of their own, which nothing may touch
    newcomer = new Client()
    await login(newcomer, 'test0182', PASSWORD)
    halfway = await ready('test0183')
    // Back to the second-password stage: as if the student had not chosen one yet.
    await env.DB.prepare(
      "UPDATE students SET second_password_hash = NULL WHERE user_id = 'test0183'",
    ).run()
  }, LONG)

  it('在学生ログイン', { timeout: LONG }, async () => {
    const client = new Client()
    await client.get('/login')
    await fuzz(
      fc.tuple(form({ user_id: nasty, password: nasty, second_password: nasty }), multipart),
      ([f, m]) => post(client, '/login', f, m),
    )
  })

  it('メールアドレス登録 and 変更', { timeout: LONG }, async () => {
    // Never a pair that could be accepted: no "@", or a confirmation that differs.
    const badPair = fc.oneof(
      nasty
        .filter((v) => typeof v !== 'string' || !v.includes('@'))
        .map((v) => ({ email: v, email_confirm: v })),
      fc.tuple(nasty, nasty).map(([a, b]) => ({
        email: a,
        email_confirm: typeof b === 'string' ? `${b}\u0001` : b,
      })),
    )
    const arb = badPair.chain((p) =>
      fc.tuple(
        form({ email: fc.constant(p.email), email_confirm: fc.constant(p.email_confirm) }),
        multipart,
      ),
    )
    await fuzz(arb, ([f, m]) => post(newcomer, '/email/setup', f, m))
    // メールアドレス変更 asks for the current second password too: nasty ones, never the right one.
    const withSecond = badPair.chain((p) =>
      fc.tuple(
        form({
          email: fc.constant(p.email),
          email_confirm: fc.constant(p.email_confirm),
          current_second_password: nasty,
        }),
        multipart,
      ),
    )
    await fuzz(withSecond, ([f, m]) => post(student, '/email/change', f, m))
  })

  it('第2パスワード登録, 変更 and 再設定', { timeout: LONG }, async () => {
    // Never acceptable: too short, or a confirmation that differs.
    const badNew = fc.oneof(
      fc.string({ maxLength: 7 }).map((p) => [p, p] as const),
      fc.tuple(nasty, nasty).map(([a, b]) => [a, typeof b === 'string' ? `${b}!` : b] as const),
    )
    const arb = badNew.chain(([p, confirm]) =>
      fc.tuple(
        form({
          second_password: fc.constant(p),
          second_password_confirm: fc.constant(confirm),
          current_second_password: nasty,
        }),
        multipart,
      ),
    )
    const anonymous = new Client()
    await anonymous.get('/login')
    await fuzz(arb, ([f, m]) => post(halfway, '/second-password/setup', f, m))
    await fuzz(arb, ([f, m]) => post(student, '/second-password/change', f, m))
    await fuzz(
      fc.tuple(
        fc.oneof(
          badId,
          fc.string({
            unit: fc.constantFrom(
              ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
            ),
            minLength: 43,
            maxLength: 43,
          }),
        ),
        arb,
      ),
      ([token, [f, m]]) =>
        post(anonymous, `/second-password/reset/${encodeURIComponent(token)}`, f, m),
    )
  })

  it('第2パスワードを忘れた方', { timeout: LONG }, async () => {
    const client = new Client()
    await client.get('/login')
    const badEmail = fc.oneof(
      nasty.filter((v) => typeof v !== 'string' || !v.includes('@')),
      fc.string({ minLength: 1, maxLength: 10 }).map((s) => `ｓ${s}@example.ac.jp`), // not half-width
      fc.string({ minLength: 1, maxLength: 10 }).map((s) => `${s}@@`),
    )
    await fuzz(fc.tuple(form({ email: badEmail }), multipart), ([f, m]) =>
      post(client, '/second-password/forgot', f, m),
    )
  })

  it('M.I.C.チャージ: amount, method and 申請', { timeout: LONG }, async () => {
    const method = fc.oneof(nasty, fc.constantFrom('credit_card', 'merpay', 'cvs_lawson'))
    const requestKey = fc.oneof(nasty, fc.constant('A'.repeat(22)))
    await fuzz(fc.tuple(form({ amount: badAmount }), multipart), ([f, m]) =>
      post(student, '/charge', f, m),
    )
    await fuzz(fc.tuple(form({ amount: badAmount, method }), multipart), ([f, m]) =>
      post(student, '/charge/method', f, m),
    )
    await fuzz(
      fc.tuple(form({ amount: badAmount, method, request_key: requestKey }), multipart),
      ([f, m]) => post(student, '/charge/apply', f, m),
    )
  })

  it('申請 ids that are not the student’s', { timeout: LONG }, async () => {
    const { id: someoneElses } = await applyCharge(await ready('test0184'), 500)
    const id = fc.oneof(badId, fc.constant(String(someoneElses)))
    await fuzz(fc.tuple(id, form({}), multipart), ([i, f, m]) =>
      post(student, `/applications/${encodeURIComponent(i)}/pay`, f, m),
    )
    await fuzz(id, (i) => student.request(`/applications/${encodeURIComponent(i)}`))
    await fuzz(id, (i) => student.request(`/applications/${encodeURIComponent(i)}/return`))
  })
})

describe('fuzzing the KOMOJU twin’s hosted payment page', () => {
  it(
    'refuses anything but its own two buttons, and the session stays open',
    { timeout: LONG },
    async () => {
      await atNoon()
      const client = await ready('test0185')
      const { id } = await applyCharge(client, 700)
      const page = await paymentUrlOf(client, id)
      const action = nasty.filter((v) => v !== 'pay' && v !== 'cancel')
      await fuzz(fc.tuple(form({ action }), multipart), ([f, m]) => {
        const { type, body } = encode(f, m)
        return fetch(page, {
          method: 'POST',
          body,
          headers: { 'content-type': type },
          redirect: 'manual',
        })
      })
      const a = await application(id)
      const gateway = new KomojuProvider({
        apiUrl: KOMOJU,
        secretKey: env.KOMOJU_SECRET_KEY,
        webhookSecret: env.KOMOJU_WEBHOOK_SECRET,
      })
      const session = await gateway.session(
        (await env.DB.prepare('SELECT provider_session_id AS s FROM applications WHERE id = ?')
          .bind(id)
          .first<{ s: string }>())!.s,
      )
      expect(session).toMatchObject({ status: 'pending', payment: null })
      expect(a?.status).toBe('awaiting_payment')
    },
  )
})

describe('fuzzing the KOMOJU webhook endpoint', () => {
  // Each input from a client of its own: one client's refusals are rate-limited after a
  // few, and these properties are about what the endpoint does with the input.
  let clients = 0
  const nextClient = () => {
    const n = ++clients
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
  }
  const notify = (
    body: Uint8Array | string,
    headers: Record<string, string>,
    type = 'application/json',
  ) =>
    new Client('http://localhost').request(new URL(WEBHOOK_URL).pathname, {
      method: 'POST',
      body,
      headers: { 'content-type': type, 'cf-connecting-ip': nextClient(), ...headers },
    })

  /** Event-like bodies, each broken in at least one way. */
  const brokenEvent = fc
    .record(
      {
        id: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
        type: fc.oneof(fc.constantFrom('payment.captured', 'ping', 'PAID', ''), nasty),
        resource: fc.oneof(fc.constantFrom('payment', 'session', ''), nasty),
        data: fc.oneof(
          fc.record({ id: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()) }),
          fc.constant(null),
          nasty,
        ),
      },
      { requiredKeys: [] },
    )
    .filter((e) => !(typeof e.id === 'string' && e.id.length > 0 && e.resource === 'event'))
    .map((e) => JSON.stringify(e))

  const body = fc.oneof(
    brokenEvent,
    fc.json().filter((j) => !j.includes('"resource":"event"')),
    nasty,
    fc.integer({ min: 65_537, max: 200_000 }).map((n) => `{"pad":"${'x'.repeat(n)}"}`),
  )
  const text = (b: string | Uint8Array) => (typeof b === 'string' ? b : new TextDecoder().decode(b))
  const sign = async (b: string | Uint8Array, secret: string) => toHex(await hmac(secret, text(b)))

  it('signed or not, nothing malformed gets in', { timeout: LONG }, async () => {
    const signature = fc.oneof(
      fc.constant(null),
      fc.string({ unit: 'binary-ascii', maxLength: 200 }).filter((v) => !/[\r\n\0]/.test(v)),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
      fc.constantFrom('', 'sha256=', '00', 'g'.repeat(64)),
    )
    await fuzz(fc.tuple(body, signature), ([b, s]) =>
      notify(b, s === null ? {} : { 'x-komoju-signature': s }),
    )
  })

  it('correctly signed bodies that are not events are refused', { timeout: LONG }, async () => {
    await fuzz(body, async (b) =>
      notify(b, { 'x-komoju-signature': await sign(b, env.KOMOJU_WEBHOOK_SECRET) }),
    )
    // A good event under another secret, or signed right but not sent as JSON.
    const event = (ref: number) =>
      JSON.stringify({
        id: `evt_fuzz_${ref}`,
        type: 'payment.captured',
        resource: 'event',
        data: { id: `pay_fuzz_${ref}` },
      })
    await fuzz(
      fc.tuple(
        fc.integer({ min: 1, max: 999_999 }),
        fc.oneof(
          fc.record({
            secret: fc.string({ minLength: 1, maxLength: 30 }),
            type: fc.constant('application/json'),
          }),
          fc.record({
            secret: fc.constant(env.KOMOJU_WEBHOOK_SECRET),
            type: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', ''),
          }),
        ),
      ),
      async ([ref, { secret, type }]) =>
        notify(event(ref), { 'x-komoju-signature': await sign(event(ref), secret) }, type),
    )
  })
})

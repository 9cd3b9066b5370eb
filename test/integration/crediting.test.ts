import { env, exports } from 'cloudflare:workers'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SIGNATURE_HEADER } from '../../src/adapters/payments/signature'
import {
  application,
  applyCharge,
  atNoon,
  cardBalance,
  creditsOf,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  nextJst,
  payOnGateway,
  ready,
  runCron,
  setClock,
  signedNotification,
} from '../charge'
import { Client, login, mainText } from '../client'

const user = (n: number) => `test${String(150 + n).padStart(4, '0')}`
const NO_FAULT = { mode: 'none', rate: 1, remaining: null, hangMs: 1000, card: null } as const

beforeAll(async () => {
  // Notifications in these tests are sent by hand; the gateway's own go out once, fast.
  await gateway().saveSettings({ declineNext: false, duplicateRate: 0, maxDelayMs: 50 })
})
beforeEach(async () => {
  await atNoon()
  await mic().setFault(NO_FAULT)
})

const notify = (req: Request) => exports.default.fetch(req)

/** An application whose payment the gateway has opened, and the event fields for it. */
const openApplication = async (n: number, amount = 1200) => {
  const client = await ready(user(n))
  const { id } = await applyCharge(client, amount)
  const a = await application(id)
  const event = (type: string, eventId: string) => ({
    eventId,
    type,
    paymentId: a!.provider_payment_id!,
    merchantRef: String(id),
    amount,
    method: 'credit_card',
    occurredAt: Date.now(),
  })
  return { client, id, event, userId: user(n) }
}

const rejections = async () =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM notification_rejections').first<{
    n: number
  }>())!.n

describe('notifications: duplicates and disorder', () => {
  it('credits once when paid arrives three times, mixed with a late failed and cancelled', async () => {
    const { id, event, userId } = await openApplication(1)
    const before = await cardBalance(userId)
    const events = [
      event('paid', `e1-${id}`),
      event('failed', `e2-${id}`),
      event('paid', `e1-${id}`),
      event('cancelled', `e3-${id}`),
      event('paid', `e4-${id}`),
    ]
    // Each delivery is signed afresh, as a gateway does (an identical signature is a replay).
    const now = nextJst(12, 0)
    const responses = await Promise.all(
      events.map(async (e, i) => notify(await signedNotification(e, { at: now + i * 1000 }))),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    await creditStatusBecomes(id, 'credited')
    // Let every queued delivery finish before counting.
    await eventually(
      async () =>
        (await env.DB.prepare(
          'SELECT COUNT(*) AS n FROM payment_notifications WHERE applied_at IS NOT NULL AND event_id LIKE ?',
        )
          .bind(`%-${id}`)
          .first<{ n: number }>())!.n,
      (n) => n === 4,
    )
    expect((await application(id))?.status).toBe('paid')
    expect(await cardBalance(userId)).toBe(before + 1200)
    expect(await creditsOf(userId)).toEqual([
      { idempotencyKey: `demo:application:${id}`, amount: 1200 },
    ])
  })

  it('lets paid win when it arrives after a failed', async () => {
    const { id, event } = await openApplication(2)
    expect((await notify(await signedNotification(event('failed', `f1-${id}`)))).status).toBe(200)
    await eventually(
      () => application(id),
      (a) => a?.status === 'cancelled',
    )
    expect((await notify(await signedNotification(event('paid', `f2-${id}`)))).status).toBe(200)
    await creditStatusBecomes(id, 'credited')
    expect((await application(id))?.status).toBe('paid')
  })
})

describe('notifications: forged, stale, replayed and malformed ones change nothing', () => {
  it('refuses each with its reason and logs it', async () => {
    const { id, event } = await openApplication(3)
    const body = JSON.stringify(event('paid', `x-${id}`))
    const before = await rejections()
    const forged = await notify(await signedNotification(body, { secret: 'not-the-secret' }))
    const now = nextJst(12, 0) // the service clock, give or take the seconds this test has run
    const stale = await notify(await signedNotification(body, { at: now - 7 * 60_000 }))
    const future = await notify(await signedNotification(body, { at: now + 7 * 60_000 }))
    const unsigned = await notify(
      new Request('https://example.com/payments/notify/sandbox', { method: 'POST', body }),
    )
    const garbled = await notify(
      new Request('https://example.com/payments/notify/sandbox', {
        method: 'POST',
        body,
        headers: { [SIGNATURE_HEADER]: 't=abc,v1=zz' },
      }),
    )
    const malformed = await notify(await signedNotification('{"eventId": "x", "type": "paid"'))
    const wrongShape = await notify(
      await signedNotification({ ...event('paid', `y-${id}`), amount: -5 }),
    )
    const otherProvider = await notify(
      new Request('https://example.com/payments/notify/acme', { method: 'POST', body }),
    )
    expect(
      [forged, stale, future, unsigned, garbled, malformed, wrongShape, otherProvider].map(
        (r) => r.status,
      ),
    ).toEqual([401, 401, 401, 400, 400, 400, 400, 404])
    expect(await rejections()).toBe(before + 8)
    const reasons = await env.DB.prepare(
      'SELECT reason FROM notification_rejections ORDER BY id DESC LIMIT 8',
    ).all<{ reason: string }>()
    expect(reasons.results.map((r) => r.reason).sort()).toEqual(
      [
        'bad_signature',
        'malformed_body',
        'malformed_body',
        'malformed_signature',
        'missing_signature',
        'stale',
        'stale',
        'unknown_provider',
      ].sort(),
    )
    await new Promise((r) => setTimeout(r, 1500))
    const a = await application(id)
    expect(a?.status).toBe('awaiting_payment')
    expect(a?.credit_status).toBe('none')
  })

  it('refuses the very same signed request sent twice', async () => {
    const { id, event } = await openApplication(4)
    const req = await signedNotification(event('cancelled', `r-${id}`))
    const first = await notify(req.clone())
    const replay = await notify(req)
    expect(first.status).toBe(200)
    expect(replay.status).toBe(409)
  })

  it('ignores a signed event for another payment of the application', async () => {
    const { id, event } = await openApplication(5)
    expect(
      (
        await notify(
          await signedNotification({ ...event('paid', `m-${id}`), paymentId: 'pay_someone_else' }),
        )
      ).status,
    ).toBe(200)
    await new Promise((r) => setTimeout(r, 1500))
    expect((await application(id))?.status).toBe('awaiting_payment')
  })

  it('does not credit a payment whose amount differs from the application', async () => {
    const { id, event, userId } = await openApplication(6)
    expect(
      (await notify(await signedNotification({ ...event('paid', `a-${id}`), amount: 99999 })))
        .status,
    ).toBe(200)
    const a = await creditStatusBecomes(id, 'failed')
    expect(a.status).toBe('paid')
    expect(await creditsOf(userId)).toEqual([])
  })

  it('answers fast and leaves the crediting to the queue', async () => {
    const { id, event } = await openApplication(7)
    await mic().setFault({
      ...NO_FAULT,
      mode: 'hang',
      remaining: 1,
      hangMs: 2000,
      card: `demo:${user(7)}`,
    })
    const res = await notify(await signedNotification(event('paid', `q-${id}`)))
    expect(res.status).toBe(200)
    // The endpoint returned before any credit was tried (M.I.C. hangs for 2 s).
    expect((await application(id))?.credit_status).not.toBe('credited')
  })
})

describe('crediting when M.I.C. fails, hangs or loses its answer', () => {
  const payAndWait = async (
    n: number,
    fault: { mode: 'fail' | 'hang' | 'lose-response'; hangMs?: number },
  ) => {
    const client = await ready(user(n))
    const userId = user(n)
    const before = await cardBalance(userId)
    const { id } = await applyCharge(client, 800)
    // After applying: the cap check reads the balance from M.I.C. too.
    await mic().setFault({
      ...NO_FAULT,
      ...fault,
      remaining: 1,
      hangMs: fault.hangMs ?? 1000,
      card: `demo:${userId}`,
    })
    await payOnGateway(client, id)
    const a = await creditStatusBecomes(id, 'retrying')
    expect(a.credit_attempts).toBe(1)
    return { client, id, userId, before, a }
  }

  const retryByCron = async (a: { next_credit_at: number | null }) => {
    await setClock(a.next_credit_at! + 1000)
    await runCron()
  }

  it('retries a failed credit from the cron and lands it once, sending the error mail once', async () => {
    const { client, id, userId, before, a } = await payAndWait(10, { mode: 'fail' })
    const detail = await client.get(`/applications/${id}`)
    expect(mainText(detail.html)).toContain('反映が遅れています')
    const mail = await env.DB.prepare(
      "SELECT subject, body FROM mail_log WHERE kind = 'credit-error' AND to_address = ?",
    )
      .bind(`${userId}@example.ac.jp`)
      .all<{ subject: string; body: string }>()
    expect(mail.results).toHaveLength(1)
    expect(mail.results[0]!.subject).toBe('【お知らせ】M.I.C.へのチャージ状況について')
    expect(mail.results[0]!.body).toContain(
      'ただいまM.I.C.オンラインチャージシステムでエラーが発生しております。',
    )
    expect(mail.results[0]!.body).toContain('[TEL] 06-6809-4327')
    await retryByCron(a)
    expect((await application(id))?.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(before + 800)
    expect(await creditsOf(userId)).toHaveLength(1)
    await runCron()
    expect(await creditsOf(userId)).toHaveLength(1)
  })

  it('keeps retrying with backoff and mails only once', async () => {
    const client = await ready(user(11))
    const userId = user(11)
    const { id } = await applyCharge(client, 500)
    await mic().setFault({ ...NO_FAULT, mode: 'fail', remaining: 3, card: `demo:${userId}` })
    await payOnGateway(client, id)
    let a = await creditStatusBecomes(id, 'retrying')
    const delays: number[] = []
    for (let i = 0; i < 2; i++) {
      const due = a.next_credit_at!
      await setClock(due + 1000)
      await runCron()
      a = (await application(id))!
      delays.push(a.next_credit_at! - due)
    }
    expect(a.credit_attempts).toBe(3)
    expect(delays[1]!).toBeGreaterThan(delays[0]!)
    await setClock(a.next_credit_at! + 1000)
    await runCron()
    expect((await application(id))?.credit_status).toBe('credited')
    expect(await creditsOf(userId)).toHaveLength(1)
    const mails = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM mail_log WHERE kind = 'credit-error' AND to_address = ?",
    )
      .bind(`${userId}@example.ac.jp`)
      .first<{ n: number }>()
    expect(mails!.n).toBe(1)
  })

  it('treats a hanging M.I.C. as unavailable and lands the credit once later', async () => {
    const { id, userId, before, a } = await payAndWait(12, { mode: 'hang', hangMs: 1500 })
    await new Promise((r) => setTimeout(r, 1600))
    expect(await creditsOf(userId)).toHaveLength(0)
    await retryByCron(a)
    expect((await application(id))?.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(before + 800)
  })

  it('does not double-credit when M.I.C. applied a credit but its answer was lost', async () => {
    // The crash between the M.I.C. credit and recording it: M.I.C. has the money on the
    // card, the service does not know. The retry carries the same idempotency key.
    const { id, userId, before, a } = await payAndWait(13, { mode: 'lose-response', hangMs: 1500 })
    await eventually(
      () => creditsOf(userId),
      (c) => c.length === 1,
    )
    expect(await cardBalance(userId)).toBe(before + 800)
    await retryByCron(a)
    expect((await application(id))?.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(before + 800)
    expect(await creditsOf(userId)).toHaveLength(1)
  })

  it('does not double-credit when the service stopped right after M.I.C. credited', async () => {
    const client = await ready(user(14))
    const userId = user(14)
    const before = await cardBalance(userId)
    const { id } = await applyCharge(client, 600)
    // Recorded as paid, but the credit never recorded: as if the worker died mid-way.
    await env.DB.prepare(
      "UPDATE applications SET status = 'paid', paid_at = ?, credit_status = 'pending', next_credit_at = ? WHERE id = ?",
    )
      .bind(Date.now(), Date.now(), id)
      .run()
    const { micFor } = await import('../../src/services')
    const first = await micFor(env).credit(
      { universityId: 'demo', userId },
      600,
      `demo:application:${id}`,
    )
    expect(first.ok).toBe(true)
    await setClock(nextJst(12, 5))
    await runCron()
    expect((await application(id))?.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(before + 600)
    expect(await creditsOf(userId)).toHaveLength(1)
  })
})

describe('blackout windows', () => {
  it('at 02:30 JST the credit waits, and the cron credits it after 05:00', async () => {
    const userId = user(20)
    await setClock(nextJst(2, 30))
    const client = new Client()
    const { onboard } = await import('../client')
    await onboard(client, userId, `${userId}@example.ac.jp`, 'Charge2024x')
    const charge = await client.get('/charge')
    expect(mainText(charge.html)).toContain('M.I.C.に接続できないため')
    expect(mainText(charge.html)).toContain('05:00 以降')
    expect(mainText(charge.html)).toContain('残高を確認できません')
    // A student whose balance was never read cannot apply in a window; one who has can.
    await setClock(nextJst(12, 0))
    await client.get('/charge')
    await setClock(nextJst(2, 30))
    const { client: again } = { client: new Client() }
    await login(again, userId, 'univpass', 'Charge2024x')
    const stale = await again.get('/charge')
    expect(mainText(stale.html)).toMatch(/\d{4}\/\d{2}\/\d{2} 12:0\d 時点の残高/)
    const before = await cardBalance(userId)
    const { id } = await applyCharge(again, 900)
    await payOnGateway(again, id)
    const a = await creditStatusBecomes(id, 'deferred')
    const detail = await again.get(`/applications/${id}`)
    expect(mainText(detail.html)).toMatch(
      /連携停止時間のため、\d{4}\/\d{2}\/\d{2} 05:00 以降に反映されます/,
    )
    expect(await cardBalance(userId)).toBe(before)
    await runCron()
    expect((await application(id))?.credit_status).toBe('deferred')
    await setClock(a.next_credit_at! + 60_000)
    await runCron()
    expect((await application(id))?.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(before + 900)
  })
})

describe('secrets left unset', () => {
  it('refuses every notification when no webhook secret is configured', async () => {
    const { SandboxProvider } = await import('../../src/adapters/payments/sandbox')
    const provider = new SandboxProvider({
      baseUrl: 'https://example.com/sandbox-gateway',
      apiKey: '',
      webhookSecret: '',
      fetcher: () => Promise.reject(new Error('unused')),
    })
    const req = await signedNotification({ any: 'thing' }, { secret: 'whatever' })
    const result = await provider.verifyNotification(await req.text(), req.headers, nextJst(12, 0))
    expect(result).toMatchObject({ ok: false, reason: 'not_configured' })
  })
})

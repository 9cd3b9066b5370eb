import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { MailChannelsTransport } from '../../src/adapters/mail/mailchannels'
import { SendEmailTransport } from '../../src/adapters/mail/sendEmail'
import { RegExpRouter } from 'hono/router/reg-exp-router'
import fc from 'fast-check'
import { app } from '../../src/app'
import { hostnameOf } from '../../src/middleware/context'
import worker from '../../src/index'
import { PAYMENT_DLQ, PAYMENT_QUEUE } from '../../src/queue'
import type { StudentDesk } from '../../src/durable/studentDesk'
import { serviceClockNow, testNow } from '../charge'

// A well-formed event about a payment the gateway does not know: recorded, changes nothing.
const notification = (eventId: string) => ({
  eventId,
  provider: 'komoju',
  type: 'payment.captured',
  paymentId: 'pay_unknown',
  universityId: 'demo',
  receivedAt: 1,
})

describe('routing', () => {
  it('serves every route, the development tools too, with one RegExpRouter', async () => {
    // A route RegExpRouter cannot take with the others (a static segment where another
    // route has a parameter, two patterns at one place) would make every request fail.
    const router = new RegExpRouter<unknown>()
    for (const r of app.routes) router.add(r.method, r.path, r.handler)
    expect(() => router.match('GET', '/menu')).not.toThrow()
    expect(app.router).toBeInstanceOf(RegExpRouter)
    expect(
      (await worker.fetch!(new Request('http://localhost/login'), env, createExecutionContext()))
        .status,
    ).toBe(200)
  })
})

describe('the university by host name', () => {
  it('reads the hostname out of any URL the runtime hands over, as URL would', () => {
    fc.assert(
      fc.property(
        fc.webUrl({
          withQueryParameters: true,
          withFragments: true,
          authoritySettings: { withIPv4: true, withIPv6: true, withPort: true, withUserInfo: true },
        }),
        (raw) => {
          const url = new Request(raw).url
          expect(hostnameOf(url)).toBe(new URL(url).hostname)
        },
      ),
      { numRuns: 2000 },
    )
    expect(hostnameOf(new Request('https://Demo2.LOCALHOST:8787/menu?x=//y').url)).toBe(
      'demo2.localhost',
    )
  })
})

describe('payment-notification queue consumer', () => {
  it('records each provider event once, however often it is delivered', async () => {
    const batch = createMessageBatch(PAYMENT_QUEUE, [
      { id: 'm1', timestamp: new Date(), attempts: 1, body: notification('evt-1') },
      { id: 'm2', timestamp: new Date(), attempts: 1, body: notification('evt-1') },
      { id: 'm3', timestamp: new Date(), attempts: 1, body: notification('evt-2') },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    const result = await getQueueResult(batch, ctx)
    expect(result.explicitAcks.sort()).toEqual(['m1', 'm2', 'm3'])
    const rows = await env.DB.prepare(
      "SELECT event_id FROM payment_notifications WHERE event_id LIKE 'evt-%' ORDER BY event_id",
    ).all()
    expect(rows.results.map((r) => r.event_id)).toEqual(['evt-1', 'evt-2'])
    const outcomes = await env.DB.prepare(
      "SELECT outcome FROM payment_notifications WHERE event_id LIKE 'evt-%'",
    ).all()
    expect(outcomes.results.map((r) => r.outcome)).toEqual(['unmatched', 'unmatched'])
  })

  it('acknowledges malformed messages without recording them', async () => {
    const batch = createMessageBatch(PAYMENT_QUEUE, [
      { id: 'bad', timestamp: new Date(), attempts: 1, body: { nonsense: true } },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['bad'])
  })

  it('marks events that reached the dead-letter queue', async () => {
    const batch = createMessageBatch(PAYMENT_DLQ, [
      { id: 'd1', timestamp: new Date(), attempts: 6, body: notification('evt-dead') },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    const row = await env.DB.prepare(
      "SELECT dead_lettered_at FROM payment_notifications WHERE event_id = 'evt-dead'",
    ).first<{ dead_lettered_at: number }>()
    expect(row!.dead_lettered_at).toBeGreaterThan(0)
  })
})

describe('cron', () => {
  it('forgets throttle counters whose window and lock are over, keeping live ones', async () => {
    const now = testNow() // the cron reads the service clock
    await env.DB.batch([
      env.DB.prepare("INSERT INTO login_throttle VALUES ('old', 3, ?, NULL)").bind(
        now - 2 * 86_400_000,
      ),
      env.DB.prepare("INSERT INTO login_throttle VALUES ('locked', 5, ?, ?)").bind(
        now - 2 * 86_400_000,
        now + 60_000,
      ),
      env.DB.prepare("INSERT INTO login_throttle VALUES ('recent', 1, ?, NULL)").bind(now),
    ])
    const ctx = createExecutionContext()
    await worker.scheduled(
      createScheduledController({ scheduledTime: new Date(now), cron: '* * * * *' }),
      env,
      ctx,
    )
    const keys = (
      await env.DB.prepare(
        "SELECT key FROM login_throttle WHERE key IN ('old','locked','recent') ORDER BY key",
      ).all()
    ).results.map((r) => r.key)
    expect(keys).toEqual(['locked', 'recent'])
  })

  it('forgets counts of refused webhooks after 30 days, keeping recent ones', async () => {
    const now = testNow() // the cron reads the service clock
    const hour = (t: number) => Math.floor(t / 3_600_000) * 3_600_000
    const insert = (reason: string, at: number) =>
      env.DB.prepare(
        "INSERT INTO webhook_refusals (university_id, reason, hour_start, count, last_at) VALUES ('demo', ?, ?, 7, ?)",
      ).bind(reason, hour(at), at)
    await env.DB.batch([
      insert('test_old', now - 31 * 86_400_000),
      insert('test_recent', now - 29 * 86_400_000),
    ])
    await worker.scheduled(
      createScheduledController({ scheduledTime: new Date(now), cron: '* * * * *' }),
      env,
      createExecutionContext(),
    )
    const reasons = (
      await env.DB.prepare(
        "SELECT reason FROM webhook_refusals WHERE reason LIKE 'test_%' ORDER BY reason",
      ).all<{ reason: string }>()
    ).results.map((r) => r.reason)
    expect(reasons).toEqual(['test_recent'])
  })
})

describe('StudentDesk (Durable Object)', () => {
  it('consumes a token once and forgets it after its time by alarm', async () => {
    const stub = env.STUDENT_DESK.getByName('demo/999')
    // The service's clock, as the flows pass it (TEST_CLOCK_JST may put it days from real time).
    const now = await serviceClockNow()
    expect(await stub.consumeToken('h1', now, now + 10)).toBe(true)
    expect(await stub.consumeToken('h1', now, now + 10)).toBe(false)
    expect(await stub.wasTokenConsumed('h1')).toBe(true)
    await new Promise((r) => setTimeout(r, 50))
    // The alarm may already have fired on its own; if not, run it now.
    await runDurableObjectAlarm(stub)
    expect(await stub.wasTokenConsumed('h1')).toBe(false)
    await runInDurableObject(stub, (_: StudentDesk, state) => {
      expect(state.storage.sql.exec('SELECT COUNT(*) AS n FROM consumed_tokens').one().n).toBe(0)
    })
  })
})

describe('mail transports', () => {
  const mail = {
    from: { address: 'noreply@demo-u.example', name: 'デモ大学' },
    to: 'rin@example.ac.jp',
    subject: '件名',
    text: '本文',
  }

  it('speaks the MailChannels send API', async () => {
    let seen: Request | null = null
    const ok = new MailChannelsTransport(
      'key-123',
      'https://mc.test/tx/v1/send',
      async (input, init) => {
        seen = new Request(input, init)
        return new Response(null, { status: 202 })
      },
    )
    await ok.deliver(mail)
    expect(seen!.headers.get('x-api-key')).toBe('key-123')
    const body = await seen!.json<{
      personalizations: { to: { email: string }[] }[]
      subject: string
      content: { value: string }[]
    }>()
    expect(body.personalizations[0]!.to[0]!.email).toBe('rin@example.ac.jp')
    expect(body.subject).toBe('件名')
    expect(body.content[0]!.value).toBe('本文')
    const refused = new MailChannelsTransport(
      'bad',
      'https://mc.test/tx/v1/send',
      async () => new Response('nope', { status: 401 }),
    )
    await expect(refused.deliver(mail)).rejects.toThrow(/401/)
  })

  it('sends through the send_email binding', async () => {
    await expect(new SendEmailTransport(env.EMAIL).deliver(mail)).resolves.toBeUndefined()
  })

  it('records a failed delivery and tells the student', async () => {
    const { Client, login } = await import('../client')
    const failing = new Client('https://example.com', async (req) => {
      const ctx = createExecutionContext()
      return worker.fetch(
        req as Request<unknown, IncomingRequestCfProperties>,
        {
          ...env,
          MAIL_TRANSPORT: 'mailchannels',
          MAILCHANNELS_API_KEY: '',
          MAILCHANNELS_API_URL: 'http://127.0.0.1:9/tx/v1/send',
        },
        ctx,
      )
    })
    await login(failing, 'test0075', 'univpass')
    const { res, html } = await failing.post('/email/setup', {
      email: 'fail0075@example.ac.jp',
      email_confirm: 'fail0075@example.ac.jp',
    })
    expect(res.status).toBe(503)
    expect(html).toContain('メールを送信できませんでした。')
    const row = await env.DB.prepare(
      "SELECT result, error FROM mail_log WHERE to_address = 'fail0075@example.ac.jp'",
    ).first<{ result: string; error: string }>()
    expect(row!.result).toBe('failed')
    // It failed reaching the (refused, loopback) MailChannels endpoint, not inside our own code.
    expect(row!.error).not.toMatch(/Illegal invocation/i)
  })
})

/** @jsxImportSource hono/jsx */
import { DurableObject } from 'cloudflare:workers'
import { Hono } from 'hono'
import type { PropsWithChildren } from 'hono/jsx'
import { z } from 'zod'
import { hasDeadline, PAYMENT_METHODS, type PaymentMethod } from '../../domain/paymentMethods'
import { formatYen } from '../../domain/charge'
import { formatJstDateTime } from '../../domain/time'
import { serviceNow } from '../../flows/clock'
import { readSetting, SETTINGS_TABLE, writeSetting } from '../standInSettings'
import { translator } from '../../i18n'
import { randomToken } from '../../security/crypto'
import { SIGNATURE_HEADER, signNotification } from './signature'

type GatewayStatus = 'open' | 'paid' | 'failed' | 'cancelled' | 'expired'

export interface SandboxPayment {
  id: string
  merchantRef: string
  amount: number
  method: PaymentMethod
  status: GatewayStatus
  paymentNumber: string | null
  deadline: number
  returnUrl: string
  notifyUrl: string
  description: string
  createdAt: number
}

/** How the sandbox misbehaves the way real gateways do. */
export interface GatewaySettings {
  /** Decline the next 支払う, as a card issuer would. */
  declineNext: boolean
  /** Chance that a delivered notification is delivered once more (at-least-once). */
  duplicateRate: number
  /** Each notification waits up to this long, so they can arrive out of order. */
  maxDelayMs: number
}
export const DEFAULT_GATEWAY_SETTINGS: GatewaySettings = {
  declineNext: false,
  duplicateRate: 0.3,
  maxDelayMs: 1500,
}

const MAX_ATTEMPTS = 15

const createPayment = z.object({
  merchantRef: z.string().regex(/^\d{1,12}$/),
  amount: z.number().int().positive().max(10_000_000),
  method: z.enum(PAYMENT_METHODS),
  deadline: z.number().int().positive(),
  returnUrl: z.url(),
  notifyUrl: z.url(),
  description: z.string().max(200),
})

const ja = translator('ja')

const GatewayPage = ({ title, children }: PropsWithChildren<{ title: string }>) => (
  <html lang="ja">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} — Sandbox Pay</title>
      <link rel="stylesheet" href="/app.css" />
    </head>
    <body class="gateway">
      <header class="gateway-header">
        <p>Sandbox Pay（テスト用決済ゲートウェイ）</p>
      </header>
      <main id="main">
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
)

/**
 * The sandbox payment gateway: a hosted-payment gateway with its own storage, payment
 * pages, and signed server-to-server notifications delivered at least once, possibly
 * more than once and out of order, retried until the merchant answers 2xx. It stands in
 * for a real gateway in development and tests, behind the same provider interface.
 */
export class SandboxGateway extends DurableObject<Env> {
  private readonly http = new Hono<{ Bindings: Env; Variables: { now: number } }>().basePath(
    '/sandbox-gateway',
  )

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS payments (
          id TEXT PRIMARY KEY, merchant_ref TEXT NOT NULL UNIQUE, amount INTEGER NOT NULL, method TEXT NOT NULL,
          status TEXT NOT NULL, payment_number TEXT, deadline INTEGER NOT NULL, return_url TEXT NOT NULL,
          notify_url TEXT NOT NULL, description TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS events (
          event_id TEXT PRIMARY KEY, payment_id TEXT NOT NULL, body TEXT NOT NULL, notify_url TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0, deliveries_left INTEGER NOT NULL, next_at INTEGER NOT NULL,
          done_at INTEGER, last_error TEXT);
        CREATE INDEX IF NOT EXISTS events_due ON events (done_at, next_at);
        ${SETTINGS_TABLE}`)
    })
    this.routes()
  }

  private now() {
    return serviceNow(this.env)
  }

  private routes() {
    const http = this.http
    http.use('*', async (c, next) => {
      c.set('now', await this.now())
      await next()
    })

    http.post('/api/payments', async (c) => {
      if (
        !this.env.PAYMENT_API_KEY ||
        c.req.header('authorization') !== `Bearer ${this.env.PAYMENT_API_KEY}`
      )
        return c.json({ error: 'unauthorized' }, 401)
      const parsed = createPayment.safeParse(await c.req.json().catch(() => null))
      if (!parsed.success) return c.json({ error: 'invalid_request' }, 400)
      const p = parsed.data
      const origin = new URL(c.req.url).origin
      const existing = this.findByRef(p.merchantRef)
      if (existing) {
        if (existing.amount !== p.amount || existing.method !== p.method)
          return c.json({ error: 'merchant_ref_reused' }, 409)
        return c.json(this.created(existing, origin), 200)
      }
      const id = `pay_${randomToken(18)}`
      const paymentNumber = hasDeadline(p.method)
        ? Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b % 10).join('')
        : null
      this.ctx.storage.sql.exec(
        `INSERT INTO payments (id, merchant_ref, amount, method, status, payment_number, deadline, return_url, notify_url, description, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)`,
        id,
        p.merchantRef,
        p.amount,
        p.method,
        paymentNumber,
        p.deadline,
        p.returnUrl,
        p.notifyUrl,
        p.description,
        c.get('now'),
        c.get('now'),
      )
      return c.json(this.created(this.payment(id)!, origin), 201)
    })

    http.get('/pay/:id', (c) => {
      const p = this.payment(c.req.param('id'))
      if (!p) return c.html(<GatewayPage title="お支払いが見つかりません">{null}</GatewayPage>, 404)
      return c.html(<PaymentScreen p={p} now={c.get('now')} />)
    })

    http.post('/pay/:id', async (c) => {
      const p = this.payment(c.req.param('id'))
      if (!p) return c.html(<GatewayPage title="お支払いが見つかりません">{null}</GatewayPage>, 404)
      // Only the page's own two buttons: anything else is refused, and changes nothing.
      const action = (await c.req.parseBody().catch(() => null))?.action
      if (action !== 'pay' && action !== 'cancel')
        return c.html(
          <GatewayPage title="操作を受け付けられません">
            <p>送信内容を読み取れませんでした。お支払い画面からもう一度操作してください。</p>
            <p>
              <a href={`/sandbox-gateway/pay/${encodeURIComponent(p.id)}`}>お支払い画面へ戻る</a>
            </p>
          </GatewayPage>,
          400,
        )
      const now = c.get('now')
      if (p.status === 'open' && !hasDeadline(p.method)) {
        if (now >= p.deadline) await this.settle(p, 'expired', now)
        else if (action === 'pay') {
          const settings = this.settings()
          if (settings.declineNext) this.saveSettings({ ...settings, declineNext: false })
          await this.settle(p, settings.declineNext ? 'failed' : 'paid', now)
        } else if (action === 'cancel') await this.settle(p, 'cancelled', now)
      }
      const after = this.payment(p.id)!
      if (after.status === 'failed') return c.html(<PaymentScreen p={after} now={now} />)
      return c.redirect(backToShop(after, after.status), 303)
    })

    http.get('/howto/:method', (c) => {
      const method = c.req.param('method')
      if (!(PAYMENT_METHODS as readonly string[]).includes(method))
        return c.html(<GatewayPage title="ページが見つかりません">{null}</GatewayPage>, 404)
      const m = method as PaymentMethod
      return c.html(
        <GatewayPage title={`${ja.t(`pm_${m}`)} のお支払い手順`}>
          <ol>
            {hasDeadline(m) ? (
              <>
                <li>
                  申請後に表示される「お支払い番号」と「お支払い期限」を控えてください（メールでもお知らせします）。
                </li>
                <li>
                  {m === 'payeasy'
                    ? 'Pay-easy対応の銀行ATMまたはネットバンキングで'
                    : '店頭のレジまたは端末で'}
                  お支払い番号を入力し、現金でお支払いください。
                </li>
                <li>
                  お支払い後、チャージが行われ、お支払いステータスが「お支払い済み」になります。
                </li>
              </>
            ) : (
              <>
                <li>「申請」後、このゲートウェイのお支払いページに移動します。</li>
                <li>
                  内容を確認し「支払う」を押してください。やめる場合は「キャンセル」を押してください。
                </li>
                <li>お支払い後、申請したサイトに戻り「お支払い完了」が表示されます。</li>
              </>
            )}
          </ol>
        </GatewayPage>,
      )
    })
  }

  override fetch(request: Request) {
    return this.http.fetch(request, this.env)
  }

  private created(p: SandboxPayment, origin: string) {
    return {
      paymentId: p.id,
      redirectUrl: `${origin}/sandbox-gateway/pay/${p.id}`,
      paymentNumber: p.paymentNumber,
      deadline: p.deadline,
    }
  }

  private rows(where: string, ...args: (string | number)[]): SandboxPayment[] {
    return this.ctx.storage.sql
      .exec<Record<string, string | number | null>>(`SELECT * FROM payments ${where}`, ...args)
      .toArray()
      .map((r) => ({
        id: String(r.id),
        merchantRef: String(r.merchant_ref),
        amount: Number(r.amount),
        method: r.method as PaymentMethod,
        status: r.status as GatewayStatus,
        paymentNumber: r.payment_number === null ? null : String(r.payment_number),
        deadline: Number(r.deadline),
        returnUrl: String(r.return_url),
        notifyUrl: String(r.notify_url),
        description: String(r.description),
        createdAt: Number(r.created_at),
      }))
  }

  private payment(id: string) {
    return this.rows('WHERE id = ?', id)[0]
  }

  private findByRef(ref: string) {
    return this.rows('WHERE merchant_ref = ?', ref)[0]
  }

  /** Closes an open payment and queues its notification (more than once, now and then). */
  private async settle(p: SandboxPayment, status: Exclude<GatewayStatus, 'open'>, now: number) {
    const changed = this.ctx.storage.sql
      .exec(
        "UPDATE payments SET status = ?, updated_at = ? WHERE id = ? AND status = 'open' RETURNING id",
        status,
        now,
        p.id,
      )
      .toArray().length
    if (!changed) return
    const settings = this.settings()
    const eventId = `evt_${randomToken(18)}`
    const body = JSON.stringify({
      eventId,
      type: status,
      paymentId: p.id,
      merchantRef: p.merchantRef,
      amount: p.amount,
      method: p.method,
      occurredAt: now,
    })
    const deliveries = Math.random() < settings.duplicateRate ? 2 : 1
    this.ctx.storage.sql.exec(
      'INSERT INTO events (event_id, payment_id, body, notify_url, deliveries_left, next_at) VALUES (?, ?, ?, ?, ?, ?)',
      eventId,
      p.id,
      body,
      p.notifyUrl,
      deliveries,
      Date.now() + Math.floor(Math.random() * settings.maxDelayMs),
    )
    await this.scheduleDelivery()
  }

  private async scheduleDelivery() {
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>('SELECT MIN(next_at) AS at FROM events WHERE done_at IS NULL')
      .one().at
    if (next === null) return
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > next)
      await this.ctx.storage.setAlarm(Math.max(next, Date.now()))
  }

  /** Delivers every due notification, in random order; failures are retried with backoff. */
  override async alarm() {
    if (!this.env.PAYMENT_WEBHOOK_SECRET) {
      console.error('sandbox gateway: PAYMENT_WEBHOOK_SECRET is not set; notifications wait')
      return
    }
    const due = this.ctx.storage.sql
      .exec<{
        event_id: string
        body: string
        notify_url: string
        attempts: number
        deliveries_left: number
      }>(
        'SELECT event_id, body, notify_url, attempts, deliveries_left FROM events WHERE done_at IS NULL AND next_at <= ?',
        Date.now(),
      )
      .toArray()
      .sort(() => Math.random() - 0.5)
    const now = await this.now()
    for (const e of due) {
      let error: string | null = null
      try {
        const res = await this.ctx.exports.default.fetch(
          new Request(e.notify_url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              [SIGNATURE_HEADER]: await signNotification(
                this.env.PAYMENT_WEBHOOK_SECRET,
                e.body,
                now,
              ),
            },
            body: e.body,
          }),
        )
        await res.body?.cancel()
        if (!res.ok) error = `HTTP ${res.status}`
      } catch (err) {
        error = String(err)
      }
      if (error === null) {
        const left = e.deliveries_left - 1
        if (left > 0) {
          // Deliver the same event again a little later: the merchant must cope.
          this.ctx.storage.sql.exec(
            'UPDATE events SET deliveries_left = ?, next_at = ? WHERE event_id = ?',
            left,
            Date.now() + 200 + Math.floor(Math.random() * 2000),
            e.event_id,
          )
        } else {
          this.ctx.storage.sql.exec(
            'UPDATE events SET deliveries_left = 0, done_at = ? WHERE event_id = ?',
            Date.now(),
            e.event_id,
          )
        }
      } else {
        const attempts = e.attempts + 1
        const giveUp = attempts >= MAX_ATTEMPTS
        this.ctx.storage.sql.exec(
          'UPDATE events SET attempts = ?, last_error = ?, next_at = ?, done_at = ? WHERE event_id = ?',
          attempts,
          error,
          Date.now() + Math.min(600_000, 1000 * 2 ** attempts),
          giveUp ? Date.now() : null,
          e.event_id,
        )
      }
    }
    await this.scheduleDelivery()
  }

  // Development tools (RPC), as a gateway's merchant dashboard would offer.

  pending(): SandboxPayment[] {
    return this.rows("WHERE status = 'open' ORDER BY created_at DESC LIMIT 200")
  }

  recent(): SandboxPayment[] {
    return this.rows('ORDER BY created_at DESC LIMIT 50')
  }

  /** The student pays a コンビニ / Pay-easy payment at the store or ATM. */
  async payAtStore(id: string) {
    const p = this.payment(id)
    if (!p || p.status !== 'open' || !hasDeadline(p.method)) return false
    await this.settle(p, 'paid', await this.now())
    return true
  }

  /** The deadline passes without payment. */
  async expire(id: string) {
    const p = this.payment(id)
    if (!p || p.status !== 'open') return false
    await this.settle(p, 'expired', await this.now())
    return true
  }

  /** Notifications not yet delivered to the merchant (for tests and the dashboard). */
  undelivered(): number {
    return this.ctx.storage.sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE done_at IS NULL')
      .one().n
  }

  settings(): GatewaySettings {
    return readSetting(this.ctx.storage.sql, 'settings', DEFAULT_GATEWAY_SETTINGS)
  }

  saveSettings(s: GatewaySettings) {
    writeSetting(this.ctx.storage.sql, 'settings', s)
  }
}

/** The merchant's return URL, telling it what happened here (untrusted: a hint for its page). */
const backToShop = (p: SandboxPayment, result: string) => {
  const url = new URL(p.returnUrl)
  url.searchParams.set('result', result)
  return url.toString()
}

const PaymentScreen = ({ p, now }: { p: SandboxPayment; now: number }) => {
  const method = ja.t(`pm_${p.method}`)
  if (p.status === 'failed') {
    return (
      <GatewayPage title="お支払いできませんでした">
        <p role="alert">
          カード会社によりお支払いが承認されませんでした（サンドボックスの拒否設定）。
        </p>
        <p>
          <a class="button" href={backToShop(p, 'failed')}>
            ショップに戻る
          </a>
        </p>
      </GatewayPage>
    )
  }
  return (
    <GatewayPage title={`${method}`}>
      <dl class="summary">
        <dt>ご利用内容</dt>
        <dd>{p.description}</dd>
        <dt>お支払い金額</dt>
        <dd>¥{formatYen(p.amount)}</dd>
        {p.paymentNumber && (
          <>
            <dt>お支払い番号</dt>
            <dd class="payment-number">{p.paymentNumber}</dd>
            <dt>お支払い期限</dt>
            <dd>{formatJstDateTime(p.deadline)}</dd>
          </>
        )}
      </dl>
      {p.status !== 'open' ? (
        <p role="status">このお支払いは終了しています（{p.status}）。</p>
      ) : hasDeadline(p.method) ? (
        <>
          <p>
            お支払い期限までに、上記のお支払い番号で
            {p.method === 'payeasy' ? '銀行ATMまたはネットバンキング' : '店頭'}
            にてお支払いください。
          </p>
          <p>
            <a class="button" href={backToShop(p, 'open')}>
              ショップに戻る
            </a>
          </p>
        </>
      ) : now >= p.deadline ? (
        <p role="status">お支払いの有効期限が切れました。</p>
      ) : (
        <form method="post" class="actions">
          <button type="submit" name="action" value="pay" class="button primary">
            支払う
          </button>
          <button type="submit" name="action" value="cancel" class="button">
            キャンセル
          </button>
        </form>
      )}
    </GatewayPage>
  )
}

export const sandboxGatewayFor = (ns: DurableObjectNamespace<SandboxGateway>) =>
  ns.getByName('gateway')

import { DurableObject } from 'cloudflare:workers'
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import * as m from './model'
import { fail, iso, randomId, readBody, type Payment, type Session } from './model'
import { instructionsPage, notFoundPage, refusedPage, sessionPage } from './pages'
import {
  newRefundRequest,
  REFUND_REQUEST_SCHEMA,
  refundRequestInput,
  type RefundRequest,
} from './refundRequests'
import { type Attempt, backoffMs, MAX_FAILURES, post } from './webhooks'

const DAY = 86_400_000

/** How the twin misbehaves the way the real one can, switched by tests and dev tools. */
const settingsInput = z
  .object({
    /** Decline the next card payment on the hosted page, as an issuer would. */
    declineNextCard: z.boolean(),
    /** Chance that a delivered event is delivered once more. */
    duplicateRate: z.number().min(0).max(1),
    /** Each delivery first waits up to this long, so events can overtake each other. */
    maxDelayMs: z.number().int().min(0).max(600_000),
    /** Hold every delivery (they stay queued). */
    paused: z.boolean(),
    /**
     * Refuse the next refund call, as KOMOJU does when it cannot refund (e.g. the merchant's
     * balance does not cover it): a 422 that refunds nothing.
     */
    refuseNextRefund: z.boolean(),
  })
  .strict()
type Settings = z.infer<typeof settingsInput>
const DEFAULTS: Settings = {
  declineNextCard: false,
  duplicateRate: 0.3,
  maxDelayMs: 1500,
  paused: false,
  refuseNextRefund: false,
}

// Objects are stored as the exact JSON KOMOJU returns, plus a few columns to query by.
// Times in columns are twin-clock milliseconds; lists go by rowid, as the clock can jump.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, merchant TEXT NOT NULL,
    external_order_num TEXT, payment_id TEXT, created_at INTEGER NOT NULL, json TEXT NOT NULL);
  CREATE UNIQUE INDEX IF NOT EXISTS sessions_order ON sessions (merchant, external_order_num);
  CREATE TABLE IF NOT EXISTS payments (id TEXT PRIMARY KEY, merchant TEXT NOT NULL,
    external_order_num TEXT, status TEXT NOT NULL, deadline INTEGER, created_at INTEGER NOT NULL,
    json TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS payments_due ON payments (status, deadline);
  CREATE INDEX IF NOT EXISTS payments_order ON payments (merchant, external_order_num);
  CREATE TABLE IF NOT EXISTS idempotency (merchant TEXT NOT NULL, key TEXT NOT NULL,
    fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL, status INTEGER, content_type TEXT,
    body TEXT, PRIMARY KEY (merchant, key));
  CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, merchant TEXT NOT NULL,
    type TEXT NOT NULL, payment_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL,
    copies_left INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_status INTEGER,
    last_error TEXT, done_at INTEGER);
  CREATE INDEX IF NOT EXISTS events_due ON events (done_at, next_at);`

type Row = Record<string, SqlStorageValue>
type EventRow = Row & {
  id: string
  merchant: string
  type: string
  body: string
  created_at: number
  copies_left: number
  failures: number
  next_at: number
  done_at: number | null
}
type IdempotencyRow = {
  fingerprint: string
  status: number | null
  content_type: string
  body: string
}
type SessionRow = { merchant: string; payment_id: string | null; json: string }
type Ctx = Context<{ Bindings: Env; Variables: { now: number; merchant: m.Merchant } }>

const shuffle = <T>(list: T[]) => {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[list[i], list[j]] = [list[j]!, list[i]!]
  }
  return list
}
const sha256 = async (text: string) =>
  Array.from(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))),
    (b) => b.toString(16).padStart(2, '0'),
  ).join('')

/**
 * KOMOJU as one Durable Object: the API, the hosted pages and the webhook outbox, all on
 * the twin's own clock (`Date.now()` plus an offset that tests move).
 */
export class KomojuTwin extends DurableObject<Env> {
  private readonly app = new Hono<{
    Bindings: Env
    Variables: { now: number; merchant: m.Merchant }
  }>()
  /** Set when the alarm's next wake-up (a delivery or a deadline) may have moved. */
  private rescheduleNeeded = false
  /** Deliveries under way, so the alarm and a flush never send one event twice at once. */
  private readonly inFlight = new Map<string, Promise<Attempt>>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(SCHEMA)
    ctx.storage.sql.exec(REFUND_REQUEST_SCHEMA)
    this.routes()
  }

  override fetch(request: Request) {
    return this.app.fetch(request, this.env)
  }

  // --- storage and clock ---------------------------------------------------------------

  private q<T extends Row>(query: string, ...args: SqlStorageValue[]): T[] {
    return this.ctx.storage.sql.exec<T>(query, ...args).toArray()
  }
  private kv<T>(key: string, fallback: T): T {
    const row = this.q<{ v: string }>('SELECT v FROM kv WHERE k = ?', key)[0]
    return row ? (JSON.parse(row.v) as T) : fallback
  }
  private setKv(key: string, value: unknown) {
    const sql = 'INSERT INTO kv VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v'
    this.q(sql, key, JSON.stringify(value))
  }
  private offset = () => this.kv('offsetMs', 0)
  private now = () => Date.now() + this.offset()
  private settings = (): Settings => ({ ...DEFAULTS, ...this.kv('settings', {}) })
  private merchant = (name: string) => m.merchants(this.env).find((x) => x.name === name)

  private loadPayment(id: string) {
    const row = this.q<{ merchant: string; json: string }>(
      'SELECT merchant, json FROM payments WHERE id = ?',
      id,
    )[0]
    return row && { merchant: row.merchant, p: JSON.parse(row.json) as Payment }
  }
  private sessionView(row: SessionRow, now: number): Session {
    const s = JSON.parse(row.json) as Session
    s.expired = now >= Date.parse(s.expires_at)
    s.payment = row.payment_id ? (this.loadPayment(row.payment_id)?.p ?? null) : null
    return s
  }
  private loadSession(id: string, now: number) {
    const sql = 'SELECT merchant, payment_id, json FROM sessions WHERE id = ?'
    const row = this.q<SessionRow>(sql, id)[0]
    return row && { merchant: row.merchant, s: this.sessionView(row, now) }
  }
  private saveSession(merchant: string, s: Session, paymentId: string | null = null) {
    this.q(
      `INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE
       SET payment_id = excluded.payment_id, json = excluded.json`,
      ...[s.id, merchant, s.payment_data.external_order_num ?? null, paymentId],
      ...[Date.parse(s.created_at), JSON.stringify({ ...s, expired: false, payment: null })],
    )
  }

  /**
   * Saves a payment and, unless `quiet`, queues the event named after its new status. Both
   * writes happen in one synchronous step, so they commit together before any response.
   */
  private change(merchant: string, p: Payment, now: number, quiet = false) {
    this.save(merchant, p)
    if (!quiet) this.emit(merchant, `payment.${p.status}`, p, now)
  }

  private save(merchant: string, p: Payment) {
    this.q(
      `INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE
       SET status = excluded.status, json = excluded.json`,
      ...[p.id, merchant, p.external_order_num, p.status],
      ...[p.payment_deadline === null ? null : Date.parse(p.payment_deadline)],
      ...[Date.parse(p.created_at)],
      JSON.stringify(p),
    )
    this.rescheduleNeeded = true
  }

  /** Queues one event about `p` as it is now (KOMOJU's event `data` is the payment). */
  private emit(
    merchant: string,
    type: string,
    p: Payment,
    now: number,
    reason: string | null = null,
  ) {
    const id = randomId(25)
    // Serialized once, here: every delivery and redelivery sends exactly these bytes.
    const event = { id, type, resource: 'event', data: p, created_at: iso(now), reason }
    const body = JSON.stringify(event)
    const s = this.settings()
    this.q(
      `INSERT INTO events (id, merchant, type, payment_id, body, created_at, copies_left, next_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ...[id, merchant, type, p.id, body, now, Math.random() < s.duplicateRate ? 2 : 1],
      now + Math.floor(Math.random() * (s.maxDelayMs + 1)),
    )
  }

  /**
   * Books a refund (or chargeback) on a captured payment: `payment.refund.created` for every
   * refund, partial ones included, then `payment.refunded` once nothing is left.
   */
  private refund(merchant: string, p: Payment, refund: Payment['refunds'][number], now: number) {
    const amountRefunded = p.amount_refunded + refund.amount
    const refunded: Payment = {
      ...p,
      status: amountRefunded >= p.total ? 'refunded' : 'captured',
      amount_refunded: amountRefunded,
      refunds: [...p.refunds, refund],
    }
    this.save(merchant, refunded)
    this.emit(merchant, 'payment.refund.created', refunded, now)
    if (refunded.status === 'refunded') this.emit(merchant, 'payment.refunded', refunded, now)
    return refunded
  }

  /** Authorized konbini / Pay-easy payments past their deadline expire (lazily and by alarm). */
  private expireDue(now: number) {
    const sql = "SELECT merchant, json FROM payments WHERE status = 'authorized' AND deadline < ?"
    for (const row of this.q<{ merchant: string; json: string }>(sql, now))
      this.change(row.merchant, { ...(JSON.parse(row.json) as Payment), status: 'expired' }, now)
  }

  /**
   * The numbers of a new konbini / Pay-easy payment, less what the twin was told to leave out
   * of the next one (KOMOJU's models mark them optional). What is left out of the API's
   * answer is kept for the instructions page, where KOMOJU shows the customer everything.
   */
  private payLaterDetails(id: string, details: ReturnType<typeof m.payLaterDetails>) {
    const omit = this.kv<m.Omittable[]>('omitNext', [])
    if (omit.length === 0) return details
    this.q("DELETE FROM kv WHERE k = 'omitNext'")
    this.setKv(`withheld:${id}`, details)
    const shown: Record<string, unknown> = { ...details }
    for (const field of omit) delete shown[field]
    return shown as typeof details
  }

  // --- the webhook outbox --------------------------------------------------------------

  /** Wakes up for the next due delivery or payment deadline, whichever comes first. */
  private async schedule() {
    this.rescheduleNeeded = false
    const min = (sql: string) => this.q<{ at: number | null }>(sql)[0]!.at
    const times = [
      min("SELECT MIN(deadline) + 1 AS at FROM payments WHERE status = 'authorized'"),
      this.settings().paused
        ? null
        : min('SELECT MIN(next_at) AS at FROM events WHERE done_at IS NULL'),
    ].filter((t) => t !== null)
    if (times.length === 0) return this.ctx.storage.deleteAlarm()
    // Alarms run on the real clock; twin times are shifted by the offset.
    await this.ctx.storage.setAlarm(Math.max(Date.now(), Math.min(...times) - this.offset()))
  }

  override async alarm() {
    const now = this.now()
    this.expireDue(now)
    if (!this.settings().paused) {
      const due = this.q<EventRow>(
        'SELECT * FROM events WHERE done_at IS NULL AND next_at <= ?',
        now,
      )
      await Promise.all(shuffle(due).map((e) => this.attempt(e)))
    }
    await this.schedule()
  }

  private attempt(e: EventRow): Promise<Attempt> {
    const running = this.inFlight.get(e.id)
    if (running) return running
    const attempt = this.deliverOnce(e).finally(() => this.inFlight.delete(e.id))
    this.inFlight.set(e.id, attempt)
    return attempt
  }

  /** One delivery of a queued event, then its bookkeeping: done, once more, or retry later. */
  private async deliverOnce(e: EventRow): Promise<Attempt> {
    const result = await post(this.merchant(e.merchant), e)
    const now = this.now()
    const current = this.q<EventRow>('SELECT * FROM events WHERE id = ?', e.id)[0]
    if (!current || current.done_at !== null) return result // wiped by a reset meanwhile
    const left = result.ok ? current.copies_left - 1 : current.copies_left
    const failures = current.failures + (result.ok ? 0 : 1)
    const delay = Math.floor(Math.random() * (this.settings().maxDelayMs + 1))
    const done = left === 0 || failures >= MAX_FAILURES
    this.q(
      `UPDATE events SET attempts = attempts + 1, copies_left = ?, failures = ?, next_at = ?,
       done_at = ?, last_status = ?, last_error = ? WHERE id = ?`,
      ...[left, failures, now + (result.ok ? delay : backoffMs(failures)), done ? now : null],
      ...[result.status, result.error, e.id],
    )
    this.rescheduleNeeded = true
    return result
  }

  /** Every queued delivery now, ignoring delays and backoff (tests call this, not sleep). */
  private async flush() {
    const pending = () => this.q('SELECT 1 FROM events WHERE done_at IS NULL').length
    const failed = new Set<string>()
    let attempted = 0
    let delivered = 0
    if (this.settings().paused)
      return { paused: true, attempted, delivered, failed: 0, pending: pending() }
    // The second round sends the extra copies duplicateRate asked for; what failed in the
    // first round waits for its backoff instead of being hammered again.
    for (let round = 0; round < 2; round++) {
      const due = this.q<EventRow>('SELECT * FROM events WHERE done_at IS NULL')
      const tries = shuffle(due.filter((e) => !failed.has(e.id))).map(async (e) => {
        const r = await this.attempt(e)
        attempted++
        if (r.ok) delivered++
        else failed.add(e.id)
      })
      await Promise.all(tries)
    }
    return { paused: false, attempted, delivered, failed: failed.size, pending: pending() }
  }

  // --- HTTP ----------------------------------------------------------------------------

  /** The payment or session named in the path, if the calling merchant owns it (else 404). */
  private ownedPayment(c: Ctx) {
    const found = this.loadPayment(c.req.param('id')!)
    return found?.merchant === c.get('merchant').name ? found.p : undefined
  }
  private ownedSession(c: Ctx) {
    const found = this.loadSession(c.req.param('id')!, c.get('now'))
    return found?.merchant === c.get('merchant').name ? found.s : undefined
  }

  private routes() {
    const app = this.app
    app.onError((err, c) => {
      console.error('komoju twin:', err)
      return fail(c, 500, 'internal_server_error', String(err))
    })
    app.notFound((c) => fail(c, 404, 'not_found', 'The requested resource was not found'))

    app.use('*', async (c, next) => {
      const now = this.now()
      c.set('now', now)
      // Read any body first: answering without reading it makes workerd log a stream error.
      if (c.req.raw.body) await c.req.text()
      this.expireDue(now) // so a read after the deadline already shows `expired`
      await next()
      if (this.rescheduleNeeded) await this.schedule()
    })

    // HTTP Basic with the secret key as user name; like KOMOJU, the password is ignored.
    app.use('/api/v1/*', async (c, next) => {
      const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(c.req.header('authorization') ?? '')
      let user: string | undefined
      try {
        user = basic ? atob(basic[1]!).split(':')[0] : undefined
      } catch {}
      const merchant = m.merchants(this.env).find((x) => x.secretKey === user)
      if (!merchant) return fail(c, 401, 'unauthorized', 'Use your secret key as HTTP Basic user')
      c.set('merchant', merchant)
      await next()
    })

    // X-KOMOJU-IDEMPOTENCY: the same request under the same key gets the stored answer.
    app.use('/api/v1/*', async (c, next) => {
      const key = c.req.header('x-komoju-idempotency')
      if (c.req.method !== 'POST' || key === undefined) return next()
      if (!/^[\x20-\x7e]{1,100}$/.test(key))
        return fail(c, 400, 'bad_request', 'X-KOMOJU-IDEMPOTENCY: 1 to 100 ASCII characters')
      const merchant = c.get('merchant').name
      const fingerprint = await sha256(`${new URL(c.req.url).pathname}\n${await c.req.text()}`)
      const now = this.now()
      this.q('DELETE FROM idempotency WHERE created_at <= ?', now - DAY)
      const sql = 'SELECT * FROM idempotency WHERE merchant = ? AND key = ?'
      const [prior] = this.q<IdempotencyRow>(sql, merchant, key)
      if (prior && prior.fingerprint !== fingerprint)
        return fail(c, 422, 'idempotency_key_reused', 'Key already used for another request')
      if (prior?.status === null)
        return fail(c, 409, 'conflict', 'A request with this key is still being processed')
      if (prior)
        return new Response(prior.body, {
          status: prior.status,
          headers: { 'content-type': prior.content_type },
        })
      const insert = 'INSERT INTO idempotency VALUES (?, ?, ?, ?, NULL, NULL, NULL)'
      this.q(insert, merchant, key, fingerprint, now)
      await next()
      // After a server error nothing is certain to have happened: free the key for a retry.
      if (c.res.status >= 500)
        return void this.q('DELETE FROM idempotency WHERE merchant = ? AND key = ?', merchant, key)
      this.q(
        'UPDATE idempotency SET status = ?, content_type = ?, body = ? WHERE merchant = ? AND key = ?',
        ...[c.res.status, c.res.headers.get('content-type'), await c.res.clone().text()],
        ...[merchant, key],
      )
    })

    app.post('/api/v1/sessions', async (c) => {
      const input = await readBody(c, m.sessionInput)
      if (input instanceof Response) return input
      const merchant = c.get('merchant').name
      const order = input.payment_data.external_order_num
      const sql = 'SELECT 1 FROM sessions WHERE merchant = ? AND external_order_num = ?'
      if (order !== undefined && this.q(sql, merchant, order).length)
        return fail(
          c,
          422,
          'duplicate_external_order_num',
          'Order number used',
          'payment_data.external_order_num',
        )
      const s = m.newSession(input, new URL(c.req.url).origin, c.get('now'))
      this.saveSession(merchant, s)
      return c.json(s)
    })

    app.get('/api/v1/sessions/:id', (c) => {
      const s = this.ownedSession(c)
      return s ? c.json(s) : fail(c, 404, 'not_found', 'No such session')
    })

    app.post('/api/v1/sessions/:id/cancel', (c) => {
      const s = this.ownedSession(c)
      if (!s) return fail(c, 404, 'not_found', 'No such session')
      if (s.status !== 'pending')
        return fail(c, 422, 'invalid_session_status', `Cannot cancel a session that is ${s.status}`)
      const cancelled = { ...s, status: 'cancelled' as const, cancelled_at: iso(c.get('now')) }
      this.saveSession(c.get('merchant').name, cancelled)
      return c.json(cancelled)
    })

    app.post('/api/v1/payments', async (c) => {
      const input = await readBody(c, m.paymentInput)
      if (input instanceof Response) return input
      const merchant = c.get('merchant').name
      const now = c.get('now')
      const order = input.external_order_num
      const sql = 'SELECT 1 FROM payments WHERE merchant = ? AND external_order_num = ?'
      if (order !== undefined && this.q(sql, merchant, order).length)
        return fail(
          c,
          422,
          'duplicate_external_order_num',
          'Order number used',
          'external_order_num',
        )
      const deadline = input.payment_deadline ? Date.parse(input.payment_deadline) : now + 3 * DAY
      if (deadline <= now)
        return fail(c, 422, 'invalid_parameter', 'Deadline has passed', 'payment_deadline')
      const id = randomId(25)
      const d = input.payment_details
      const instructions = `${new URL(c.req.url).origin}/instructions/${id}`
      const store = d.type === 'konbini' ? d.store : ''
      const details = m.payLaterDetails(d.type, d.email, store, instructions)
      const p: Payment = {
        ...m.newPayment(id, input.amount, now, this.payLaterDetails(id, details), merchant),
        status: 'authorized',
        payment_deadline: iso(deadline),
        description: input.description ?? null,
        external_order_num: order ?? null,
        metadata: input.metadata,
        locale: input.locale,
        customer_family_name: (d.type === 'pay_easy' && d.family_name) || null,
        customer_given_name: (d.type === 'pay_easy' && d.given_name) || null,
      }
      this.change(merchant, p, now)
      return c.json(p)
    })

    // KOMOJU's list: the calling merchant's payments only, newest first, filtered by
    // creation time (start_time inclusive, end_time exclusive), currency, order number and
    // status, one page at a time (page from 1, per_page 1–100, default 10).
    app.get('/api/v1/payments', (c) => {
      const input = m.listQuery.safeParse(c.req.query())
      if (!input.success) {
        const issue = input.error.issues[0]!
        const param = issue.path.join('.') || null
        return fail(c, 422, 'invalid_parameter', `${param}: ${issue.message}`, param)
      }
      const q = input.data
      const where = `WHERE merchant = ?1 AND created_at >= ?2 AND created_at < ?3
        AND (?4 IS NULL OR status = ?4) AND (?5 IS NULL OR external_order_num = ?5)`
      const args = [
        c.get('merchant').name,
        q.start_time,
        q.end_time,
        q.status,
        q.external_order_num,
      ]
      // Every payment the twin holds is in JPY, so another currency lists nothing.
      const total =
        q.currency === 'JPY'
          ? this.q<{ n: number }>(`SELECT COUNT(*) AS n FROM payments ${where}`, ...args)[0]!.n
          : 0
      const rows = this.q<{ json: string }>(
        `SELECT json FROM payments ${where} ORDER BY created_at DESC, rowid DESC
         LIMIT ?6 OFFSET ?7`,
        ...args,
        ...[q.per_page, (q.page - 1) * q.per_page],
      )
      // KOMOJU's PaymentList today: `payment_list` (older documentation showed `list`),
      // with the time range it answers for.
      return c.json({
        resource: 'payment_list',
        data: total === 0 ? [] : rows.map((r) => JSON.parse(r.json) as Payment),
        start_time: iso(q.start_time),
        end_time: q.end_time >= 8.64e15 ? null : iso(q.end_time),
        total,
        page: q.page,
        per_page: q.per_page,
        last_page: Math.ceil(total / q.per_page),
      })
    })

    app.get('/api/v1/payments/:id', (c) => {
      const p = this.ownedPayment(c)
      return p ? c.json(p) : fail(c, 404, 'not_found', 'No such payment')
    })

    app.post('/api/v1/payments/:id/refund', async (c) => {
      const input = await readBody(c, m.refundInput)
      if (input instanceof Response) return input
      const p = this.ownedPayment(c)
      if (!p) return fail(c, 404, 'not_found', 'No such payment')
      if (p.status !== 'captured')
        return fail(c, 422, 'not_refundable', `Cannot refund a payment that is ${p.status}`)
      // Like KOMOJU: a konbini or Pay-easy payment is not refunded by the API but by a
      // refund request carrying the customer's bank account, handled by hand.
      if (p.payment_details.type === 'konbini' || p.payment_details.type === 'pay_easy')
        return fail(
          c,
          422,
          'not_refundable',
          `A ${p.payment_details.type} payment is refunded through a refund request, not the API`,
        )
      if (this.settings().refuseNextRefund) {
        this.setKv('settings', { ...this.settings(), refuseNextRefund: false })
        return fail(c, 422, 'not_refundable', 'The refund was declined; nothing was refunded')
      }
      const refundable = p.total - p.amount_refunded
      const amount = input.amount ?? refundable
      if (amount > refundable)
        return fail(c, 422, 'invalid_parameter', `Only ${refundable} is refundable`, 'amount')
      const refund = m.newRefund(p.id, amount, input.description ?? null, c.get('now'))
      return c.json(this.refund(c.get('merchant').name, p, refund, c.get('now')))
    })

    // Only `description` and `metadata` can change (KOMOJU's Payment: Update), and each
    // change is a `payment.updated` event.
    app.patch('/api/v1/payments/:id', async (c) => {
      const input = await readBody(c, m.updateInput)
      if (input instanceof Response) return input
      const p = this.ownedPayment(c)
      if (!p) return fail(c, 404, 'not_found', 'No such payment')
      const updated: Payment = {
        ...p,
        description: input.description === undefined ? p.description : input.description,
        metadata: input.metadata ?? p.metadata,
      }
      this.save(c.get('merchant').name, updated)
      this.emit(c.get('merchant').name, 'payment.updated', updated, c.get('now'))
      return c.json(updated)
    })

    // KOMOJU's refund request: a cash payment paid back by hand to a bank account, later.
    app.post('/api/v1/payments/:id/refund_request', async (c) => {
      const input = await readBody(c, refundRequestInput)
      if (input instanceof Response) return input
      const p = this.ownedPayment(c)
      if (!p) return fail(c, 404, 'not_found', 'No such payment')
      if (p.status !== 'captured')
        return fail(c, 422, 'not_refundable', `Cannot refund a payment that is ${p.status}`)
      if (!m.isPayLater(p.payment_details.type))
        return fail(
          c,
          422,
          'not_refundable',
          `A ${p.payment_details.type} payment is refunded through the refund API`,
        )
      const merchant = c.get('merchant').name
      const sql = `SELECT COALESCE(SUM(amount), 0) AS n FROM refund_requests
        WHERE payment_id = ? AND status = 'pending'`
      const pending = this.q<{ n: number }>(sql, p.id)[0]!.n
      const refundable = p.total - p.amount_refunded - pending
      if (input.amount > refundable)
        return fail(c, 422, 'invalid_parameter', `Only ${refundable} is refundable`, 'amount')
      const now = c.get('now')
      const request = newRefundRequest(p.id, input, now)
      this.q(
        'INSERT INTO refund_requests VALUES (?, ?, ?, ?, ?, ?, ?)',
        ...[request.id, merchant, p.id, input.amount, input.include_payment_method_fee ? 1 : 0],
        ...['pending', now],
      )
      const requested: Payment = { ...p, refund_requests: [...p.refund_requests, request] }
      this.change(merchant, requested, now, true)
      return c.json(requested)
    })

    app.post('/api/v1/payments/:id/cancel', (c) => {
      const p = this.ownedPayment(c)
      if (!p) return fail(c, 404, 'not_found', 'No such payment')
      if (p.status !== 'authorized')
        return fail(c, 422, 'invalid_payment_status', `Cannot cancel a payment that is ${p.status}`)
      const cancelled: Payment = { ...p, status: 'cancelled' }
      this.change(c.get('merchant').name, cancelled, c.get('now'))
      return c.json(cancelled)
    })

    // --- hosted pages (public, by id) ---

    app.get('/sessions/:id', (c) => {
      const found = this.loadSession(c.req.param('id'), c.get('now'))
      return found ? sessionPage(c, found.s) : notFoundPage(c)
    })

    app.post('/sessions/:id', async (c) => {
      const found = this.loadSession(c.req.param('id'), c.get('now'))
      if (!found) return notFoundPage(c)
      const { merchant, s } = found
      // Only the page's own two buttons; anything else is refused and changes nothing.
      const form = await c.req.parseBody().catch(() => null)
      const action = form?.action
      if (!form || Object.keys(form).length !== 1 || (action !== 'pay' && action !== 'cancel'))
        return refusedPage(c, s, 400)
      if (s.status !== 'pending') return refusedPage(c, s, 409)
      if (s.expired) return sessionPage(c, s) // 410, nothing is paid
      // Cancel only leaves: the merchant decides (through the API) whether to cancel.
      if (action === 'cancel') return c.redirect(m.returnTo(s), 303)
      const now = c.get('now')
      const type = s.payment_methods[0]!.type
      const settings = this.settings()
      const declined = type === 'credit_card' && settings.declineNextCard
      if (declined) this.setKv('settings', { ...settings, declineNextCard: false })
      const id = randomId(25)
      const later = m.isPayLater(type)
      const card = { brand: 'visa', last_four_digits: '4242', month: 12, year: 2030 }
      const instructions = `${new URL(c.req.url).origin}/instructions/${id}`
      const details = later
        ? this.payLaterDetails(id, m.payLaterDetails(type, s.email, 'lawson', instructions))
        : { type, email: s.email, ...(type === 'credit_card' ? card : {}) }
      const p: Payment = {
        ...m.newPayment(id, s.amount, now, details, merchant),
        status: declined ? 'failed' : later ? 'authorized' : 'captured',
        payment_deadline: later ? iso(now + 3 * DAY) : null,
        captured_at: declined || later ? null : iso(now),
        external_order_num: s.payment_data.external_order_num ?? null,
        metadata: s.metadata,
        locale: s.default_locale,
        session: s.id,
      }
      this.change(merchant, p, now)
      // A declined card leaves the session open for another try, as on KOMOJU.
      if (declined) return sessionPage(c, s, true)
      this.saveSession(merchant, { ...s, status: 'completed', completed_at: iso(now) }, p.id)
      return c.redirect(m.returnTo(s), 303)
    })

    app.get('/instructions/:id', (c) => {
      const found = this.loadPayment(c.req.param('id'))
      if (!found || !m.isPayLater(found.p.payment_details.type)) return notFoundPage(c)
      // KOMOJU's page shows every number, also one its API answer left out.
      const withheld = this.kv<Payment['payment_details'] | null>(`withheld:${found.p.id}`, null)
      const p = withheld ? { ...found.p, payment_details: withheld } : found.p
      return instructionsPage(c, p)
    })

    // --- admin API for dev tools and tests (not KOMOJU's; no auth) ---

    app.get('/_twin/payments', (c) => {
      const status = c.req.query('status')
      const rows = this.q<{ merchant: string; json: string }>(
        `SELECT merchant, json FROM payments WHERE ?1 IS NULL OR status = ?1
         ORDER BY rowid DESC LIMIT 500`,
        status ?? null,
      )
      return c.json({
        data: rows.map((r) => ({ merchant: r.merchant, payment: JSON.parse(r.json) })),
      })
    })

    app.get('/_twin/sessions', (c) => {
      const sql = 'SELECT * FROM sessions ORDER BY rowid DESC LIMIT 500'
      const rows = this.q<SessionRow>(sql)
      return c.json({
        data: rows.map((r) => ({
          merchant: r.merchant,
          session: this.sessionView(r, c.get('now')),
        })),
      })
    })

    // The customer pays at the store or ATM. `at` backdates it (≤ now, ≤ deadline): a store's
    // report can reach KOMOJU after the deadline, even after the twin expired the payment.
    app.post('/_twin/payments/:id/pay-at-store', async (c) => {
      const input = await readBody(c, z.object({ at: z.number().int().optional() }).strict())
      if (input instanceof Response) return input
      const found = this.loadPayment(c.req.param('id'))
      if (!found) return fail(c, 404, 'not_found', 'No such payment')
      const { merchant, p } = found
      if (!m.isPayLater(p.payment_details.type))
        return fail(c, 422, 'invalid_payment_status', 'Not a konbini or pay_easy payment')
      const now = c.get('now')
      const at = input.at ?? now
      if (at > now || at < Date.parse(p.created_at))
        return fail(c, 422, 'invalid_parameter', 'at is not between creation and now', 'at')
      if (at > Date.parse(p.payment_deadline!)) {
        if (p.status === 'authorized') this.change(merchant, { ...p, status: 'expired' }, now)
        return fail(c, 422, 'expired', 'The payment deadline has passed; the store refuses it')
      }
      const lateReport = p.status === 'expired' && input.at !== undefined
      if (p.status !== 'authorized' && !lateReport)
        return fail(
          c,
          422,
          p.status === 'expired' ? 'expired' : 'invalid_payment_status',
          `The payment is ${p.status}`,
        )
      const captured: Payment = { ...p, status: 'captured', captured_at: iso(at) }
      this.change(merchant, captured, now)
      return c.json(captured)
    })

    app.post('/_twin/payments/:id/expire', (c) => {
      const found = this.loadPayment(c.req.param('id'))
      if (!found) return fail(c, 404, 'not_found', 'No such payment')
      if (found.p.status !== 'authorized')
        return fail(c, 422, 'invalid_payment_status', `The payment is ${found.p.status}`)
      const expired: Payment = { ...found.p, status: 'expired' }
      this.change(found.merchant, expired, c.get('now'))
      return c.json(expired)
    })

    // KOMOJU's risk team marks a payment as fraud: the payment object itself does not change
    // (KOMOJU's Payment model has no fraud field), only the event says it.
    app.post('/_twin/payments/:id/mark-fraud', async (c) => {
      const input = await readBody(
        c,
        z
          .object({ reason: z.string().max(255) })
          .partial()
          .strict(),
      )
      if (input instanceof Response) return input
      const found = this.loadPayment(c.req.param('id'))
      if (!found) return fail(c, 404, 'not_found', 'No such payment')
      const { merchant, p } = found
      this.emit(merchant, 'payment.marked.as.fraud', p, c.get('now'), input.reason ?? 'fraud')
      return c.json(p)
    })

    // The card holder's bank takes the money back: KOMOJU books it as a refund marked
    // `chargeback` (its Refund model), with the same events as any refund.
    app.post('/_twin/payments/:id/chargeback', async (c) => {
      const input = await readBody(c, m.refundInput)
      if (input instanceof Response) return input
      const found = this.loadPayment(c.req.param('id'))
      if (!found) return fail(c, 404, 'not_found', 'No such payment')
      const { merchant, p } = found
      if (p.status !== 'captured')
        return fail(c, 422, 'invalid_payment_status', `The payment is ${p.status}`)
      if (m.isPayLater(p.payment_details.type))
        return fail(c, 422, 'invalid_payment_status', 'Cash payments have no chargebacks')
      const refundable = p.total - p.amount_refunded
      const amount = input.amount ?? refundable
      if (amount > refundable)
        return fail(c, 422, 'invalid_parameter', `Only ${refundable} is refundable`, 'amount')
      const now = c.get('now')
      const refund = m.newRefund(p.id, amount, input.description ?? 'chargeback', now, true)
      return c.json(this.refund(merchant, p, refund, now))
    })

    // The next konbini / Pay-easy payment (API or hosted page) comes without these fields.
    app.get('/_twin/next-store-payment', (c) => c.json({ omit: this.kv('omitNext', []) }))
    app.put('/_twin/next-store-payment', async (c) => {
      const input = await readBody(c, m.omitInput)
      if (input instanceof Response) return input
      this.setKv('omitNext', [...new Set(input.omit)])
      return c.json({ omit: this.kv('omitNext', []) })
    })

    // What KOMOJU sends once a webhook is created: a signed `ping`, at once, not queued.
    app.post('/_twin/webhooks/:merchant/ping', async (c) => {
      const merchant = this.merchant(c.req.param('merchant'))
      if (!merchant) return fail(c, 404, 'not_found', 'No such merchant')
      const id = randomId(25)
      const now = c.get('now')
      const body = JSON.stringify({
        id,
        type: 'ping',
        resource: 'event',
        data: {},
        created_at: iso(now),
        reason: null,
      })
      return c.json({ eventId: id, ...(await post(merchant, { id, type: 'ping', body })) })
    })

    // KOMOJU's staff carry a refund request out (the payment becomes refunded when all of it
    // has gone back: payment.refunded) or reject it (the payment stays captured and KOMOJU
    // tells of the change with payment.updated; the merchant asks again with another account).
    app.get('/_twin/refund-requests', (c) => {
      const rows = this.q<{ id: string; merchant: string; payment_id: string; amount: number }>(
        `SELECT r.id, r.merchant, r.payment_id, r.amount FROM refund_requests r
         WHERE ?1 IS NULL OR r.status = ?1 ORDER BY r.rowid DESC LIMIT 500`,
        c.req.query('status') ?? null,
      )
      return c.json({
        data: rows.map((r) => {
          const p = this.loadPayment(r.payment_id)!.p
          const requests = p.refund_requests as RefundRequest[]
          return {
            merchant: r.merchant,
            payment_id: r.payment_id,
            amount: r.amount,
            refund_request: requests.find((x) => x.id === r.id) ?? null,
          }
        }),
      })
    })

    app.post('/_twin/payments/:id/refund_requests/:rid/:decision{complete|reject}', (c) => {
      const found = this.loadPayment(c.req.param('id'))
      const [row] = this.q<{ amount: number; status: string }>(
        'SELECT amount, status FROM refund_requests WHERE id = ? AND payment_id = ?',
        c.req.param('rid'),
        c.req.param('id'),
      )
      if (!found || !row) return fail(c, 404, 'not_found', 'No such refund request')
      if (row.status !== 'pending')
        return fail(c, 422, 'invalid_status', `The refund request is ${row.status}`)
      const { merchant, p } = found
      const now = c.get('now')
      const complete = c.req.param('decision') === 'complete'
      const status = complete ? 'completed' : 'rejected'
      this.q('UPDATE refund_requests SET status = ? WHERE id = ?', status, c.req.param('rid'))
      const requests = (p.refund_requests as RefundRequest[]).map((r) =>
        r.id === c.req.param('rid') ? { ...r, status } : r,
      )
      if (!complete) {
        const updated: Payment = { ...p, refund_requests: requests }
        this.save(merchant, updated)
        this.emit(merchant, 'payment.updated', updated, now)
        return c.json(updated)
      }
      // As for an API refund: payment.refund.created, then payment.refunded once all of it
      // has gone back.
      const refund = m.newRefund(p.id, row.amount, null, now)
      return c.json(this.refund(merchant, { ...p, refund_requests: requests }, refund, now))
    })

    app.get('/_twin/settings', (c) => c.json(this.settings()))
    app.put('/_twin/settings', async (c) => {
      const input = await readBody(c, settingsInput.partial())
      if (input instanceof Response) return input
      this.setKv('settings', { ...this.settings(), ...input })
      this.rescheduleNeeded = true // pausing or resuming moves the next delivery
      return c.json(this.settings())
    })

    const clock = (c: Ctx) => c.json({ offsetMs: this.offset(), now: this.now() })
    app.get('/_twin/clock', clock)
    app.put('/_twin/clock', async (c) => {
      const input = await readBody(c, z.object({ offsetMs: z.number().int() }).strict())
      if (input instanceof Response) return input
      this.setKv('offsetMs', input.offsetMs)
      this.expireDue(this.now())
      this.rescheduleNeeded = true
      return clock(c)
    })

    app.get('/_twin/deliveries', (c) => {
      const limit = Math.min(500, Math.max(1, Number(c.req.query('limit')) || 100))
      const sql = 'SELECT * FROM events ORDER BY rowid DESC LIMIT ?'
      const at = (ms: number | null) => (ms === null ? null : iso(ms))
      const rows = this.q<EventRow>(sql, limit).map((e) => ({
        ...e,
        created_at: iso(e.created_at),
        next_at: e.done_at === null ? iso(e.next_at) : null,
        done_at: at(e.done_at),
        gave_up: e.failures >= MAX_FAILURES,
      }))
      return c.json({ data: rows })
    })

    app.post('/_twin/deliveries/flush', async (c) => c.json(await this.flush()))

    // Once more, the identical bytes and signature, outside the retry schedule.
    app.post('/_twin/deliveries/:eventId/redeliver', async (c) => {
      const [e] = this.q<EventRow>('SELECT * FROM events WHERE id = ?', c.req.param('eventId'))
      if (!e) return fail(c, 404, 'not_found', 'No such event')
      const result = await post(this.merchant(e.merchant), e)
      const sql =
        'UPDATE events SET attempts = attempts + 1, last_status = ?, last_error = ? WHERE id = ?'
      this.q(sql, result.status, result.error, e.id)
      return c.json({ eventId: e.id, ...result })
    })

    app.post('/_twin/reset', (c) => {
      this.ctx.storage.sql.exec(`DELETE FROM sessions; DELETE FROM payments;
        DELETE FROM idempotency; DELETE FROM events; DELETE FROM kv WHERE k <> 'offsetMs';
        DELETE FROM refund_requests`)
      this.rescheduleNeeded = true
      return c.json({ ok: true })
    })
  }
}

import { DurableObject } from 'cloudflare:workers'
import { Hono } from 'hono'
import { blackoutAt } from '../../domain/blackout'
import { serviceNow } from '../../flows/clock'
import { readSetting, SETTINGS_TABLE, writeSetting } from '../standInSettings'

export const FAULT_MODES = ['none', 'fail', 'hang', 'lose-response'] as const
export type FaultMode = (typeof FAULT_MODES)[number]

/**
 * What the twin is told to do wrong. `fail`: answer 500 without doing anything. `hang`:
 * answer nothing for `hangMs`, then 504, doing nothing. `lose-response`: apply a credit,
 * then hang as if the answer were lost on the way (the case idempotency keys exist for).
 * A fault hits each call with probability `rate`, for the next `remaining` calls (null:
 * until switched off), for one card or (card null) every card.
 */
export interface Fault {
  mode: FaultMode
  rate: number
  remaining: number | null
  hangMs: number
  card: string | null
}

export const NO_FAULT: Fault = {
  mode: 'none',
  rate: 1,
  remaining: null,
  hangMs: 30_000,
  card: null,
}
export const INITIAL_BALANCE = 1000

export interface CardRow {
  cardId: string
  balance: number
  credits: number
  updatedAt: number
}

/**
 * The local twin of M.I.C.: a real implementation of the API HttpMic speaks, with its own
 * storage. Every card it is asked about exists and starts at ¥1,000. Like M.I.C. it
 * refuses calls in its stop windows (every day 2:00–5:00 and the last day of the month
 * 23:30–24:00 JST, by the development clock); the university's fiscal-year-end period is
 * an announcement the service itself honours. Development tools switch its faults.
 */
export class LocalMic extends DurableObject<Env> {
  private readonly api = new Hono<{
    Bindings: Env
    Variables: { fault: Fault | null; now: number }
  }>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS cards (card_id TEXT PRIMARY KEY, balance INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS credits (
          idempotency_key TEXT PRIMARY KEY, credit_id TEXT NOT NULL, card_id TEXT NOT NULL,
          amount INTEGER NOT NULL, balance_after INTEGER NOT NULL, applied_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS credits_card ON credits (card_id);
        ${SETTINGS_TABLE}`)
    })
    this.routes()
  }

  private now() {
    return serviceNow(this.env)
  }

  private routes() {
    const api = this.api
    api.use('*', async (c, next) => {
      if (
        !this.env.MIC_API_KEY ||
        c.req.header('authorization') !== `Bearer ${this.env.MIC_API_KEY}`
      )
        return c.json({ error: 'unauthorized' }, 401)
      const now = await this.now()
      const window = blackoutAt(now, [])
      if (window && window.kind !== 'fiscalYearEnd') {
        c.header('retry-after', String(Math.ceil((window.end - now) / 1000)))
        return c.json({ error: 'blackout', until: window.end }, 503)
      }
      const [, university, user] = c.req.path.split('/').slice(2)
      const fault = this.takeFault(
        `${decodeURIComponent(university ?? '')}:${decodeURIComponent(user ?? '')}`,
      )
      if (fault?.mode === 'fail') return c.json({ error: 'internal' }, 500)
      if (fault?.mode === 'hang') {
        await scheduler.wait(fault.hangMs)
        return c.json({ error: 'timeout' }, 504)
      }
      c.set('fault', fault)
      c.set('now', now)
      await next()
    })

    api.get('/v1/cards/:university/:user', (c) => {
      const card = this.card(`${c.req.param('university')}:${c.req.param('user')}`, c.get('now'))
      return c.json({ balance: card.balance, asOf: c.get('now') })
    })

    api.post('/v1/cards/:university/:user/credits', async (c) => {
      const key = c.req.header('idempotency-key') ?? ''
      const body = (await c.req.json().catch(() => null)) as { amount?: unknown } | null
      const amount = body?.amount
      if (!/^[\w:.-]{1,200}$/.test(key)) return c.json({ error: 'idempotency_key_required' }, 400)
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
        return c.json({ error: 'invalid_amount' }, 400)
      const cardId = `${c.req.param('university')}:${c.req.param('user')}`
      const now = c.get('now')
      const result = this.ctx.storage.transactionSync(() => {
        const done = this.ctx.storage.sql
          .exec<{
            credit_id: string
            card_id: string
            amount: number
            balance_after: number
            applied_at: number
          }>('SELECT * FROM credits WHERE idempotency_key = ?', key)
          .toArray()[0]
        if (done) {
          if (done.card_id !== cardId || done.amount !== amount) return { status: 409 as const }
          return {
            status: 200 as const,
            creditId: done.credit_id,
            balance: done.balance_after,
            appliedAt: done.applied_at,
          }
        }
        const balance = this.card(cardId, now).balance + amount
        const creditId = `mic-${crypto.randomUUID()}`
        this.ctx.storage.sql.exec(
          'UPDATE cards SET balance = ?, updated_at = ? WHERE card_id = ?',
          balance,
          now,
          cardId,
        )
        this.ctx.storage.sql.exec(
          'INSERT INTO credits (idempotency_key, credit_id, card_id, amount, balance_after, applied_at) VALUES (?, ?, ?, ?, ?, ?)',
          key,
          creditId,
          cardId,
          amount,
          balance,
          now,
        )
        return { status: 201 as const, creditId, balance, appliedAt: now }
      })
      if (result.status === 409) return c.json({ error: 'idempotency_key_reused' }, 409)
      const fault = c.get('fault')
      if (fault?.mode === 'lose-response') {
        await scheduler.wait(fault.hangMs)
        return c.json({ error: 'timeout' }, 504)
      }
      return c.json(
        { creditId: result.creditId, balance: result.balance, appliedAt: result.appliedAt },
        result.status,
      )
    })

    api.notFound((c) => c.json({ error: 'not_found' }, 404))
  }

  override fetch(request: Request) {
    return this.api.fetch(request, this.env)
  }

  private card(cardId: string, now: number) {
    this.ctx.storage.sql.exec(
      'INSERT INTO cards (card_id, balance, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      cardId,
      INITIAL_BALANCE,
      now,
    )
    return this.ctx.storage.sql
      .exec<{ balance: number }>('SELECT balance FROM cards WHERE card_id = ?', cardId)
      .one()
  }

  /** The fault to apply to this call, if any, counting it down. */
  private takeFault(cardId: string): Fault | null {
    const fault = this.fault()
    if (
      fault.mode === 'none' ||
      (fault.card !== null && fault.card !== cardId) ||
      Math.random() >= fault.rate
    )
      return null
    if (fault.remaining !== null) {
      const remaining = fault.remaining - 1
      this.setFault(remaining <= 0 ? NO_FAULT : { ...fault, remaining })
    }
    return fault
  }

  // Development tools (RPC): not part of M.I.C.'s API.

  fault(): Fault {
    return readSetting(this.ctx.storage.sql, 'fault', NO_FAULT)
  }

  setFault(fault: Fault) {
    writeSetting(this.ctx.storage.sql, 'fault', fault)
  }

  cards(limit = 200): CardRow[] {
    return this.ctx.storage.sql
      .exec<{ card_id: string; balance: number; credits: number; updated_at: number }>(
        `SELECT c.card_id, c.balance, c.updated_at, (SELECT COUNT(*) FROM credits k WHERE k.card_id = c.card_id) AS credits
         FROM cards c ORDER BY c.updated_at DESC LIMIT ?`,
        limit,
      )
      .toArray()
      .map((r) => ({
        cardId: r.card_id,
        balance: r.balance,
        credits: r.credits,
        updatedAt: r.updated_at,
      }))
  }

  /** Sets a card's balance, as spending at the campus would. */
  async setBalance(cardId: string, balance: number) {
    const now = await this.now()
    this.card(cardId, now)
    this.ctx.storage.sql.exec(
      'UPDATE cards SET balance = ?, updated_at = ? WHERE card_id = ?',
      balance,
      now,
      cardId,
    )
  }

  /** Every card with every credit applied to it: the twin's whole ledger, for audits. */
  ledger() {
    const credits = new Map<string, Array<{ idempotencyKey: string; amount: number }>>()
    for (const r of this.ctx.storage.sql.exec<{
      card_id: string
      idempotency_key: string
      amount: number
    }>('SELECT card_id, idempotency_key, amount FROM credits ORDER BY applied_at, rowid')) {
      const list = credits.get(r.card_id) ?? []
      list.push({ idempotencyKey: r.idempotency_key, amount: r.amount })
      credits.set(r.card_id, list)
    }
    return this.ctx.storage.sql
      .exec<{ card_id: string; balance: number }>('SELECT card_id, balance FROM cards')
      .toArray()
      .map((r) => ({
        cardId: r.card_id,
        balance: r.balance,
        credits: credits.get(r.card_id) ?? [],
      }))
  }

  /** Every credit applied to a card, oldest first: what tests count to prove exactly-once. */
  creditsFor(cardId: string) {
    return this.ctx.storage.sql
      .exec<{ idempotency_key: string; amount: number }>(
        'SELECT idempotency_key, amount FROM credits WHERE card_id = ? ORDER BY applied_at, rowid',
        cardId,
      )
      .toArray()
      .map((r) => ({ idempotencyKey: r.idempotency_key, amount: r.amount }))
  }
}

/** The one twin instance (M.I.C. is one system). */
export const localMicFor = (ns: DurableObjectNamespace<LocalMic>) => ns.getByName('mic')

import { z } from 'zod'
import { DEFAULT_CAP, parseUniversities, type University } from './calendar'

export const INITIAL_BALANCE = 1000

/**
 * What the twin is told to do wrong. `fail`: answer 500 without doing anything. `hang`:
 * answer nothing for `hangMs`, then 504, doing nothing. `lose-response`: apply a credit,
 * then hang as if the answer were lost on the way (the case idempotency keys exist for).
 * A fault hits each call with probability `rate`, for the next `remaining` calls (null:
 * until switched off), for one card ("university:user") or (card null) every card.
 */
export const faultSchema = z.object({
  mode: z.enum(['none', 'fail', 'hang', 'lose-response']).default('none'),
  rate: z.number().min(0).max(1).default(1),
  remaining: z.number().int().positive().nullable().default(null),
  hangMs: z.number().int().min(0).max(600_000).default(30_000),
  card: z
    .string()
    .regex(/^[^:]+:.+$/, 'university:user')
    .nullable()
    .default(null),
})
export type Fault = z.infer<typeof faultSchema>
export const NO_FAULT: Fault = faultSchema.parse({})

export type EntryKind = 'credit' | 'cash' | 'purchase' | 'set'

/** One balance change, amount signed; credits through the API also carry key and credit id. */
type Entry = {
  cardId: string
  kind: EntryKind
  amount: number
  balanceAfter: number
  at: number
  idempotencyKey: string | null
  creditId: string | null
}

/** What a balance-changing call answers: an HTTP status and its JSON body. */
export type Outcome = { status: 200 | 201 | 409 | 422; body: Record<string, unknown> }

export const cardIdOf = (university: string, user: string) => `${university}:${user}`

const creditOf = (e: Pick<Entry, 'idempotencyKey' | 'amount'>) => ({
  idempotencyKey: e.idempotencyKey!,
  amount: e.amount,
})

/**
 * The twin's storage: cards, a ledger of every balance change (which is also the record
 * of credits applied, one per idempotency key), and the switches: fault, clock, and
 * university calendars set through the admin API. Columns are named as the JSON is.
 */
export class Store {
  private readonly sql: SqlStorage

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: Env,
  ) {
    this.sql = storage.sql
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS cards (cardId TEXT PRIMARY KEY, balance INTEGER NOT NULL,
        suspended INTEGER NOT NULL DEFAULT 0, updatedAt INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY AUTOINCREMENT,
        cardId TEXT NOT NULL, kind TEXT NOT NULL, amount INTEGER NOT NULL,
        balanceAfter INTEGER NOT NULL, at INTEGER NOT NULL,
        idempotencyKey TEXT UNIQUE, creditId TEXT);
      CREATE INDEX IF NOT EXISTS ledger_card ON ledger (cardId);
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`)
  }

  private setting<T>(key: string, fallback: T): T {
    const row = this.sql.exec<{ value: string }>('SELECT value FROM settings WHERE key = ?', key)
    return row.toArray().map((r) => JSON.parse(r.value) as T)[0] ?? fallback
  }

  private save(key: string, value: unknown) {
    this.sql.exec(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
      key,
      JSON.stringify(value),
    )
  }

  // The twin's own clock, so a test can put M.I.C. in a stop window without the service.
  clockOffset = () => this.setting('clock', 0)
  setClockOffset = (offsetMs: number) => this.save('clock', Math.round(offsetMs))
  now = () => Date.now() + this.clockOffset()

  fault = (): Fault => this.setting('fault', NO_FAULT)
  setFault = (fault: Fault) => this.save('fault', fault)

  /**
   * The fault to apply to this call, if any, counting it down. A call about no one card
   * (`cardId` null: a listing) is hit only by a fault for every card.
   */
  takeFault(cardId: string | null): Fault | null {
    const fault = this.fault()
    if (fault.mode === 'none' || (fault.card !== null && fault.card !== cardId)) return null
    if (Math.random() >= fault.rate) return null
    if (fault.remaining !== null) {
      const remaining = fault.remaining - 1
      this.setFault(remaining <= 0 ? NO_FAULT : { ...fault, remaining })
    }
    return fault
  }

  /** What the admin API set for the university, else the UNIVERSITIES var, else defaults. */
  university(id: string): University {
    const configured = parseUniversities(this.env.UNIVERSITIES).find((u) => u.id === id)
    const unknown = { id, balanceCap: DEFAULT_CAP, stopWindows: [] }
    return this.setting<University | null>(`university:${id}`, null) ?? configured ?? unknown
  }
  setUniversity = (u: University) => this.save(`university:${u.id}`, u)
  /** Whether M.I.C. serves the university: in UNIVERSITIES, or set through the admin API. */
  knowsUniversity(id: string): boolean {
    return (
      this.setting<University | null>(`university:${id}`, null) !== null ||
      parseUniversities(this.env.UNIVERSITIES).some((u) => u.id === id)
    )
  }

  /** The card, created at ¥1,000 the first time anyone asks about it. */
  card(cardId: string, now: number) {
    const row = this.sql
      .exec<{ balance: number; suspended: number }>(
        `INSERT INTO cards (cardId, balance, updatedAt) VALUES (?, ?, ?)
         ON CONFLICT DO UPDATE SET cardId = cardId RETURNING balance, suspended`,
        cardId,
        INITIAL_BALANCE,
        now,
      )
      .one()
    return { balance: row.balance, suspended: row.suspended === 1 }
  }

  /** Moves a card's balance and writes the ledger line; callers hold a transaction. */
  private move(e: Omit<Entry, 'balanceAfter'>) {
    const balance = this.card(e.cardId, e.at).balance + e.amount
    this.sql.exec(
      'UPDATE cards SET balance = ?, updatedAt = ? WHERE cardId = ?',
      balance,
      e.at,
      e.cardId,
    )
    this.sql.exec(
      `INSERT INTO ledger (cardId, kind, amount, balanceAfter, at, idempotencyKey, creditId)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ...[e.cardId, e.kind, e.amount, balance, e.at, e.idempotencyKey, e.creditId],
    )
    return balance
  }

  /**
   * A credit through M.I.C.'s API. A key seen before answers from its record, even if the
   * card is now suspended or full: that credit was applied once, and that is the answer.
   */
  credit(university: string, user: string, amount: number, key: string, at: number): Outcome {
    const cardId = cardIdOf(university, user)
    return this.storage.transactionSync((): Outcome => {
      const done = this.entries('WHERE idempotencyKey = ?', key)[0]
      if (done) {
        if (done.cardId !== cardId || done.amount !== amount)
          return { status: 409, body: { error: 'idempotency_key_reused' } }
        const { creditId, balanceAfter: balance, at: appliedAt } = done
        return { status: 200, body: { creditId, balance, appliedAt } }
      }
      const refused = this.refusal(university, cardId, amount, at)
      if (refused) return refused
      const creditId = `mic-${crypto.randomUUID()}`
      const e = { cardId, kind: 'credit' as const, amount, at, idempotencyKey: key, creditId }
      return { status: 201, body: { creditId, balance: this.move(e), appliedAt: at } }
    })
  }

  /** Why M.I.C. will not move the card's balance by `amount`, if it will not. */
  private refusal(university: string, cardId: string, amount: number, at: number) {
    const { balance, suspended } = this.card(cardId, at)
    const cap = this.university(university).balanceCap
    if (suspended) return { status: 422 as const, body: { error: 'card_suspended' } }
    if (amount > 0 && balance + amount > cap)
      return { status: 422 as const, body: { error: 'over_cap', balance, cap } }
    if (balance + amount < 0)
      return { status: 422 as const, body: { error: 'insufficient_balance', balance } }
    return null
  }

  /** Cash in at a campus machine, or a purchase: card events the service never sees. */
  campus(university: string, user: string, kind: 'cash' | 'purchase', amount: number): Outcome {
    const cardId = cardIdOf(university, user)
    const at = this.now()
    const signed = kind === 'cash' ? amount : -amount
    return this.storage.transactionSync((): Outcome => {
      const refused = this.refusal(university, cardId, signed, at)
      if (refused) return refused
      this.move({ cardId, kind, amount: signed, at, idempotencyKey: null, creditId: null })
      return { status: 200, body: this.cardRow(cardId) }
    })
  }

  /** The admin's hand: any balance (recorded as `set`, by the difference), suspension. */
  setCard(university: string, user: string, change: { balance?: number; suspended?: boolean }) {
    const cardId = cardIdOf(university, user)
    const at = this.now()
    this.storage.transactionSync(() => {
      const { balance } = this.card(cardId, at)
      if (change.balance !== undefined && change.balance !== balance) {
        const amount = change.balance - balance
        this.move({ cardId, kind: 'set', amount, at, idempotencyKey: null, creditId: null })
      }
      if (change.suspended !== undefined)
        this.sql.exec(
          'UPDATE cards SET suspended = ?, updatedAt = ? WHERE cardId = ?',
          Number(change.suspended),
          at,
          cardId,
        )
    })
    return this.cardRow(cardId)
  }

  private cardRows(where: string, ...args: (string | number)[]) {
    return this.sql
      .exec<{
        cardId: string
        balance: number
        credits: number
        suspended: number
        updatedAt: number
      }>(
        `SELECT c.cardId, c.balance, c.suspended, c.updatedAt,
          (SELECT COUNT(*) FROM ledger l WHERE l.cardId = c.cardId AND l.kind = 'credit') AS credits
         FROM cards c ${where}`,
        ...args,
      )
      .toArray()
      .map((r) => ({ ...r, suspended: r.suspended === 1 }))
  }

  cards = (limit: number) => this.cardRows('ORDER BY c.updatedAt DESC LIMIT ?', limit)
  cardRow = (cardId: string) => this.cardRows('WHERE c.cardId = ?', cardId)[0]!

  private entries(where: string, ...args: string[]) {
    return this.sql
      .exec<Entry>(
        `SELECT cardId, kind, amount, balanceAfter, at, idempotencyKey, creditId
       FROM ledger ${where} ORDER BY id`,
        ...args,
      )
      .toArray()
  }

  /**
   * The credits applied through the API to a university's cards in [from, to), in the
   * order they were applied, a page at a time: `after` is the cursor the previous page
   * gave (the ledger line it ended at). Campus cash charges and purchases are not credits.
   */
  creditsOfUniversity(university: string, from: number, to: number, after: number, limit: number) {
    const rows = this.sql
      .exec<Entry & { id: number }>(
        `SELECT id, cardId, kind, amount, balanceAfter, at, idempotencyKey, creditId
         FROM ledger WHERE kind = 'credit' AND cardId >= ? AND cardId < ?
           AND at >= ? AND at < ? AND id > ?
         ORDER BY id LIMIT ?`,
        // The university's cards are the ids "university:…": ':' + 1 is ';'.
        ...[`${university}:`, `${university};`, from, to, after, limit + 1],
      )
      .toArray()
    const page = rows.slice(0, limit)
    return {
      credits: page.map((e) => ({
        creditId: e.creditId!,
        idempotencyKey: e.idempotencyKey!,
        user: e.cardId.slice(university.length + 1),
        amount: e.amount,
        appliedAt: e.at,
      })),
      next: rows.length > limit ? String(page.at(-1)!.id) : null,
    }
  }

  /** Every credit applied to a card, oldest first: what tests count to prove exactly-once. */
  creditsFor(cardId: string) {
    return this.entries("WHERE cardId = ? AND kind = 'credit'", cardId).map(creditOf)
  }

  /**
   * Every card with its credits and every balance change, for audits: a card's balance is
   * the initial balance plus the sum of its entries' amounts.
   */
  ledger() {
    const entries = Map.groupBy(this.entries(''), (e) => e.cardId)
    const cards = this.cardRows('ORDER BY c.cardId').map(({ cardId, balance, suspended }) => {
      const mine = (entries.get(cardId) ?? []).map(({ cardId: _, ...e }) => e)
      const credits = mine.filter((e) => e.kind === 'credit').map(creditOf)
      return { cardId, balance, suspended, credits, entries: mine }
    })
    return { initialBalance: INITIAL_BALANCE, cards }
  }

  /** Back to an empty M.I.C.; the clock stays where it was set. */
  reset() {
    this.sql.exec(
      "DELETE FROM cards; DELETE FROM ledger; DELETE FROM settings WHERE key <> 'clock';",
    )
  }
}

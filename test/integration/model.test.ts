import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { refundableToBankAccount } from '../../src/domain/application'
import { hasDeadline, PAYMENT_METHODS, type PaymentMethod } from '../../src/domain/paymentMethods'
import { DEMO_CERTIFICATE_SETTINGS } from '../../src/db/demo'
import { creditKey } from '../../src/flows/crediting'
import { GATEWAY_FRESH_MS } from '../../src/flows/desk/gateway'
import worker from '../../src/index'
import { PAYMENT_DLQ, type NotificationMessage } from '../../src/queue'
import {
  gateway,
  mic,
  notify,
  ready,
  refundAtGateway,
  runCron,
  SECOND,
  setClock,
  signedWebhook,
  testNow,
  webhookEvent,
} from '../charge'
import { Client, login, mainText } from '../client'
import { registrar, type Fault, type RegistrarFault } from '../twins'

/**
 * Model-based test of the money paths: fast-check generates sequences of commands (apply
 * with any method, pay on the KOMOJU twin's page or at the store, hold / release /
 * duplicate / forge / dead-letter webhooks, run the cron, move the clock into stop windows
 * and past deadlines, M.I.C. faults, campus cash charges and purchases, refunds) and runs
 * them against the real worker, its real queue consumer, the cron, the StudentDesks and
 * both twins. The model is deliberately thin (which applications exist, which are still
 * open, how much fault budget is left); after each run everything is settled (faults off,
 * webhooks released and delivered, the clock past every deadline, stop window, backoff and
 * hold recheck, the cron run) and the money invariants are checked against D1, the M.I.C.
 * twin's ledger and the KOMOJU twin's payments (see checkInvariants). One invariant is also
 * looked at after every command (overCapByMic).
 *
 * Each run takes the next 4 of this file's 20 students (test0260–test0279, round robin),
 * first refunding whatever an earlier run left held and bringing each card back to ¥1,000
 * with a purchase; the checks are scoped to the run (its applications, the ledger entries
 * since it started), so a failing run does not spill into the runs fast-check tries while
 * shrinking it.
 *
 * Certificate orders (各種証明書のオンライン申請) run among the charges: 電子 orders placed by
 * the same students, paid by the same commands (and by their own, sometimes after the
 * registrar's office put a hold on the student), with registrar maintenance windows and
 * faults; their invariants are in checkCertificates, and CapProbe checks that an order on its
 * way never takes room under the card's cap.
 *
 * Knobs: RUNS (fast-check's numRuns; a run takes about 2–3 s on 2 cores, the file about
 * a minute and a half), MAX_COMMANDS (commands generated per run; those whose precondition fails,
 * e.g. paying when nothing is open, are skipped), SEED and PATH (to repeat a failure, put
 * the seed and path fast-check prints here). The test runs inside workerd, which sees no
 * process.env: the MODEL_RUNS / MODEL_SEED bindings (vitest.config.ts passes the
 * environment's, e.g. `MODEL_RUNS=250 npm test`) override RUNS / SEED.
 */
const knobs = env as unknown as Record<string, string | undefined>
const RUNS = Number(knobs.MODEL_RUNS) || 30
const MAX_COMMANDS = 25
const SEED: number | null = Number(knobs.MODEL_SEED) || null
const PATH: string | undefined = undefined
/** Silence the service's own logs during the runs (this file's summary is still printed). */
const QUIET = true

const CAP = 20_000
const INITIAL_BALANCE = 1000
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const JST = 9 * HOUR
const DAY = 24 * HOUR
/** M.I.C. calls a fault may break in one run: below MAX_CREDIT_ATTEMPTS (12), so no credit
 * stalls because of injected faults alone ("stalled" is a hand-over to staff, not a bug). */
const FAULT_BUDGET = 9
/** Registrar calls a fault may break in one run: below MAX_CREDIT_ATTEMPTS too, so no
 * certificate order stalls because of injected faults alone. */
const REGISTRAR_FAULT_BUDGET = 9

/** Directory people only this file uses; each run takes the next PER_RUN of them. */
const USERS = Array.from({ length: 20 }, (_, i) => `test${String(260 + i).padStart(4, '0')}`)
const PER_RUN = 4
const card = (userId: string) => `demo:${userId}`
const keyOf = (id: number) => creditKey({ universityId: 'demo', id })

const print = console.log.bind(console)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// --- the clock: one forward-only model time, shared by the service and both twins ----------

let clockBase = 0
let clockSetAt = 0
/** Where the development clock reads now (it runs on with real time after each set). */
const now = () => clockBase + (Date.now() - clockSetAt)
const moveClock = async (to: number) => {
  if (to <= now()) return false
  clockBase = to
  clockSetAt = Date.now()
  await setClock(to)
  return true
}
/** The first `hh:mm` JST at or after `t`. */
const jstAtOrAfter = (t: number, hh: number, mm = 0) => {
  const midnight = Math.floor((t + JST) / DAY) * DAY - JST
  let at = midnight + (hh * 60 + mm) * MINUTE
  while (at < t) at += DAY
  return at
}
const jstText = (t: number) => new Date(t + JST).toISOString().slice(0, 16).replace('T', ' ')

// --- the real system's pieces the commands use ----------------------------------------------

type AppRow = {
  id: number
  user_id: string
  kind: 'mic_charge' | 'certificate'
  amount: number
  payment_method: PaymentMethod
  status: string
  credit_status: string
  credit_error: string | null
  credit_attempts: number
  provider_payment_id: string | null
  provider_session_id: string | null
  payment_url: string | null
  payment_deadline: number
  next_credit_at: number | null
  credit_sent_at: number | null
  credit_amount: number | null
  created_at: number
}

/** The applications of `users` with an id above `afterId`, oldest first. */
const appsOf = async (users: readonly string[], afterId = 0) =>
  (
    await env.DB.prepare(
      `SELECT a.*, s.user_id FROM applications a JOIN students s ON s.id = a.student_id
       WHERE s.university_id = 'demo' AND s.user_id IN (SELECT value FROM json_each(?))
         AND a.id > ? ORDER BY a.id`,
    )
      .bind(JSON.stringify(users), afterId)
      .all<AppRow>()
  ).results

const appRow = (id: number) =>
  env.DB.prepare('SELECT * FROM applications WHERE id = ?').bind(id).first<AppRow>()

type LedgerEntry = {
  kind: 'credit' | 'cash' | 'purchase' | 'set'
  amount: number
  balanceAfter: number
  at: number
  idempotencyKey: string | null
  creditId: string | null
}
type Ledger = {
  initialBalance: number
  cards: { cardId: string; balance: number; entries: LedgerEntry[] }[]
}
const ledger = async () => (await mic().ledger()) as Ledger
const entriesOf = (l: Ledger, userId: string) =>
  l.cards.find((c) => c.cardId === card(userId)) ?? {
    cardId: card(userId),
    balance: l.initialBalance,
    entries: [] as LedgerEntry[],
  }

type Delivery = {
  id: string
  payment_id: string
  done_at: string | null
  last_status: number | null
}

const NO_FAULT: Fault = { mode: 'none', rate: 1, remaining: null, hangMs: 0, card: null }

/** The service never answers a 5xx to any of this. */
const served = (res: Response, what: string) => {
  if (res.status >= 500) throw new Error(`${what}: the service answered ${res.status}`)
  return res
}

// --- model and run context -------------------------------------------------------------------

type Student = { userId: string; client: Client | null; lastUsed: number }
type App = {
  id: number
  who: number
  method: PaymentMethod
  amount: number
  hosted: boolean
  paymentId: string | null
  deadline: number
  /** Not yet paid or cancelled by a command of this run (paying again is refused anyway). */
  open: boolean
  /** A certificate order (各種証明書のオンライン申請), not an M.I.C. charge. */
  cert: boolean
}
type Model = {
  apps: App[]
  paused: boolean
  faultBudget: number
  /** The students (by index) the registrar holds a hold on now, and those it ever did this run. */
  holds: Set<number>
  heldEver: Set<number>
  registrarBudget: number
  /** A registrar fault or maintenance window may be in force: its refusals are expected. */
  registrarTrouble: boolean
}
type Run = {
  index: number
  students: Student[]
  /** Applications with a higher id (of these students) are this run's. */
  startId: number
  /** Each card's ledger length and balance when the run started. */
  start: Map<string, { entries: number; balance: number }>
  /** Webhook events this run handed to the service by hand (notify). */
  events: string[]
  /** What the run did, for the summary. */
  stats: Record<string, number>
}

const count = (r: Run, what: string) => (r.stats[what] = (r.stats[what] ?? 0) + 1)

/** A logged-in client for the student (the session ends after 30 idle minutes of clock). */
const signedIn = async (st: Student) => {
  if (st.client && now() - st.lastUsed < 20 * MINUTE) {
    st.lastUsed = now()
    return st.client
  }
  const client = st.client ?? new Client()
  const { res } = await login(client, st.userId, 'univpass', SECOND)
  if (res.status !== 303) throw new Error(`login of ${st.userId} answered ${res.status}`)
  st.client = client
  st.lastUsed = now()
  return client
}

const pick = <T>(list: readonly T[], n: number) => list[n % list.length]!

/**
 * Invariant 4, looked at after every command: M.I.C. only refuses a credit over the cap
 * (and the service holds it as "over_cap (M.I.C.)") when a campus cash charge filled the
 * card after the application was made. Without one, the service must have decided the
 * cap itself, before asking M.I.C.
 */
const overCapByMic = async (r: Run) => {
  const held = (
    await appsOf(
      r.students.map((s) => s.userId),
      r.startId,
    )
  ).filter((a) => a.credit_error?.startsWith('over_cap (M.I.C.)'))
  if (held.length === 0) return
  const l = await ledger()
  for (const a of held) {
    const cash = entriesOf(l, a.user_id).entries.filter(
      (e) => e.kind === 'cash' && e.at >= a.created_at - 5000,
    )
    expect(
      cash,
      `application ${a.id} (¥${a.amount}, ${a.user_id}): the service asked M.I.C. for a credit over the cap without any campus cash charge since it was made (${a.credit_error})`,
    ).not.toEqual([])
  }
}

abstract class Cmd implements fc.AsyncCommand<Model, Run> {
  check(_m: Readonly<Model>): boolean {
    return true
  }
  async run(m: Model, r: Run) {
    await this.act(m, r)
    await overCapByMic(r)
  }
  abstract act(m: Model, r: Run): Promise<void>
  abstract toString(): string
}

// --- commands ----------------------------------------------------------------------------------

/** チャージ → 申請 (with the 申請 form submitted twice, sometimes). The cap may refuse it. */
class Apply extends Cmd {
  constructor(
    readonly who: number,
    readonly method: PaymentMethod,
    readonly amount: number,
    readonly twice: boolean,
  ) {
    super()
  }
  async act(m: Model, r: Run) {
    const st = r.students[this.who]!
    const client = await signedIn(st)
    const phone = this.method === 'payeasy' ? '09012345678' : null
    const confirm = await client.get(
      `/charge/confirm?amount=${this.amount}&method=${this.method}${phone ? `&phone=${phone}` : ''}`,
    )
    served(confirm.res, '申請内容確認')
    const requestKey = confirm.html.match(/name="request_key" value="([^"]+)"/)?.[1]
    if (!requestKey) throw new Error(`no request key on 申請内容確認 (${confirm.res.status})`)
    const form = {
      amount: String(this.amount),
      method: this.method,
      request_key: requestKey,
      ...(phone ? { phone } : {}),
    }
    const ids: number[] = []
    for (let i = 0; i < (this.twice ? 2 : 1); i++) {
      const { res } = await client.post('/charge/apply', form)
      served(res, '申請')
      if (res.status === 422) {
        count(r, 'apply refused')
        return
      }
      expect(res.status, '申請').toBe(303)
      const id = Number(res.headers.get('location')?.match(/\/applications\/(\d+)\/pay/)?.[1])
      expect(id, `申請 redirected to ${res.headers.get('location')}`).toBeGreaterThan(0)
      ids.push(id)
    }
    // A double submission finds the same application.
    expect(new Set(ids).size, 'one application per 申請 form').toBe(1)
    const row = (await appRow(ids[0]!))!
    count(r, 'apply')
    m.apps.push({
      id: row.id,
      who: this.who,
      method: this.method,
      amount: this.amount,
      hosted: !hasDeadline(this.method),
      paymentId: row.provider_payment_id,
      deadline: row.payment_deadline,
      open: true,
      cert: false,
    })
  }
  toString() {
    return `apply(s${this.who}, ${this.method}, ¥${this.amount}${this.twice ? ', twice' : ''})`
  }
}

type HostedMode = 'pay' | 'pay-no-return' | 'declined' | 'declined-then-pay' | 'cancel'

/** The student on KOMOJU's hosted page: 支払う (coming back or not), a declined card, キャンセル. */
class PayHosted extends Cmd {
  constructor(
    readonly n: number,
    readonly mode: HostedMode,
  ) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.apps.some((a) => a.hosted && a.open)
  }
  async act(m: Model, r: Run) {
    const a = pick(
      m.apps.filter((x) => x.hosted && x.open),
      this.n,
    )
    const row = (await appRow(a.id))!
    if (!row.payment_url) return
    const press = (action: 'pay' | 'cancel') =>
      fetch(row.payment_url!, {
        method: 'POST',
        body: new URLSearchParams({ action }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      })
    const declining = this.mode.startsWith('declined') && a.method === 'credit_card'
    if (declining) await gateway().settings({ declineNextCard: true })
    let res = await press(this.mode === 'cancel' ? 'cancel' : 'pay')
    count(r, `hosted ${this.mode} ${res.status}`)
    if (declining && res.status === 200 && this.mode === 'declined-then-pay')
      res = await press('pay')
    if (declining) await gateway().settings({ declineNextCard: false })
    if (res.status === 303) a.open = false
    const location = res.headers.get('location')
    if (res.status !== 303 || !location || this.mode === 'pay-no-return') return
    const back = new URL(location)
    const client = await signedIn(r.students[a.who]!)
    served((await client.get(back.pathname + back.search)).res, 'return from KOMOJU')
  }
  toString() {
    return `payHosted(#${this.n}, ${this.mode})`
  }
}

type StoreWhen = 'now' | 'just-before-deadline' | 'after-deadline' | 'late-report'

/** Paying a コンビニ / Pay-easy application at the store, in time or not. */
class PayStore extends Cmd {
  constructor(
    readonly n: number,
    readonly when: StoreWhen,
    readonly minutes: number,
  ) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.apps.some((a) => !a.hosted && a.paymentId && a.open)
  }
  async act(m: Model, r: Run) {
    const a = pick(
      m.apps.filter((x) => !x.hosted && x.paymentId && x.open),
      this.n,
    )
    if (this.when === 'just-before-deadline') await moveClock(a.deadline - this.minutes * MINUTE)
    if (this.when === 'after-deadline' || this.when === 'late-report')
      await moveClock(a.deadline + this.minutes * MINUTE)
    // A late report: the store took the money a minute before the deadline and KOMOJU
    // hears of it now, after it expired the payment.
    const at = this.when === 'late-report' ? a.deadline - MINUTE : undefined
    const res = await gateway().payAtStore(a.paymentId!, at)
    if (now() > a.deadline + 5000 && at === undefined)
      expect(res.status, 'the store refuses a payment after its deadline').toBe(422)
    if (res.status === 200) a.open = false
    count(r, `store ${this.when} ${res.status}`)
  }
  toString() {
    return `payStore(#${this.n}, ${this.when}, ${this.minutes} min)`
  }
}

class HoldWebhooks extends Cmd {
  override check(m: Readonly<Model>) {
    return !m.paused
  }
  async act(m: Model) {
    await gateway().settings({ paused: true })
    m.paused = true
  }
  toString() {
    return 'holdWebhooks'
  }
}

class ReleaseWebhooks extends Cmd {
  override check(m: Readonly<Model>) {
    return m.paused
  }
  async act(m: Model) {
    await gateway().settings({ paused: false })
    m.paused = false
    await gateway().flush()
  }
  toString() {
    return 'releaseWebhooks+flush'
  }
}

class Flush extends Cmd {
  async act() {
    await gateway().flush()
  }
  toString() {
    return 'flushWebhooks'
  }
}

class Duplicates extends Cmd {
  constructor(readonly rate: number) {
    super()
  }
  async act() {
    await gateway().settings({ duplicateRate: this.rate })
  }
  toString() {
    return `duplicateRate(${this.rate})`
  }
}

/** The payment an application has at KOMOJU, if any (hosted ones only once paid or declined). */
const paymentIdOf = async (a: App) => {
  if (a.paymentId) return a.paymentId
  const row = await appRow(a.id)
  if (row?.provider_payment_id) return row.provider_payment_id
  return (await gateway().payments()).find((p) => p.external_order_num === String(a.id))?.id ?? null
}

const EVENT_TYPES = [
  'payment.captured',
  'payment.authorized',
  'payment.failed',
  'payment.expired',
  'payment.cancelled',
  'payment.refunded',
] as const

/** An extra, validly signed webhook (a replay, a stale or invented event): only a hint. */
class ExtraWebhook extends Cmd {
  constructor(
    readonly n: number,
    readonly type: (typeof EVENT_TYPES)[number],
  ) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.apps.length > 0
  }
  async act(m: Model, r: Run) {
    const a = pick(m.apps, this.n)
    const paymentId = (await paymentIdOf(a)) ?? `nosuchpayment${a.id}`
    const event = webhookEvent(this.type, paymentId)
    r.events.push(event.id)
    // From an address of its own: no other test's refused webhooks count against it.
    const res = await notify(
      await signedWebhook(event, { headers: { 'cf-connecting-ip': '192.0.2.60' } }),
    )
    expect(res.status, 'a validly signed webhook is accepted').toBe(200)
    count(r, 'extra webhook')
  }
  toString() {
    return `extraWebhook(#${this.n}, ${this.type})`
  }
}

/** A notification that exhausted its queue retries reaches the dead-letter queue's consumer. */
class DeadLetter extends Cmd {
  constructor(readonly n: number) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.apps.length > 0
  }
  async act(m: Model, r: Run) {
    const a = pick(m.apps, this.n)
    const paymentId = await paymentIdOf(a)
    if (!paymentId) return
    const message: NotificationMessage = {
      eventId: `evt_model_dead_${a.id}_${crypto.randomUUID().slice(0, 8)}`,
      provider: 'komoju',
      type: 'payment.captured',
      paymentId,
      universityId: 'demo',
      receivedAt: now(),
    }
    const batch = createMessageBatch(PAYMENT_DLQ, [
      { id: 'dead', timestamp: new Date(), attempts: 11, body: message },
    ])
    const ctx = createExecutionContext()
    await worker.queue!(batch, env, ctx)
    const result = await getQueueResult(batch, ctx)
    count(r, result.explicitAcks.includes('dead') ? 'dead letter applied' : 'dead letter retried')
  }
  toString() {
    return `deadLetter(#${this.n})`
  }
}

class Cron extends Cmd {
  constructor(readonly overlapping: boolean) {
    super()
  }
  async act(_m: Model, r: Run) {
    await Promise.all(Array.from({ length: this.overlapping ? 2 : 1 }, () => runCron()))
    count(r, 'cron')
  }
  toString() {
    return this.overlapping ? 'cron×2' : 'cron'
  }
}

type Jump = 'minutes' | 'hours' | 'stop-window' | 'past-deadline'

/** The clock moves forward: minutes, hours, into 02:00–05:00 JST, past a deadline. */
class Clock extends Cmd {
  constructor(
    readonly jump: Jump,
    readonly amount: number,
    readonly n: number,
  ) {
    super()
  }
  async act(m: Model, r: Run) {
    const t = now()
    switch (this.jump) {
      case 'minutes':
        await moveClock(t + (this.amount % 90) * MINUTE + MINUTE)
        break
      case 'hours':
        await moveClock(t + ((this.amount % 30) + 1) * HOUR)
        break
      case 'stop-window':
        await moveClock(jstAtOrAfter(t, 2) + (this.amount % 170) * MINUTE)
        break
      case 'past-deadline':
        if (m.apps.length === 0) await moveClock(t + 31 * MINUTE)
        else await moveClock(pick(m.apps, this.n).deadline + (this.amount % 120) * MINUTE + 1000)
        break
    }
    count(r, `clock ${this.jump}`)
  }
  toString() {
    return `clock(${this.jump}, ${this.amount}${this.jump === 'past-deadline' ? `, #${this.n}` : ''})`
  }
}

/** M.I.C. misbehaves: fails, hangs, or applies a credit and loses the answer. */
class MicFault extends Cmd {
  constructor(
    readonly mode: 'fail' | 'hang' | 'lose-response',
    readonly rate: number,
    readonly remaining: number,
    readonly hangMs: number,
    readonly who: number | null,
  ) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.faultBudget >= this.remaining
  }
  async act(m: Model, r: Run) {
    m.faultBudget -= this.remaining
    await mic().setFault({
      mode: this.mode,
      rate: this.rate,
      remaining: this.remaining,
      hangMs: this.hangMs,
      card: this.who === null ? null : card(r.students[this.who]!.userId),
    })
    count(r, `fault ${this.mode}`)
  }
  toString() {
    return `micFault(${this.mode}, rate ${this.rate}, ${this.remaining} calls, ${this.hangMs} ms, ${this.who === null ? 'every card' : `s${this.who}`})`
  }
}

class ClearFault extends Cmd {
  async act() {
    await mic().setFault(NO_FAULT)
  }
  toString() {
    return 'clearFault'
  }
}

/**
 * A campus event the service never sees: a cash charge (M.I.C. refuses one over the cap),
 * a cash charge that fills the card to `amount` yen below the cap, or a purchase.
 */
class Campus extends Cmd {
  constructor(
    readonly kind: 'cash' | 'fill' | 'purchase',
    readonly who: number,
    readonly amount: number,
  ) {
    super()
  }
  async act(_m: Model, r: Run) {
    const c = card(r.students[this.who]!.userId)
    let res: { status: number }
    if (this.kind === 'purchase') res = await mic().purchase(c, this.amount)
    else if (this.kind === 'cash') res = await mic().cash(c, this.amount)
    else {
      const room = CAP - ((await mic().card(c))?.balance ?? INITIAL_BALANCE) - this.amount
      if (room <= 0) return
      res = await mic().cash(c, room)
    }
    count(r, `${this.kind} ${res.status}`)
  }
  toString() {
    return this.kind === 'fill'
      ? `cashToCap(s${this.who}, leaving ¥${this.amount})`
      : `${this.kind}(s${this.who}, ¥${this.amount})`
  }
}

/** 返金を申し込む on 申請情報 詳細 (only a held, refused or mismatched charge is refunded). */
class Refund extends Cmd {
  constructor(readonly n: number) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.apps.length > 0
  }
  async act(m: Model, r: Run) {
    const a = pick(m.apps, this.n)
    const client = await signedIn(r.students[a.who]!)
    const { res } = await client.post(`/applications/${a.id}/refund`, {})
    served(res, '返金')
    count(r, `refund ${res.headers.get('location')?.match(/refund=(\w+)/)?.[1] ?? res.status}`)
  }
  toString() {
    return `refund(#${this.n})`
  }
}

/**
 * Money that goes back at KOMOJU without us: a refund from its dashboard, in full or in
 * part, or a chargeback (the card company takes it back), before or after the credit. The
 * webhook (if any) goes the way every webhook of the run goes: delivered, held, late.
 */
type MoneyBackHow = 'refund' | 'partial-refund' | 'chargeback' | 'partial-chargeback'
class MoneyBack extends Cmd {
  constructor(
    readonly n: number,
    readonly how: MoneyBackHow,
  ) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.apps.length > 0
  }
  async act(m: Model, r: Run) {
    // The n-th of the run's payments KOMOJU holds as captured, if any.
    const ours = new Set(m.apps.map((a) => String(a.id)))
    const captured = (await gateway().payments('captured')).filter(
      (x) => x.external_order_num !== null && ours.has(x.external_order_num),
    )
    if (captured.length === 0) {
      count(r, `money-back ${this.how} nothing captured`)
      return
    }
    const p = pick(captured, this.n)
    const left = p.amount - ((p as { amount_refunded?: number }).amount_refunded ?? 0)
    const amount = this.how.startsWith('partial') ? Math.floor(left / 200) * 100 : undefined
    if (amount === 0) {
      count(r, `money-back ${this.how} too small`)
      return
    }
    let status: number
    if (this.how.endsWith('chargeback'))
      status = (await gateway().chargebackRaw(p.id, amount)).status
    else {
      // a store payment is refunded only by a refund request: 422
      status = await refundAtGateway(p.id, amount)
    }
    count(r, `money-back ${this.how} ${status}`)
  }
  toString() {
    return `moneyBack(#${this.n}, ${this.how})`
  }
}

// --- certificate orders: the registrar and the service's second function --------------------

type CertType = 'enrolment' | 'transcript' | 'expected_graduation' | 'health'
type CertLine = { type: CertType; lang: 'ja' | 'en'; copies: number }
/** What the model orders: the types the model's records allow, as 電子 (PDF). */
const CERT_TYPES: readonly CertType[] = ['enrolment', 'transcript', 'expected_graduation', 'health']
const feeOf = (type: CertType) =>
  DEMO_CERTIFICATE_SETTINGS.catalogue.find((i) => i.type === type)!.fee

/**
 * The order page the service answers (503) when the registrar could not be asked. It asks
 * the registrar again to draw the page: when that second call gets through (a fault that
 * broke one call), the page is the form without a word on why it came back, which is
 * counted ("silent"), not failed: src/routes/certificates.tsx, reported.
 */
const registrarDown = (r: Run, html: string, what: string) => {
  expect(mainText(html), `${what}: the order page again`).toContain('各種証明書')
  count(r, mainText(html).includes('学務システム') ? 'order 503' : 'order 503 silent')
}

/**
 * 各種証明書のオンライン申請 → 申請内容確認 → 申請 (sometimes twice): 電子, with or without a
 * recipient. A student with a hold is refused before any payment; a registrar that is down
 * may refuse the order (503), never take it half.
 */
class Order extends Cmd {
  constructor(
    readonly who: number,
    readonly lines: readonly CertLine[],
    readonly method: PaymentMethod,
    readonly recipient: boolean,
    readonly twice: boolean,
  ) {
    super()
  }
  async act(m: Model, r: Run) {
    const st = r.students[this.who]!
    const client = await signedIn(st)
    const phone = this.method === 'payeasy' ? '09012345678' : null
    const fields: Record<string, string> = {
      ...Object.fromEntries(
        this.lines.map((l) => [`copies_${l.type}_${l.lang}`, String(l.copies)]),
      ),
      delivery: 'pdf',
      method: this.method,
      ...(phone ? { phone } : {}),
      ...(this.recipient
        ? {
            recipient_name: '採用 担当',
            recipient_organisation: '株式会社モデル',
            recipient_email: `hr-${st.userId}@example.com`,
            recipient_email_confirm: `hr-${st.userId}@example.com`,
          }
        : {}),
    }
    const confirm = await client.post('/certificates/confirm', fields)
    // The registrar down: the order page again, with a 503 (never a bare error page).
    if (confirm.res.status === 503) registrarDown(r, confirm.html, '申請内容確認')
    const refusals = m.registrarTrouble ? [200, 422, 503] : [200, 422]
    expect(refusals, `申請内容確認 answered ${confirm.res.status}`).toContain(confirm.res.status)
    if (m.holds.has(this.who) && confirm.res.status !== 503) {
      // Eligibility is decided before payment: a hold is refused at 申請内容確認.
      expect(confirm.res.status, 'a student with a hold is refused before payment').toBe(422)
      expect(confirm.html).not.toContain('name="request_key"')
    }
    if (confirm.res.status !== 200) {
      count(r, `order refused ${confirm.res.status}`)
      return
    }
    const requestKey = confirm.html.match(/name="request_key" value="([^"]+)"/)?.[1]
    if (!requestKey) throw new Error('no request key on the certificates’ 申請内容確認')
    const ids: number[] = []
    for (let i = 0; i < (this.twice ? 2 : 1); i++) {
      const { res, html } = await client.post('/certificates/apply', {
        ...fields,
        request_key: requestKey,
      })
      if (res.status === 503 && m.registrarTrouble && ids.length === 0) {
        registrarDown(r, html, '申請')
        count(r, 'order refused 503 at 申請')
        return
      }
      expect(res.status, '証明書 申請').toBe(303)
      const id = Number(res.headers.get('location')?.match(/\/applications\/(\d+)\/pay/)?.[1])
      expect(id, `申請 redirected to ${res.headers.get('location')}`).toBeGreaterThan(0)
      ids.push(id)
    }
    expect(new Set(ids).size, 'one certificate order per 申請 form').toBe(1)
    const row = (await appRow(ids[0]!))!
    expect(row.kind).toBe('certificate')
    expect(row.amount, 'the order costs its fees').toBe(
      this.lines.reduce((n, l) => n + feeOf(l.type) * l.copies, 0),
    )
    count(r, 'order')
    m.apps.push({
      id: row.id,
      who: this.who,
      method: this.method,
      amount: row.amount,
      hosted: !hasDeadline(this.method),
      paymentId: row.provider_payment_id,
      deadline: row.payment_deadline,
      open: true,
      cert: true,
    })
  }
  toString() {
    const lines = this.lines.map((l) => `${l.type}/${l.lang}×${l.copies}`).join(' ')
    return `order(s${this.who}, ${lines}, ${this.method}${this.recipient ? ', recipient' : ''}${this.twice ? ', twice' : ''})`
  }
}

/**
 * Paying a certificate order, on KOMOJU's page or at the store (the charge's own commands,
 * aimed at an order: those pick from every open application, mostly charges).
 */
class PayOrder extends Cmd {
  constructor(
    readonly n: number,
    readonly mode: HostedMode,
    readonly when: StoreWhen,
    /** The registrar's office puts a hold on the student first (after 申請, before payment). */
    readonly hold: boolean,
  ) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.apps.some((a) => a.cert && a.open && (a.hosted || a.paymentId))
  }
  async act(m: Model, r: Run) {
    const a = pick(
      m.apps.filter((x) => x.cert && x.open && (x.hosted || x.paymentId)),
      this.n,
    )
    if (this.hold && !m.holds.has(a.who)) await new AddHold(a.who).act(m, r)
    const hosted = m.apps.filter((x) => x.hosted && x.open)
    const store = m.apps.filter((x) => !x.hosted && x.paymentId && x.open)
    if (a.hosted) await new PayHosted(hosted.indexOf(a), this.mode).act(m, r)
    else await new PayStore(store.indexOf(a), this.when, this.n * 5 + 1).act(m, r)
  }
  toString() {
    return `payOrder(#${this.n}, ${this.mode} / ${this.when}${this.hold ? ', hold first' : ''})`
  }
}

/** The registrar's office puts a hold on the record (学費未納), e.g. between order and payment. */
class AddHold extends Cmd {
  constructor(readonly who: number) {
    super()
  }
  override check(m: Readonly<Model>) {
    return !m.holds.has(this.who)
  }
  async act(m: Model, r: Run) {
    await registrar.addHold('demo', r.students[this.who]!.userId)
    m.holds.add(this.who)
    m.heldEver.add(this.who)
  }
  toString() {
    return `addHold(s${this.who})`
  }
}

class RemoveHold extends Cmd {
  constructor(readonly who: number) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.holds.has(this.who)
  }
  async act(m: Model, r: Run) {
    await registrar.removeHold('demo', r.students[this.who]!.userId)
    m.holds.delete(this.who)
  }
  toString() {
    return `removeHold(s${this.who})`
  }
}

/** A maintenance window of the registrar's, from now for `minutes` (by the shared clock). */
class RegistrarMaintenance extends Cmd {
  constructor(readonly minutes: number) {
    super()
  }
  async act(m: Model, r: Run) {
    const t = now()
    await registrar.setMaintenance({
      daily: null,
      windows: [{ start: t - MINUTE, end: t + this.minutes * MINUTE }],
    })
    m.registrarTrouble = true
    count(r, 'registrar maintenance')
  }
  toString() {
    return `registrarMaintenance(${this.minutes} min)`
  }
}

/** The registrar fails (500), times out (504) or issues and loses the answer. */
class RegistrarFaults extends Cmd {
  constructor(
    readonly mode: 'fail' | 'timeout' | 'lose-response',
    readonly rate: number,
    readonly remaining: number,
    readonly delayMs: number,
    readonly who: number | null,
  ) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.registrarBudget >= this.remaining
  }
  async act(m: Model, r: Run) {
    m.registrarBudget -= this.remaining
    m.registrarTrouble = true
    const fault: RegistrarFault = {
      mode: this.mode,
      rate: this.rate,
      remaining: this.remaining,
      delayMs: this.delayMs,
      student: this.who === null ? null : card(r.students[this.who]!.userId),
    }
    await registrar.setFault(fault)
    count(r, `registrar ${this.mode}`)
  }
  toString() {
    return `registrarFault(${this.mode}, rate ${this.rate}, ${this.remaining} calls, ${this.delayMs} ms, ${this.who === null ? 'every student' : `s${this.who}`})`
  }
}

class RegistrarBack extends Cmd {
  async act(m: Model) {
    await registrar.setFault({ mode: 'none' })
    await registrar.setMaintenance({ daily: null, windows: [] })
    m.registrarTrouble = false
  }
  toString() {
    return 'registrarBack'
  }
}

/**
 * Certificate orders never count against the card's cap: a student with an order on its
 * way charges exactly the room the cap leaves by M.I.C.'s balance and their charges on
 * their way, and is not refused. (At noon, M.I.C. without faults: the room is then the
 * service's to decide from M.I.C.'s answer.)
 */
class CapProbe extends Cmd {
  constructor(readonly who: number) {
    super()
  }
  override check(m: Readonly<Model>) {
    return m.apps.some((a) => a.cert && a.who === this.who)
  }
  async act(m: Model, r: Run) {
    const st = r.students[this.who]!
    await moveClock(jstAtOrAfter(now(), 12))
    await mic().setFault(NO_FAULT)
    const rows = await appsOf([st.userId])
    const onItsWay = (a: AppRow) =>
      a.status === 'awaiting_payment' || (a.status === 'paid' && !ON_CARD.includes(a.credit_status))
    const certs = rows.filter((a) => a.kind === 'certificate' && onItsWay(a))
    if (certs.length === 0) {
      count(r, 'cap probe: no order on its way')
      return
    }
    const charges = sum(rows.filter((a) => a.kind === 'mic_charge' && onItsWay(a)))
    const balance = (await mic().card(card(st.userId)))?.balance ?? INITIAL_BALANCE
    const room = CAP - balance - charges
    if (room < 1) {
      count(r, 'cap probe: no room')
      return
    }
    const client = await signedIn(st)
    const confirm = await client.get(`/charge/confirm?amount=${room}&method=credit_card`)
    served(confirm.res, '申請内容確認')
    const requestKey = confirm.html.match(/name="request_key" value="([^"]+)"/)?.[1]
    expect(
      requestKey,
      `${st.userId}: ¥${room} refused with ¥${sum(certs)} of certificate orders on their way (${confirm.res.status})`,
    ).toBeTruthy()
    const { res } = await client.post('/charge/apply', {
      amount: String(room),
      method: 'credit_card',
      request_key: requestKey!,
    })
    expect(
      res.status,
      `${st.userId}: 申請 of the room left (¥${room}) refused with ¥${sum(certs)} of certificate orders on their way`,
    ).toBe(303)
    const id = Number(res.headers.get('location')?.match(/\/applications\/(\d+)\/pay/)?.[1])
    const row = (await appRow(id))!
    count(r, 'cap probe')
    m.apps.push({
      id,
      who: this.who,
      method: 'credit_card',
      amount: room,
      hosted: true,
      paymentId: row.provider_payment_id,
      deadline: row.payment_deadline,
      open: true,
      cert: false,
    })
  }
  toString() {
    return `capProbe(s${this.who})`
  }
}

// --- arbitraries -------------------------------------------------------------------------------

/** Student 0 is the busiest, so that caps are reached. */
const who = fc.constantFrom(0, 0, 0, 0, 1, 1, 2, 3)
const nth = fc.nat({ max: 40 })
const yen = (max: number) => fc.integer({ min: 1, max: max / 100 }).map((n) => n * 100)

const commandArbs = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(who, fc.constantFrom(...PAYMENT_METHODS), yen(5000), fc.boolean())
      .map(([w, method, amount, twice]) => new Apply(w, method, amount, twice)),
  },
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        nth,
        fc.constantFrom<HostedMode>(
          'pay',
          'pay',
          'pay-no-return',
          'declined',
          'declined-then-pay',
          'cancel',
        ),
      )
      .map(([n, mode]) => new PayHosted(n, mode)),
  },
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        nth,
        fc.constantFrom<StoreWhen>(
          'now',
          'now',
          'just-before-deadline',
          'after-deadline',
          'late-report',
        ),
        fc.integer({ min: 1, max: 240 }),
      )
      .map(([n, when, minutes]) => new PayStore(n, when, minutes)),
  },
  { weight: 1, arbitrary: fc.constant(null).map(() => new HoldWebhooks()) },
  { weight: 2, arbitrary: fc.constant(null).map(() => new ReleaseWebhooks()) },
  { weight: 1, arbitrary: fc.constant(null).map(() => new Flush()) },
  { weight: 1, arbitrary: fc.constantFrom(0, 0.5, 1).map((rate) => new Duplicates(rate)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(nth, fc.constantFrom(...EVENT_TYPES))
      .map(([n, type]) => new ExtraWebhook(n, type)),
  },
  { weight: 1, arbitrary: nth.map((n) => new DeadLetter(n)) },
  { weight: 3, arbitrary: fc.boolean().map((overlapping) => new Cron(overlapping)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom<Jump>('minutes', 'minutes', 'hours', 'stop-window', 'past-deadline'),
        fc.nat({ max: 1000 }),
        nth,
      )
      .map(([jump, amount, n]) => new Clock(jump, amount, n)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('fail' as const, 'hang' as const, 'lose-response' as const),
        fc.constantFrom(0.5, 1),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 100, 450, 600),
        fc.option(who, { nil: null }),
      )
      .map(([mode, rate, remaining, hangMs, w]) => new MicFault(mode, rate, remaining, hangMs, w)),
  },
  { weight: 1, arbitrary: fc.constant(null).map(() => new ClearFault()) },
  {
    weight: 2,
    // Up to what fills an untouched card (¥1,000) to the cap: M.I.C. refuses more.
    arbitrary: fc.tuple(who, yen(19_000)).map(([w, amount]) => new Campus('cash', w, amount)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(who, fc.constantFrom(0, 500, 1000, 3000))
      .map(([w, leave]) => new Campus('fill', w, leave)),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(who, yen(5000)).map(([w, amount]) => new Campus('purchase', w, amount)),
  },
  { weight: 1, arbitrary: nth.map((n) => new Refund(n)) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        who,
        fc.uniqueArray(
          fc.record({
            type: fc.constantFrom(...CERT_TYPES),
            lang: fc.constantFrom<'ja' | 'en'>('ja', 'en'),
            copies: fc.integer({ min: 1, max: 2 }),
          }),
          { minLength: 1, maxLength: 2, selector: (l) => `${l.type}_${l.lang}` },
        ),
        fc.constantFrom(...PAYMENT_METHODS),
        fc.boolean(),
        fc.boolean(),
      )
      .map(([w, lines, method, recipient, twice]) => new Order(w, lines, method, recipient, twice)),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        nth,
        fc.constantFrom<HostedMode>('pay', 'pay', 'pay-no-return', 'declined-then-pay', 'cancel'),
        fc.constantFrom<StoreWhen>('now', 'now', 'just-before-deadline', 'late-report'),
        fc.constantFrom(false, false, true),
      )
      .map(([n, mode, when, hold]) => new PayOrder(n, mode, when, hold)),
  },
  { weight: 1, arbitrary: who.map((w) => new AddHold(w)) },
  { weight: 1, arbitrary: who.map((w) => new RemoveHold(w)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 5, max: 180 }).map((min) => new RegistrarMaintenance(min)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('fail' as const, 'timeout' as const, 'lose-response' as const),
        fc.constantFrom(0.5, 1),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(0, 50, 200),
        fc.option(who, { nil: null }),
      )
      .map(([mode, rate, remaining, ms, w]) => new RegistrarFaults(mode, rate, remaining, ms, w)),
  },
  { weight: 1, arbitrary: fc.constant(null).map(() => new RegistrarBack()) },
  { weight: 1, arbitrary: who.map((w) => new CapProbe(w)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        nth,
        fc.constantFrom<MoneyBackHow>(
          'refund',
          'partial-refund',
          'chargeback',
          'partial-chargeback',
        ),
      )
      .map(([n, how]) => new MoneyBack(n, how)),
  },
)

// --- one run: start, settle, check ---------------------------------------------------------------

let runs = 0
const totals: Record<string, number> = {}

/**
 * The run's students start clean: whatever an earlier run left held is refunded, and each
 * card is brought back to ¥1,000 by a purchase, so there is room under the cap again. What
 * the run is checked against starts here: the applications made from now on, and each
 * card's ledger from its current length and balance.
 */
const startRun = async (): Promise<{ model: Model; real: Run }> => {
  const index = runs++
  const group = Array.from(
    { length: PER_RUN },
    (_, i) => USERS[(index * PER_RUN + i) % USERS.length]!,
  )
  await mic().setFault(NO_FAULT)
  await gateway().settings({
    paused: false,
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
  })
  await registrar.setFault({ mode: 'none' })
  await registrar.setMaintenance({ daily: null, windows: [] })
  await moveClock(jstAtOrAfter(now(), 12))
  const students: Student[] = group.map((userId) => ({ userId, client: null, lastUsed: 0 }))
  for (const st of students) {
    await registrar.change('demo', st.userId, { holds: [] })
    for (const a of await appsOf([st.userId]))
      if (a.status === 'paid' && ['held', 'partly_refunded'].includes(a.credit_status)) {
        const client = await signedIn(st)
        await client.post(`/applications/${a.id}/refund`, {})
      }
    const balance = (await mic().card(card(st.userId)))?.balance ?? INITIAL_BALANCE
    if (balance > INITIAL_BALANCE) await mic().purchase(card(st.userId), balance - INITIAL_BALANCE)
  }
  const startId = (await env.DB.prepare(
    'SELECT COALESCE(MAX(id), 0) AS id FROM applications',
  ).first<{ id: number }>())!.id
  const l = await ledger()
  const start = new Map(
    group.map((userId) => {
      const c = entriesOf(l, userId)
      return [userId, { entries: c.entries.length, balance: c.balance }]
    }),
  )
  return {
    model: {
      apps: [],
      paused: false,
      faultBudget: FAULT_BUDGET,
      holds: new Set(),
      heldEver: new Set(),
      registrarBudget: REGISTRAR_FAULT_BUDGET,
      registrarTrouble: false,
    },
    real: { index, students, startId, start, events: [], stats: {} },
  }
}

const IN_PROGRESS = ['pending', 'deferred', 'retrying']

/**
 * Waits until every webhook KOMOJU holds about these applications has been delivered and
 * every event the service accepted (from KOMOJU or by hand) has been applied by the queue
 * consumer, which runs on its own.
 */
const drainWebhooks = async (r: Run, ids: Set<string>) => {
  let ours: Delivery[] = []
  for (let i = 0; i < 10; i++) {
    await gateway().flush()
    const payments = new Set(
      (await gateway().payments())
        .filter((p) => p.external_order_num !== null && ids.has(p.external_order_num))
        .map((p) => p.id),
    )
    const deliveries = ((await gateway().deliveries()) as { data: Delivery[] }).data
    ours = deliveries.filter((d) => payments.has(d.payment_id))
    if (ours.every((d) => d.done_at !== null)) break
    await sleep(200)
  }
  const accepted = [
    ...ours.filter((d) => d.last_status !== null && d.last_status < 300).map((d) => d.id),
    ...r.events,
  ]
  const unapplied = async () =>
    (await env.DB.prepare(
      `SELECT COUNT(*) AS n FROM (SELECT value FROM json_each(?)) e
       LEFT JOIN payment_notifications p ON p.event_id = e.value
       WHERE p.applied_at IS NULL`,
    )
      .bind(JSON.stringify(accepted))
      .first<{ n: number }>())!.n
  const deadline = Date.now() + 10_000
  while ((await unapplied()) > 0) {
    if (Date.now() > deadline) {
      print(`run ${r.index}: ${await unapplied()} accepted webhook(s) still not applied after 10 s`)
      break
    }
    await sleep(100)
  }
}

/**
 * Everything back to normal, then the clock past every deadline, stop window, backoff and
 * hold recheck, with the cron, until nothing is left waiting.
 */
const settle = async (r: Run) => {
  await mic().setFault(NO_FAULT)
  // The registrar back too (a hold stays: the office's decision, not a fault).
  await registrar.setFault({ mode: 'none' })
  await registrar.setMaintenance({ daily: null, windows: [] })
  await gateway().settings({
    paused: false,
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
  })
  const users = r.students.map((s) => s.userId)
  for (let round = 0; ; round++) {
    const ids = new Set((await appsOf(users, r.startId)).map((a) => String(a.id)))
    await drainWebhooks(r, ids)
    const rows = await appsOf(users, r.startId)
    const open = rows.filter(
      (a) =>
        a.status === 'awaiting_payment' ||
        (a.status === 'paid' && IN_PROGRESS.includes(a.credit_status)),
    )
    if (round > 0 && open.length === 0) return
    if (round >= 12)
      throw new Error(
        `run ${r.index} did not settle: ${open.map((a) => `#${a.id} ${a.status}/${a.credit_status}`).join(', ')}`,
      )
    const waits = rows
      .filter((a) => a.status === 'paid' && [...IN_PROGRESS, 'held'].includes(a.credit_status))
      .map((a) => (a.next_credit_at ?? 0) + 1000)
    const deadlines = rows
      .filter((a) => a.status === 'awaiting_payment')
      .map((a) => a.payment_deadline + MINUTE)
    // Noon JST is in no stop window (daily, month-end or fiscal-year-end).
    await moveClock(jstAtOrAfter(Math.max(now() + 31 * MINUTE, ...waits, ...deadlines), 12))
    await runCron()
  }
}

const PAID_BACK = ['captured', 'refunded']
/** Credit states in which the credit is on the card (a later reversal does not undo it). */
const ON_CARD = ['credited', 'reversed']
/** What the service credits (or credited) for an application: its amount, or a net. */
const creditedOf = (a: Pick<AppRow, 'amount' | 'credit_amount'>) => a.credit_amount ?? a.amount
/** What KOMOJU still holds of a payment as captured. */
const netOf = (p: { status: string; amount: number; amount_refunded?: number }) =>
  p.status === 'captured' ? p.amount - (p.amount_refunded ?? 0) : 0
const sum = (list: { amount: number }[]) => list.reduce((s, e) => s + e.amount, 0)

/**
 * The invariants, for this run: its applications (id above startId) and, on each card, the
 * ledger entries made since the run started. (Earlier runs were checked when they ended;
 * scoping each run to itself keeps a failure from spilling into the runs fast-check tries
 * while shrinking it.)
 */
const checkInvariants = async (r: Run, m: Model) => {
  const users = r.students.map((s) => s.userId)
  const all = await appsOf(users)
  const mine = all.filter((a) => a.id > r.startId)
  const byId = new Map(all.map((a) => [a.id, a]))
  const byKey = new Map(all.map((a) => [keyOf(a.id), a]))
  const payments = (await gateway().payments()).filter(
    (p) =>
      p.external_order_num !== null &&
      Number(p.external_order_num) > r.startId &&
      byId.has(Number(p.external_order_num)),
  )
  const l = await ledger()

  // 1. Every payment KOMOJU captured is credited exactly once, held, or refunded: never
  //    未払い, キャンセル, still awaiting payment, or lost.
  const seen = new Map<number, string>()
  for (const p of payments.filter((p) => PAID_BACK.includes(p.status))) {
    const a = byId.get(Number(p.external_order_num))!
    const what = `KOMOJU payment ${p.id} (${p.status}, ¥${p.amount}) of application ${a.id} (${a.payment_method}, ${a.status}/${a.credit_status})`
    expect(seen.get(a.id), `${what}: a second captured payment for one application`).toBeUndefined()
    seen.set(a.id, p.id)
    expect(p.amount, what).toBe(a.amount)
    expect(a.provider_payment_id, `${what}: the application does not know this payment`).toBe(p.id)
    const net = netOf(p)
    // 5. Money that went back at KOMOJU (refund, chargeback, in full or in part) is never
    //    credited: the application is 返金済み, or partly refunded and not credited, or, if
    //    it went back after the credit, in the named after-credit state.
    if (a.credit_status === 'credited')
      expect(
        creditedOf(a),
        `${what}: credited ¥${creditedOf(a)} but KOMOJU holds ¥${net}`,
      ).toBeLessThanOrEqual(net)
    if (p.status === 'refunded')
      expect(
        a.status === 'refunded' || a.credit_status === 'reversed',
        `${what}: refunded at KOMOJU, neither 返金済み nor reversed`,
      ).toBe(true)
    else {
      expect(a.status, `${what}: money received but the application says otherwise`).toBe('paid')
      // `refunding`: the student asked for the money back and KOMOJU has not confirmed it
      // yet (never credited, see 2.); otherwise credited or held; partly refunded before
      // the credit, or reversed after it, only when KOMOJU gave some back.
      // A certificate order is never held (no cap): issued, or (refused by the registrar
      // after a payment KOMOJU cannot refund) waiting for the student's bank account.
      const allowed =
        a.kind === 'certificate'
          ? ['credited', 'refunding', ...(hasDeadline(a.payment_method) ? ['refused'] : [])]
          : ['credited', 'held', 'refunding']
      if (net < p.amount) allowed.push('partly_refunded', 'reversed')
      expect(allowed, `${what}: neither credited nor held`).toContain(a.credit_status)
    }
  }
  // … and nothing is paid, refunded or credited without KOMOJU's money behind it.
  for (const a of mine) {
    if (ON_CARD.includes(a.credit_status))
      expect(a.status, `application ${a.id} credited but ${a.status}`).toBe('paid')
    if ((a.status !== 'paid' && a.status !== 'refunded') || seen.has(a.id)) continue
    const res = await fetch(`http://komoju.test/api/v1/payments/${a.provider_payment_id}`, {
      headers: { authorization: `Basic ${btoa(`${env.KOMOJU_SECRET_KEY}:`)}` },
    })
    const p = res.ok ? ((await res.json()) as { status: string; amount: number }) : null
    expect(
      p !== null && PAID_BACK.includes(p.status) && p.amount === a.amount,
      `application ${a.id} is ${a.status}/${a.credit_status} but KOMOJU's payment ${a.provider_payment_id} is ${p?.status ?? 'missing'}`,
    ).toBe(true)
  }

  for (const st of r.students) {
    const userId = st.userId
    const c = entriesOf(l, userId)
    const start = r.start.get(userId)!
    const before = c.entries.slice(0, start.entries)
    const run = c.entries.slice(start.entries)
    const credits = run.filter((e) => e.kind === 'credit')
    // 2. No application credited twice: every credit M.I.C. applied in this run has a key
    //    of its own (on the whole card), belongs to an application the service calls
    //    credited, with that application's amount; each of this run's credited
    //    applications has exactly one credit; the others have none.
    const keys = credits.map((e) => e.idempotencyKey!)
    const earlier = new Set(before.map((e) => e.idempotencyKey))
    expect(new Set(keys).size, `${userId}: one idempotency key credited twice`).toBe(keys.length)
    for (const e of credits) {
      expect(earlier.has(e.idempotencyKey), `${userId}: ${e.idempotencyKey} credited again`).toBe(
        false,
      )
      const a = byKey.get(e.idempotencyKey!)
      expect(
        a,
        `${userId}: a credit ${e.idempotencyKey} for no application of theirs`,
      ).toBeDefined()
      expect(a!.kind, `${userId}: M.I.C. credited certificate order ${a!.id}`).toBe('mic_charge')
      expect(
        ['paid/credited', 'paid/reversed'],
        `${userId}: M.I.C. credited application ${a!.id} (¥${e.amount})`,
      ).toContain(`${a!.status}/${a!.credit_status}`)
      expect(e.amount, `${userId}: application ${a!.id} credited with another amount`).toBe(
        creditedOf(a!),
      )
    }
    const charges = mine.filter((a) => a.kind === 'mic_charge')
    const creditedKeys = charges
      .filter((a) => a.user_id === userId && ON_CARD.includes(a.credit_status))
      .map((a) => keyOf(a.id))
    for (const key of creditedKeys)
      expect(
        keys.filter((k) => k === key).length,
        `${userId}: ${key} is credited by the service, not exactly once at M.I.C.`,
      ).toBe(1)
    // A certificate order never sends a credit to M.I.C., issued or not.
    const uncredited = mine.filter(
      (a) =>
        a.user_id === userId && (a.kind === 'certificate' || !ON_CARD.includes(a.credit_status)),
    )
    for (const a of uncredited)
      expect(
        c.entries.some((e) => e.idempotencyKey === keyOf(a.id)),
        `${userId}: M.I.C. has a credit for application ${a.id} (${a.status}/${a.credit_status})`,
      ).toBe(false)
    // 3. What M.I.C. credited is what the service recorded as credited; the balance is
    //    where it started plus the credits and cash charges, minus the purchases.
    expect(sum(credits), `${userId}: credits on the card against the service's`).toBe(
      sum(keys.map((k) => ({ amount: creditedOf(byKey.get(k)!) }))),
    )
    expect(
      run.every((e) => ['credit', 'cash', 'purchase'].includes(e.kind)),
      `${userId}: unexpected ledger entries ${JSON.stringify(run)}`,
    ).toBe(true)
    expect(c.balance, `${userId}: balance against the run's ledger`).toBe(start.balance + sum(run))
    expect(c.balance, `${userId}: balance against the whole ledger`).toBe(
      l.initialBalance + sum(c.entries),
    )
    // 4. No card over the cap, ever.
    for (const e of run)
      expect(e.balanceAfter, `${userId}: over the cap after a ${e.kind}`).toBeLessThanOrEqual(CAP)
  }
  expect(l.initialBalance).toBe(INITIAL_BALANCE)
  // 4. M.I.C. never refused a credit over the cap unless a cash charge filled the card.
  await overCapByMic(r)
  await checkCertificates(
    r,
    m,
    mine.filter((a) => a.kind === 'certificate'),
    payments,
  )

  for (const a of mine) count(r, `${a.status}/${a.credit_status}`)
}

/** The registrar's record of a model student: enrolled, with grades, a health check and an
 * expected graduation, so that every type the model orders can be issued. */
const modelRecord = (userId: string) => ({
  student_number: `26M${userId.slice(-4)}`,
  status: 'enrolled',
  name: { kanji: '模型 花子', kana: 'モケイ ハナコ', roman: 'MOKEI Hanako' },
  date_of_birth: '2005-07-01',
  faculty: { ja: '理工学部', en: 'Faculty of Science and Engineering' },
  department: { ja: '情報科学科', en: 'Department of Computer Science' },
  enrolled_on: '2024-04-01',
  graduation: { on: '2028-03-20', expected: true },
  degree: null,
  leave: null,
  grades: [
    {
      code: 'CS110',
      course: { ja: 'プログラミング基礎', en: 'Foundations of Programming' },
      year: 2024,
      term: 'spring',
      credits: 2,
      grade: 'A',
    },
  ],
  health: {
    checked_on: '2026-04-08',
    height_cm: 165.0,
    weight_kg: 55.5,
    vision: { right: '0.8', left: '0.9', corrected: true },
    chest_xray: { ja: '異常なし', en: 'No abnormality' },
    overall: { ja: '異常なし', en: 'Normal' },
  },
  holds: [],
})

type LineRow = {
  id: number
  application_id: number
  type: string
  language: string
  copies: number
  unit_fee: number
}
type CertificateRow = {
  id: number
  application_id: number
  line_id: number
  copy: number
  type: string
  language: string
  object_key: string
  issued_at: number
  replaces_id: number | null
  revoked_at: number | null
}
type Issuance = {
  idempotencyKey: string
  certificate: string
  language: string
  copies: number
}

const inIds = <T>(sql: string, ids: number[]) =>
  env.DB.prepare(sql)
    .bind(JSON.stringify(ids))
    .all<T>()
    .then((x) => x.results)

/**
 * The certificate orders' invariants, for the run's orders (settled: nothing in progress):
 * 6. every order has its lines, whose fees are its amount, and never a credit at M.I.C.;
 * 7. the registrar's ledger has at most one issuance per order line, the line's own;
 * 8. an order KOMOJU holds in full and the registrar did not refuse is issued, with exactly
 *    one stored certificate per copy (never more), each from the line's issuance;
 * 9. no certificate for an order not issued, nor one issued after KOMOJU gave the money back
 *    (beyond the window in which the service takes its word that it holds the payment);
 * 10. an order the registrar refused after payment (a hold the model put on) is refunded
 *    (card …) or refundable to a bank account (コンビニ, Pay-easy), with no certificate.
 */
const checkCertificates = async (
  r: Run,
  m: Model,
  orders: AppRow[],
  payments: Awaited<ReturnType<ReturnType<typeof gateway>['payments']>>,
) => {
  if (orders.length === 0) return
  const ids = orders.map((a) => a.id)
  const lines = await inIds<LineRow>(
    'SELECT * FROM certificate_lines WHERE application_id IN (SELECT value FROM json_each(?)) ORDER BY id',
    ids,
  )
  const certs = await inIds<CertificateRow>(
    'SELECT * FROM certificates WHERE application_id IN (SELECT value FROM json_each(?)) ORDER BY id',
    ids,
  )
  const byLine = new Map<number, Issuance[]>()
  for (const st of r.students) {
    const { issuances } = await registrar.issuances(
      `?university=demo&user=${st.userId}&limit=10000`,
    )
    for (const i of issuances as unknown as Issuance[]) {
      const key = /^demo-application-(\d+)-line-(\d+)/.exec(i.idempotencyKey)
      if (!key || !ids.includes(Number(key[1]))) continue
      const line = lines.find((l) => l.id === Number(key[2]))
      expect(
        line?.application_id,
        `the registrar issued ${i.idempotencyKey}, a line of no such order`,
      ).toBe(Number(key[1]))
      byLine.set(line!.id, [...(byLine.get(line!.id) ?? []), i])
    }
  }
  for (const a of orders) {
    const what = `certificate order ${a.id} (${a.user_id}, ${a.payment_method}, ¥${a.amount}, ${a.status}/${a.credit_status}${a.credit_error ? `, ${a.credit_error}` : ''})`
    const own = lines.filter((l) => l.application_id === a.id)
    const issued = certs.filter((c) => c.application_id === a.id)
    const p = payments.find((x) => x.external_order_num === String(a.id))
    // 6.
    expect(own.length, `${what}: an application without its lines`).toBeGreaterThan(0)
    expect(sum(own.map((l) => ({ amount: l.copies * l.unit_fee }))), what).toBe(a.amount)
    expect(a.credit_sent_at, `${what}: sent to M.I.C.`).toBeNull()
    // 7.
    for (const l of own) {
      const iss = byLine.get(l.id) ?? []
      expect(iss.length, `${what}: line ${l.id} issued ${iss.length} times`).toBeLessThanOrEqual(1)
      if (iss[0])
        expect(
          [iss[0].certificate, iss[0].language, iss[0].copies],
          `${what}: line ${l.id}'s issuance`,
        ).toEqual([l.type, l.language, l.copies])
    }
    const done = a.status === 'paid' && ON_CARD.includes(a.credit_status)
    if (!done) {
      // 9. Nothing in force: a line issued before the money went back (or the registrar
      // refused the next) is revoked with it.
      expect(
        issued
          .filter((c) => c.revoked_at === null)
          .map((c) => `${c.type}/${c.language} #${c.copy}`),
        `${what}: certificates in force for an order not issued`,
      ).toEqual([])
    } else {
      // 8.
      for (const l of own) {
        expect(
          issued
            .filter((c) => c.line_id === l.id)
            .map((c) => c.copy)
            .sort((x, y) => x - y),
          `${what}: line ${l.id} (${l.type}/${l.language}×${l.copies}), one certificate per copy`,
        ).toEqual(Array.from({ length: l.copies }, (_, i) => i + 1))
        expect(
          byLine.get(l.id)?.length,
          `${what}: line ${l.id} not in the registrar's ledger`,
        ).toBe(1)
      }
      expect(issued.length, `${what}: certificates beyond the copies paid for`).toBe(
        sum(own.map((l) => ({ amount: l.copies }))),
      )
      for (const c of issued) {
        const l = own.find((x) => x.id === c.line_id)!
        expect([c.type, c.language, c.replaces_id], what).toEqual([l.type, l.language, null])
        expect(await env.CERTIFICATES.head(c.object_key), `${what}: ${c.object_key}`).not.toBeNull()
      }
      // 9. issued while KOMOJU held the money.
      const back = ((p as { refunds?: { created_at: string }[] } | undefined)?.refunds ?? []).map(
        (x) => Date.parse(x.created_at),
      )
      if (back.length > 0)
        for (const c of issued)
          expect(
            c.issued_at,
            `${what}: certificate ${c.id} issued at ${jstText(c.issued_at)}, after KOMOJU gave the money back at ${jstText(Math.min(...back))}`,
          ).toBeLessThanOrEqual(Math.min(...back) + GATEWAY_FRESH_MS + 5000)
    }
    // 8. KOMOJU holds it all and the registrar did not refuse: issued.
    const refused =
      a.credit_status === 'refused' ||
      (a.status === 'refunded' &&
        a.credit_status === 'refunding' &&
        (a.credit_error ?? '').startsWith('registrar:'))
    if (p && p.status === 'captured' && netOf(p) === p.amount && !refused)
      expect(
        `${a.status}/${a.credit_status}`,
        `${what}: KOMOJU holds the payment, nothing issued`,
      ).toBe('paid/credited')
    // 10.
    if (refused) {
      const w = r.students.findIndex((s) => s.userId === a.user_id)
      expect(m.heldEver.has(w), `${what}: refused by the registrar without a hold`).toBe(true)
      expect(a.credit_error, what).toMatch(/^registrar: hold/)
      if (hasDeadline(a.payment_method))
        expect(
          refundableToBankAccount({
            status: a.status as 'paid',
            creditStatus: a.credit_status as 'refused',
            creditSentAt: a.credit_sent_at,
            paymentMethod: a.payment_method,
          }),
          `${what}: refused, not refundable to a bank account`,
        ).toBe(true)
      else {
        expect(a.status, `${what}: refused after payment, not refunded`).toBe('refunded')
        expect(p?.status, `${what}: refunded, KOMOJU still holds it`).toBe('refunded')
      }
    }
    count(r, `order ${a.status}/${a.credit_status}`)
  }
}

beforeAll(async () => {
  if (QUIET)
    for (const level of ['log', 'info', 'warn', 'error'] as const)
      vi.spyOn(console, level).mockImplementation(() => {})
  // Noon JST by the development clock, moving forward from wherever it was.
  clockBase = testNow()
  clockSetAt = Date.now()
  await moveClock(jstAtOrAfter(testNow() + MINUTE, 12))
  for (const userId of USERS) {
    await registrar.change('demo', userId, modelRecord(userId))
    const onboarded = await env.DB.prepare(
      "SELECT 1 FROM students WHERE university_id = 'demo' AND user_id = ? AND second_password_hash IS NOT NULL",
    )
      .bind(userId)
      .first()
    if (!onboarded) await ready(userId)
  }
}, 120_000)

afterAll(async () => {
  vi.restoreAllMocks()
  await registrar.setFault({ mode: 'none' })
  await registrar.setMaintenance({ daily: null, windows: [] })
  // The next test file finds the clock where the suite had it (this file moved it months on).
  await setClock(testNow())
  await mic().setFault(NO_FAULT)
  await gateway().settings({
    paused: false,
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
  })
})

it(
  'keeps every payment credited exactly once, or held, under random sequences of payments, webhooks, clocks, faults and campus events',
  { timeout: 900_000 },
  async () => {
    const seed = SEED ?? Date.now() % 2_147_483_647
    print(`model seed ${seed} (${RUNS} runs of up to ${MAX_COMMANDS} commands)`)
    const started = Date.now()
    await fc.assert(
      fc.asyncProperty(
        // A failure is shrunk at most 25 times: each try is a whole run of the real system.
        fc.limitShrink(fc.commands([commandArbs], { maxCommands: MAX_COMMANDS, size: 'max' }), 25),
        async (cmds) => {
          const { model, real } = await startRun()
          const t0 = Date.now()
          try {
            await fc.asyncModelRun(() => ({ model, real }), cmds)
            await settle(real)
            await checkInvariants(real, model)
          } finally {
            for (const [k, v] of Object.entries(real.stats)) totals[k] = (totals[k] ?? 0) + v
            const outcomes = Object.entries(real.stats)
              .filter(([k]) => k.includes('/'))
              .map(([k, v]) => `${k} ${v}`)
            print(
              `run ${real.index} (${real.students[0]!.userId}…, ${jstText(now())} JST, ${((Date.now() - t0) / 1000).toFixed(1)} s; ${outcomes.join(', ') || 'no application'}): ${String(cmds)}`,
            )
          }
        },
      ),
      {
        seed,
        path: PATH,
        numRuns: RUNS,
        endOnFailure: false,
        plugins: [fc.interruptAfterTimeLimit(600_000)],
      },
    )
    print(`model: ${runs} runs in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    print(
      `model totals: ${Object.entries(totals)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    )
  },
)

import { and, desc, eq, gte, inArray, lt, or, sql, type Column } from 'drizzle-orm'
import type { MicCreditRecord } from '../../adapters/mic'
import {
  PaymentProviderError,
  type GatewayPayment,
  type GatewayPaymentStatus,
} from '../../adapters/payments'
import type { Db } from '../../db'
import {
  applications,
  reconciliationDifferences,
  reconciliationRuns,
  staffMembers,
  students,
  universities,
} from '../../db/schema'
import {
  creditAmountOf,
  netCaptured,
  type CreditStatus,
  type PaymentStatus,
} from '../../domain/application'
import { blackoutAt } from '../../domain/blackout'
import { universityFromRow, type University } from '../../domain/university'
import type { Services } from '../../services'
import type { Application } from '../charge'
import { creditKey } from '../crediting'

/**
 * 突合 (reconciliation): for one university and one JST day, the gateway's captured and
 * refunded payments, our applications and M.I.C.'s credits are compared, and every place
 * where they disagree is kept as a difference of a named kind. Each of the three is read
 * from where it lives (KOMOJU's list, D1, M.I.C.'s list); if KOMOJU or M.I.C. cannot be
 * read, the run is kept with the error and compares nothing, since half a picture would
 * show differences that are not there.
 */

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const JST = 9 * HOUR

export const DIFFERENCE_KINDS = [
  /** Captured at the gateway (and, normally, paid here), no M.I.C. credit. */
  'paid_not_credited',
  /** An M.I.C. credit with no captured payment behind it. */
  'credited_without_payment',
  /** The gateway's, the application's and M.I.C.'s amounts are not all the same. */
  'amount_differs',
  /** The money went back at the gateway, yet the card was credited, and we did not know it. */
  'refunded_but_credited',
  /**
   * The money went back at the gateway after the credit, and the application says so
   * (`reversed`): known, alerted, on 要対応 until staff close it; listed on its own line.
   */
  'reversed_after_credit',
  /** A payment at the gateway that belongs to no application. */
  'unknown_payment',
] as const
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number]

/** What staff need to read a difference: the states of each side involved. */
export interface DifferenceDetail {
  paymentStatus?: GatewayPaymentStatus | 'missing'
  amountRefunded?: number
  applicationStatus?: PaymentStatus
  creditStatus?: CreditStatus
  /** Our order number the gateway holds (unknown payments). */
  orderRef?: string | null
  /** The key and card of an M.I.C. credit (credits without a payment). */
  idempotencyKey?: string
  userId?: string
}

export interface Difference {
  kind: DifferenceKind
  applicationId: number | null
  paymentId: string | null
  micCreditId: string | null
  gatewayAmount: number | null
  applicationAmount: number | null
  micAmount: number | null
  detail: DifferenceDetail
}

// ---- JST days ------------------------------------------------------------------------------

const DAY_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/

/** A JST calendar day "YYYY-MM-DD" as the instants [start, end); null if it is no real day. */
export const jstDayRange = (day: string): { start: number; end: number } | null => {
  const m = DAY_FORMAT.exec(day)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = Date.UTC(y, mo - 1, d)
  const back = new Date(utc)
  // Date.UTC rolls 2026-02-30 over into March: only a day that comes back unchanged is real.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return null
  return { start: utc - JST, end: utc - JST + DAY }
}

/** The JST day an instant falls on, "YYYY-MM-DD". */
export const jstDayOf = (ms: number) => new Date(ms + JST).toISOString().slice(0, 10)

// ---- the comparison (pure) -----------------------------------------------------------------

/** The application columns the comparison reads. */
export type ReconciledApplication = Pick<
  Application,
  | 'id'
  | 'kind'
  | 'universityId'
  | 'amount'
  | 'status'
  | 'creditStatus'
  | 'providerPaymentId'
  | 'micCreditId'
  | 'paidAt'
  | 'refundedAt'
  | 'creditAmount'
  | 'reversalResolvedAt'
>

export interface DaySides {
  universityId: string
  range: { start: number; end: number }
  /**
   * The gateway's payments by id: its list (created from far enough back to hold every
   * payment captured or refunded in the day) plus the single lookups `paymentsToLookUp`
   * asked for; a looked-up id the gateway does not know maps to null.
   */
  payments: ReadonlyMap<string, GatewayPayment | null>
  /** Every application the comparison may meet (see `applicationsNeeded`), any university. */
  applications: readonly ReconciledApplication[]
  /** M.I.C.'s credits to the university's cards from the day's start on. */
  credits: readonly MicCreditRecord[]
}

const within = (t: number | null, r: { start: number; end: number }) =>
  t !== null && t >= r.start && t < r.end
const isMoney = (p: GatewayPayment) => p.status === 'captured' || p.status === 'refunded'
/** Captured or refunded in the day: what the gateway side of the day is. */
const gatewayDay = (p: GatewayPayment, r: DaySides['range']) =>
  isMoney(p) && (within(p.capturedAt, r) || within(p.refundedAt, r))
/** Ours, paid or refunded in the day: what the applications side of the day is. */
const applicationDay = (a: ReconciledApplication, s: Pick<DaySides, 'universityId' | 'range'>) =>
  a.universityId === s.universityId && (within(a.paidAt, s.range) || within(a.refundedAt, s.range))

const APPLICATION_KEY = /^(.+):application:(\d{1,12})$/

/** The application id a credit's idempotency key names, if it is one of ours for `universityId`. */
const applicationIdOfKey = (key: string, universityId: string) => {
  const m = APPLICATION_KEY.exec(key)
  return m && m[1] === universityId ? Number(m[2]) : null
}

/**
 * What must be read besides the two lists: the applications the lists point at (by
 * payment id, order number, credit key) and those of the day itself.
 */
export const applicationsNeeded = (
  universityId: string,
  range: DaySides['range'],
  payments: Iterable<GatewayPayment>,
  credits: readonly MicCreditRecord[],
) => {
  const paymentIds: string[] = []
  const ids = new Set<number>()
  for (const p of payments) {
    if (!gatewayDay(p, range)) continue
    paymentIds.push(p.id)
    if (p.orderRef && /^\d{1,12}$/.test(p.orderRef)) ids.add(Number(p.orderRef))
  }
  for (const c of credits) {
    const id = applicationIdOfKey(c.idempotencyKey, universityId)
    if (id !== null) ids.add(id)
  }
  return { paymentIds, applicationIds: [...ids] }
}

/**
 * The payments to ask the gateway about one by one: those of the day's applications, and
 * of applications credited in the day, that its list did not hold (captured on another
 * day, or opened longer ago than the list reaches).
 */
export const paymentsToLookUp = (s: Omit<DaySides, 'payments'>, listed: ReadonlySet<string>) => {
  const wanted = new Set<string>()
  const creditedIds = new Set(
    s.credits
      .filter((c) => within(c.appliedAt, s.range))
      .map((c) => applicationIdOfKey(c.idempotencyKey, s.universityId)),
  )
  for (const a of s.applications)
    if (
      a.providerPaymentId &&
      !listed.has(a.providerPaymentId) &&
      a.universityId === s.universityId &&
      (applicationDay(a, s) || creditedIds.has(a.id))
    )
      wanted.add(a.providerPaymentId)
  return [...wanted]
}

/**
 * Compares the three sides of a day. Each gateway payment of the day is judged with its
 * application and that application's M.I.C. credit; then each credit of the day not met
 * that way is judged with its application and payment. A payment of another university
 * sharing the merchant account is that university's business and not counted here.
 *
 * A payment captured in the day whose credit is still on its way (deferred to a stop
 * window's end, retrying, held over the cap …) is listed as paid_not_credited with the
 * application's credit state: staff must see every yen not yet on a card, and the state
 * says whether anyone needs to act.
 */
export const compareDay = (s: DaySides) => {
  const byPaymentId = new Map<string, ReconciledApplication>()
  const byId = new Map<number, ReconciledApplication>()
  for (const a of s.applications) {
    byId.set(a.id, a)
    if (a.providerPaymentId) byPaymentId.set(a.providerPaymentId, a)
  }
  const creditsByKey = new Map(s.credits.map((c) => [c.idempotencyKey, c]))
  const creditsById = new Map(s.credits.map((c) => [c.creditId, c]))
  const creditOf = (a: ReconciledApplication) =>
    creditsByKey.get(creditKey(a)) ?? (a.micCreditId ? creditsById.get(a.micCreditId) : undefined)
  const applicationOf = (p: GatewayPayment) => {
    const known = byPaymentId.get(p.id)
    if (known) return known
    // A hosted payment is found by our order number before we learnt its id; never an
    // application that already has another payment.
    const byOrder =
      p.orderRef && /^\d{1,12}$/.test(p.orderRef) ? byId.get(Number(p.orderRef)) : null
    return byOrder && (byOrder.providerPaymentId ?? p.id) === p.id ? byOrder : null
  }

  const differences: Difference[] = []
  const met = new Set<MicCreditRecord>()
  const judged = new Set<string>()
  let gatewayCount = 0

  const judge = (p: GatewayPayment, a: ReconciledApplication, c: MicCreditRecord | undefined) => {
    // On the card more than the gateway still holds: money went back after the credit.
    const overCredited = c !== undefined && c.amount > netCaptured(p)
    // A certificate order is never on a card: only the gateway's amount is compared.
    const kind: DifferenceKind | null =
      a.kind === 'certificate'
        ? p.status !== 'refunded' && p.amount !== a.amount
          ? 'amount_differs'
          : null
        : overCredited
          ? a.creditStatus === 'reversed'
            ? 'reversed_after_credit'
            : 'refunded_but_credited'
          : p.status === 'refunded'
            ? null // the money went back and nothing was credited: settled
            : p.amount !== a.amount || (c && c.amount !== creditAmountOf(a))
              ? 'amount_differs'
              : !c
                ? 'paid_not_credited'
                : null
    if (kind)
      differences.push({
        kind,
        applicationId: a.id,
        paymentId: p.id,
        micCreditId: c?.creditId ?? null,
        gatewayAmount: p.amount,
        applicationAmount: a.amount,
        micAmount: c?.amount ?? null,
        detail: {
          paymentStatus: p.status,
          ...(p.amountRefunded > 0 ? { amountRefunded: p.amountRefunded } : {}),
          applicationStatus: a.status,
          creditStatus: a.creditStatus,
        },
      })
  }

  const dayPayments = [...s.payments.values()].filter(
    (p): p is GatewayPayment => p !== null && isMoney(p),
  )
  const ourDay = new Set(
    s.applications.filter((a) => applicationDay(a, s)).map((a) => a.providerPaymentId),
  )
  for (const p of dayPayments) {
    if (!gatewayDay(p, s.range) && !ourDay.has(p.id)) continue
    const a = applicationOf(p)
    if (a && a.universityId !== s.universityId) continue
    gatewayCount++
    judged.add(p.id)
    if (!a) {
      differences.push({
        kind: 'unknown_payment',
        applicationId: null,
        paymentId: p.id,
        micCreditId: null,
        gatewayAmount: p.amount,
        applicationAmount: null,
        micAmount: null,
        detail: { paymentStatus: p.status, orderRef: p.orderRef },
      })
      continue
    }
    const c = creditOf(a)
    if (c) met.add(c)
    judge(p, a, c)
  }

  const dayCredits = s.credits.filter((c) => within(c.appliedAt, s.range))
  for (const c of dayCredits) {
    if (met.has(c)) continue
    const id = applicationIdOfKey(c.idempotencyKey, s.universityId)
    const a = id !== null ? byId.get(id) : undefined
    const p = a?.providerPaymentId ? s.payments.get(a.providerPaymentId) : null
    if (a && a.universityId === s.universityId && p && isMoney(p)) {
      // Captured on another day (a credit deferred past midnight, a held credit that fit
      // later): judged like the day's own, once.
      if (!judged.has(p.id)) judge(p, a, c)
      continue
    }
    differences.push({
      kind: 'credited_without_payment',
      applicationId: a?.id ?? null,
      paymentId: a?.providerPaymentId ?? null,
      micCreditId: c.creditId,
      gatewayAmount: p?.amount ?? null,
      applicationAmount: a?.amount ?? null,
      micAmount: c.amount,
      detail: {
        idempotencyKey: c.idempotencyKey,
        userId: c.userId,
        ...(a ? { applicationStatus: a.status, creditStatus: a.creditStatus } : {}),
        ...(a?.providerPaymentId ? { paymentStatus: p?.status ?? 'missing' } : {}),
      },
    })
  }

  const order = (d: Difference) => DIFFERENCE_KINDS.indexOf(d.kind)
  differences.sort(
    (x, y) =>
      order(x) - order(y) ||
      (x.applicationId ?? Infinity) - (y.applicationId ?? Infinity) ||
      (x.paymentId ?? x.micCreditId ?? '').localeCompare(y.paymentId ?? y.micCreditId ?? ''),
  )
  return {
    differences,
    counts: {
      gateway: gatewayCount,
      applications: s.applications.filter((a) => applicationDay(a, s)).length,
      mic: dayCredits.length,
    },
  }
}

// ---- reading the sides and keeping the run -------------------------------------------------

/** How far past the day M.I.C.'s credits are read: a payment's credit can land later. */
const CREDIT_LOOKAHEAD_MS = 31 * DAY
/** Beyond the payment deadline, how much earlier a payment captured in the day may be opened. */
const LIST_MARGIN_MS = DAY

/** Why a run compared nothing; the console words each (reconcileError…). */
export const RUN_ERRORS = [
  'incomplete',
  'gateway_not_configured',
  'gateway_unavailable',
  'mic_blackout',
  'mic_unavailable',
  'internal',
] as const
export type RunError = (typeof RUN_ERRORS)[number]

class SideUnreadable extends Error {
  constructor(
    readonly code: RunError,
    detail = '',
  ) {
    super(detail)
  }
}

/** The code part of a stored error ("gateway_unavailable: HTTP 500"). */
export const runErrorCode = (error: string | null): RunError | null => {
  if (error === null) return null
  const code = error.split(':', 1)[0]
  return (RUN_ERRORS as readonly string[]).includes(code!) ? (code as RunError) : 'internal'
}

const APPLICATION_COLUMNS = {
  id: applications.id,
  kind: applications.kind,
  universityId: applications.universityId,
  amount: applications.amount,
  status: applications.status,
  creditStatus: applications.creditStatus,
  providerPaymentId: applications.providerPaymentId,
  micCreditId: applications.micCreditId,
  paidAt: applications.paidAt,
  refundedAt: applications.refundedAt,
  creditAmount: applications.creditAmount,
  reversalResolvedAt: applications.reversalResolvedAt,
}

const jsonList = (values: readonly (string | number)[]) =>
  sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`

const loadApplications = async (
  db: Db,
  provider: string,
  universityId: string,
  range: DaySides['range'],
  needed: { paymentIds: string[]; applicationIds: number[] },
): Promise<ReconciledApplication[]> => {
  const inDay = (column: Column) => and(gte(column, range.start), lt(column, range.end))
  const rows = await db
    .select(APPLICATION_COLUMNS)
    .from(applications)
    .where(
      or(
        and(
          eq(applications.universityId, universityId),
          or(inDay(applications.paidAt), inDay(applications.refundedAt)),
        ),
        and(
          eq(applications.provider, provider),
          inArray(applications.providerPaymentId, jsonList(needed.paymentIds)),
        ),
        inArray(applications.id, jsonList(needed.applicationIds)),
      ),
    )
    .all()
  return rows
}

/** Reads the three sides of the day; throws SideUnreadable when KOMOJU or M.I.C. cannot answer. */
const readSides = async (
  s: Pick<Services, 'db' | 'mic' | 'payments'>,
  u: University,
  range: DaySides['range'],
  now: number,
): Promise<DaySides> => {
  const provider = s.payments(u)
  if (!provider) throw new SideUnreadable('gateway_not_configured')
  const gateway = async <T>(read: () => Promise<T>) => {
    try {
      return await read()
    } catch (e) {
      if (e instanceof PaymentProviderError)
        throw new SideUnreadable('gateway_unavailable', e.message)
      throw e
    }
  }
  // M.I.C. first: in its stop windows it answers nothing, and then KOMOJU need not be asked.
  const micTo = Math.max(range.start + 1, Math.min(now, range.end + CREDIT_LOOKAHEAD_MS))
  const mic = await s.mic.credits(u.id, { from: range.start, to: micTo })
  if (!mic.ok)
    throw mic.error === 'blackout'
      ? new SideUnreadable('mic_blackout')
      : new SideUnreadable('mic_unavailable', 'detail' in mic ? mic.detail : '')
  // KOMOJU lists by creation time: a store payment captured in the day may have been
  // opened up to its deadline before.
  const from = range.start - u.paymentDeadlineDays * DAY - LIST_MARGIN_MS
  const listed = await gateway(() => provider.listPayments({ from, to: range.end }))

  const needed = applicationsNeeded(u.id, range, listed, mic.credits)
  const apps = await loadApplications(s.db, provider.id, u.id, range, needed)
  const payments = new Map<string, GatewayPayment | null>(listed.map((p) => [p.id, p]))
  const sides = { universityId: u.id, range, applications: apps, credits: mic.credits }
  for (const id of paymentsToLookUp(sides, new Set(payments.keys())))
    payments.set(id, await gateway(() => provider.payment(id)))
  return { ...sides, payments }
}

/** D1 takes at most 100 bound values a statement: differences go in by nines (10 columns). */
const DIFFERENCE_ROWS_PER_INSERT = 9

/** Compares the day and writes the outcome into run `runId` (started as `incomplete`). */
const completeRun = async (s: Services, u: University, day: string, runId: number) => {
  const range = jstDayRange(day)!
  const now = s.clock()
  let update: Partial<typeof reconciliationRuns.$inferInsert>
  let differences: Difference[] = []
  try {
    const result = compareDay(await readSides(s, u, range, now))
    differences = result.differences
    update = {
      gatewayCount: result.counts.gateway,
      applicationCount: result.counts.applications,
      micCount: result.counts.mic,
      differenceCount: differences.length,
      error: null,
    }
  } catch (e) {
    if (!(e instanceof SideUnreadable)) console.error('reconciliation failed', u.id, day, e)
    const code = e instanceof SideUnreadable ? e.code : 'internal'
    const detail = e instanceof SideUnreadable ? e.message : String(e)
    update = { error: detail ? `${code}: ${detail}`.slice(0, 500) : code }
  }
  const inserts = []
  for (let i = 0; i < differences.length; i += DIFFERENCE_ROWS_PER_INSERT)
    inserts.push(
      s.db.insert(reconciliationDifferences).values(
        differences.slice(i, i + DIFFERENCE_ROWS_PER_INSERT).map((d) => ({
          runId,
          kind: d.kind,
          applicationId: d.applicationId,
          paymentId: d.paymentId,
          micCreditId: d.micCreditId,
          gatewayAmount: d.gatewayAmount,
          applicationAmount: d.applicationAmount,
          micAmount: d.micAmount,
          detail: JSON.stringify(d.detail),
        })),
      ),
    )
  // The run and its differences in one batch: a run never shows half its differences.
  await s.db.batch([
    s.db.update(reconciliationRuns).set(update).where(eq(reconciliationRuns.id, runId)),
    ...inserts,
  ])
  return runId
}

/**
 * A member's 突合を実行: the day compared now, whatever ran before. Returns the run's id
 * (the run is kept with its error when a side could not be read).
 */
export const reconcileOnDemand = async (
  s: Services,
  u: University,
  day: string,
  memberId: number,
): Promise<number> => {
  if (!jstDayRange(day)) throw new Error(`not a day: ${day}`)
  const run = await s.db
    .insert(reconciliationRuns)
    .values({ universityId: u.id, day, ranAt: s.clock(), ranBy: memberId, error: 'incomplete' })
    .returning({ id: reconciliationRuns.id })
    .get()
  return completeRun(s, u, day, run.id)
}

/** The nightly run waits this long past the daily stop window (05:00), so deferred credits land. */
export const NIGHTLY_AT_MS = 5 * HOUR + 10 * MINUTE
/** A nightly run that could not read a side is tried again this much later. */
export const NIGHTLY_RETRY_MS = HOUR

/**
 * Claims the nightly run of `day` for the university: exactly one cron pass gets it (one
 * statement, so two overlapping crons cannot both), unless an earlier nightly run of the
 * day failed more than an hour ago.
 */
const claimNightly = async (db: Db, universityId: string, day: string, now: number) => {
  const row = await db.$client
    .prepare(
      `INSERT INTO reconciliation_runs (university_id, day, ran_at, ran_by, error)
       SELECT ?1, ?2, ?3, NULL, 'incomplete'
       WHERE NOT EXISTS (SELECT 1 FROM reconciliation_runs
         WHERE university_id = ?1 AND day = ?2 AND ran_by IS NULL
           AND (error IS NULL OR ran_at > ?4))
       RETURNING id`,
    )
    .bind(universityId, day, now, now - NIGHTLY_RETRY_MS)
    .first<{ id: number }>()
  return row?.id ?? null
}

/**
 * Cron: once the night's stop window is over (from 05:10 JST, and never while the
 * university's M.I.C. link is stopped or has just reopened), yesterday is reconciled for
 * every university whose gateway account is configured (without keys nothing can have
 * been paid), once per university and day.
 */
export const reconcileNightly = async (s: Services, now: number) => {
  const sinceMidnight = (now + JST) % DAY
  if (sinceMidnight < NIGHTLY_AT_MS) return { ran: 0 }
  const day = jstDayOf(now - DAY)
  let ran = 0
  for (const row of await s.db.select().from(universities).all()) {
    const u = universityFromRow(row)
    if (!s.payments(u)) continue
    const settle = NIGHTLY_AT_MS - 5 * HOUR
    if (
      blackoutAt(now, u.fiscalYearEndBlackouts) ||
      blackoutAt(now - settle, u.fiscalYearEndBlackouts)
    )
      continue
    try {
      const runId = await claimNightly(s.db, u.id, day, now)
      if (runId === null) continue
      await completeRun(s, u, day, runId)
      ran++
    } catch (e) {
      // One university's trouble must not keep the others (or the rest of the cron) waiting.
      console.error('nightly reconciliation failed', u.id, day, e)
    }
  }
  return { ran }
}

// ---- reading runs for the console ----------------------------------------------------------

export type ReconciliationRun = typeof reconciliationRuns.$inferSelect & {
  universityName: string
  universityNameEn: string
  ranByName: string | null
}

const runColumns = {
  id: reconciliationRuns.id,
  universityId: reconciliationRuns.universityId,
  day: reconciliationRuns.day,
  ranAt: reconciliationRuns.ranAt,
  ranBy: reconciliationRuns.ranBy,
  gatewayCount: reconciliationRuns.gatewayCount,
  applicationCount: reconciliationRuns.applicationCount,
  micCount: reconciliationRuns.micCount,
  differenceCount: reconciliationRuns.differenceCount,
  error: reconciliationRuns.error,
  universityName: universities.name,
  universityNameEn: universities.nameEn,
  ranByName: staffMembers.name,
}

const runsQuery = (db: Db) =>
  db
    .select(runColumns)
    .from(reconciliationRuns)
    .innerJoin(universities, eq(universities.id, reconciliationRuns.universityId))
    .leftJoin(staffMembers, eq(staffMembers.id, reconciliationRuns.ranBy))

/** The latest runs a member may see: their university's, or (scope null) every university's. */
export const latestRuns = (
  db: Db,
  scope: string | null,
  limit = 50,
): Promise<ReconciliationRun[]> =>
  runsQuery(db)
    .where(scope === null ? undefined : eq(reconciliationRuns.universityId, scope))
    .orderBy(desc(reconciliationRuns.id))
    .limit(limit)
    .all()

/** One run, if the member's scope covers its university (else null, as if it did not exist). */
export const runInScope = async (
  db: Db,
  runId: number,
  scope: string | null,
): Promise<ReconciliationRun | null> =>
  (await runsQuery(db)
    .where(
      and(
        eq(reconciliationRuns.id, runId),
        scope === null ? undefined : eq(reconciliationRuns.universityId, scope),
      ),
    )
    .get()) ?? null

export type StoredDifference = Omit<Difference, 'detail'> & { id: number; detail: DifferenceDetail }

export const differencesOf = async (db: Db, runId: number): Promise<StoredDifference[]> => {
  const rows = await db
    .select()
    .from(reconciliationDifferences)
    .where(eq(reconciliationDifferences.runId, runId))
    .orderBy(reconciliationDifferences.id)
    .all()
  return rows.map((r) => ({
    ...r,
    kind: r.kind as DifferenceKind,
    detail: r.detail ? (JSON.parse(r.detail) as DifferenceDetail) : {},
  }))
}

/** The universities a member may reconcile: their own, or every one for the call centre. */
export const universitiesInScope = async (db: Db, scope: string | null): Promise<University[]> =>
  (
    await db
      .select()
      .from(universities)
      .where(scope === null ? undefined : eq(universities.id, scope))
      .orderBy(universities.id)
      .all()
  ).map(universityFromRow)

/** Nightly runs are the cron's: no member asked for them. */
export const isNightly = (run: Pick<ReconciliationRun, 'ranBy'>) => run.ranBy === null

/** The student a difference is about, as 突合's CSV names them. */
export interface DifferenceStudent {
  userId: string
  nameKana: string
}

/**
 * The student of each difference (by the difference's id), for the CSV: through its
 * application, or, for a credit M.I.C. made without one of our applications, through the card's
 * ユーザID. A difference with no student (a payment unknown to us) has no entry. One read.
 */
export const studentsOfDifferences = async (
  db: Db,
  universityId: string,
  differences: readonly StoredDifference[],
): Promise<Map<number, DifferenceStudent>> => {
  const applicationIds = [
    ...new Set(differences.flatMap((d) => (d.applicationId === null ? [] : [d.applicationId]))),
  ]
  const userIds = [
    ...new Set(
      differences.flatMap((d) =>
        d.applicationId === null && d.detail.userId ? [d.detail.userId] : [],
      ),
    ),
  ]
  if (applicationIds.length === 0 && userIds.length === 0) return new Map()
  // D1 binds at most 100 values a statement: a run's differences are few, but read in slices.
  const slice = <T>(xs: T[]) =>
    Array.from({ length: Math.ceil(xs.length / 90) }, (_, i) => xs.slice(i * 90, i * 90 + 90))
  const rows = (
    await Promise.all([
      ...slice(applicationIds).map((ids) =>
        db
          .select({
            applicationId: applications.id,
            userId: students.userId,
            nameKana: students.nameKana,
          })
          .from(applications)
          .innerJoin(students, eq(students.id, applications.studentId))
          .where(and(eq(applications.universityId, universityId), inArray(applications.id, ids)))
          .all(),
      ),
      ...slice(userIds).map((ids) =>
        db
          .select({
            applicationId: sql<null>`NULL`,
            userId: students.userId,
            nameKana: students.nameKana,
          })
          .from(students)
          .where(and(eq(students.universityId, universityId), inArray(students.userId, ids)))
          .all(),
      ),
    ])
  ).flat()
  const byApplication = new Map(
    rows.flatMap((r) => (r.applicationId === null ? [] : [[r.applicationId, r] as const])),
  )
  const byUser = new Map(rows.map((r) => [r.userId, r] as const))
  const out = new Map<number, DifferenceStudent>()
  for (const d of differences) {
    const r =
      d.applicationId !== null
        ? byApplication.get(d.applicationId)
        : d.detail.userId
          ? byUser.get(d.detail.userId)
          : undefined
    if (r) out.set(d.id, { userId: r.userId, nameKana: r.nameKana })
  }
  return out
}

import {
  and,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  or,
  sql,
  type AnyColumn,
} from 'drizzle-orm'
import type { Db } from '../../db'
import { applications, paymentNotifications, refundRequests, universities } from '../../db/schema'
import type { BlackoutKind } from '../../domain/blackout'
import { jstParts } from '../../domain/time'
import type { BlackoutPeriod } from '../../domain/university'
import { universityFromRow, type University } from '../../domain/university'
import type { ConsoleKey } from '../../i18n/console'

/**
 * 要対応: everything that waits for a person, whatever made it so. Each kind names where it
 * lives: a credit state of a paid application, a refund waiting for a second member's
 * approval, or a gateway event we could not place or could not apply.
 */
export const TRIAGE_KINDS = [
  'stalled',
  'refused',
  'retrying',
  'mismatch',
  'held',
  'partly_refunded',
  'fraud',
  'reversed',
  'refund',
  'unmatched',
  'deadLettered',
] as const
export type TriageKind = (typeof TRIAGE_KINDS)[number]

/** Each kind's name in the console's catalogue (i18n/console/triage.ts). */
export const TRIAGE_KIND_LABEL: Record<TriageKind, ConsoleKey> = {
  stalled: 'triageKindStalled',
  refused: 'triageKindRefused',
  retrying: 'triageKindRetrying',
  mismatch: 'triageKindMismatch',
  held: 'triageKindHeld',
  partly_refunded: 'triageKindPartlyRefunded',
  fraud: 'triageKindFraud',
  reversed: 'triageKindReversed',
  refund: 'triageKindRefund',
  unmatched: 'triageKindUnmatched',
  deadLettered: 'triageKindDeadLettered',
}

/**
 * A credit M.I.C. keeps failing needs a person once the student may be on the telephone:
 * the error mail goes out at the first failure and tells them to call if the charge has
 * not arrived 30 minutes later. With the backoff of 1, 2, 4, 8, 16 minutes the 6th
 * attempt fails 31 minutes after the first, so from then on it is listed (before the
 * retry bound makes it `stalled`).
 */
export const RETRYING_NEEDS_PERSON_ATTEMPTS = 6

/** Credit states listed as they are; `retrying` only past RETRYING_NEEDS_PERSON_ATTEMPTS. */
const CREDIT_KINDS = [
  'stalled',
  'refused',
  'retrying',
  'mismatch',
  'held',
  'partly_refunded',
  'fraud',
  'reversed',
] as const
type CreditKind = (typeof CREDIT_KINDS)[number]
const isCreditKind = (k: TriageKind): k is CreditKind =>
  (CREDIT_KINDS as readonly string[]).includes(k)

export interface TriageItem {
  kind: TriageKind
  universityId: string | null
  /** The 発行申請番号, when the item belongs to (or could be matched with) an application. */
  applicationId: number | null
  /** The gateway event (unmatched, dead-lettered). */
  eventId: string | null
  /** The gateway's payment id, when known. */
  paymentId: string | null
  /** The refund request waiting for approval. */
  refundRequestId: number | null
  amount: number | null
  /** Since when it has needed a person: when it entered this state. */
  since: number
  /** M.I.C. attempts so far (credit kinds). */
  attempts: number | null
  /** When its university's staff were alerted about it (the row's staff_alert_at). */
  alertedAt: number | null
}

export interface TriageFilter {
  /** One university, or null for every one (the call centre). */
  scope: string | null
  kinds?: readonly TriageKind[]
  /** Only what has needed a person since this instant or earlier. */
  sinceAtMost?: number
  /** Only what no alert was sent about, at a university that has a staff address. */
  alertable?: boolean
  limit?: number
}

const DEFAULT_LIMIT = 300

/**
 * When an application entered its current credit state: the newest credit event (written
 * by the trigger on `applications`) whose state changed. Repeated attempts in the same
 * state (retrying → retrying) and a held credit's re-checks do not move it; a row older
 * than the events table falls back to its last update. Column names are qualified by hand:
 * drizzle writes a bare "id" inside sql``, which the subquery would read as its own.
 */
const enteredCreditState = sql<number>`coalesce((
  select max(e.at) from application_events e
  where e.application_id = "applications"."id" and e.kind = 'credit'
    and json_extract(e.detail, '$.from') is not json_extract(e.detail, '$.to')
), "applications"."updated_at")`

/** SQL: the university of `table`'s row has an address to alert. */
const hasAlertAddress = (table: 'applications' | 'refund_requests' | 'payment_notifications') =>
  sql.raw(
    `exists (select 1 from universities u where u.id = "${table}"."university_id" and u.staff_alert_email is not null)`,
  )

const creditCondition = (kinds: readonly CreditKind[]) => {
  const plain = kinds.filter((k) => k !== 'retrying' && k !== 'reversed')
  return or(
    plain.length ? inArray(applications.creditStatus, plain) : undefined,
    // Money the gateway gave back after the credit: until staff close it.
    kinds.includes('reversed')
      ? and(eq(applications.creditStatus, 'reversed'), isNull(applications.reversalResolvedAt))
      : undefined,
    kinds.includes('retrying')
      ? and(
          eq(applications.creditStatus, 'retrying'),
          gte(applications.creditAttempts, RETRYING_NEEDS_PERSON_ATTEMPTS),
        )
      : undefined,
  )
}

const creditItems = async (
  db: Db,
  f: TriageFilter,
  kinds: readonly CreditKind[],
  limit: number,
) => {
  if (kinds.length === 0) return []
  const rows = await db
    .select({
      id: applications.id,
      universityId: applications.universityId,
      creditStatus: applications.creditStatus,
      attempts: applications.creditAttempts,
      amount: applications.amount,
      paymentId: applications.providerPaymentId,
      since: enteredCreditState,
      alertedAt: applications.staffAlertAt,
    })
    .from(applications)
    .where(
      and(
        // A refunded application is settled whatever its credit state says.
        eq(applications.status, 'paid'),
        creditCondition(kinds),
        f.scope === null ? undefined : eq(applications.universityId, f.scope),
        f.sinceAtMost === undefined ? undefined : lte(enteredCreditState, f.sinceAtMost),
        f.alertable
          ? and(isNull(applications.staffAlertAt), hasAlertAddress('applications'))
          : undefined,
      ),
    )
    .orderBy(enteredCreditState)
    .limit(limit)
    .all()
  return rows.map((r): TriageItem => ({
    kind: r.creditStatus as CreditKind,
    universityId: r.universityId,
    applicationId: r.id,
    eventId: null,
    paymentId: r.paymentId,
    refundRequestId: null,
    amount: r.amount,
    since: r.since,
    attempts: r.attempts,
    alertedAt: r.alertedAt,
  }))
}

const refundItems = async (db: Db, f: TriageFilter, limit: number) => {
  const rows = await db
    .select({
      id: refundRequests.id,
      applicationId: refundRequests.applicationId,
      universityId: refundRequests.universityId,
      requestedAt: refundRequests.requestedAt,
      alertedAt: refundRequests.staffAlertAt,
      amount: applications.amount,
      paymentId: applications.providerPaymentId,
    })
    .from(refundRequests)
    .leftJoin(applications, eq(applications.id, refundRequests.applicationId))
    .where(
      and(
        isNull(refundRequests.decidedAt),
        f.scope === null ? undefined : eq(refundRequests.universityId, f.scope),
        f.sinceAtMost === undefined ? undefined : lte(refundRequests.requestedAt, f.sinceAtMost),
        f.alertable
          ? and(isNull(refundRequests.staffAlertAt), hasAlertAddress('refund_requests'))
          : undefined,
      ),
    )
    .orderBy(refundRequests.requestedAt)
    .limit(limit)
    .all()
  return rows.map((r): TriageItem => ({
    kind: 'refund',
    universityId: r.universityId,
    applicationId: r.applicationId,
    eventId: null,
    paymentId: r.paymentId,
    refundRequestId: r.id,
    amount: r.amount,
    since: r.requestedAt,
    attempts: null,
    alertedAt: r.alertedAt,
  }))
}

/** An event is unmatched once applied as such; dead-lettered while the dead-letter queue has not applied it. */
// A member may resolve either (routes/staff/events.tsx): then it no longer needs a person.
const unmatched = and(
  eq(paymentNotifications.outcome, 'unmatched'),
  isNull(paymentNotifications.resolvedAt),
)
const deadLettered = and(
  isNotNull(paymentNotifications.deadLetteredAt),
  isNull(paymentNotifications.appliedAt),
  isNull(paymentNotifications.resolvedAt),
)
const notificationSince = sql<number>`case when ${paymentNotifications.outcome} = 'unmatched' then ${paymentNotifications.receivedAt} else coalesce(${paymentNotifications.deadLetteredAt}, ${paymentNotifications.receivedAt}) end`

const notificationItems = async (
  db: Db,
  f: TriageFilter,
  kinds: readonly ('unmatched' | 'deadLettered')[],
  limit: number,
) => {
  if (kinds.length === 0) return []
  const rows = await db
    .select({
      eventId: paymentNotifications.eventId,
      universityId: paymentNotifications.universityId,
      paymentId: paymentNotifications.paymentId,
      outcome: paymentNotifications.outcome,
      since: notificationSince,
      alertedAt: paymentNotifications.staffAlertAt,
      // A dead-lettered event may name a payment we know: show its application.
      applicationId: applications.id,
      amount: applications.amount,
    })
    .from(paymentNotifications)
    .leftJoin(
      applications,
      and(
        eq(applications.provider, paymentNotifications.provider),
        eq(applications.providerPaymentId, paymentNotifications.paymentId),
      ),
    )
    .where(
      and(
        or(
          kinds.includes('unmatched') ? unmatched : undefined,
          // An unmatched event is listed once, as unmatched, even if it also went through
          // the dead-letter queue.
          kinds.includes('deadLettered')
            ? and(deadLettered, sql`${paymentNotifications.outcome} is not 'unmatched'`)
            : undefined,
        ),
        f.scope === null ? undefined : eq(paymentNotifications.universityId, f.scope),
        f.sinceAtMost === undefined ? undefined : lte(notificationSince, f.sinceAtMost),
        f.alertable
          ? and(isNull(paymentNotifications.staffAlertAt), hasAlertAddress('payment_notifications'))
          : undefined,
      ),
    )
    .orderBy(notificationSince)
    .limit(limit)
    .all()
  return rows.map((r): TriageItem => ({
    kind: r.outcome === 'unmatched' ? 'unmatched' : 'deadLettered',
    universityId: r.universityId,
    applicationId: r.applicationId,
    eventId: r.eventId,
    paymentId: r.paymentId,
    refundRequestId: null,
    amount: r.amount,
    since: r.since,
    attempts: null,
    alertedAt: r.alertedAt,
  }))
}

/** What needs a person, oldest first, at most `limit` items (default 300). */
export const needsPerson = async (db: Db, f: TriageFilter): Promise<TriageItem[]> => {
  const kinds = f.kinds ?? TRIAGE_KINDS
  const limit = f.limit ?? DEFAULT_LIMIT
  const parts = await Promise.all([
    creditItems(db, f, kinds.filter(isCreditKind), limit),
    kinds.includes('refund') ? refundItems(db, f, limit) : [],
    notificationItems(
      db,
      f,
      kinds.filter(
        (k): k is 'unmatched' | 'deadLettered' => k === 'unmatched' || k === 'deadLettered',
      ),
      limit,
    ),
  ])
  return parts
    .flat()
    .sort((a, b) => a.since - b.since)
    .slice(0, limit)
}

/** How many of each kind need a person in the scope: all of them, not only those listed. */
export const needsPersonCounts = async (
  db: Db,
  scope: string | null,
): Promise<Record<TriageKind, number>> => {
  const counts = Object.fromEntries(TRIAGE_KINDS.map((k) => [k, 0])) as Record<TriageKind, number>
  const [credits, refunds, notifications] = await Promise.all([
    db
      .select({ status: applications.creditStatus, n: sql<number>`count(*)` })
      .from(applications)
      .where(
        and(
          eq(applications.status, 'paid'),
          creditCondition(CREDIT_KINDS),
          scope === null ? undefined : eq(applications.universityId, scope),
        ),
      )
      .groupBy(applications.creditStatus)
      .all(),
    db
      .select({ n: sql<number>`count(*)` })
      .from(refundRequests)
      .where(
        and(
          isNull(refundRequests.decidedAt),
          scope === null ? undefined : eq(refundRequests.universityId, scope),
        ),
      )
      .get(),
    db
      .select({
        unmatched: sql<number>`coalesce(sum(case when ${paymentNotifications.outcome} = 'unmatched' then 1 else 0 end), 0)`,
        deadLettered: sql<number>`coalesce(sum(case when ${paymentNotifications.outcome} is not 'unmatched' then 1 else 0 end), 0)`,
      })
      .from(paymentNotifications)
      .where(
        and(
          or(unmatched, deadLettered),
          scope === null ? undefined : eq(paymentNotifications.universityId, scope),
        ),
      )
      .get(),
  ])
  for (const c of credits)
    if (isCreditKind(c.status as TriageKind)) counts[c.status as CreditKind] = c.n
  counts.refund = refunds?.n ?? 0
  counts.unmatched = notifications?.unmatched ?? 0
  counts.deadLettered = notifications?.deadLettered ?? 0
  return counts
}

/** The universities a member's pages speak of: one, or every one for the call centre. */
export const universitiesInScope = async (db: Db, scope: string | null): Promise<University[]> =>
  (
    await db
      .select()
      .from(universities)
      .where(scope === null ? undefined : eq(universities.id, scope))
      .orderBy(universities.id)
      .all()
  ).map(universityFromRow)

// ---- The chart: applications, payments and credits per hour ---------------------------

const HOUR = 60 * 60_000
const DAY = 24 * HOUR
const JST_OFFSET_MS = 9 * HOUR
export const CHART_HOURS = 48

export interface HourActivity {
  /** The hour's start (JST hours start on UTC hours: the offset is whole hours). */
  start: number
  applications: number
  payments: number
  credits: number
}

export interface Activity {
  from: number
  to: number
  hours: HourActivity[]
}

/**
 * Applications made, payments received and credits applied per hour over the last 48
 * hours, the current (partial) hour last: from applications.created_at, paid_at and
 * credited_at, in the member's scope.
 */
export const activityByHour = async (
  db: Db,
  scope: string | null,
  now: number,
): Promise<Activity> => {
  const to = Math.floor(now / HOUR) * HOUR + HOUR
  const from = to - CHART_HOURS * HOUR
  const perHour = (column: AnyColumn) => {
    const hour = sql<number>`cast((${column} - ${from}) / ${HOUR} as integer)`
    return db
      .select({ hour, n: sql<number>`count(*)` })
      .from(applications)
      .where(
        and(
          gte(column, from),
          lt(column, to),
          scope === null ? undefined : eq(applications.universityId, scope),
        ),
      )
      .groupBy(hour)
      .all()
  }
  const [made, paid, credited] = await Promise.all([
    perHour(applications.createdAt),
    perHour(applications.paidAt),
    perHour(applications.creditedAt),
  ])
  const hours: HourActivity[] = Array.from({ length: CHART_HOURS }, (_, i) => ({
    start: from + i * HOUR,
    applications: 0,
    payments: 0,
    credits: 0,
  }))
  const add = (
    rows: { hour: number; n: number }[],
    key: 'applications' | 'payments' | 'credits',
  ) => {
    for (const r of rows) {
      const h = hours[r.hour]
      if (h) h[key] = r.n
    }
  }
  add(made, 'applications')
  add(paid, 'payments')
  add(credited, 'credits')
  return { from, to, hours }
}

export interface StopWindow {
  kind: BlackoutKind
  start: number
  end: number
  /** For fiscal-year-end windows: the universities whose window it is. */
  universities: string[]
}

const jstMidnight = (ms: number) => Math.floor((ms + JST_OFFSET_MS) / DAY) * DAY - JST_OFFSET_MS

/**
 * The M.I.C. stop windows that fall in [from, to), cut to it: every day's 2:00–5:00, the
 * month's last day 23:30–24:00 (domain/blackout.ts, the same calendar the credits wait
 * for) and each university's fiscal-year-end periods; the same period of several
 * universities is one window naming them all.
 */
export const stopWindowsBetween = (
  from: number,
  to: number,
  universitiesInView: readonly {
    name: string
    fiscalYearEndBlackouts: readonly BlackoutPeriod[]
  }[],
): StopWindow[] => {
  const windows: StopWindow[] = []
  const push = (kind: BlackoutKind, start: number, end: number, names: string[] = []) => {
    const s = Math.max(start, from)
    const e = Math.min(end, to)
    if (s < e) windows.push({ kind, start: s, end: e, universities: names })
  }
  for (let midnight = jstMidnight(from); midnight < to; midnight += DAY) {
    push('daily', midnight + 2 * HOUR, midnight + 5 * HOUR)
    if (jstParts(midnight + DAY).day === 1)
      push('monthEnd', midnight + 23 * HOUR + 30 * 60_000, midnight + DAY)
  }
  const fiscal = new Map<string, { start: number; end: number; names: string[] }>()
  for (const u of universitiesInView)
    for (const p of u.fiscalYearEndBlackouts) {
      const key = `${p.start}-${p.end}`
      const known = fiscal.get(key)
      if (known) known.names.push(u.name)
      else fiscal.set(key, { start: p.start, end: p.end, names: [u.name] })
    }
  for (const w of fiscal.values()) push('fiscalYearEnd', w.start, w.end, w.names)
  return windows.sort((a, b) => a.start - b.start)
}

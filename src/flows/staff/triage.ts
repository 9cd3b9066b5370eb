import type { Db } from '../../db'
import { selectColumns } from '../../db/columns'
import { batchOf, select, type Read, type Row } from './reads'
import { universities } from '../../db/schema'
import type { BlackoutKind } from '../../domain/blackout'
import { jstParts } from '../../domain/time'
import type { BlackoutPeriod } from '../../domain/university'
import { universityFromRow, type University, type UniversityRow } from '../../domain/university'
import type { ConsoleKey } from '../../i18n/console'
import { CREDIT_LABEL } from './words'

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

/**
 * Each kind's name in the console's catalogue. A credit state is named as on every other
 * console page (flows/staff/words.ts CREDIT_LABEL); `retrying` is listed only past 30 minutes.
 */
export const TRIAGE_KIND_LABEL: Record<TriageKind, ConsoleKey> = {
  stalled: CREDIT_LABEL.stalled,
  refused: CREDIT_LABEL.refused,
  retrying: 'triageKindRetrying',
  mismatch: CREDIT_LABEL.mismatch,
  held: CREDIT_LABEL.held,
  partly_refunded: CREDIT_LABEL.partly_refunded,
  fraud: CREDIT_LABEL.fraud,
  reversed: CREDIT_LABEL.reversed,
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
  /** The desk's record of why the credit stopped (credit kinds), for its cause in words. */
  creditError: string | null
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

// ---- The queries: plain SQL, every one of them in one D1 batch ---------------------------
// 要対応 is the console's landing page: its counts, items, chart and universities are read
// in one `batch()` (one round trip), in plain SQL: drizzle's query builder and row mapping
// cost more CPU than the queries (bench/profile.ts). The values each kind names are the
// constants above, never anything a member typed; the scope and times are bound.

/**
 * When an application entered its current credit state: the newest credit event (written
 * by the trigger on `applications`) whose state changed. Repeated attempts in the same
 * state (retrying → retrying) and a held credit's re-checks do not move it; a row older
 * than the events table falls back to its last update.
 */
const ENTERED_CREDIT_STATE = `coalesce((
  select max(e.at) from application_events e
  where e.application_id = a.id and e.kind = 'credit'
    and json_extract(e.detail, '$.from') is not json_extract(e.detail, '$.to')
), a.updated_at)`

/** SQL: the university of the row (`alias.university_id`) has an address to alert. */
const hasAlertAddress = (alias: string) =>
  `exists (select 1 from universities u where u.id = ${alias}.university_id and u.staff_alert_email is not null)`

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ')

/** SQL: the application `a` is in one of these credit kinds (paid is checked apart). */
const creditCondition = (kinds: readonly CreditKind[]) => {
  const plain = kinds.filter((k) => k !== 'retrying' && k !== 'reversed')
  const parts: string[] = []
  if (plain.length) parts.push(`a.credit_status in (${quoted(plain)})`)
  // Money the gateway gave back after the credit: until staff close it.
  if (kinds.includes('reversed'))
    parts.push(`(a.credit_status = 'reversed' and a.reversal_resolved_at is null)`)
  if (kinds.includes('retrying'))
    parts.push(
      `(a.credit_status = 'retrying' and a.credit_attempts >= ${RETRYING_NEEDS_PERSON_ATTEMPTS})`,
    )
  return `(${parts.join(' or ')})`
}

const asItems = (rows: Row[]) => rows as unknown as TriageItem[]

const creditItems = (
  d1: D1Database,
  f: TriageFilter,
  kinds: readonly CreditKind[],
  limit: number,
) =>
  select(
    d1,
    `SELECT a.credit_status AS kind, a.university_id AS universityId, a.id AS applicationId, NULL AS eventId, a.provider_payment_id AS paymentId, NULL AS refundRequestId, a.amount AS amount, ${ENTERED_CREDIT_STATE} AS since, a.credit_attempts AS attempts, a.staff_alert_at AS alertedAt, a.credit_error AS creditError FROM applications a`,
    [
      // A refunded application is settled whatever its credit state says.
      `a.status = 'paid'`,
      creditCondition(kinds),
      f.scope === null ? null : ['a.university_id = ?', f.scope],
      f.sinceAtMost === undefined ? null : [`${ENTERED_CREDIT_STATE} <= ?`, f.sinceAtMost],
      f.alertable ? `a.staff_alert_at is null and ${hasAlertAddress('a')}` : null,
    ],
    ' ORDER BY since LIMIT ?',
    [limit],
    asItems,
  )

const refundItems = (d1: D1Database, f: TriageFilter, limit: number) =>
  select(
    d1,
    `SELECT 'refund' AS kind, r.university_id AS universityId, r.application_id AS applicationId, NULL AS eventId, a.provider_payment_id AS paymentId, r.id AS refundRequestId, a.amount AS amount, r.requested_at AS since, NULL AS attempts, r.staff_alert_at AS alertedAt, NULL AS creditError FROM refund_requests r LEFT JOIN applications a ON a.id = r.application_id`,
    [
      'r.decided_at is null',
      f.scope === null ? null : ['r.university_id = ?', f.scope],
      f.sinceAtMost === undefined ? null : ['r.requested_at <= ?', f.sinceAtMost],
      f.alertable ? `r.staff_alert_at is null and ${hasAlertAddress('r')}` : null,
    ],
    ' ORDER BY r.requested_at LIMIT ?',
    [limit],
    asItems,
  )

/** An event is unmatched once applied as such; dead-lettered while the dead-letter queue has not applied it. */
// A member may resolve either (routes/staff/events.tsx): then it no longer needs a person.
const UNMATCHED = `(n.outcome = 'unmatched' and n.resolved_at is null)`
const DEAD_LETTERED = `(n.dead_lettered_at is not null and n.applied_at is null and n.resolved_at is null)`
const NOTIFICATION_SINCE = `case when n.outcome = 'unmatched' then n.received_at else coalesce(n.dead_lettered_at, n.received_at) end`

const notificationItems = (
  d1: D1Database,
  f: TriageFilter,
  kinds: readonly ('unmatched' | 'deadLettered')[],
  limit: number,
) =>
  select(
    d1,
    // A dead-lettered event may name a payment we know: show its application.
    `SELECT CASE WHEN n.outcome = 'unmatched' THEN 'unmatched' ELSE 'deadLettered' END AS kind, n.university_id AS universityId, a.id AS applicationId, n.event_id AS eventId, n.payment_id AS paymentId, NULL AS refundRequestId, a.amount AS amount, ${NOTIFICATION_SINCE} AS since, NULL AS attempts, n.staff_alert_at AS alertedAt, NULL AS creditError FROM payment_notifications n LEFT JOIN applications a ON a.provider = n.provider AND a.provider_payment_id = n.payment_id`,
    [
      `(${[
        kinds.includes('unmatched') ? UNMATCHED : null,
        // An unmatched event is listed once, as unmatched, even if it also went through
        // the dead-letter queue.
        kinds.includes('deadLettered')
          ? `(${DEAD_LETTERED} and n.outcome is not 'unmatched')`
          : null,
      ]
        .filter((c) => c !== null)
        .join(' or ')})`,
      f.scope === null ? null : ['n.university_id = ?', f.scope],
      f.sinceAtMost === undefined ? null : [`${NOTIFICATION_SINCE} <= ?`, f.sinceAtMost],
      f.alertable ? `n.staff_alert_at is null and ${hasAlertAddress('n')}` : null,
    ],
    ' ORDER BY since LIMIT ?',
    [limit],
    asItems,
  )

/** The reads of what needs a person (one per place it lives), merged oldest first. */
const needsPersonReads = (d1: D1Database, f: TriageFilter) => {
  const kinds = f.kinds ?? TRIAGE_KINDS
  const limit = f.limit ?? DEFAULT_LIMIT
  const credit = kinds.filter(isCreditKind)
  const notification = kinds.filter(
    (k): k is 'unmatched' | 'deadLettered' => k === 'unmatched' || k === 'deadLettered',
  )
  const reads = [
    credit.length ? creditItems(d1, f, credit, limit) : null,
    kinds.includes('refund') ? refundItems(d1, f, limit) : null,
    notification.length ? notificationItems(d1, f, notification, limit) : null,
  ].filter((r) => r !== null)
  return {
    reads,
    merge: (parts: TriageItem[][]) =>
      parts
        .flat()
        .sort((a, b) => a.since - b.since)
        .slice(0, limit),
  }
}

/** What needs a person, oldest first, at most `limit` items (default 300). */
export const needsPerson = async (db: Db, f: TriageFilter): Promise<TriageItem[]> => {
  const { reads, merge } = needsPersonReads(db.$client, f)
  return merge(await batchOf(db.$client, reads))
}

/** How many of each kind need a person in the scope: all of them, not only those listed. */
const needsPersonCountReads = (d1: D1Database, scope: string | null) =>
  [
    select(
      d1,
      'SELECT a.credit_status AS status, count(*) AS n FROM applications a',
      [
        `a.status = 'paid'`,
        creditCondition(CREDIT_KINDS),
        scope === null ? null : ['a.university_id = ?', scope],
      ],
      ' GROUP BY a.credit_status',
      [],
      (rows) => rows as { status: string; n: number }[],
    ),
    select(
      d1,
      'SELECT count(*) AS n FROM refund_requests r',
      ['r.decided_at is null', scope === null ? null : ['r.university_id = ?', scope]],
      '',
      [],
      (rows) => (rows[0]?.n as number | undefined) ?? 0,
    ),
    select(
      d1,
      `SELECT coalesce(sum(case when n.outcome = 'unmatched' then 1 else 0 end), 0) AS unmatched, coalesce(sum(case when n.outcome is not 'unmatched' then 1 else 0 end), 0) AS deadLettered FROM payment_notifications n`,
      [
        `(${UNMATCHED} or ${DEAD_LETTERED})`,
        scope === null ? null : ['n.university_id = ?', scope],
      ],
      '',
      [],
      (rows) => rows[0] as { unmatched: number; deadLettered: number } | undefined,
    ),
  ] as const

const countsFrom = ([credits, refunds, notifications]: readonly [
  { status: string; n: number }[],
  number,
  { unmatched: number; deadLettered: number } | undefined,
]): Record<TriageKind, number> => {
  const counts = Object.fromEntries(TRIAGE_KINDS.map((k) => [k, 0])) as Record<TriageKind, number>
  for (const c of credits)
    if (isCreditKind(c.status as TriageKind)) counts[c.status as CreditKind] = c.n
  counts.refund = refunds
  counts.unmatched = notifications?.unmatched ?? 0
  counts.deadLettered = notifications?.deadLettered ?? 0
  return counts
}

/** How many of each kind need a person in the scope: all of them, not only those listed. */
export const needsPersonCounts = async (
  db: Db,
  scope: string | null,
): Promise<Record<TriageKind, number>> =>
  countsFrom(await batchOf(db.$client, needsPersonCountReads(db.$client, scope)))

const UNIVERSITY_COLUMNS = selectColumns(universities, 'u')

const universitiesRead = (d1: D1Database, scope: string | null) =>
  select(
    d1,
    `SELECT ${UNIVERSITY_COLUMNS} FROM universities u`,
    [scope === null ? null : ['u.id = ?', scope]],
    ' ORDER BY u.id',
    [],
    (rows) => (rows as unknown as UniversityRow[]).map(universityFromRow),
  )

/** The universities a member's pages speak of: one, or every one for the call centre. */
export const universitiesInScope = async (db: Db, scope: string | null): Promise<University[]> =>
  (await batchOf(db.$client, [universitiesRead(db.$client, scope)] as const))[0]

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

const chartSpan = (now: number) => {
  const to = Math.floor(now / HOUR) * HOUR + HOUR
  return { from: to - CHART_HOURS * HOUR, to }
}

const SERIES_COLUMNS = [
  ['applications', 'created_at'],
  ['payments', 'paid_at'],
  ['credits', 'credited_at'],
] as const

/** The chart's counts per series and hour, in one statement. */
const activityRead = (d1: D1Database, scope: string | null, now: number): Read<Activity> => {
  const { from, to } = chartSpan(now)
  const perHour = (series: string, column: string) =>
    `SELECT '${series}' AS series, cast((${column} - ?1) / ${HOUR} as integer) AS hour, count(*) AS n FROM applications WHERE ${column} >= ?1 AND ${column} < ?2${scope === null ? '' : ' AND university_id = ?3'} GROUP BY hour`
  const sql = SERIES_COLUMNS.map(([series, column]) => perHour(series, column)).join(' UNION ALL ')
  const statement = d1.prepare(sql).bind(...(scope === null ? [from, to] : [from, to, scope]))
  return {
    statement,
    decode: (rows) => {
      const hours: HourActivity[] = Array.from({ length: CHART_HOURS }, (_, i) => ({
        start: from + i * HOUR,
        applications: 0,
        payments: 0,
        credits: 0,
      }))
      for (const r of rows as {
        series: (typeof SERIES_COLUMNS)[number][0]
        hour: number
        n: number
      }[]) {
        const h = hours[r.hour]
        if (h) h[r.series] = r.n
      }
      return { from, to, hours }
    },
  }
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
): Promise<Activity> =>
  (await batchOf(db.$client, [activityRead(db.$client, scope, now)] as const))[0]

/**
 * Everything 要対応 shows, read in ONE D1 batch (one round trip after the session): the
 * counts, the items, the chart's hours and the universities in the member's scope.
 */
export const triageOverview = async (db: Db, scope: string | null, now: number) => {
  const d1 = db.$client
  const counts = needsPersonCountReads(d1, scope)
  const items = needsPersonReads(d1, { scope })
  const rest = [activityRead(d1, scope, now), universitiesRead(d1, scope)] as const
  const results = await batchOf(d1, [...counts, ...items.reads, ...rest] as const)
  const n = counts.length
  const m = items.reads.length
  return {
    counts: countsFrom(results.slice(0, n) as unknown as Parameters<typeof countsFrom>[0]),
    items: items.merge(results.slice(n, n + m) as TriageItem[][]),
    activity: results[n + m] as Activity,
    inScope: results[n + m + 1] as University[],
  }
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

import { and, asc, desc, eq, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db'
import {
  applicationEvents,
  applications,
  certificates,
  auditLog,
  mailLog,
  paymentNotifications,
  refundRequests,
  staffMembers,
  students,
  universities,
} from '../../db/schema'
import { containsText } from '../../db/text'
import {
  CREDIT_STATUSES,
  PAYMENT_STATUSES,
  type CreditStatus,
  type PaymentStatus,
} from '../../domain/application'
import { isPaymentMethod, type PaymentMethod } from '../../domain/paymentMethods'
import { universityScope, type StaffPrincipal } from '../../domain/staff'
import type { Application } from '../charge'

// ---- 検索 ----------------------------------------------------------------------------------

/** The most rows a search shows; the page says so when there were more. */
export const SEARCH_LIMIT = 100

/** 状態: one お支払いステータス or one チャージ状況, as the search form's select names them. */
export type StateFilter =
  { kind: 'payment'; status: PaymentStatus } | { kind: 'credit'; status: CreditStatus }

/** The select's values: `payment:paid`, `credit:stalled` … */
export const STATE_OPTIONS: readonly string[] = [
  ...PAYMENT_STATUSES.map((s) => `payment:${s}`),
  ...CREDIT_STATUSES.map((s) => `credit:${s}`),
]

export const parseStateFilter = (value: string): StateFilter | null => {
  const [kind, status] = value.split(':')
  if (kind === 'payment' && (PAYMENT_STATUSES as readonly string[]).includes(status ?? ''))
    return { kind, status: status as PaymentStatus }
  if (kind === 'credit' && (CREDIT_STATUSES as readonly string[]).includes(status ?? ''))
    return { kind, status: status as CreditStatus }
  return null
}

/** A search's terms, already checked; every one that is set must match. */
export interface SearchCriteria {
  applicationId: number | null
  userId: string | null
  nameKana: string | null
  email: string | null
  /** 支払番号 (コンビニ / Pay-easy) or the gateway's payment (or session) id. */
  paymentRef: string | null
  /** 申請日時 from this instant (inclusive) … */
  from: number | null
  /** … to this one (exclusive). */
  to: number | null
  state: StateFilter | null
  /** The call centre may pick one university; others are limited to theirs anyway. */
  universityId: string | null
}

/**
 * JST calendar day `YYYY-MM-DD` → the instant it starts; null when it is no real date.
 * `dayAfter` gives the start of the next day, for an inclusive "to" day.
 */
export const jstDayStart = (day: string, dayAfter = false): number | null => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = Date.UTC(y, mo - 1, d)
  const back = new Date(utc)
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return null
  return utc + (dayAfter ? 86_400_000 : 0) - 9 * 60 * 60_000
}

/**
 * 氏名カナ as people type it: half-width kana, hiragana and spaces of either width are
 * all read as the stored full-width katakana without spaces.
 */
export const normaliseKana = (s: string) =>
  s
    .normalize('NFKC')
    .replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60))
    .replace(/[\s\u3000]/g, '')

export interface SearchRow {
  id: number
  kind: Application['kind']
  universityId: string
  universityName: string
  studentId: number
  userId: string
  nameKana: string
  amount: number
  paymentMethod: PaymentMethod
  status: PaymentStatus
  creditStatus: CreditStatus
  createdAt: number
}

/**
 * Applications matching every term given, newest first, at most SEARCH_LIMIT. Always
 * limited to the member's university (`universityScope`); nothing of another university
 * can match, whatever was typed.
 */
export const searchApplications = async (
  db: Db,
  member: Pick<StaffPrincipal, 'universityId'>,
  c: SearchCriteria,
): Promise<{ rows: SearchRow[]; limited: boolean }> => {
  const scope = universityScope(member)
  const where: (SQL | undefined)[] = [
    scope === null ? undefined : eq(applications.universityId, scope),
    c.universityId === null ? undefined : eq(applications.universityId, c.universityId),
    c.applicationId === null ? undefined : eq(applications.id, c.applicationId),
    c.userId === null ? undefined : eq(students.userId, c.userId),
    c.nameKana === null
      ? undefined
      : containsText(
          sql`replace(replace(${students.nameKana}, ' ', ''), '　', '')`,
          normaliseKana(c.nameKana),
        ),
    c.email === null ? undefined : sql`lower(${students.email}) = ${c.email.toLowerCase()}`,
    c.paymentRef === null
      ? undefined
      : or(
          eq(applications.paymentNumber, c.paymentRef),
          eq(applications.providerPaymentId, c.paymentRef),
          eq(applications.providerSessionId, c.paymentRef),
        ),
    c.from === null ? undefined : gte(applications.createdAt, c.from),
    c.to === null ? undefined : lt(applications.createdAt, c.to),
    c.state === null
      ? undefined
      : c.state.kind === 'payment'
        ? eq(applications.status, c.state.status)
        : eq(applications.creditStatus, c.state.status),
  ]
  const found = await db
    .select({
      id: applications.id,
      kind: applications.kind,
      universityId: applications.universityId,
      universityName: universities.name,
      studentId: applications.studentId,
      userId: students.userId,
      nameKana: students.nameKana,
      amount: applications.amount,
      paymentMethod: applications.paymentMethod,
      status: applications.status,
      creditStatus: applications.creditStatus,
      createdAt: applications.createdAt,
    })
    .from(applications)
    .innerJoin(students, eq(students.id, applications.studentId))
    .innerJoin(universities, eq(universities.id, applications.universityId))
    .where(and(...where))
    .orderBy(desc(applications.createdAt), desc(applications.id))
    .limit(SEARCH_LIMIT + 1)
    .all()
  return { rows: found.slice(0, SEARCH_LIMIT), limited: found.length > SEARCH_LIMIT }
}

/** The universities the member may pick in 大学 (the call centre: every one). */
export const universitiesFor = (db: Db, member: Pick<StaffPrincipal, 'universityId'>) => {
  const scope = universityScope(member)
  return db
    .select({ id: universities.id, name: universities.name, nameEn: universities.nameEn })
    .from(universities)
    .where(scope === null ? undefined : eq(universities.id, scope))
    .orderBy(asc(universities.id))
    .all()
}

// ---- 申請詳細 --------------------------------------------------------------------------------

export type ScopedStudent = Pick<
  typeof students.$inferSelect,
  'id' | 'userId' | 'nameKana' | 'email'
>

/**
 * An application with its student, if the member may see it. Another university's
 * application is the same as one that does not exist: null either way, so a page can
 * never tell the two apart.
 */
export const scopedApplication = async (
  db: Db,
  member: Pick<StaffPrincipal, 'universityId'>,
  id: number,
): Promise<{ application: Application; student: ScopedStudent; universityName: string } | null> => {
  const scope = universityScope(member)
  const row = await db
    .select({
      application: applications,
      student: {
        id: students.id,
        userId: students.userId,
        nameKana: students.nameKana,
        email: students.email,
      },
      universityName: universities.name,
    })
    .from(applications)
    .innerJoin(students, eq(students.id, applications.studentId))
    .innerJoin(universities, eq(universities.id, applications.universityId))
    .where(
      and(
        eq(applications.id, id),
        scope === null ? undefined : eq(applications.universityId, scope),
      ),
    )
    .get()
  return row ?? null
}

/** The application's 返金 request waiting for a decision, with who asked. */
export const openRefundRequest = (db: Db, applicationId: number) =>
  db
    .select({
      id: refundRequests.id,
      requestedBy: refundRequests.requestedBy,
      requestedByName: staffMembers.name,
      requestedAt: refundRequests.requestedAt,
      reason: refundRequests.reason,
    })
    .from(refundRequests)
    .leftJoin(staffMembers, eq(staffMembers.id, refundRequests.requestedBy))
    .where(and(eq(refundRequests.applicationId, applicationId), isNull(refundRequests.decidedAt)))
    .get()

export type OpenRefundRequest = NonNullable<Awaited<ReturnType<typeof openRefundRequest>>>

/** The audit actions of 返金 (targetType 'refund', targetId the request's id). */
export const REFUND_AUDIT = {
  request: 'refund.request',
  approve: 'refund.approve',
  reject: 'refund.reject',
} as const

// ---- タイムライン ----------------------------------------------------------------------------

/** One line of the タイムライン: when, and what happened, for the view to put in words. */
export type TimelineEntry = { at: number } & (
  | { kind: 'applied'; amount: number; method: PaymentMethod | null; deadline: number | null }
  | {
      kind: 'opened'
      paymentId: string | null
      sessionId: string | null
      paymentNumber: string | null
    }
  | { kind: 'payment'; from: string | null; to: string | null; outcome: string | null }
  | {
      kind: 'credit'
      from: string | null
      to: string | null
      attempt: number
      answer: string | null
      micCreditId: string | null
      nextAt: number | null
    }
  | {
      kind: 'webhook'
      eventId: string
      type: string
      outcome: string | null
      appliedAt: number | null
    }
  | { kind: 'deadLettered'; eventId: string }
  | {
      kind: 'certificateIssued'
      type: (typeof certificates.$inferSelect)['type']
      language: 'ja' | 'en'
      issueNumber: string
      verificationCode: string
      replaces: boolean
    }
  | { kind: 'mail'; mailKind: string; to: string; result: string; error: string | null }
  | {
      kind: 'staff'
      staffName: string
      action: string
      reason: string | null
      after: Record<string, unknown> | null
    }
  | { kind: 'refundRequested'; staffName: string; reason: string }
  | {
      kind: 'refundDecided'
      staffName: string
      decision: 'approved' | 'rejected'
      result: string | null
      reason: string | null
    }
)

const parseJson = (text: string | null): Record<string, unknown> => {
  if (!text) return {}
  try {
    const v: unknown = JSON.parse(text)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
const str = (v: unknown) => (typeof v === 'string' ? v : null)
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** An application_events row (written by the triggers of migrations/0006) as a line. */
const fromEvent = (e: { at: number; kind: string; detail: string }): TimelineEntry | null => {
  const d = parseJson(e.detail)
  switch (e.kind) {
    case 'applied': {
      const method = str(d.method)
      return {
        at: e.at,
        kind: 'applied',
        amount: num(d.amount) ?? 0,
        method: isPaymentMethod(method) ? method : null,
        deadline: num(d.deadline),
      }
    }
    case 'opened':
      return {
        at: e.at,
        kind: 'opened',
        paymentId: str(d.paymentId),
        sessionId: str(d.sessionId),
        paymentNumber: str(d.paymentNumber),
      }
    case 'payment':
      return {
        at: e.at,
        kind: 'payment',
        from: str(d.from),
        to: str(d.to),
        outcome: str(d.outcome),
      }
    case 'credit':
      return {
        at: e.at,
        kind: 'credit',
        from: str(d.from),
        to: str(d.to),
        attempt: num(d.attempt) ?? 0,
        answer: str(d.answer),
        micCreditId: str(d.micCreditId),
        nextAt: num(d.nextAt),
      }
    default:
      return null
  }
}

/**
 * Where each source sorts among lines of the same millisecond: a staff action first (its
 * time is when it began, its effects follow), then what happened to the application in
 * the order it happens (one update may open, pay and queue the credit at once, and the
 * triggers fire in no promised order), then the webhooks and the mails that followed.
 */
const TIE_ORDER: Record<TimelineEntry['kind'], number> = {
  staff: 0,
  refundRequested: 1,
  refundDecided: 1,
  applied: 2,
  opened: 3,
  payment: 4,
  credit: 5,
  certificateIssued: 5,
  webhook: 6,
  deadLettered: 6,
  mail: 7,
}

/**
 * Everything that happened to one application, oldest first, merged from where each kind
 * is recorded: the application's own events (triggers on every change), the gateway's
 * webhooks, the mails sent about it, staff actions (audit log) and 返金 requests. Staff
 * actions on refunds are told by their request rows (who asked, who decided, the result),
 * with the decider's reason from the audit entry, so those entries are not repeated.
 */
export const applicationTimeline = async (db: Db, applicationId: number) => {
  const [events, webhooks, mails, audits, refunds, issued] = await Promise.all([
    db
      .select()
      .from(applicationEvents)
      .where(eq(applicationEvents.applicationId, applicationId))
      .orderBy(asc(applicationEvents.id))
      .all(),
    db
      .select()
      .from(paymentNotifications)
      .where(eq(paymentNotifications.applicationId, applicationId))
      .all(),
    db
      .select()
      .from(mailLog)
      .where(eq(mailLog.applicationId, applicationId))
      .orderBy(asc(mailLog.id))
      .all(),
    db
      .select({ entry: auditLog, name: staffMembers.name })
      .from(auditLog)
      .leftJoin(staffMembers, eq(staffMembers.id, auditLog.staffId))
      .where(eq(auditLog.applicationId, applicationId))
      .orderBy(asc(auditLog.id))
      .all(),
    db
      .select({
        request: refundRequests,
        requester: sql<
          string | null
        >`(SELECT name FROM staff_members WHERE id = ${refundRequests.requestedBy})`,
        decider: sql<
          string | null
        >`(SELECT name FROM staff_members WHERE id = ${refundRequests.decidedBy})`,
      })
      .from(refundRequests)
      .where(eq(refundRequests.applicationId, applicationId))
      .orderBy(asc(refundRequests.id))
      .all(),
    // A certificate order's certificates, each as it was issued (none for a charge).
    db
      .select()
      .from(certificates)
      .where(eq(certificates.applicationId, applicationId))
      .orderBy(asc(certificates.id))
      .all(),
  ])
  const lines: TimelineEntry[] = []
  for (const e of events) {
    const line = fromEvent(e)
    if (line) lines.push(line)
  }
  for (const w of webhooks) {
    lines.push({
      at: w.receivedAt,
      kind: 'webhook',
      eventId: w.eventId,
      type: w.type,
      outcome: w.outcome,
      appliedAt: w.appliedAt,
    })
    if (w.deadLetteredAt !== null)
      lines.push({ at: w.deadLetteredAt, kind: 'deadLettered', eventId: w.eventId })
  }
  for (const m of mails)
    lines.push({
      at: m.createdAt,
      kind: 'mail',
      mailKind: m.kind,
      to: m.toAddress,
      result: m.result,
      error: m.error,
    })
  const decisionReasons = new Map<string, string | null>()
  for (const { entry, name } of audits) {
    if (entry.action.startsWith('refund.')) {
      decisionReasons.set(`${entry.action}:${entry.targetId}`, entry.reason)
      continue
    }
    lines.push({
      at: entry.at,
      kind: 'staff',
      staffName: name ?? entry.staffEmail,
      action: entry.action,
      reason: entry.reason,
      after: entry.after ? parseJson(entry.after) : null,
    })
  }
  for (const { request, requester, decider } of refunds) {
    lines.push({
      at: request.requestedAt,
      kind: 'refundRequested',
      staffName: requester ?? String(request.requestedBy),
      reason: request.reason,
    })
    if (request.decidedAt !== null && request.decision !== null)
      lines.push({
        at: request.decidedAt,
        kind: 'refundDecided',
        staffName: decider ?? String(request.decidedBy),
        decision: request.decision,
        result: request.result,
        reason:
          decisionReasons.get(
            `${request.decision === 'approved' ? REFUND_AUDIT.approve : REFUND_AUDIT.reject}:${request.id}`,
          ) ?? null,
      })
  }
  for (const x of issued)
    lines.push({
      at: x.issuedAt,
      kind: 'certificateIssued',
      type: x.type,
      language: x.language,
      issueNumber: x.issueNumber,
      verificationCode: x.verificationCode,
      replaces: x.replacesId !== null,
    })
  // A stable sort: lines of one source keep their recorded order within a millisecond.
  return lines.sort((a, b) => a.at - b.at || TIE_ORDER[a.kind] - TIE_ORDER[b.kind])
}

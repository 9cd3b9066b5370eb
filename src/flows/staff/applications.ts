import { asc, eq } from 'drizzle-orm'
import type { Db } from '../../db'
import {
  applications,
  certificateLines,
  certificateOrders,
  certificates,
  students,
  universities,
} from '../../db/schema'
import { selectColumns } from '../../db/columns'
import { isPaymentMethod, type PaymentMethod } from '../../domain/paymentMethods'
import { universityScope, type StaffPrincipal } from '../../domain/staff'
import type { Application } from '../charge'
import { postalAddressOf } from './certificates'
import { batchOf, rowDecoder, select } from './reads'

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

export interface ScopedApplication {
  application: Application
  student: ScopedStudent
  universityName: string
}

const APPLICATION_COLUMNS = selectColumns(applications, 'a')
const decodeApplication = rowDecoder<Application>(applications)

/**
 * The application with its student, if the member may see it (the read of scopedApplication
 * and of 申請詳細's batch). Another university's application is the same as one that does
 * not exist: null either way, so a page can never tell the two apart.
 */
const scopedApplicationRead = (
  d1: D1Database,
  member: Pick<StaffPrincipal, 'universityId'>,
  id: number,
) => {
  const scope = universityScope(member)
  return select(
    d1,
    `SELECT ${APPLICATION_COLUMNS}, s.id AS "s_id", s.user_id AS "s_userId", s.name_kana AS "s_nameKana", s.email AS "s_email", u.name AS "u_name" FROM applications a JOIN students s ON s.id = a.student_id JOIN universities u ON u.id = a.university_id`,
    [['a.id = ?', id], scope === null ? null : ['a.university_id = ?', scope]],
    '',
    [],
    (rows): ScopedApplication | null => {
      if (!rows[0]) return null
      const { s_id, s_userId, s_nameKana, s_email, u_name, ...application } = rows[0]
      return {
        application: decodeApplication(application),
        student: {
          id: s_id,
          userId: s_userId,
          nameKana: s_nameKana,
          email: s_email,
        } as ScopedStudent,
        universityName: u_name as string,
      }
    },
  )
}

/** An application with its student, if the member may see it (null: not found, or not theirs). */
export const scopedApplication = async (
  db: Db,
  member: Pick<StaffPrincipal, 'universityId'>,
  id: number,
): Promise<ScopedApplication | null> =>
  (await batchOf(db.$client, [scopedApplicationRead(db.$client, member, id)] as const))[0]

export interface OpenRefundRequest {
  id: number
  requestedBy: number
  requestedByName: string | null
  requestedAt: number
  reason: string
}

const openRefundRequestRead = (d1: D1Database, applicationId: number) =>
  select(
    d1,
    'SELECT r.id AS id, r.requested_by AS requestedBy, m.name AS requestedByName, r.requested_at AS requestedAt, r.reason AS reason FROM refund_requests r LEFT JOIN staff_members m ON m.id = r.requested_by',
    [['r.application_id = ?', applicationId], 'r.decided_at IS NULL'],
    '',
    [],
    (rows) => rows[0] as OpenRefundRequest | undefined,
  )

/** The application's 返金 request waiting for a decision, with who asked. */
export const openRefundRequest = async (db: Db, applicationId: number) =>
  (await batchOf(db.$client, [openRefundRequestRead(db.$client, applicationId)] as const))[0]

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

type IssuedCertificate = typeof certificates.$inferSelect

/** What the タイムライン is merged from, each source in its recorded order. */
interface TimelineSources {
  events: { at: number; kind: string; detail: string }[]
  webhooks: {
    eventId: string
    type: string
    outcome: string | null
    receivedAt: number
    appliedAt: number | null
    deadLetteredAt: number | null
  }[]
  mails: {
    createdAt: number
    kind: string
    toAddress: string
    result: string
    error: string | null
  }[]
  audits: {
    at: number
    action: string
    targetId: string | null
    reason: string | null
    after: string | null
    staffEmail: string
    name: string | null
  }[]
  refunds: {
    id: number
    requestedAt: number
    requestedBy: number
    reason: string
    decidedAt: number | null
    decidedBy: number | null
    decision: 'approved' | 'rejected' | null
    result: string | null
    requester: string | null
    decider: string | null
  }[]
  /** A certificate order's certificates, each as it was issued (none for a charge). */
  issued: { certificate: IssuedCertificate; revokedByName: string | null }[]
}

const CERTIFICATE_COLUMNS = selectColumns(certificates, 'c')
const decodeCertificate = rowDecoder<IssuedCertificate>(certificates)

/** The タイムライン's reads, each keyed by the application's id. */
const timelineReads = (d1: D1Database, applicationId: number) => {
  const of = <T>(head: string, alias: string, tail: string) =>
    select(
      d1,
      head,
      [[`${alias}.application_id = ?`, applicationId]],
      tail,
      [],
      (rows) => rows as T,
    )
  return [
    of<TimelineSources['events']>(
      'SELECT e.at AS at, e.kind AS kind, e.detail AS detail FROM application_events e',
      'e',
      ' ORDER BY e.id',
    ),
    of<TimelineSources['webhooks']>(
      'SELECT n.event_id AS eventId, n.type AS type, n.outcome AS outcome, n.received_at AS receivedAt, n.applied_at AS appliedAt, n.dead_lettered_at AS deadLetteredAt FROM payment_notifications n',
      'n',
      '',
    ),
    of<TimelineSources['mails']>(
      'SELECT l.created_at AS createdAt, l.kind AS kind, l.to_address AS toAddress, l.result AS result, l.error AS error FROM mail_log l',
      'l',
      ' ORDER BY l.id',
    ),
    of<TimelineSources['audits']>(
      'SELECT l.at AS at, l.action AS action, l.target_id AS targetId, l.reason AS reason, l.after AS after, l.staff_email AS staffEmail, m.name AS name FROM audit_log l LEFT JOIN staff_members m ON m.id = l.staff_id',
      'l',
      ' ORDER BY l.id',
    ),
    of<TimelineSources['refunds']>(
      'SELECT r.id AS id, r.requested_at AS requestedAt, r.requested_by AS requestedBy, r.reason AS reason, r.decided_at AS decidedAt, r.decided_by AS decidedBy, r.decision AS decision, r.result AS result, (SELECT name FROM staff_members WHERE id = r.requested_by) AS requester, (SELECT name FROM staff_members WHERE id = r.decided_by) AS decider FROM refund_requests r',
      'r',
      ' ORDER BY r.id',
    ),
    select(
      d1,
      `SELECT ${CERTIFICATE_COLUMNS}, m.name AS "__revokedByName" FROM certificates c LEFT JOIN staff_members m ON m.id = c.revoked_by`,
      [['c.application_id = ?', applicationId]],
      ' ORDER BY c.id',
      [],
      (rows): TimelineSources['issued'] =>
        rows.map(({ __revokedByName, ...certificate }) => ({
          certificate: decodeCertificate(certificate),
          revokedByName: __revokedByName as string | null,
        })),
    ),
  ] as const
}

const sourcesOf = ([events, webhooks, mails, audits, refunds, issued]: Awaited<
  ReturnType<typeof batchOf<ReturnType<typeof timelineReads>>>
>): TimelineSources => ({ events, webhooks, mails, audits, refunds, issued })

/**
 * Everything that happened to one application, oldest first, merged from where each kind
 * is recorded: the application's own events (triggers on every change), the gateway's
 * webhooks, the mails sent about it, staff actions (audit log) and 返金 requests. Staff
 * actions on refunds are told by their request rows (who asked, who decided, the result),
 * with the decider's reason from the audit entry, so those entries are not repeated.
 */
export const applicationTimeline = async (db: Db, applicationId: number) =>
  timelineFrom(sourcesOf(await batchOf(db.$client, timelineReads(db.$client, applicationId))))

const timelineFrom = ({
  events,
  webhooks,
  mails,
  audits,
  refunds,
  issued,
}: TimelineSources): TimelineEntry[] => {
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
  for (const entry of audits) {
    if (entry.action.startsWith('refund.')) {
      decisionReasons.set(`${entry.action}:${entry.targetId}`, entry.reason)
      continue
    }
    lines.push({
      at: entry.at,
      kind: 'staff',
      staffName: entry.name ?? entry.staffEmail,
      action: entry.action,
      reason: entry.reason,
      after: entry.after ? parseJson(entry.after) : null,
    })
  }
  for (const request of refunds) {
    const { requester, decider } = request
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
  for (const { certificate: x } of issued)
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

// ---- 申請詳細: everything it shows, in one batch -----------------------------------------------

const ORDER_COLUMNS = selectColumns(certificateOrders, 'o')
const LINE_COLUMNS = selectColumns(certificateLines, 'l')
const decodeOrder = rowDecoder<typeof certificateOrders.$inferSelect>(certificateOrders)

/** A staff action's own audit entry, for the message after it (the redirect names it). */
export interface DoneEntry {
  action: string
  after: string | null
}

/**
 * Everything 申請詳細 shows, read in ONE D1 batch (one round trip after the session): the
 * application with its student if the member may see it, its open 返金 request, the
 * タイムライン's sources, refunds to a bank account, a certificate order's 内訳 and
 * certificates, and the audit entry `entryId` names when it is this member's action on
 * this application. The reads other than the first are keyed by the application's id
 * alone; when the first finds nothing the member may see, nothing else is used.
 */
export const applicationDetail = async (
  db: Db,
  member: Pick<StaffPrincipal, 'id' | 'universityId'>,
  id: number,
  entryId: number | null,
) => {
  const d1 = db.$client
  const byApplication = <T>(head: string, alias: string, tail = '') =>
    select(d1, head, [[`${alias}.application_id = ?`, id]], tail, [], (rows) => rows as T)
  const [found, openRequest, events, webhooks, mails, audits, refunds, issued, ...rest] =
    await batchOf(d1, [
      scopedApplicationRead(d1, member, id),
      openRefundRequestRead(d1, id),
      ...timelineReads(d1, id),
      byApplication<CashRefundRow[]>(
        'SELECT x.requested_at AS requestedAt, x.outcome AS outcome, x.decided_at AS decidedAt FROM cash_refunds x',
        'x',
        ' ORDER BY x.id',
      ),
      select(
        d1,
        `SELECT ${ORDER_COLUMNS} FROM certificate_orders o`,
        [['o.application_id = ?', id]],
        '',
        [],
        (rows) => (rows[0] ? decodeOrder(rows[0]) : null),
      ),
      byApplication<(typeof certificateLines.$inferSelect)[]>(
        `SELECT ${LINE_COLUMNS} FROM certificate_lines l`,
        'l',
        ' ORDER BY l.id',
      ),
      select(
        d1,
        'SELECT a.action AS action, a.after AS after FROM audit_log a',
        [
          ['a.id = ?', entryId ?? 0],
          ['a.application_id = ?', id],
          ['a.staff_id = ?', member.id],
        ],
        '',
        [],
        (rows) => (entryId === null ? undefined : (rows[0] as DoneEntry | undefined)),
      ),
    ] as const)
  if (!found) return null
  const [cashRefunds, order, lines, entry] = rest
  return {
    ...found,
    openRequest,
    timeline: timelineFrom({ events, webhooks, mails, audits, refunds, issued }),
    cashRefunds,
    // A certificate order's 内訳, delivery and certificates (flows/staff/certificates.ts).
    certificate:
      order && found.application.kind === 'certificate'
        ? { order, address: postalAddressOf(order.postalAddress), lines, issued }
        : null,
    entry: entry ?? null,
  }
}

/** What 申請詳細 shows of a refund request to a bank account: never the account itself. */
export interface CashRefundRow {
  requestedAt: number
  outcome: 'completed' | 'rejected' | 'lost' | null
  decidedAt: number | null
}

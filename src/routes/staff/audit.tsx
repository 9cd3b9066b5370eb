import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import type { Db } from '../../db'
import { auditLog } from '../../db/schema'
import { containsText } from '../../db/text'
import { csvHeaders, toCsv } from '../../domain/csv'
import { formatJstDateTime, jstParts } from '../../domain/time'
import { loadUniversity } from '../../flows/charge'
import { isAuditAction } from '../../flows/staff/audit'
import type { ConsoleKey } from '../../i18n/console'
import { requireStaff } from '../../middleware/staff'
import type { FieldErrors } from '../../views/components'
import {
  actionName,
  AuditPage,
  targetText,
  type AuditQuery,
  type AuditRow,
} from '../../views/staff/audit'
import { fieldsText, readableFields } from '../../views/staff/auditFields'
import { errorsFromConsoleIssues } from './forms'
import { forbidden } from './replies'

type C = Context<AppEnv>

/**
 * 監査ログ (管理者 only): the entries about the administrator's own university, newest
 * first, searchable, a page at a time, and as CSV. The table is append-only (D1 triggers),
 * and nothing here writes to it.
 */
export const audit = new Hono<AppEnv>()

audit.use('/audit', requireStaff('audit'))
audit.use('/audit.csv', requireStaff('audit'))

const PAGE_SIZE = 50
/** A CSV holds at most this many entries (newest first): one response, one D1 read. */
const CSV_MAX = 10_000
const MAX_PAGE = 1000

// ---- The search ---------------------------------------------------------------------------

const JST_OFFSET_MS = 9 * 60 * 60_000
const DAY_MS = 24 * 60 * 60_000

/** "2027-03-31" (or 2027/3/31) as the instant that JST day begins, or null. */
const jstDayStart = (raw: string): number | null => {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(raw)
  if (!m) return null
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number]
  if (y < 2000 || y > 2100) return null
  const ms = Date.UTC(y, mo - 1, d) - JST_OFFSET_MS
  const p = jstParts(ms)
  return p.year === y && p.month === mo && p.day === d ? ms : null
}

const optional = (max: number) =>
  z.string({ error: 'tooLong' }).trim().max(max, { error: 'tooLong' }).optional()

const date = optional(10).refine((v) => !v || jstDayStart(v) !== null, { error: 'adminErrDate' })

const searchSchema = z
  .object({
    email: optional(254),
    // One of the log's actions, chosen from their names (flows/staff/audit AUDIT_ACTIONS).
    action: optional(60).refine((v) => !v || isAuditAction(v), { error: 'adminErrAction' }),
    target: optional(100).refine((v) => !v || /^[\x21-\x7e]+$/.test(v), {
      error: 'adminErrTarget',
    }),
    from: date,
    to: date,
    page: z.string().optional(),
  })
  .refine((q) => !q.from || !q.to || jstDayStart(q.to)! >= jstDayStart(q.from)!, {
    error: 'adminErrDateOrder',
    path: ['to'],
  })

const searchLabels: Record<string, ConsoleKey> = {
  email: 'adminAuditEmail',
  action: 'adminAuditAction',
  target: 'adminAuditTarget',
  from: 'adminAuditFrom',
  to: 'adminAuditTo',
}

type Search = z.output<typeof searchSchema>

/**
 * The filters as SQL, always within the administrator's university (the index
 * audit_log_university_at leads with it). The target is what a caller gives: a student's
 * ユーザID (entries on the student and on the student's applications), a member's e-mail
 * (entries on the member and their invitation), a 発行申請番号, or the stored target id.
 * Students and members are stored by their row ids, so the ユーザID and the e-mail are
 * looked up in the university's students and the console's members.
 */
const whereOf = (universityId: string, q: Search): SQL => {
  const conditions: (SQL | undefined)[] = [eq(auditLog.universityId, universityId)]
  if (q.email)
    conditions.push(containsText(sql`lower(${auditLog.staffEmail})`, q.email.toLowerCase()))
  if (q.action) conditions.push(eq(auditLog.action, q.action))
  if (q.target) {
    const t = q.target
    const email = t.toLowerCase()
    const asNumber = /^[0-9]{1,15}$/.test(t) ? Number(t) : null
    conditions.push(
      or(
        eq(auditLog.targetId, t),
        asNumber === null ? undefined : eq(auditLog.applicationId, asNumber),
        and(
          eq(auditLog.targetType, 'student'),
          sql`${auditLog.targetId} IN (SELECT CAST(id AS TEXT) FROM students WHERE university_id = ${universityId} AND user_id = ${t})`,
        ),
        sql`${auditLog.applicationId} IN (SELECT a.id FROM applications a JOIN students s ON s.id = a.student_id WHERE s.university_id = ${universityId} AND s.user_id = ${t})`,
        and(
          eq(auditLog.targetType, 'staff'),
          sql`${auditLog.targetId} IN (SELECT CAST(id AS TEXT) FROM staff_members WHERE email = ${email})`,
        ),
        and(eq(auditLog.targetType, 'staff_invite'), sql`lower(${auditLog.targetId}) = ${email}`),
      ),
    )
  }
  if (q.from) conditions.push(gte(auditLog.at, jstDayStart(q.from)!))
  // The end date is included: everything before the next day begins.
  if (q.to) conditions.push(lt(auditLog.at, jstDayStart(q.to)! + DAY_MS))
  return and(...conditions)!
}

const findEntries = (db: Db, universityId: string, q: Search, limit: number, offset = 0) =>
  db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      staffEmail: auditLog.staffEmail,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      applicationId: auditLog.applicationId,
      reason: auditLog.reason,
      before: auditLog.before,
      after: auditLog.after,
      // Who a student or member target is, as a caller names them (null for other targets).
      targetUserId: sql<
        string | null
      >`(SELECT user_id FROM students WHERE ${auditLog.targetType} = 'student' AND students.id = CAST(${auditLog.targetId} AS INTEGER))`,
      targetEmail: sql<
        string | null
      >`(SELECT email FROM staff_members WHERE ${auditLog.targetType} = 'staff' AND staff_members.id = CAST(${auditLog.targetId} AS INTEGER))`,
    })
    .from(auditLog)
    .where(whereOf(universityId, q))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit)
    .offset(offset)

/** The search as typed (strings only), to show again and to carry into links. */
const typed = (raw: Record<string, string>): AuditQuery => {
  const out: AuditQuery = {}
  for (const k of ['email', 'action', 'target', 'from', 'to'] as const)
    if (typeof raw[k] === 'string') out[k] = raw[k].slice(0, 254)
  return out
}

const pageOf = (raw: string | undefined) => {
  const n = /^[0-9]{1,4}$/.test(raw ?? '') ? Number(raw) : 1
  return Math.min(Math.max(1, n), MAX_PAGE)
}

// ---- Pages --------------------------------------------------------------------------------

/**
 * Reads the search from the query string; on a bad one, the page with its problems named
 * (422) and nothing listed.
 */
const withSearch = async (
  c: C,
  then: (universityId: string, q: Search) => Response | Promise<Response>,
) => {
  const universityId = c.get('staff')!.universityId
  if (!universityId) return forbidden(c)
  const raw = c.req.query()
  const parsed = searchSchema.safeParse(raw)
  if (!parsed.success) {
    c.status(422)
    return render(c, universityId, {
      query: typed(raw),
      errors: errorsFromConsoleIssues(parsed.error.issues, searchLabels, c.get('ct')),
      rows: null,
      page: 1,
      hasMore: false,
    })
  }
  return then(universityId, parsed.data)
}

const render = async (
  c: C,
  universityId: string,
  view: {
    query: AuditQuery
    errors: FieldErrors
    rows: AuditRow[] | null
    page: number
    hasMore: boolean
  },
) => {
  const u = await loadUniversity(c.get('deps').db, universityId)
  return c.render(
    <AuditPage
      universityName={c.get('tr').lang === 'en' ? u.nameEn : u.name}
      pageSize={PAGE_SIZE}
      csvMax={CSV_MAX}
      {...view}
    />,
    { title: c.get('ct')('adminAuditTitle') },
  )
}

audit.get('/audit', (c) =>
  withSearch(c, async (universityId, q) => {
    const page = pageOf(q.page)
    // One more than a page: whether an older page exists, without counting the whole log.
    const found = await findEntries(
      c.get('deps').db,
      universityId,
      q,
      PAGE_SIZE + 1,
      (page - 1) * PAGE_SIZE,
    )
    return render(c, universityId, {
      query: typed(c.req.query()),
      errors: {},
      rows: found.slice(0, PAGE_SIZE),
      page,
      hasMore: found.length > PAGE_SIZE,
    })
  }),
)

audit.get('/audit.csv', (c) =>
  withSearch(c, async (universityId, q) => {
    const ct = c.get('ct')
    const tr = c.get('tr')
    const { db, clock } = c.get('deps')
    const rows = await findEntries(db, universityId, q, CSV_MAX)
    const csv = toCsv(
      [
        ct('adminAuditAt'),
        ct('adminAuditWho'),
        ct('adminAuditAction'),
        ct('adminAuditTargetCol'),
        ct('adminAuditApplication'),
        ct('adminAuditReason'),
        ct('adminAuditBefore'),
        ct('adminAuditAfter'),
        // The same entry in words, after the columns as stored.
        ct('adminAuditActionName'),
        ct('adminAuditTargetName'),
        ct('adminAuditBeforeFields'),
        ct('adminAuditAfterFields'),
      ],
      rows.map((r) => [
        formatJstDateTime(r.at),
        r.staffEmail,
        r.action,
        r.targetId === null ? r.targetType : `${r.targetType} ${r.targetId}`,
        r.applicationId,
        r.reason,
        r.before,
        r.after,
        actionName(ct, r.action),
        targetText(ct, r),
        fieldsText(readableFields(ct, tr, r.before)),
        fieldsText(readableFields(ct, tr, r.after)),
      ]),
    )
    const p = jstParts(clock())
    const day = `${p.year}${String(p.month).padStart(2, '0')}${String(p.day).padStart(2, '0')}`
    return c.body(csv, 200, csvHeaders(`audit-${universityId}-${day}.csv`))
  }),
)

import { and, desc, eq, gte, lt, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { Db } from '../../db'
import { applications, students, universities } from '../../db/schema'
import { containsText } from '../../db/text'
import {
  CREDIT_STATUSES,
  PAYMENT_STATUSES,
  type CreditStatus,
  type PaymentStatus,
} from '../../domain/application'
import type { PaymentMethod } from '../../domain/paymentMethods'
import { kanaTerm, paymentNumberTerm, userIdTerm } from '../../domain/searchTerms'
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

/** A stored name without its spaces, to compare with `kanaTerm` (domain/searchTerms.ts). */
const kanaWithoutSpaces = (column: SQLWrapper) =>
  sql`replace(replace(${column}, ' ', ''), '　', '')`

/**
 * 支払番号 as the receipt prints it (hyphens, spaces, full-width: domain/searchTerms.ts)
 * against the stored number without its own hyphens and spaces; or the gateway's payment or
 * session id, exactly.
 */
const paymentRefMatches = (typed: string) => {
  const id = typed.trim()
  const digits = paymentNumberTerm(typed)
  return or(
    digits === ''
      ? undefined
      : sql`replace(replace(${applications.paymentNumber}, '-', ''), ' ', '') = ${digits}`,
    eq(applications.providerPaymentId, id),
    eq(applications.providerSessionId, id),
  )
}

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
    c.userId === null ? undefined : eq(students.userId, userIdTerm(c.userId)),
    c.nameKana === null
      ? undefined
      : containsText(kanaWithoutSpaces(students.nameKana), kanaTerm(c.nameKana)),
    c.email === null ? undefined : sql`lower(${students.email}) = ${c.email.toLowerCase()}`,
    c.paymentRef === null ? undefined : paymentRefMatches(c.paymentRef),
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

// ---- 学生 ----------------------------------------------------------------------------------

/** A person 検索 found: an account with the service, or a roster person who never logged in. */
export interface StudentRow {
  universityId: string
  universityName: string
  universityNameEn: string
  userId: string
  nameKana: string
  email: string | null
  /** The account's id (students.id); null: on the roster only, never logged in. */
  accountId: number | null
  /** How many applications the account has made. */
  applications: number
}

/** The terms that name a person; any other term is about applications. */
export type StudentCriteria = Pick<SearchCriteria, 'userId' | 'nameKana' | 'email' | 'universityId'>

/**
 * Students matching every term given, whether or not they ever applied: accounts
 * (`students`, by the name they had at their last login or the roster's current one) and
 * people on the roster (`directory_people`) who have never logged in, whom "I can't log in"
 * is often about. In ユーザID order, at most SEARCH_LIMIT; always limited to the member's
 * university, like the applications. A roster person has no e-mail address with us, so a
 * search by e-mail finds accounts only.
 */
export const searchStudents = async (
  db: Db,
  member: Pick<StaffPrincipal, 'universityId'>,
  c: StudentCriteria,
): Promise<{ rows: StudentRow[]; limited: boolean }> => {
  const scope = universityScope(member)
  const universityIs = (column: SQL) =>
    and(
      scope === null ? undefined : sql`${column} = ${scope}`,
      c.universityId === null ? undefined : sql`${column} = ${c.universityId}`,
    )
  const userId = c.userId === null ? null : userIdTerm(c.userId)
  const name = c.nameKana === null ? null : kanaTerm(c.nameKana)
  const nameIn = (column: SQL) =>
    containsText(sql`replace(replace(${column}, ' ', ''), '　', '')`, name ?? '')
  const accounts = sql`SELECT s.university_id AS universityId, s.user_id AS userId,
      COALESCE(d.name_kana, s.name_kana) AS nameKana, s.email AS email, s.id AS accountId,
      (SELECT count(*) FROM applications a WHERE a.student_id = s.id) AS applications
    FROM students s LEFT JOIN directory_people d
      ON d.university_id = s.university_id AND d.user_id = s.user_id
    WHERE ${and(
      sql`1 = 1`,
      universityIs(sql`s.university_id`),
      userId === null ? undefined : sql`s.user_id = ${userId}`,
      name === null ? undefined : or(nameIn(sql`s.name_kana`), nameIn(sql`d.name_kana`)),
      c.email === null ? undefined : sql`lower(s.email) = ${c.email.toLowerCase()}`,
    )}`
  const rosterOnly = sql`SELECT d.university_id, d.user_id, d.name_kana, NULL, NULL, 0
    FROM directory_people d
    WHERE ${and(
      sql`NOT EXISTS (SELECT 1 FROM students s WHERE s.university_id = d.university_id AND s.user_id = d.user_id)`,
      universityIs(sql`d.university_id`),
      userId === null ? undefined : sql`d.user_id = ${userId}`,
      name === null ? undefined : nameIn(sql`d.name_kana`),
    )}`
  const found = await db.all<StudentRow>(
    sql`SELECT x.*, u.name AS universityName, u.name_en AS universityNameEn FROM (${accounts}${
      c.email === null ? sql` UNION ALL ${rosterOnly}` : sql``
    }) x JOIN universities u ON u.id = x.universityId
    ORDER BY x.userId, x.universityId LIMIT ${SEARCH_LIMIT + 1}`,
  )
  return { rows: found.slice(0, SEARCH_LIMIT), limited: found.length > SEARCH_LIMIT }
}

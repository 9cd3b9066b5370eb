import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm'
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

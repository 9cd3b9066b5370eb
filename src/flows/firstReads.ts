import { selectColumns } from '../db/columns'
import { staffMembers, students, universities } from '../db/schema'
import type { StudentStatus } from '../domain/roster'
import { universityFromRow, type University, type UniversityRow } from '../domain/university'
import { readSession, sessionCookieOwner, type SessionRecord } from '../security/session'
import { DEV_CLOCK_SQL, offsetOf } from './clock'
import {
  readStaffSession,
  staffCookieMember,
  type StaffMember,
  type StaffSessionRecord,
} from './staff/auth'

/**
 * What a request needs before its handler, read in ONE wave of storage: the session's KV
 * record and, beside it, ONE D1 batch holding the development clock (development only), the
 * university of the request's host name, and the student (or console member) the session
 * cookie names. The cookie carries the id (`<id>.<token>`) so the row need not wait for KV;
 * it is believed only if KV's record, found by the token's hash, names the same id.
 *
 * The university is kept per isolate with its `version`, which a trigger moves on every change
 * of its row (migrations/0012): the batch asks for the row only when that version has moved
 * (or the isolate has none), so a 管理者's change holds on the next request in every isolate,
 * and an unchanged university costs one indexed lookup, not its row and its parsing.
 *
 * Pages read D1's primary: a replica (the Sessions API) could answer older than another
 * person's write (a lock, a suspension, a settings change), which must hold at once. The
 * webhook endpoint, which needs only the university's id and gateway account, reads the
 * nearest replica (middleware/context.ts).
 */

/**
 * The logged-in student: their account and their status in the university's directory (在学,
 * 休学, 卒業, 退学, 除籍), which decides what they may still do (domain/roster.ts
 * STUDENT_RIGHTS). Read with the account in one query, in the first batch.
 */
export type SessionStudent = typeof students.$inferSelect & { status: StudentStatus }

export interface FirstReadsInput {
  /** The database, or a Sessions API session of it (a replica may answer). */
  d1: Pick<D1Database, 'prepare' | 'batch'>
  kv: KVNamespace
  hostname: string
  /** Development: any unknown host serves this university, and the movable clock is read. */
  development: { defaultUniversity: string } | null
  /** A student session cookie (student pages) … */
  studentCookie?: string | undefined
  /** … or a console session cookie (/staff). */
  staffCookie?: string | undefined
}

export interface FirstReads {
  clockOffsetMs: number
  university: University | null
  student: { record: SessionRecord | null; row: SessionStudent | null } | null
  staff: { record: StaffSessionRecord | null; member: StaffMember | null } | null
}

/** The university a host name serves (development: the default one for any other host). */
const HOST = 'SELECT university_id FROM university_hosts WHERE hostname = ?1'
const hostUniversity = (development: boolean) =>
  development ? `COALESCE((${HOST}), ?2)` : `(${HOST})`

/**
 * The university's id and version, and its whole row only when the isolate's copy (?3, ?4)
 * is not that version: one statement, so the check and the row agree.
 */
const universitySql = (development: boolean) =>
  `SELECT c.id AS checkId, c.version AS checkVersion, ${selectColumns(universities, 'u')} FROM (SELECT id, version FROM universities WHERE id = ${hostUniversity(development)}) c LEFT JOIN universities u ON u.id = c.id AND NOT (c.id IS ?3 AND c.version IS ?4)`

/**
 * The account and the person's status in the directory, in one query. A person the directory
 * no longer lists keeps only what a leaver keeps (their applications, money on its way).
 */
const studentSql = (development: boolean) =>
  `SELECT ${selectColumns(students, 's')}, COALESCE(d.status, 'withdrawn') AS status FROM students s LEFT JOIN directory_people d ON d.university_id = s.university_id AND d.user_id = s.user_id WHERE s.id = ?3 AND s.university_id = ${hostUniversity(development)}`

const STAFF_SQL = `SELECT ${selectColumns(staffMembers, 'm')} FROM staff_members m WHERE m.id = ?`

const SQL = {
  production: { university: universitySql(false), student: studentSql(false) },
  development: { university: universitySql(true), student: studentSql(true) },
}

/** Each host name's university as this isolate last read it, with the version read. */
const cached = new Map<string, { id: string; version: number; university: University }>()
/** A spray of unknown host names must not grow the map without bound. */
const MAX_CACHED = 1_000

type UniversityCheck = UniversityRow & { checkId: string; checkVersion: number; version: number }

export const firstReads = async (input: FirstReadsInput): Promise<FirstReads> => {
  const { d1, hostname, development } = input
  const sql = development ? SQL.development : SQL.production
  // ?2 is the development default university; production's statements never name it.
  const args = (...rest: unknown[]) => [hostname, development?.defaultUniversity ?? null, ...rest]
  const mine = cached.get(hostname)

  const statements: D1PreparedStatement[] = []
  if (development) statements.push(d1.prepare(DEV_CLOCK_SQL))
  statements.push(d1.prepare(sql.university).bind(...args(mine?.id ?? null, mine?.version ?? null)))
  const studentId = sessionCookieOwner(input.studentCookie)
  if (studentId !== null) statements.push(d1.prepare(sql.student).bind(...args(studentId)))
  const staffId = staffCookieMember(input.staffCookie)
  if (staffId !== null) statements.push(d1.prepare(STAFF_SQL).bind(staffId))

  const [results, studentRecord, staffRecord] = await Promise.all([
    d1.batch(statements),
    studentId !== null ? readSession(input.kv, input.studentCookie) : null,
    staffId !== null ? readStaffSession(input.kv, input.staffCookie) : null,
  ])

  let i = 0
  const next = <T>() => (results[i++]!.results[0] as T | undefined) ?? null
  const clockOffsetMs = development ? offsetOf(next<{ value: string }>()) : 0
  const check = next<UniversityCheck>()
  const studentRow = studentId !== null ? next<SessionStudent>() : null
  const staffRow = staffId !== null ? next<StaffMember>() : null

  let university: University | null = null
  if (!check) cached.delete(hostname)
  else if (check.id === check.checkId) {
    university = universityFromRow(check)
    if (cached.size >= MAX_CACHED && !cached.has(hostname)) cached.clear()
    cached.set(hostname, { id: check.checkId, version: check.checkVersion, university })
  } else {
    // The row was not sent: this isolate's copy is that very version.
    university = mine!.university
  }
  const student = studentId !== null ? { record: studentRecord, row: studentRow } : null
  const staff = staffId !== null ? { record: staffRecord, member: staffRow } : null
  return { clockOffsetMs, university, student, staff }
}

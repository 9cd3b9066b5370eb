import { SQL, sql } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { Db } from '../db'
import { universities } from '../db/schema'
import { CREDIT_ON_CARD } from '../domain/application'
import { accountsCutoff, retentionCutoffDay } from '../domain/retention'
import { LEAVER_STATUSES } from '../domain/roster'
import type { StaffPrincipal } from '../domain/staff'
import { jstParts } from '../domain/time'
import type { Services } from '../services'
import { recordAudit } from './staff/audit'

/**
 * 保存期間: what a leaver leaves behind, removed when the university's retention period is
 * over (domain/retention.ts says when), in two steps:
 *
 * 1. Personal data, `retention_years` after the leaving day: the directory row and the
 *    roster rows that carried the person are deleted; the student's account keeps only its
 *    number (ユーザID `removed-<id>`, no kana, e-mail or second password, every session
 *    ended); the certificates' PDFs leave the bucket and their holder's name the row; the
 *    certificate orders lose their recipients and addresses, the mails their addresses and
 *    bodies, the applications the Pay-easy telephone number, the gateway's stored webhooks
 *    any name, e-mail, telephone or address they carried. Amounts, dates, states and the
 *    gateway's and M.I.C.'s ids stay, for the accounts.
 * 2. The payment records of such a student, 7 fiscal years after each one last changed:
 *    the application and everything that hangs off it are deleted; the account itself once
 *    none is left.
 *
 * A student with money still on its way (an application awaiting payment, paid and not on
 * the card, a reversal staff have not closed, a refund under way) is never touched: they
 * wait, the console's 大学設定 page lists them (postponedLeavers), and the next night tries
 * again. The audit log records each removal by the account's number, never by the name.
 */

/** The cron's entries in the audit log: no member did it. */
export const RETENTION_ACTOR: StaffPrincipal = {
  id: 0,
  email: 'cron:retention',
  name: 'retention',
  role: 'admin',
  universityId: null,
}

/**
 * When the daily pass runs: during 03:00–03:59 JST, every minute of it until nothing is
 * due (each run takes a bounded number of people, so the D1 queries of one cron run stay
 * far under the platform's per-invocation limit). Why then: the nightly roster sync has
 * brought the directory up to date (a graduate who re-enrolled is no leaver any more), few
 * students are logged in, and M.I.C.'s nightly stop (2:00–5:00) keeps credits from moving,
 * so an application cannot change from "finished" to "in flight" under us.
 */
export const RETENTION_HOUR_JST = 3
/** People (and, separately, students' old payment records) handled per cron run. */
export const RETENTION_BATCH = 20

const LEAVERS = sql.join(
  LEAVER_STATUSES.map((s) => sql`${s}`),
  sql`, `,
)
const ON_CARD = sql.join(
  CREDIT_ON_CARD.map((s) => sql`${s}`),
  sql`, `,
)

/**
 * Money still on its way for the student `studentId` (an SQL expression): the same
 * applications countsTowardCap (domain/application.ts) counts, of every kind, and what
 * staff or the gateway have not finished: a reversal not closed, a refund request not
 * decided, a refund to a bank account KOMOJU has not settled.
 */
const moneyOnItsWay = (studentId: SQL) => sql`(
  EXISTS (SELECT 1 FROM applications a WHERE a.student_id = ${studentId} AND (
    a.status = 'awaiting_payment'
    OR (a.status = 'paid' AND a.credit_status NOT IN (${ON_CARD}))
    OR (a.credit_status = 'reversed' AND a.reversal_resolved_at IS NULL)))
  OR EXISTS (SELECT 1 FROM refund_requests r JOIN applications a ON a.id = r.application_id
    WHERE a.student_id = ${studentId} AND r.decided_at IS NULL)
  OR EXISTS (SELECT 1 FROM cash_refunds c JOIN applications a ON a.id = c.application_id
    WHERE a.student_id = ${studentId} AND c.outcome IS NULL))`

interface DueLeaver {
  userId: string
  status: string
  leftOn: string
  studentId: number | null
  email: string | null
}

/** Leavers of `universityId` whose retention period is over at `now`, money in flight or not. */
const dueLeavers = (
  db: Db,
  universityId: string,
  cutoffDay: string,
  inFlight: boolean,
  limit: number,
) =>
  db.all<DueLeaver>(sql`
    SELECT d.user_id AS userId, d.status AS status, d.left_on AS leftOn,
      s.id AS studentId, s.email AS email
    FROM directory_people d
    LEFT JOIN students s ON s.university_id = d.university_id AND s.user_id = d.user_id
    WHERE d.university_id = ${universityId}
      AND d.status IN (${LEAVERS})
      AND d.left_on IS NOT NULL AND d.left_on <= ${cutoffDay}
      AND ${inFlight ? sql`` : sql`NOT`} (s.id IS NOT NULL AND ${moneyOnItsWay(sql`s.id`)})
    ORDER BY d.left_on, d.user_id
    LIMIT ${limit}`)

/**
 * Leavers past the retention period who wait because money is still on its way: for the
 * 管理者 (大学設定), by ユーザID (they are still in the directory).
 */
export const postponedLeavers = async (db: Db, universityId: string, now: number, limit = 50) => {
  const row = await db
    .select({ years: universities.retentionYears })
    .from(universities)
    .where(sql`${universities.id} = ${universityId}`)
    .get()
  if (!row) return []
  return dueLeavers(db, universityId, retentionCutoffDay(now, row.years), true, limit)
}

/** Keys whose values name, reach or locate a person, in a stored gateway payload. */
const PERSONAL_KEY = /name|mail|phone|tel|address|postal|zip|customer|billing|shipping|kana/i

/**
 * A gateway webhook body without anything personal: every value under a key that names,
 * reaches or locates a person becomes null; ids, amounts, states and times stay. A body
 * that is not JSON is dropped whole (`{}`): it cannot be read for what it holds.
 */
export const redactPayload = (payload: string): string => {
  const scrub = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(scrub)
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, PERSONAL_KEY.test(k) ? null : scrub(x)]),
      )
    return v
  }
  try {
    return JSON.stringify(scrub(JSON.parse(payload)))
  } catch {
    return '{}'
  }
}

const dialect = new SQLiteSyncDialect()

/**
 * One statement of a D1 batch, from an SQL template or a drizzle query (the audit writer's):
 * the whole removal of a person is one D1 batch, all of it or none.
 */
const statement = (db: Db, q: SQL | { toSQL(): { sql: string; params: unknown[] } }) => {
  const { sql: text, params } = q instanceof SQL ? dialect.sqlToQuery(q) : q.toSQL()
  return db.$client.prepare(text).bind(...params)
}

/**
 * Removes one leaver's personal data (step 1). The PDFs leave the bucket first: if the D1
 * batch then fails, the next run finds the person again and deletes what is left (deleting
 * a missing object is no error); the other way round, a failure would leave PDFs nobody
 * could find any more. Everything in D1 is one batch: all of it or none.
 */
const pseudonymise = async (
  s: Pick<Services, 'db' | 'certificatesBucket'>,
  universityId: string,
  person: DueLeaver,
  now: number,
  years: number,
) => {
  const { db } = s
  const run = (q: Parameters<typeof statement>[1]) => statement(db, q)
  const studentId = person.studentId
  const applicationIds =
    studentId === null
      ? []
      : (
          await db.all<{ id: number }>(
            sql`SELECT id FROM applications WHERE student_id = ${studentId}`,
          )
        ).map((r) => r.id)
  // A subquery, not a list: D1 binds at most 100 parameters to a statement.
  const apps =
    applicationIds.length > 0
      ? sql`SELECT id FROM applications WHERE student_id = ${studentId}`
      : null
  const objects = apps
    ? await db.all<{ key: string }>(
        sql`SELECT object_key AS key FROM certificates WHERE application_id IN (${apps})`,
      )
    : []
  for (let i = 0; i < objects.length; i += 1000)
    await s.certificatesBucket.delete(objects.slice(i, i + 1000).map((o) => o.key))
  const notifications = apps
    ? await db.all<{ eventId: string; payload: string }>(
        sql`SELECT event_id AS eventId, payload FROM payment_notifications WHERE application_id IN (${apps})`,
      )
    : []

  const statements = [
    run(
      sql`DELETE FROM directory_people WHERE university_id = ${universityId} AND user_id = ${person.userId}`,
    ),
    // The roster's past imports carried the person too (ユーザID, 氏名, a password hash).
    run(sql`DELETE FROM roster_import_rows WHERE user_id = ${person.userId}
      AND import_id IN (SELECT id FROM roster_imports WHERE university_id = ${universityId})`),
    run(
      recordAudit(db, RETENTION_ACTOR, now, {
        action: 'retention.pseudonymise',
        universityId,
        targetType: 'student',
        // The account's number only: the ユーザID and the name are what is being removed.
        targetId: studentId,
        after: {
          status: person.status,
          leftOn: person.leftOn,
          retentionYears: years,
          applicationsKept: applicationIds.length,
          certificateFilesRemoved: objects.length,
        },
      }),
    ),
  ]
  if (studentId !== null) {
    statements.push(
      run(sql`UPDATE students SET user_id = 'removed-' || id, name_kana = '', email = NULL,
        second_password_hash = NULL, last_login_at = NULL, current_login_at = NULL,
        mic_balance = NULL, mic_balance_at = NULL, pseudonymised_at = ${now},
        credential_epoch = credential_epoch + 1
        WHERE id = ${studentId}`),
      // Mails about the applications, and any other mail to the account's address (e-mail
      // registration, second-password reset) of this university.
      run(sql`UPDATE mail_log SET to_address = '', body = NULL
        WHERE university_id = ${universityId} AND (${
          apps ? sql`application_id IN (${apps})` : sql`0`
        } OR (${person.email ?? null} IS NOT NULL AND lower(to_address) = lower(${person.email ?? ''})))`),
    )
  }
  if (apps) {
    statements.push(
      run(sql`UPDATE certificate_orders SET recipient_name = NULL, recipient_organisation = NULL,
        recipient_email = NULL, postal_address = NULL WHERE application_id IN (${apps})`),
      run(sql`UPDATE certificates SET holder_name = '' WHERE application_id IN (${apps})`),
      run(sql`DELETE FROM recipient_links WHERE application_id IN (${apps})`),
      // Not a column the timeline's triggers (migrations/0006) watch: no event is written,
      // and updated_at (which the accounts' 7 years count from) stays as it was.
      run(sql`UPDATE applications SET contact_phone = NULL WHERE id IN (${apps})`),
      ...notifications.map((n) =>
        run(
          sql`UPDATE payment_notifications SET payload = ${redactPayload(n.payload)} WHERE event_id = ${n.eventId}`,
        ),
      ),
    )
  }
  await db.$client.batch(statements)
  return { applications: applicationIds.length, files: objects.length }
}

/** Pseudonymised students of `universityId` with payment records past the accounts' period. */
const studentsWithExpiredRecords = (db: Db, universityId: string, cutoff: number, limit: number) =>
  db.all<{ studentId: number }>(sql`
    SELECT s.id AS studentId FROM students s
    WHERE s.university_id = ${universityId} AND s.pseudonymised_at IS NOT NULL
      AND (NOT EXISTS (SELECT 1 FROM applications a WHERE a.student_id = s.id)
        OR EXISTS (SELECT 1 FROM applications a WHERE a.student_id = s.id AND a.updated_at < ${cutoff}))
      AND NOT ${moneyOnItsWay(sql`s.id`)}
    ORDER BY s.id
    LIMIT ${limit}`)

/**
 * Deletes a pseudonymised student's applications that last changed before `cutoff`, with
 * everything that hangs off them (step 2), and the account once none is left. No foreign
 * key points at an application, so the children go first only for tidiness; `students` is
 * referenced by `applications`, so the account goes last, and only when none is left.
 */
const deleteExpiredRecords = async (
  s: Pick<Services, 'db' | 'certificatesBucket'>,
  universityId: string,
  studentId: number,
  cutoff: number,
  now: number,
) => {
  const { db } = s
  const run = (q: Parameters<typeof statement>[1]) => statement(db, q)
  const ids = (
    await db.all<{ id: number }>(
      sql`SELECT id FROM applications WHERE student_id = ${studentId} AND updated_at < ${cutoff}`,
    )
  ).map((r) => r.id)
  const statements: D1PreparedStatement[] = []
  if (ids.length > 0) {
    // A subquery, not a list: D1 binds at most 100 parameters to a statement. The
    // applications themselves go last, so it picks the same rows in every statement.
    const apps = sql`SELECT id FROM applications WHERE student_id = ${studentId} AND updated_at < ${cutoff}`
    // Removed in step 1 already; again in case a certificate was issued since.
    const objects = await db.all<{ key: string }>(
      sql`SELECT object_key AS key FROM certificates WHERE application_id IN (${apps})`,
    )
    for (let i = 0; i < objects.length; i += 1000)
      await s.certificatesBucket.delete(objects.slice(i, i + 1000).map((o) => o.key))
    for (const table of [
      'application_events',
      'mail_log',
      'payment_notifications',
      'refund_requests',
      'cash_refunds',
      'reconciliation_differences',
      'recipient_links',
      'certificates',
      'certificate_lines',
      'certificate_orders',
    ])
      statements.push(
        run(sql`DELETE FROM ${sql.identifier(table)} WHERE application_id IN (${apps})`),
      )
    statements.push(run(sql`DELETE FROM applications WHERE id IN (${apps})`))
  }
  statements.push(
    run(sql`DELETE FROM students WHERE id = ${studentId}
      AND NOT EXISTS (SELECT 1 FROM applications WHERE student_id = ${studentId})`),
    run(
      recordAudit(db, RETENTION_ACTOR, now, {
        action: 'retention.delete_records',
        universityId,
        targetType: 'student',
        targetId: studentId,
        after: { applications: ids, before: new Date(cutoff).toISOString() },
      }),
    ),
  )
  await db.$client.batch(statements)
  return ids.length
}

export interface RetentionResult {
  pseudonymised: number
  postponed: number
  applicationsDeleted: number
  studentsChecked: number
}

/**
 * One pass of both steps over every university, at `now`: at most `batch` people and
 * `batch` students' old records per university. Returns what it did; the cron logs it.
 */
export const applyRetention = async (
  s: Pick<Services, 'db' | 'certificatesBucket'>,
  now: number,
  batch = RETENTION_BATCH,
): Promise<RetentionResult> => {
  const result: RetentionResult = {
    pseudonymised: 0,
    postponed: 0,
    applicationsDeleted: 0,
    studentsChecked: 0,
  }
  const list = await s.db
    .select({ id: universities.id, years: universities.retentionYears })
    .from(universities)
    .all()
  for (const u of list) {
    try {
      const cutoffDay = retentionCutoffDay(now, u.years)
      for (const person of await dueLeavers(s.db, u.id, cutoffDay, false, batch)) {
        try {
          await pseudonymise(s, u.id, person, now, u.years)
          result.pseudonymised++
        } catch (e) {
          // Nothing was written (one batch); the next run tries again. Never the ユーザID here.
          console.error('retention failed for a person', u.id, e instanceof Error ? e.message : e)
        }
      }
      const waiting = await dueLeavers(s.db, u.id, cutoffDay, true, batch)
      if (waiting.length > 0) {
        result.postponed += waiting.length
        // The 管理者 sees them on 大学設定; the log says how many wait, never who.
        console.log('retention postponed: money still on its way', u.id, waiting.length)
      }
      const cutoff = accountsCutoff(now)
      for (const { studentId } of await studentsWithExpiredRecords(s.db, u.id, cutoff, batch)) {
        result.applicationsDeleted += await deleteExpiredRecords(s, u.id, studentId, cutoff, now)
        result.studentsChecked++
      }
    } catch (e) {
      // One university's trouble must not keep the others (or the rest of the cron) waiting.
      console.error('retention failed', u.id, e instanceof Error ? e.message : e)
    }
  }
  return result
}

/** The cron's guard: the daily pass runs in RETENTION_HOUR_JST only (see there why). */
export const retentionDue = (now: number) => jstParts(now).hour === RETENTION_HOUR_JST

/** Cron: the daily retention pass, when it is its hour. */
export const retentionNightly = async (
  s: Pick<Services, 'db' | 'certificatesBucket'>,
  now: number,
) => (retentionDue(now) ? applyRetention(s, now) : null)

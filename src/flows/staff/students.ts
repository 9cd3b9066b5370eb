import { and, desc, eq, gte, lt, or, sql } from 'drizzle-orm'
import type { Student } from '../../context'
import type { Db } from '../../db'
import { applications, directoryPeople, loginThrottle, students } from '../../db/schema'
import { seesUniversity, type StaffPrincipal } from '../../domain/staff'
import { activeLock } from '../../domain/throttle'
import { recordAudit } from './audit'
import { accountKey, clearAttempts, deviceKeyRange } from '../throttle'

/**
 * 学生 in the console: one student, their applications and login lock, and the two
 * actions on their account. The university is checked on every read: a student of a
 * university the member does not serve is not found, exactly like one that does not exist.
 */
export const studentForStaff = async (
  db: Db,
  member: Pick<StaffPrincipal, 'universityId'>,
  id: number,
): Promise<Student | null> => {
  const student = await db.select().from(students).where(eq(students.id, id)).get()
  return student && seesUniversity(member, student.universityId) ? student : null
}

/** How many of a student's applications the page lists, newest first. */
export const STUDENT_APPLICATIONS_SHOWN = 100

export const studentApplications = (db: Db, studentId: number) =>
  db
    .select({
      id: applications.id,
      createdAt: applications.createdAt,
      amount: applications.amount,
      paymentMethod: applications.paymentMethod,
      status: applications.status,
      creditStatus: applications.creditStatus,
      creditedAt: applications.creditedAt,
    })
    .from(applications)
    .where(eq(applications.studentId, studentId))
    .orderBy(desc(applications.createdAt), desc(applications.id))
    .limit(STUDENT_APPLICATIONS_SHOWN)
    .all()

export interface LoginLockState {
  /** Failed attempts counted in the current window (0: none). */
  failures: number
  windowStartedAt: number | null
  /** Until when the account is locked for clients without the student's device cookie. */
  lockedUntil: number | null
}

/**
 * The two kinds of lock a student who cannot log in may have (flows/login.ts):
 * - `account`: the lock of every client without the student's device cookie (someone, maybe
 *   the student on a new phone, failed too often with this user ID); ログインロック解除 lifts it;
 * - `devices`: the student's own browsers (their device cookies) that failed too often
 *   themselves, each locked on its own until a time; nobody lifts those, they end by
 *   themselves (a thief holding the student's browser gains nothing by calling).
 */
export interface LoginLocks {
  account: LoginLockState
  /** The student's own browsers locked now: how many, and when the last of them ends. */
  devices: { count: number; until: number } | null
}

/** Whose login is meant: an account, or a roster person by user ID (no account yet). */
export interface LoginHolder {
  universityId: string
  userId: string
}

/** The account's and the student's browsers' login counters, in one read. */
export const loginLocksOf = async (db: Db, who: LoginHolder, now: number): Promise<LoginLocks> => {
  const account = accountKey(who.universityId, who.userId)
  const devices = deviceKeyRange(who.universityId, who.userId)
  const rows = await db
    .select()
    .from(loginThrottle)
    .where(
      or(
        eq(loginThrottle.key, account),
        and(gte(loginThrottle.key, devices.from), lt(loginThrottle.key, devices.to)),
      ),
    )
    .all()
  const row = rows.find((r) => r.key === account)
  const locked = rows
    .filter((r) => r.key !== account)
    .map((r) => activeLock(r.lockedUntil, now))
    .filter((until): until is number => until !== null)
  return {
    account: {
      failures: row?.failures ?? 0,
      windowStartedAt: row?.windowStartedAt ?? null,
      lockedUntil: activeLock(row?.lockedUntil, now),
    },
    devices: locked.length > 0 ? { count: locked.length, until: Math.max(...locked) } : null,
  }
}

/** A person of the roster the member may see who has no account with the service yet. */
export interface RosterPerson extends LoginHolder {
  nameKana: string
  /** The account's id once they have logged in (the page is then the account's). */
  accountId: number | null
}

/**
 * A roster person by university and user ID, if the member serves that university: another
 * university's person is not found, exactly like one that does not exist.
 */
export const rosterPersonForStaff = async (
  db: Db,
  member: Pick<StaffPrincipal, 'universityId'>,
  universityId: string,
  userId: string,
): Promise<RosterPerson | null> => {
  if (!seesUniversity(member, universityId)) return null
  const row = await db
    .select({
      universityId: directoryPeople.universityId,
      userId: directoryPeople.userId,
      nameKana: directoryPeople.nameKana,
      accountId: students.id,
    })
    .from(directoryPeople)
    .leftJoin(
      students,
      and(
        eq(students.universityId, directoryPeople.universityId),
        eq(students.userId, directoryPeople.userId),
      ),
    )
    .where(and(eq(directoryPeople.universityId, universityId), eq(directoryPeople.userId, userId)))
    .get()
  return row ?? null
}

/**
 * ログインロック解除: forgets the account's failed attempts and lock, so the student can log
 * in from any browser at once, and records who did it and why, in one batch (both or
 * neither). For a roster person without an account yet, the same lock, audited by user ID
 * (target `person`). Locks of the student's own browsers (device cookies) run out by
 * themselves after 15 minutes; a lock of a client address is a lock of that network, not of
 * the student, and is left alone.
 */
export const unlockLogin = async (
  db: Db,
  actor: StaffPrincipal,
  who: LoginHolder & { id?: number },
  reason: string,
  now: number,
) => {
  const before = (await loginLocksOf(db, who, now)).account
  await db.batch([
    clearAttempts(db, accountKey(who.universityId, who.userId)),
    recordAudit(db, actor, now, {
      action: 'student.unlockLogin',
      universityId: who.universityId,
      ...(who.id === undefined
        ? { targetType: 'person', targetId: who.userId }
        : { targetType: 'student', targetId: who.id }),
      reason,
      before,
      after: { failures: 0, windowStartedAt: null, lockedUntil: null },
    }),
  ])
  return before
}

/**
 * 全セッション終了: bumps the student's credential epoch. Every session carries the epoch
 * it began under and is ended at its next request once they differ (middleware/session.ts),
 * so every session on every device ends at once. Audited in the same batch.
 */
export const endAllSessions = async (
  db: Db,
  actor: StaffPrincipal,
  student: Student,
  reason: string,
  now: number,
) => {
  await db.batch([
    db
      .update(students)
      .set({ credentialEpoch: sql`${students.credentialEpoch} + 1` })
      .where(eq(students.id, student.id)),
    recordAudit(db, actor, now, {
      action: 'student.endSessions',
      universityId: student.universityId,
      targetType: 'student',
      targetId: student.id,
      reason,
      before: { credentialEpoch: student.credentialEpoch },
      after: { credentialEpoch: student.credentialEpoch + 1 },
    }),
  ])
}

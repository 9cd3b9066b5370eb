import { desc, eq, sql } from 'drizzle-orm'
import type { Student } from '../../context'
import type { Db } from '../../db'
import { applications, loginThrottle, students } from '../../db/schema'
import { seesUniversity, type StaffPrincipal } from '../../domain/staff'
import { activeLock } from '../../domain/throttle'
import { recordAudit } from './audit'
import { accountKey, clearAttempts } from '../throttle'

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
 * The account's login throttle (flows/login.ts counts every client without the student's
 * device cookie against it). A browser's own counter (its device cookie) names no student
 * by design (security/device.ts), so it cannot be looked up, or cleared, from here.
 */
export const loginLockOf = async (
  db: Db,
  student: Student,
  now: number,
): Promise<LoginLockState> => {
  const row = await db
    .select()
    .from(loginThrottle)
    .where(eq(loginThrottle.key, accountKey(student.universityId, student.userId)))
    .get()
  return {
    failures: row?.failures ?? 0,
    windowStartedAt: row?.windowStartedAt ?? null,
    lockedUntil: activeLock(row?.lockedUntil, now),
  }
}

/**
 * ログインロック解除: forgets the account's failed attempts and lock, so the student can log
 * in from any browser at once, and records who did it and why, in one batch (both or
 * neither). Locks of the student's own browsers (device cookies) run out by themselves
 * after 15 minutes; a lock of a client address is a lock of that network, not of the
 * student, and is left alone.
 */
export const unlockLogin = async (
  db: Db,
  actor: StaffPrincipal,
  student: Student,
  reason: string,
  now: number,
) => {
  const before = await loginLockOf(db, student, now)
  await db.batch([
    clearAttempts(db, accountKey(student.universityId, student.userId)),
    recordAudit(db, actor, now, {
      action: 'student.unlockLogin',
      universityId: student.universityId,
      targetType: 'student',
      targetId: student.id,
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

import { eq, sql } from 'drizzle-orm'
import type { Deps, Student } from '../context'
import { students } from '../db/schema'
import { ACCOUNT_POLICY, CLIENT_POLICY } from '../domain/throttle'
import type { University } from '../domain/university'
import { DUMMY_HASH, verifySecret } from '../security/crypto'
import {
  accountKey,
  beginAttempt,
  clearAttempts,
  clientKey,
  currentLock,
  failAttempt,
  recordFailure,
} from './throttle'

export type LoginResult =
  { kind: 'ok'; student: Student } | { kind: 'failed' } | { kind: 'locked'; until: number }

/** The service's account for a directory person, created on their first login. */
const accountFor = (deps: Deps, universityId: string, userId: string, nameKana: string) =>
  deps.db
    .insert(students)
    .values({ universityId, userId, nameKana })
    .onConflictDoUpdate({ target: [students.universityId, students.userId], set: { nameKana } })
    .returning()
    .get()

/**
 * 在学生ログイン (manual §2.3). The university password is checked against the directory;
 * the second password once the student has set one (first login leaves it empty). Every
 * failure looks the same, whichever field was wrong and whether the ID exists.
 */
export const attemptLogin = async (
  deps: Deps,
  university: University,
  input: { userId: string; password: string; secondPassword: string },
  client: string,
): Promise<LoginResult> => {
  const { db } = deps
  const now = deps.clock()
  const cKey = clientKey(university.id, client)
  const clientLock = await currentLock(db, cKey, now)
  if (clientLock) return { kind: 'locked', until: clientLock }
  const aKey = accountKey(university.id, input.userId)
  const gate = await beginAttempt(db, aKey, now, ACCOUNT_POLICY)
  if (gate.locked !== null) return { kind: 'locked', until: gate.locked }

  const person = await deps.directory.authenticate(university.id, input.userId, input.password)
  let student: Student | null = null
  if (person) {
    const account = await accountFor(deps, university.id, person.userId, person.nameKana)
    const secondOk = account.secondPasswordHash
      ? await verifySecret(input.secondPassword, account.secondPasswordHash, deps.pepper)
      : true
    if (secondOk) student = account
  } else {
    // Same work as checking a second password, so an unknown ID is not faster.
    await verifySecret(input.secondPassword, DUMMY_HASH, deps.pepper)
  }

  if (!student) {
    const accountLock = await failAttempt(db, aKey, gate.attempt, now, ACCOUNT_POLICY)
    const clientLockNow = await recordFailure(db, cKey, now, CLIENT_POLICY)
    const until = accountLock ?? clientLockNow
    return until ? { kind: 'locked', until } : { kind: 'failed' }
  }

  await clearAttempts(db, aKey)
  const updated = await db
    .update(students)
    .set({ lastLoginAt: sql`${students.currentLoginAt}`, currentLoginAt: now })
    .where(eq(students.id, student.id))
    .returning()
    .get()
  return { kind: 'ok', student: updated }
}

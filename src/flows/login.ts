import { eq, sql } from 'drizzle-orm'
import type { Deps, SessionStudent } from '../context'
import { students } from '../db/schema'
import { ACCOUNT_POLICY, CLIENT_POLICY, DEVICE_POLICY } from '../domain/throttle'
import type { University } from '../domain/university'
import { DUMMY_HASH, verifySecret } from '../security/crypto'
import { issueDeviceCookie, verifyDeviceCookie } from '../security/device'
import {
  accountKey,
  beginAttempt,
  clearAttempts,
  clientKey,
  currentLock,
  deviceKey,
  countFailure,
  failAttempt,
} from './throttle'

export type LoginResult =
  /** `deviceCookie`: the browser's new device cookie, to be set with the session. */
  | { kind: 'ok'; student: SessionStudent; deviceCookie: string }
  /**
   * `triesLeft`: failures still allowed before a lock, counted per user ID typed (and per
   * client), so an unknown ID gets the same answer as a real one.
   */
  | { kind: 'failed'; triesLeft: number; lockMinutes: number }
  | { kind: 'locked'; until: number }

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
 *
 * Throttling follows OWASP's device cookies: a browser presenting a valid device cookie for
 * the user ID typed is a trusted client, whose attempts are counted against that cookie
 * alone; any other client is counted against the client and against the account's lock of
 * untrusted clients, which therefore never stops the student's own browsers.
 *
 * A person whose roster row has no password yet (known only from the registrar) fails like
 * a wrong password (adapters/directory). Every status logs in; what each may then do is
 * domain/roster.ts's STUDENT_RIGHTS.
 */
export const attemptLogin = async (
  deps: Deps,
  university: University,
  input: { userId: string; password: string; secondPassword: string; deviceCookie?: string },
  client: string,
): Promise<LoginResult> => {
  const { db } = deps
  const now = deps.clock()
  const device = await verifyDeviceCookie(
    deps.pepper,
    university.id,
    input.userId,
    input.deviceCookie,
    now,
  )
  const cKey = device ? null : clientKey(university.id, client)
  if (cKey) {
    const clientLock = await currentLock(db, cKey, now)
    if (clientLock) return { kind: 'locked', until: clientLock }
  }
  const key = device
    ? deviceKey(university.id, input.userId, device)
    : accountKey(university.id, input.userId)
  const policy = device ? DEVICE_POLICY : ACCOUNT_POLICY
  const gate = await beginAttempt(db, key, now, policy)
  if (gate.locked !== null) return { kind: 'locked', until: gate.locked }

  const person = await deps.directory.authenticate(university.id, input.userId, input.password)
  let student: SessionStudent | null = null
  if (person) {
    const account = await accountFor(deps, university.id, person.userId, person.nameKana)
    const secondOk = account.secondPasswordHash
      ? await verifySecret(input.secondPassword, account.secondPasswordHash, deps.pepper)
      : true
    if (secondOk) student = { ...account, status: person.status }
  } else {
    // Same work as checking a second password, so an unknown ID is not faster.
    await verifySecret(input.secondPassword, DUMMY_HASH, deps.pepper)
  }

  if (!student) {
    const lock = await failAttempt(db, key, gate.attempt, now, policy)
    const client = cKey ? await countFailure(db, cKey, now, CLIENT_POLICY) : null
    const until = lock ?? client?.lockedUntil ?? null
    if (until) return { kind: 'locked', until }
    // Whichever lock comes first: the ID's (its attempts, whoever typed it) or the client's.
    const triesLeft = Math.min(
      policy.maxFailures - gate.attempt,
      client ? CLIENT_POLICY.maxFailures - client.count : Infinity,
    )
    const lockMs =
      triesLeft === policy.maxFailures - gate.attempt ? policy.lockMs : CLIENT_POLICY.lockMs
    return { kind: 'failed', triesLeft, lockMinutes: Math.round(lockMs / 60_000) }
  }

  // A trusted browser's success clears only its own counter: a lock of untrusted clients
  // that someone else caused stays in force for them.
  await clearAttempts(db, key)
  const updated = await db
    .update(students)
    .set({ lastLoginAt: sql`${students.currentLoginAt}`, currentLoginAt: now })
    .where(eq(students.id, student.id))
    .returning()
    .get()
  const deviceCookie = await issueDeviceCookie(deps.pepper, university.id, updated.userId, now)
  return { kind: 'ok', student: { ...updated, status: student.status }, deviceCookie }
}

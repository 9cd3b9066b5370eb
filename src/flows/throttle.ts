import { eq, lt, and, or, isNull } from 'drizzle-orm'
import type { Db } from '../db'
import { loginThrottle } from '../db/schema'
import { activeLock, lockAfter, type ThrottlePolicy } from '../domain/throttle'

export const accountKey = (universityId: string, userId: string) =>
  `account:${universityId}:${userId.toLowerCase()}`
export const clientKey = (universityId: string, client: string) =>
  `client:${universityId}:${client}`
/**
 * A device cookie's own counter, by its nonce (see security/device.ts). The cookie names no
 * student; its counter here does (the user ID the cookie was checked against), so the
 * console can tell a caller that their own browser is locked, and until when.
 */
export const deviceKey = (universityId: string, userId: string, device: string) =>
  `${devicePrefix(universityId, userId)}${device}`

// A user ID holds no ':' (domain/rosterCsv.ts USER_ID), so a prefix names one student's devices.
const devicePrefix = (universityId: string, userId: string) =>
  `device:${universityId}:${userId.toLowerCase()}:`

/** The keys of one student's device counters: from `from` (inclusive) to `to` (exclusive). */
export const deviceKeyRange = (universityId: string, userId: string) => {
  const from = devicePrefix(universityId, userId)
  // ';' is the character after ':': the range holds exactly the keys that begin with the prefix.
  return { from, to: `${from.slice(0, -1)};` }
}

/**
 * Counts one attempt (or failure) against `key` in one atomic statement and returns its
 * number in the current window, or the lock in force. A window restarts after `windowMs`
 * or once a lock has run out.
 */
const bump = async (db: Db, key: string, now: number, policy: ThrottlePolicy) => {
  const row = await db.$client
    .prepare(
      `INSERT INTO login_throttle (key, failures, window_started_at, locked_until) VALUES (?1, 1, ?2, NULL)
       ON CONFLICT(key) DO UPDATE SET
         failures = CASE WHEN locked_until > ?2 THEN failures
                         WHEN ?2 - window_started_at >= ?3 OR locked_until IS NOT NULL THEN 1
                         ELSE failures + 1 END,
         window_started_at = CASE WHEN locked_until > ?2 THEN window_started_at
                         WHEN ?2 - window_started_at >= ?3 OR locked_until IS NOT NULL THEN ?2
                         ELSE window_started_at END,
         locked_until = CASE WHEN locked_until > ?2 THEN locked_until ELSE NULL END
       RETURNING failures, locked_until`,
    )
    .bind(key, now, policy.windowMs)
    .first<{ failures: number; locked_until: number | null }>()
  return { count: row!.failures, lockedUntil: activeLock(row!.locked_until, now) }
}

const lock = (db: Db, key: string, until: number) =>
  db.update(loginThrottle).set({ lockedUntil: until }).where(eq(loginThrottle.key, key))

export type AttemptGate = { locked: number } | { locked: null; attempt: number }

/** Reserves one attempt for `key`; refuses (and locks) when the window's allowance is spent. */
export const beginAttempt = async (
  db: Db,
  key: string,
  now: number,
  policy: ThrottlePolicy,
): Promise<AttemptGate> => {
  const { count, lockedUntil } = await bump(db, key, now, policy)
  if (lockedUntil) return { locked: lockedUntil }
  if (count > policy.maxFailures) {
    const until = now + policy.lockMs
    await lock(db, key, until)
    return { locked: until }
  }
  return { locked: null, attempt: count }
}

/** After a failed reserved attempt: locks when it was the last one allowed. */
export const failAttempt = async (
  db: Db,
  key: string,
  attempt: number,
  now: number,
  policy: ThrottlePolicy,
) => {
  const until = lockAfter(attempt, now, policy)
  if (until) await lock(db, key, until)
  return until
}

/** The lock in force for `key`, without counting anything. */
export const currentLock = async (db: Db, key: string, now: number) => {
  const row = await db
    .select({ lockedUntil: loginThrottle.lockedUntil })
    .from(loginThrottle)
    .where(eq(loginThrottle.key, key))
    .get()
  return activeLock(row?.lockedUntil, now)
}

/** Counts one failure for `key` (used for the client key, where only failures count). */
export const recordFailure = async (db: Db, key: string, now: number, policy: ThrottlePolicy) =>
  (await countFailure(db, key, now, policy)).lockedUntil

/** recordFailure, with the failures counted in the window so far (for the tries left). */
export const countFailure = async (db: Db, key: string, now: number, policy: ThrottlePolicy) => {
  const { count, lockedUntil } = await bump(db, key, now, policy)
  if (lockedUntil) return { count, lockedUntil }
  const until = lockAfter(count, now, policy)
  if (until) await lock(db, key, until)
  return { count, lockedUntil: until }
}

export const clearAttempts = (db: Db, key: string) =>
  db.delete(loginThrottle).where(eq(loginThrottle.key, key))

/** Housekeeping: forgets counters whose window and lock are both over. */
export const purgeStaleThrottles = (db: Db, now: number, olderThanMs: number) =>
  db
    .delete(loginThrottle)
    .where(
      and(
        lt(loginThrottle.windowStartedAt, now - olderThanMs),
        or(isNull(loginThrottle.lockedUntil), lt(loginThrottle.lockedUntil, now)),
      ),
    )

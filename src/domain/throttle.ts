/**
 * Failed-login throttling rules. Locks are keyed on what was typed (the user ID) and on
 * the client, so a locked account looks the same whether or not the ID exists. A browser
 * with the student's device cookie is counted on its own (DEVICE_POLICY): the account lock
 * is a lock of *untrusted* clients only, so nobody can lock a student out.
 */
export interface ThrottlePolicy {
  maxFailures: number
  windowMs: number
  lockMs: number
}

/**
 * Per account, for clients without the student's device cookie: attempts are counted
 * *before* the password is checked, so a burst of parallel guesses gets no more than
 * `maxFailures` checks.
 */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
}

/**
 * Per device cookie: a browser the student logged in from before has an allowance of its
 * own, counted like the account's, and its lock stops only that browser.
 */
export const DEVICE_POLICY: ThrottlePolicy = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
}

/** Per client: only failures count, so a busy campus NAT is not locked by its own students' logins. */
export const CLIENT_POLICY: ThrottlePolicy = {
  maxFailures: 50,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
}

/** The instant until which a key stays locked, or null when it may try now. */
export const activeLock = (lockedUntil: number | null | undefined, now: number): number | null =>
  lockedUntil != null && lockedUntil > now ? lockedUntil : null

/** The lock to set after the `count`-th failure in a window, or null for none yet. */
export const lockAfter = (count: number, now: number, policy: ThrottlePolicy): number | null =>
  count >= policy.maxFailures ? now + policy.lockMs : null

import { and, eq, gt, isNull, notLike } from 'drizzle-orm'
import type { Db } from '../../db'
import { staffInvites, staffMembers } from '../../db/schema'
import {
  STAFF_INVITE_TTL_MS,
  STAFF_SESSION_IDLE_MS,
  STAFF_SESSION_MAX_MS,
  type StaffPrincipal,
  type StaffRole,
} from '../../domain/staff'
import { ACCOUNT_POLICY, CLIENT_POLICY, DEVICE_POLICY } from '../../domain/throttle'
import { DUMMY_HASH, hashSecret, randomToken, sha256Hex, verifySecret } from '../../security/crypto'
import { issueStaffDeviceCookie, verifyStaffDeviceCookie } from '../../security/device'
import { readOwnedRecord, sessionCookieOwner } from '../../security/session'
import { newTotpSecret, verifyTotp } from '../../security/totp'
import {
  isCurrentlySealed,
  openTotpSecret,
  sealTotpSecret,
  type TotpKeys,
} from '../../security/totpSeal'
import { beginAttempt, clearAttempts, currentLock, failAttempt, recordFailure } from '../throttle'

export type StaffMember = typeof staffMembers.$inferSelect

export const principalOf = (m: StaffMember): StaffPrincipal => ({
  id: m.id,
  email: m.email,
  name: m.name,
  role: m.role,
  universityId: m.universityId,
})

export const normaliseEmail = (email: string) => email.trim().toLowerCase()

/** The login-throttle key of a member's account (login_throttle.key). */
export const STAFF_ACCOUNT_KEY_PREFIX = 'staff-account:'
export const staffAccountKey = (email: string) =>
  `${STAFF_ACCOUNT_KEY_PREFIX}${normaliseEmail(email)}`
const staffClientKey = (client: string) => `staff-client:${client}`
/** A member's known browser's own counter, by its device cookie's nonce. */
const staffDeviceKey = (device: string) => `staff-device:${device}`

export type StaffLoginResult =
  /** `deviceCookie`: the browser's new device cookie, to be set with the session. */
  | { kind: 'ok'; member: StaffMember; deviceCookie: string }
  | { kind: 'failed' }
  | { kind: 'locked'; until: number }

interface AuthDeps {
  db: Db
  /** The service's clock (moved in development and tests): sessions, invitations, locks. */
  clock: () => number
  /**
   * Real time, for TOTP codes: the member's authenticator app knows nothing of a moved
   * development clock.
   */
  wallClock: () => number
  pepper: string
  /** The TOTP_KEYS secret's keys: members' and invitations' TOTP secrets are sealed under them. */
  totpKeys: TotpKeys
}

/**
 * The console's login: password and a TOTP code, both required, every failure looking the
 * same. A code is accepted once: its time step is stored, and that step or an older one is
 * refused.
 *
 * Throttling as for students (flows/login.ts, OWASP's device cookies): a browser presenting
 * a valid device cookie for the address typed is counted against that cookie alone, so
 * strangers' failures (anyone who knows an address can cause them) never lock a member out
 * of a browser they have signed in from. Any other client is counted per account, before
 * anything is checked (a burst of parallel guesses gets no more than the allowance), and
 * its failures per client.
 */
export const attemptStaffLogin = async (
  deps: AuthDeps,
  input: { email: string; password: string; code: string; deviceCookie?: string },
  client: string,
): Promise<StaffLoginResult> => {
  const { db } = deps
  const now = deps.clock()
  const device = await verifyStaffDeviceCookie(deps.pepper, input.email, input.deviceCookie, now)
  const cKey = device ? null : staffClientKey(client)
  if (cKey) {
    const clientLock = await currentLock(db, cKey, now)
    if (clientLock) return { kind: 'locked', until: clientLock }
  }
  const key = device ? staffDeviceKey(device) : staffAccountKey(input.email)
  const policy = device ? DEVICE_POLICY : ACCOUNT_POLICY
  const gate = await beginAttempt(db, key, now, policy)
  if (gate.locked !== null) return { kind: 'locked', until: gate.locked }

  const member = await db
    .select()
    .from(staffMembers)
    .where(eq(staffMembers.email, normaliseEmail(input.email)))
    .get()
  const passwordOk = await verifySecret(
    input.password,
    member?.passwordHash ?? DUMMY_HASH,
    deps.pepper,
  )
  const opened =
    member && passwordOk && !member.disabledAt
      ? await openTotpSecret(deps.totpKeys, member.totpSecret, member.email)
      : null
  const step =
    member && opened
      ? await verifyTotp(opened.secret, input.code, deps.wallClock(), member.totpLastStep)
      : null
  // The step is claimed in the same statement that checks it was not claimed before, so two
  // logins racing with one code cannot both succeed.
  const claimed =
    member && step !== null
      ? await db
          .update(staffMembers)
          .set({ totpLastStep: step, lastLoginAt: now })
          .where(
            and(
              eq(staffMembers.id, member.id),
              member.totpLastStep === null
                ? isNull(staffMembers.totpLastStep)
                : eq(staffMembers.totpLastStep, member.totpLastStep),
            ),
          )
          .returning()
          .get()
      : undefined
  if (!claimed) {
    const lock = await failAttempt(db, key, gate.attempt, now, policy)
    const clientLockNow = cKey ? await recordFailure(db, cKey, now, CLIENT_POLICY) : null
    const until = lock ?? clientLockNow
    return until ? { kind: 'locked', until } : { kind: 'failed' }
  }
  // A known browser's success clears only its own counter: a lock of untrusted clients
  // that someone else caused stays in force for them.
  await clearAttempts(db, key)
  // A secret still in plain text, or under a key being rotated out, is sealed anew.
  if (opened?.stale) await resealMemberSecret(deps, claimed, opened.secret)
  const deviceCookie = await issueStaffDeviceCookie(deps.pepper, claimed.email, now)
  return { kind: 'ok', member: claimed, deviceCookie }
}

/** Seals a member's secret under the current key, unless the row changed meanwhile. */
const resealMemberSecret = async (
  deps: Pick<AuthDeps, 'db' | 'totpKeys'>,
  member: Pick<StaffMember, 'id' | 'email' | 'totpSecret'>,
  secret: string,
) => {
  const sealed = await sealTotpSecret(deps.totpKeys, secret, member.email)
  await deps.db
    .update(staffMembers)
    .set({ totpSecret: sealed })
    .where(and(eq(staffMembers.id, member.id), eq(staffMembers.totpSecret, member.totpSecret)))
}

/**
 * Seals every member's and invitation's TOTP secret that is not sealed under the current
 * key: plain text written before encryption, or a key being rotated out. Run by the cron;
 * safe to repeat and to run beside sign-ins (each row is written only if it is still what
 * was read). A value no key opens (its key id was dropped from TOTP_KEYS too early) is
 * left as it is and counted, and the rest are sealed all the same.
 */
export const resealTotpSecrets = async (deps: Pick<AuthDeps, 'db' | 'totpKeys'>) => {
  const { db, totpKeys } = deps
  const current = `v1.${totpKeys.current}.%`
  const result = { sealed: 0, unreadable: 0 }
  const reseal = async (stored: string, email: string, write: (sealed: string) => unknown) => {
    if (isCurrentlySealed(totpKeys, stored)) return
    const opened = await openTotpSecret(totpKeys, stored, email).catch(() => null)
    if (!opened) {
      result.unreadable++
      return
    }
    await write(await sealTotpSecret(totpKeys, opened.secret, email))
    result.sealed++
  }
  const members = await db
    .select({ id: staffMembers.id, email: staffMembers.email, totpSecret: staffMembers.totpSecret })
    .from(staffMembers)
    .where(notLike(staffMembers.totpSecret, current))
  for (const m of members)
    await reseal(m.totpSecret, m.email, (sealed) =>
      db
        .update(staffMembers)
        .set({ totpSecret: sealed })
        .where(and(eq(staffMembers.id, m.id), eq(staffMembers.totpSecret, m.totpSecret))),
    )
  const invites = await db
    .select({
      tokenHash: staffInvites.tokenHash,
      email: staffInvites.email,
      totpSecret: staffInvites.totpSecret,
    })
    .from(staffInvites)
    .where(notLike(staffInvites.totpSecret, current))
  for (const i of invites)
    await reseal(i.totpSecret, i.email, (sealed) =>
      db
        .update(staffInvites)
        .set({ totpSecret: sealed })
        .where(
          and(eq(staffInvites.tokenHash, i.tokenHash), eq(staffInvites.totpSecret, i.totpSecret)),
        ),
    )
  return result
}

/** Lifts a staff member's login lock (an administrator's way out for a locked colleague). */
export const clearStaffLoginLock = (db: Db, email: string) =>
  clearAttempts(db, staffAccountKey(email))

// --- Sessions: KV, keyed by the hash of the cookie's token --------------------------------

export interface StaffSessionRecord {
  staffId: number
  epoch: number
  createdAt: number
  refreshedAt: number
}

export const STAFF_SESSION_COOKIE = 'staff'
/** A console session cookie is `<member id>.<token>`, as a student's (security/session.ts). */
export const staffCookieMember = sessionCookieOwner
const sessionKey = async (id: string) => `staff-session:${await sha256Hex(id)}`
/** KV's TTL is only housekeeping; the idle and absolute limits are checked on every read. */
const ttlSeconds = (record: StaffSessionRecord, now: number) =>
  Math.max(
    60,
    Math.ceil(
      Math.min(STAFF_SESSION_IDLE_MS, record.createdAt + STAFF_SESSION_MAX_MS - now) / 1000,
    ),
  )

export const createStaffSession = async (
  kv: KVNamespace,
  member: Pick<StaffMember, 'id' | 'credentialEpoch'>,
  now: number,
) => {
  const id = `${member.id}.${randomToken(32)}`
  const record: StaffSessionRecord = {
    staffId: member.id,
    epoch: member.credentialEpoch,
    createdAt: now,
    refreshedAt: now,
  }
  await kv.put(await sessionKey(id), JSON.stringify(record), {
    expirationTtl: ttlSeconds(record, now),
  })
  return id
}

/** The session record a console cookie stands for: null unless it names the cookie's member. */
export const readStaffSession = (kv: KVNamespace, id: string | undefined) =>
  readOwnedRecord<StaffSessionRecord>(kv, id, sessionKey, (r) => r.staffId)

/**
 * Whether a console session still stands: not idle for 15 minutes, not older than 8 hours,
 * its member neither disabled nor changed since (a role change or a reset bumps the epoch).
 */
export const staffSessionAlive = (
  record: StaffSessionRecord,
  member: StaffMember | null,
  now: number,
): member is StaffMember =>
  member !== null &&
  member.id === record.staffId &&
  !member.disabledAt &&
  member.credentialEpoch === record.epoch &&
  now - record.refreshedAt < STAFF_SESSION_IDLE_MS &&
  now - record.createdAt < STAFF_SESSION_MAX_MS

/**
 * Restarts a live session's idle timer, written back at most once a minute (nothing is
 * written sooner). The request does not wait for it (middleware/staff.tsx).
 */
export const refreshStaffSession = async (
  kv: KVNamespace,
  id: string,
  record: StaffSessionRecord,
  now: number,
) => {
  if (now - record.refreshedAt < 60_000) return
  const next = { ...record, refreshedAt: now }
  await kv.put(await sessionKey(id), JSON.stringify(next), { expirationTtl: ttlSeconds(next, now) })
}

export const endStaffSession = async (kv: KVNamespace, id: string | undefined) => {
  if (staffCookieMember(id) !== null) await kv.delete(await sessionKey(id!))
}

// --- Invitations: a one-time URL, 30 minutes, once ----------------------------------------

export const createStaffInvite = async (
  deps: Pick<AuthDeps, 'db' | 'clock' | 'totpKeys'>,
  invite: { email: string; name: string; role: StaffRole; universityId: string | null },
  invitedBy: number,
) => {
  const raw = randomToken(32)
  const now = deps.clock()
  await deps.db.insert(staffInvites).values({
    tokenHash: await sha256Hex(raw),
    email: normaliseEmail(invite.email),
    name: invite.name,
    role: invite.role,
    universityId: invite.universityId,
    totpSecret: await sealTotpSecret(deps.totpKeys, newTotpSecret(), normaliseEmail(invite.email)),
    invitedBy,
    createdAt: now,
    expiresAt: now + STAFF_INVITE_TTL_MS,
  })
  return raw
}

export type StaffInvite = typeof staffInvites.$inferSelect

const INVITE_SHAPE = /^[A-Za-z0-9_-]{43}$/

/**
 * An invitation still usable (unused, unexpired), with its TOTP secret opened (`secret`,
 * for the invitation page; the row keeps it sealed), or why not.
 */
export const inspectStaffInvite = async (
  deps: Pick<AuthDeps, 'db' | 'clock' | 'totpKeys'>,
  raw: string,
): Promise<
  { status: 'valid'; invite: StaffInvite; secret: string } | { status: 'used' | 'invalid' }
> => {
  if (!INVITE_SHAPE.test(raw)) return { status: 'invalid' }
  const invite = await deps.db
    .select()
    .from(staffInvites)
    .where(eq(staffInvites.tokenHash, await sha256Hex(raw)))
    .get()
  if (!invite || invite.expiresAt <= deps.clock()) return { status: 'invalid' }
  if (invite.usedAt) return { status: 'used' }
  const { secret } = await openTotpSecret(deps.totpKeys, invite.totpSecret, invite.email)
  return { status: 'valid', invite, secret }
}

export type AcceptInviteResult =
  { kind: 'ok'; member: StaffMember } | { kind: 'used' | 'invalid' | 'badCode' | 'emailTaken' }

/**
 * Accepts an invitation: the invitee proves the authenticator app holds the secret (a code)
 * and sets a password. The token is claimed by one conditional UPDATE, so of two
 * submissions only one creates the account.
 */
export const acceptStaffInvite = async (
  deps: AuthDeps,
  raw: string,
  input: { password: string; code: string },
): Promise<AcceptInviteResult> => {
  const found = await inspectStaffInvite(deps, raw)
  if (found.status !== 'valid') return { kind: found.status }
  const { invite, secret } = found
  const now = deps.clock()
  const step = await verifyTotp(secret, input.code, deps.wallClock(), null)
  if (step === null) return { kind: 'badCode' }
  const taken = await deps.db
    .select({ id: staffMembers.id })
    .from(staffMembers)
    .where(eq(staffMembers.email, invite.email))
    .get()
  if (taken) return { kind: 'emailTaken' }
  const passwordHash = await hashSecret(input.password, deps.pepper)
  const claimed = await deps.db
    .update(staffInvites)
    .set({ usedAt: now })
    .where(
      and(
        eq(staffInvites.tokenHash, invite.tokenHash),
        isNull(staffInvites.usedAt),
        gt(staffInvites.expiresAt, now),
      ),
    )
    .returning()
    .get()
  if (!claimed) return { kind: 'used' }
  const member = await deps.db
    .insert(staffMembers)
    .values({
      email: invite.email,
      name: invite.name,
      role: invite.role,
      universityId: invite.universityId,
      passwordHash,
      // Sealed anew: under the current key, whatever the invitation's was.
      totpSecret: await sealTotpSecret(deps.totpKeys, secret, invite.email),
      totpLastStep: step,
      invitedBy: invite.invitedBy,
      createdAt: now,
    })
    .returning()
    .get()
  return { kind: 'ok', member }
}

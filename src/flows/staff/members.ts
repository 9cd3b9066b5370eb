import { and, asc, desc, eq, gt, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db'
import { loginThrottle, staffInvites, staffMembers } from '../../db/schema'
import { STAFF_INVITE_TTL_MS, type StaffPrincipal, type StaffRole } from '../../domain/staff'
import { activeLock } from '../../domain/throttle'
import type { TotpKeys } from '../../security/totpSeal'
import { currentLock } from '../throttle'
import { recordAudit, type AuditAction } from './audit'
import {
  clearStaffLoginLock,
  createStaffInvite,
  normaliseEmail,
  STAFF_ACCOUNT_KEY_PREFIX,
  staffAccountKey,
  type StaffMember,
} from './auth'

/**
 * スタッフ (管理者 only): a university's members, invitations, role changes, disabling and
 * unlocking. Every function is scoped to the administrator's own university: a member of
 * another university, or the call centre (the operator's, with no university), is not found.
 */

interface Deps {
  db: Db
  clock: () => number
}

/**
 * The key the console's login throttle counts a member's failures under. It mirrors
 * flows/staff/auth.ts (staffAccountKey), which does not export it; the test that unlocks a
 * locked member and logs in would fail if the two ever drifted apart.
 */
const accountThrottleKey = sql`${STAFF_ACCOUNT_KEY_PREFIX} || ${staffMembers.email}`

export interface MemberListing {
  id: number
  email: string
  name: string
  role: StaffRole
  disabledAt: number | null
  lastLoginAt: number | null
  /** Until when a run of failed logins keeps the member out, if it does now. */
  lockedUntil: number | null
}

/** The university's members (never the call centre's), administrators first, then by name. */
export const listMembers = async (
  db: Db,
  universityId: string,
  now: number,
): Promise<MemberListing[]> => {
  const rows = await db
    .select({
      id: staffMembers.id,
      email: staffMembers.email,
      name: staffMembers.name,
      role: staffMembers.role,
      disabledAt: staffMembers.disabledAt,
      lastLoginAt: staffMembers.lastLoginAt,
      lockedUntil: loginThrottle.lockedUntil,
    })
    .from(staffMembers)
    .leftJoin(loginThrottle, eq(loginThrottle.key, accountThrottleKey))
    .where(eq(staffMembers.universityId, universityId))
    .orderBy(desc(eq(staffMembers.role, 'admin')), asc(staffMembers.name), asc(staffMembers.id))
  return rows.map((r) => ({ ...r, lockedUntil: activeLock(r.lockedUntil, now) }))
}

/** Invitations of the university still waiting to be used (unused, unexpired). */
export const pendingInvites = (db: Db, universityId: string, now: number) =>
  db
    .select({
      email: staffInvites.email,
      name: staffInvites.name,
      role: staffInvites.role,
      expiresAt: staffInvites.expiresAt,
    })
    .from(staffInvites)
    .where(
      and(
        eq(staffInvites.universityId, universityId),
        isNull(staffInvites.usedAt),
        gt(staffInvites.expiresAt, now),
      ),
    )
    .orderBy(asc(staffInvites.expiresAt))

/** One member of the administrator's university, or null (another university's, the call centre's, none). */
export const memberOf = async (db: Db, actor: StaffPrincipal, id: number) => {
  if (!actor.universityId || !Number.isSafeInteger(id) || id <= 0) return null
  const m = await db
    .select()
    .from(staffMembers)
    .where(and(eq(staffMembers.id, id), eq(staffMembers.universityId, actor.universityId)))
    .get()
  return m ?? null
}

export type InviteResult =
  { kind: 'created'; token: string; expiresAt: number } | { kind: 'emailTaken' }

/**
 * Creates a one-time invitation URL's token (30 minutes, once) for the administrator's
 * university (the operator names the university it invites a first 管理者 to). An address
 * that already has an account anywhere is refused: addresses are one account across the
 * service, and the invitation could never be accepted.
 */
export const inviteMember = async (
  deps: Deps & { totpKeys: TotpKeys },
  actor: StaffPrincipal,
  input: { email: string; name: string; role: StaffRole },
  /** The account's university: the administrator's own, or the one the operator chose. */
  universityId: string | null = actor.universityId,
): Promise<InviteResult> => {
  if (!universityId) throw new Error('an invitation is for a university')
  const email = normaliseEmail(input.email)
  const taken = await deps.db
    .select({ id: staffMembers.id })
    .from(staffMembers)
    .where(eq(staffMembers.email, email))
    .get()
  if (taken) return { kind: 'emailTaken' }
  const now = deps.clock()
  const token = await createStaffInvite(
    deps,
    { email, name: input.name, role: input.role, universityId },
    actor.id,
  )
  const expiresAt = now + STAFF_INVITE_TTL_MS
  await recordAudit(deps.db, actor, now, {
    action: 'staff.invite',
    universityId,
    targetType: 'staff_invite',
    targetId: email,
    // Never the token: the audit log is read by every administrator of the university.
    after: { email, name: input.name, role: input.role },
  })
  return { kind: 'created', token, expiresAt }
}

export type MemberChange =
  | { kind: 'done'; member: StaffMember }
  | { kind: 'notFound' }
  /** An administrator cannot disable or demote themselves (nobody would be left to undo it). */
  | { kind: 'self' }
  /** Already so: nothing written, nothing audited. */
  | { kind: 'unchanged'; member: StaffMember }
  /** Changed by someone else between reading and writing: nothing written. */
  | { kind: 'conflict' }

const audited = async (
  deps: Deps,
  actor: StaffPrincipal,
  action: AuditAction,
  member: StaffMember,
  before: unknown,
  after: unknown,
) =>
  recordAudit(deps.db, actor, deps.clock(), {
    action,
    universityId: member.universityId,
    targetType: 'staff',
    targetId: member.id,
    before,
    after,
  })

/**
 * One member's row changed only if it is still as it was read (`still`): the row after, or
 * undefined when another change came first (the caller answers `conflict`).
 */
const updateMember = (
  db: Db,
  member: { id: number },
  set: SQLiteUpdateSetSource<typeof staffMembers>,
  still: SQL,
) =>
  db
    .update(staffMembers)
    .set(set)
    .where(and(eq(staffMembers.id, member.id), still))
    .returning()
    .get()

/**
 * Gives a member another role. Their credential epoch moves on, so every session they have
 * ends at once and the new role holds from their next login.
 */
export const changeRole = async (
  deps: Deps,
  actor: StaffPrincipal,
  id: number,
  role: StaffRole,
): Promise<MemberChange> => {
  const member = await memberOf(deps.db, actor, id)
  if (!member) return { kind: 'notFound' }
  if (member.id === actor.id) return { kind: 'self' }
  if (member.role === role) return { kind: 'unchanged', member }
  const updated = await updateMember(
    deps.db,
    member,
    { role, credentialEpoch: sql`${staffMembers.credentialEpoch} + 1` },
    eq(staffMembers.role, member.role),
  )
  if (!updated) return { kind: 'conflict' }
  await audited(deps, actor, 'staff.role', updated, { role: member.role }, { role })
  return { kind: 'done', member: updated }
}

/**
 * Disables a member: their sessions end at once (resumeStaffSession refuses a disabled
 * member, and the epoch moves on so none comes back when they are enabled again), and they
 * cannot log in.
 */
export const disableMember = async (
  deps: Deps,
  actor: StaffPrincipal,
  id: number,
): Promise<MemberChange> => {
  const member = await memberOf(deps.db, actor, id)
  if (!member) return { kind: 'notFound' }
  if (member.id === actor.id) return { kind: 'self' }
  if (member.disabledAt !== null) return { kind: 'unchanged', member }
  const now = deps.clock()
  const updated = await updateMember(
    deps.db,
    member,
    { disabledAt: now, credentialEpoch: sql`${staffMembers.credentialEpoch} + 1` },
    isNull(staffMembers.disabledAt),
  )
  if (!updated) return { kind: 'conflict' }
  await audited(deps, actor, 'staff.disable', updated, { disabledAt: null }, { disabledAt: now })
  return { kind: 'done', member: updated }
}

/** Lets a disabled member log in again (their old sessions stay ended). */
export const enableMember = async (
  deps: Deps,
  actor: StaffPrincipal,
  id: number,
): Promise<MemberChange> => {
  const member = await memberOf(deps.db, actor, id)
  if (!member) return { kind: 'notFound' }
  if (member.disabledAt === null) return { kind: 'unchanged', member }
  const updated = await updateMember(
    deps.db,
    member,
    { disabledAt: null },
    isNotNull(staffMembers.disabledAt),
  )
  if (!updated) return { kind: 'conflict' }
  await audited(
    deps,
    actor,
    'staff.enable',
    updated,
    { disabledAt: member.disabledAt },
    { disabledAt: null },
  )
  return { kind: 'done', member: updated }
}

/** Lifts a member's login lock (a run of failed logins), so they may try again at once. */
export const unlockMember = async (
  deps: Deps,
  actor: StaffPrincipal,
  id: number,
): Promise<MemberChange> => {
  const member = await memberOf(deps.db, actor, id)
  if (!member) return { kind: 'notFound' }
  const lockedUntil = await currentLock(deps.db, staffAccountKey(member.email), deps.clock())
  if (lockedUntil === null) return { kind: 'unchanged', member }
  await clearStaffLoginLock(deps.db, member.email)
  await audited(deps, actor, 'staff.unlock', member, { lockedUntil }, { lockedUntil: null })
  return { kind: 'done', member }
}

/** Far deeper than any real chain of invitations; only a loop in the data could reach it. */
const MAX_INVITATION_DEPTH = 64

/** The member and everyone above them in the invitation chain (who invited them, and so on). */
const invitationLineOf = async (db: Db, id: number): Promise<number[]> => {
  const { results } = await db.$client
    .prepare(
      `WITH RECURSIVE line(id, invited_by, depth) AS (
         SELECT id, invited_by, 0 FROM staff_members WHERE id = ?1
         UNION
         SELECT s.id, s.invited_by, line.depth + 1 FROM staff_members s
           JOIN line ON s.id = line.invited_by
          WHERE line.depth < ?2
       )
       SELECT DISTINCT id FROM line`,
    )
    .bind(id, MAX_INVITATION_DEPTH)
    .all<{ id: number }>()
  return results.map((r) => r.id)
}

/**
 * Whether two members are one invitation line: the same member, or one invited the other
 * (directly, or through accounts invited in turn). Such a pair is not two people for a
 * refund: an administrator can invite an address of their own, so the account they invited
 * (or its invitees) proves nothing about a second person, and neither does the inviter for
 * a request made with that account.
 */
export const inInvitationLine = async (db: Db, a: number, b: number): Promise<boolean> => {
  if (a === b) return true
  const [lineOfA, lineOfB] = await Promise.all([invitationLineOf(db, a), invitationLineOf(db, b)])
  return lineOfA.includes(b) || lineOfB.includes(a)
}

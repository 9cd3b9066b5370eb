import { asc, eq, isNotNull, isNull, and } from 'drizzle-orm'
import type { Db } from '../../db'
import { staffMembers, universities, universityHosts } from '../../db/schema'
import { settingsChanges, type UniversitySettings } from '../../domain/settings'
import type { StaffPrincipal } from '../../domain/staff'
import type { UniversityAccount } from '../../domain/universityAccount'
import { recordAudit } from './audit'
import { hostsOfOthers, loadSettings, settingsColumns } from './settings'

/**
 * 大学 (運用者 only): the universities of the service, created, edited, suspended and
 * resumed by the operator. The 大学設定 part of a university is read and checked by the same
 * rules as the administrator's page (domain/settings readSettings) and stored by the same
 * columns (flows/staff/settings settingsColumns); the operator adds the id, the gateway
 * account. Every change is one D1 batch with its audit entry.
 */

interface Deps {
  db: Db
  clock: () => number
}

export interface UniversityListing {
  id: string
  name: string
  nameEn: string
  suspendedAt: number | null
  hosts: string[]
  admins: number
}

/** Every university, by id, with its host names and how many active 管理者 it has. */
export const listUniversities = async (db: Db): Promise<UniversityListing[]> => {
  const [rows, hosts, admins] = await db.batch([
    db
      .select({
        id: universities.id,
        name: universities.name,
        nameEn: universities.nameEn,
        suspendedAt: universities.suspendedAt,
      })
      .from(universities)
      .orderBy(asc(universities.id)),
    db.select().from(universityHosts).orderBy(asc(universityHosts.hostname)),
    db
      .select({ universityId: staffMembers.universityId })
      .from(staffMembers)
      .where(and(eq(staffMembers.role, 'admin'), isNull(staffMembers.disabledAt))),
  ])
  return rows.map((r) => ({
    ...r,
    hosts: hosts.filter((h) => h.universityId === r.id).map((h) => h.hostname),
    admins: admins.filter((a) => a.universityId === r.id).length,
  }))
}

export interface UniversityDetail {
  account: UniversityAccount
  settings: UniversitySettings
  suspendedAt: number | null
  suspendedReason: string | null
}

/** One university as the operator's pages show it; null for an unknown id. */
export const loadUniversityDetail = async (
  db: Db,
  id: string,
): Promise<UniversityDetail | null> => {
  const [settings, row] = await Promise.all([
    loadSettings(db, id),
    db
      .select({
        gatewayAccount: universities.gatewayAccount,
        suspendedAt: universities.suspendedAt,
        suspendedReason: universities.suspendedReason,
      })
      .from(universities)
      .where(eq(universities.id, id))
      .get(),
  ])
  if (!settings || !row) return null
  return {
    account: { id, gatewayAccount: row.gatewayAccount },
    settings,
    suspendedAt: row.suspendedAt,
    suspendedReason: row.suspendedReason,
  }
}

export type CreateUniversityResult =
  { kind: 'created' } | { kind: 'idTaken' } | { kind: 'hostTaken'; hosts: string[] }

const idTaken = async (db: Db, id: string) =>
  Boolean(
    await db
      .select({ id: universities.id })
      .from(universities)
      .where(eq(universities.id, id))
      .get(),
  )

/**
 * Creates a university with its host names and one audit entry, in one D1 batch: all or
 * nothing. It offers no certificates until its catalogue is set ('{}'), and has no staff
 * until its first 管理者 accepts an invitation.
 */
export const createUniversity = async (
  deps: Deps,
  actor: StaffPrincipal,
  account: UniversityAccount,
  settings: UniversitySettings,
): Promise<CreateUniversityResult> => {
  const { db } = deps
  const conflicts = async (): Promise<CreateUniversityResult | null> => {
    if (await idTaken(db, account.id)) return { kind: 'idTaken' }
    const taken = await hostsOfOthers(db, account.id, settings.hosts)
    return taken.length > 0 ? { kind: 'hostTaken', hosts: taken } : null
  }
  const before = await conflicts()
  if (before) return before
  const now = deps.clock()
  try {
    await db.batch([
      db.insert(universities).values({
        id: account.id,
        ...settingsColumns(settings),
        gatewayAccount: account.gatewayAccount,
        certificateSettings: '{}',
        createdAt: now,
      }),
      ...settings.hosts.map((hostname) =>
        db.insert(universityHosts).values({ hostname, universityId: account.id }),
      ),
      recordAudit(db, actor, now, {
        action: 'university.create',
        universityId: account.id,
        targetType: 'university',
        targetId: account.id,
        after: { ...account, ...settings },
      }),
    ])
  } catch (e) {
    // Another operator took the id or a host name between the check and the batch (both
    // are keys): the batch was rolled back as a whole.
    const raced = await conflicts()
    if (raced) return raced
    throw e
  }
  return { kind: 'created' }
}

export type UpdateUniversityResult =
  | { kind: 'saved' }
  | { kind: 'unchanged' }
  | { kind: 'notFound' }
  | { kind: 'hostTaken'; hosts: string[] }

/**
 * Saves the operator's edit of a university: 大学設定 and the operator's own fields, with
 * one audit entry of what changed, in one D1 batch.
 */
export const updateUniversity = async (
  deps: Deps,
  actor: StaffPrincipal,
  account: UniversityAccount,
  next: UniversitySettings,
): Promise<UpdateUniversityResult> => {
  const { db } = deps
  const current = await loadUniversityDetail(db, account.id)
  if (!current) return { kind: 'notFound' }
  const taken = await hostsOfOthers(db, account.id, next.hosts)
  if (taken.length > 0) return { kind: 'hostTaken', hosts: taken }
  const changes = settingsChanges(current.settings, next) ?? { before: {}, after: {} }
  for (const k of ['gatewayAccount'] as const) {
    if (current.account[k] !== account[k]) {
      changes.before[k] = current.account[k]
      changes.after[k] = account[k]
    }
  }
  if (Object.keys(changes.after).length === 0) return { kind: 'unchanged' }
  const added = next.hosts.filter((h) => !current.settings.hosts.includes(h))
  const removed = current.settings.hosts.filter((h) => !next.hosts.includes(h))
  try {
    await db.batch([
      db
        .update(universities)
        .set({
          ...settingsColumns(next),
          gatewayAccount: account.gatewayAccount,
        })
        .where(eq(universities.id, account.id)),
      ...removed.map((hostname) =>
        db
          .delete(universityHosts)
          .where(
            and(
              eq(universityHosts.hostname, hostname),
              eq(universityHosts.universityId, account.id),
            ),
          ),
      ),
      ...added.map((hostname) =>
        db.insert(universityHosts).values({ hostname, universityId: account.id }),
      ),
      recordAudit(db, actor, deps.clock(), {
        action: 'university.update',
        universityId: account.id,
        targetType: 'university',
        targetId: account.id,
        before: changes.before,
        after: changes.after,
      }),
    ])
  } catch (e) {
    const raced = await hostsOfOthers(db, account.id, added)
    if (raced.length > 0) return { kind: 'hostTaken', hosts: raced }
    throw e
  }
  return { kind: 'saved' }
}

export type SuspensionResult = { kind: 'done' } | { kind: 'unchanged' } | { kind: 'notFound' }

/**
 * Suspends a university (its students see a page that says so, and cannot log in or apply)
 * or resumes it. Only the university row changes: its payments, webhooks and credits go on
 * as before (routes/notifications and the queue never look at the suspension), so nothing
 * paid is lost. The row is changed only if it still is in the other state (two operators
 * at once: one wins, the other is told it is already so).
 */
export const setSuspension = async (
  deps: Deps,
  actor: StaffPrincipal,
  id: string,
  change: { suspend: true; reason: string } | { suspend: false; reason: string },
): Promise<SuspensionResult> => {
  const { db } = deps
  const row = await db
    .select({ suspendedAt: universities.suspendedAt, reason: universities.suspendedReason })
    .from(universities)
    .where(eq(universities.id, id))
    .get()
  if (!row) return { kind: 'notFound' }
  if ((row.suspendedAt !== null) === change.suspend) return { kind: 'unchanged' }
  const now = deps.clock()
  const [updated] = await db.batch([
    db
      .update(universities)
      .set(
        change.suspend
          ? { suspendedAt: now, suspendedReason: change.reason }
          : { suspendedAt: null, suspendedReason: null },
      )
      .where(
        and(
          eq(universities.id, id),
          change.suspend ? isNull(universities.suspendedAt) : isNotNull(universities.suspendedAt),
        ),
      )
      .returning({ id: universities.id }),
    recordAudit(db, actor, now, {
      action: change.suspend ? 'university.suspend' : 'university.resume',
      universityId: id,
      targetType: 'university',
      targetId: id,
      reason: change.reason,
      before: { suspendedAt: row.suspendedAt, suspendedReason: row.reason },
      after: change.suspend
        ? { suspendedAt: now, suspendedReason: change.reason }
        : { suspendedAt: null, suspendedReason: null },
    }),
  ])
  // Raced by another operator: the audit entry went in with no change; say it was so.
  return updated.length > 0 ? { kind: 'done' } : { kind: 'unchanged' }
}

/** A connection check, audited (who checked which connection and what it said; no secret). */
export const auditConnectionCheck = (
  deps: Deps,
  actor: StaffPrincipal,
  id: string,
  connection: string,
  result: { status: string; names?: string[] },
) =>
  recordAudit(deps.db, actor, deps.clock(), {
    action: 'university.check',
    universityId: id,
    targetType: 'university',
    targetId: id,
    after: { connection, ...result },
  })

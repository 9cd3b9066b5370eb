import { and, asc, eq, inArray, ne, notInArray } from 'drizzle-orm'
import type { Db } from '../../db'
import { universities, universityHosts } from '../../db/schema'
import {
  blackoutsJson,
  settingsChanges,
  settingsOf,
  type UniversitySettings,
} from '../../domain/settings'
import type { StaffPrincipal } from '../../domain/staff'
import { universityFromRow } from '../../domain/university'
import { recordAudit } from './audit'

/** A university's settings as they stand, with its host names; null for an unknown id. */
export const loadSettings = async (db: Db, universityId: string) => {
  const [row, hosts] = await db.batch([
    db.select().from(universities).where(eq(universities.id, universityId)),
    db
      .select({ hostname: universityHosts.hostname })
      .from(universityHosts)
      .where(eq(universityHosts.universityId, universityId))
      .orderBy(asc(universityHosts.hostname)),
  ])
  const u = row[0]
  if (!u) return null
  return settingsOf(
    universityFromRow(u),
    hosts.map((h) => h.hostname),
    u.retentionYears,
  )
}

/** The columns of `universities` that 大学設定 holds, as stored (the operator's form too). */
export const settingsColumns = (next: UniversitySettings) => ({
  name: next.name,
  nameEn: next.nameEn,
  legalName: next.legalName,
  legalNameEn: next.legalNameEn,
  callCentreName: next.callCentreName,
  callCentreNameEn: next.callCentreNameEn,
  callCentrePhone: next.callCentrePhone,
  callCentreHours: next.callCentreHours,
  callCentreHoursEn: next.callCentreHoursEn,
  mailFrom: next.mailFrom,
  mailFromName: next.mailFromName,
  mailFromNameEn: next.mailFromNameEn,
  cardMoneyDesk: next.cardMoneyDesk,
  cardMoneyDeskEn: next.cardMoneyDeskEn,
  balanceCap: next.balanceCap,
  minCharge: next.minCharge,
  chargeStep: next.chargeStep,
  paymentMethods: JSON.stringify(next.paymentMethods),
  paymentDeadlineDays: next.paymentDeadlineDays,
  fiscalYearEndBlackouts: blackoutsJson(next.fiscalYearEndBlackouts),
  staffAlertEmail: next.staffAlertEmail,
  retentionYears: next.retentionYears,
})

/** Host names among `hosts` that another university already serves. */
export const hostsOfOthers = async (db: Db, universityId: string, hosts: readonly string[]) => {
  if (hosts.length === 0) return []
  const rows = await db
    .select({ hostname: universityHosts.hostname })
    .from(universityHosts)
    .where(
      and(
        inArray(universityHosts.hostname, [...hosts]),
        ne(universityHosts.universityId, universityId),
      ),
    )
  return rows.map((r) => r.hostname)
}

export type SaveSettingsResult =
  | { kind: 'saved'; before: Record<string, unknown>; after: Record<string, unknown> }
  | { kind: 'unchanged' }
  | { kind: 'hostTaken'; hosts: string[] }
  | { kind: 'notFound' }

/**
 * Saves a university's settings (already checked by domain/settings readSettings) with
 * one audit entry of what changed, all in one D1 batch: every column, the host names and
 * the audit entry are written together or not at all. A host name another university
 * serves is refused. Nothing is cached anywhere (middleware/context reads the university
 * on every request), so the next request on any isolate sees the change.
 */
export const saveSettings = async (
  deps: { db: Db; clock: () => number },
  actor: StaffPrincipal,
  universityId: string,
  next: UniversitySettings,
): Promise<SaveSettingsResult> => {
  const { db } = deps
  const current = await loadSettings(db, universityId)
  if (!current) return { kind: 'notFound' }
  const taken = await hostsOfOthers(db, universityId, next.hosts)
  if (taken.length > 0) return { kind: 'hostTaken', hosts: taken }
  const changes = settingsChanges(current, next)
  if (!changes) return { kind: 'unchanged' }

  const added = next.hosts.filter((h) => !current.hosts.includes(h))
  try {
    await db.batch([
      db.update(universities).set(settingsColumns(next)).where(eq(universities.id, universityId)),
      // next.hosts is never empty (readSettings asks for one at least).
      db
        .delete(universityHosts)
        .where(
          and(
            eq(universityHosts.universityId, universityId),
            notInArray(universityHosts.hostname, next.hosts),
          ),
        ),
      ...added.map((hostname) => db.insert(universityHosts).values({ hostname, universityId })),
      recordAudit(db, actor, deps.clock(), {
        action: 'settings.update',
        universityId,
        targetType: 'university',
        targetId: universityId,
        before: changes.before,
        after: changes.after,
      }),
    ])
  } catch (e) {
    // Another university took one of the new host names between the check and the batch
    // (the host name is the table's key): the batch was rolled back as a whole.
    const raced = await hostsOfOthers(db, universityId, added)
    if (raced.length > 0) return { kind: 'hostTaken', hosts: raced }
    throw e
  }
  return { kind: 'saved', ...changes }
}

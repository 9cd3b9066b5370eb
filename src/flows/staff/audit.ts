import type { Db } from '../../db'
import { auditLog } from '../../db/schema'
import type { StaffPrincipal } from '../../domain/staff'

export interface AuditEntry {
  action: string
  universityId: string | null
  targetType: string
  targetId?: string | number | null
  applicationId?: number | null
  reason?: string | null
  before?: unknown
  after?: unknown
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v))

/**
 * Appends one entry to the audit log: who (the signed-in member), when (the service's clock),
 * what, and the state before and after. The table refuses updates and deletes.
 */
export const recordAudit = (db: Db, actor: StaffPrincipal, at: number, entry: AuditEntry) =>
  db.insert(auditLog).values({
    at,
    staffId: actor.id,
    staffEmail: actor.email,
    universityId: entry.universityId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId == null ? null : String(entry.targetId),
    applicationId: entry.applicationId ?? null,
    reason: entry.reason ?? null,
    before: json(entry.before),
    after: json(entry.after),
  })

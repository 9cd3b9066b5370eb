import { eq } from 'drizzle-orm'
import type { Db } from '../../db'
import { universities } from '../../db/schema'
import { parseCertificateSettings, type CertificateSettings } from '../../domain/certificates'
import type { StaffPrincipal } from '../../domain/staff'
import { recordAudit } from './audit'

/** A university's certificate catalogue as stored (read as the student side reads it). */
export const loadCertificateSettings = async (db: Db, universityId: string) => {
  const row = await db
    .select({ text: universities.certificateSettings })
    .from(universities)
    .where(eq(universities.id, universityId))
    .get()
  return row ? parseCertificateSettings(row.text) : null
}

export type SaveCatalogueResult = { kind: 'saved' } | { kind: 'unchanged' } | { kind: 'notFound' }

/**
 * Saves the catalogue (already checked by domain/certificateSettingsForm readCatalogue) and
 * one audit entry with the catalogue before and after, in one D1 batch. The stored JSON is
 * exactly what parseCertificateSettings reads; the next request on any isolate sees it
 * (the university row is read per request).
 */
export const saveCertificateSettings = async (
  deps: { db: Db; clock: () => number },
  actor: StaffPrincipal,
  universityId: string,
  next: CertificateSettings,
): Promise<SaveCatalogueResult> => {
  const { db } = deps
  const current = await loadCertificateSettings(db, universityId)
  if (!current) return { kind: 'notFound' }
  // issuerEn is no longer this form's (the issuer's English name is 大学設定's legal_name_en):
  // the old value stays as stored, read only while the university's own is empty.
  next = { ...next, issuerEn: current.issuerEn }
  const text = JSON.stringify(next)
  if (JSON.stringify(current) === text) return { kind: 'unchanged' }
  await db.batch([
    db
      .update(universities)
      .set({ certificateSettings: text })
      .where(eq(universities.id, universityId)),
    recordAudit(db, actor, deps.clock(), {
      action: 'settings.certificates',
      universityId,
      targetType: 'university',
      targetId: universityId,
      before: current,
      after: next,
    }),
  ])
  return { kind: 'saved' }
}

import { and, asc, count, eq, inArray } from 'drizzle-orm'
import { rosterImportRows, staffMembers } from '../../db/schema'
import type { RosterChange } from '../../domain/roster'
import { decodeReason, type RowReason } from '../../domain/rosterCsv'
import type { Services } from '../../services'

type S = Pick<Services, 'db'>

export const PREVIEW_PAGE_SIZE = 100

export interface PreviewRow {
  line: number
  userId: string | null
  change: RosterChange
  nameKana: string | null
  name: string | null
  status: string | null
  leftOn: string | null
  /** Whether applying sets a password (the hash itself is never shown). */
  setsPassword: boolean
  reason: RowReason | null
}

export interface PreviewPage {
  rows: PreviewRow[]
  total: number
  page: number
}

/**
 * One page (100 rows, by line) of an import's rows of the given kinds: the rejected ones,
 * or what would change (new, changed, leaving).
 */
export const previewRows = async (
  s: S,
  importId: number,
  changes: readonly RosterChange[],
  page: number,
): Promise<PreviewPage> => {
  const where = and(
    eq(rosterImportRows.importId, importId),
    inArray(rosterImportRows.change, [...changes]),
  )
  const [rows, total] = await s.db.batch([
    s.db
      .select()
      .from(rosterImportRows)
      .where(where)
      .orderBy(asc(rosterImportRows.line))
      .limit(PREVIEW_PAGE_SIZE)
      .offset((page - 1) * PREVIEW_PAGE_SIZE),
    s.db.select({ n: count() }).from(rosterImportRows).where(where),
  ])
  return {
    page,
    total: total[0]?.n ?? 0,
    rows: rows.map((r) => ({
      line: r.line,
      userId: r.userId,
      change: r.change,
      nameKana: r.nameKana,
      name: r.name,
      status: r.status,
      leftOn: r.leftOn,
      setsPassword: r.passwordHash !== null,
      reason: decodeReason(r.reason),
    })),
  }
}

/** The name of the staff member who uploaded, if any. */
export const staffName = async (s: S, id: number | null) =>
  id === null
    ? null
    : ((
        await s.db
          .select({ name: staffMembers.name })
          .from(staffMembers)
          .where(eq(staffMembers.id, id))
          .get()
      )?.name ?? null)

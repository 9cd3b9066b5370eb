/**
 * A roster import (名簿の取り込み) from start to end, whatever its source (an uploaded CSV or
 * the registrar's list of changes): created `checking`, its rows staged into
 * roster_import_rows with what each would change, finished (`ready`: duplicates rejected,
 * counts made), then applied to the directory in one D1 batch (a transaction: all or
 * nothing) or discarded. People the import does not name are never touched.
 *
 * The registrar sync (flows/roster/sync.ts) calls createImport, stageRows, finishChecking and
 * applyImport; the upload (flows/roster/upload.ts) the same, through the queue.
 */
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import { rosterImports } from '../../db/schema'
import type { RosterImportState, RosterSource, StudentStatus } from '../../domain/roster'
import { encodeReason, type RowReason } from '../../domain/rosterCsv'
import type { StaffPrincipal } from '../../domain/staff'
import type { Services } from '../../services'
import { recordAudit } from '../staff/audit'

type S = Pick<Services, 'db' | 'clock'>

// One D1 batch (a transaction) of hand-written set-based statements and query-builder ones:
// drizzle's own batch() takes no raw SQL, so both become D1 statements here.
const dialect = new SQLiteAsyncDialect()
const raw = (s: S, query: SQL) => {
  const q = dialect.sqlToQuery(query)
  return s.db.$client.prepare(q.sql).bind(...q.params)
}
const built = (s: S, query: { toSQL(): { sql: string; params: unknown[] } }) => {
  const q = query.toSQL()
  return s.db.$client.prepare(q.sql).bind(...q.params)
}

/** A row already normalised (domain/rosterCsv checkRow, or the registrar's record). */
export interface RosterRow {
  /** The line in the file (1 = the header) or the position in the registrar's list: unique. */
  line: number
  userId: string
  nameKana: string
  /** Null: keep the name the directory has. */
  name: string | null
  status: StudentStatus
  leftOn: string | null
  /**
   * In the service's own or a documented legacy format, never a plain password. Null: keep
   * the password the directory has (a new person then has none and cannot log in yet).
   */
  passwordHash: string | null
}

/** A row that cannot be used, with why. */
export interface RejectedRow {
  line: number
  userId: string | null
  reason: RowReason
}

export type RosterImport = typeof rosterImports.$inferSelect

/** Starts an import in state `checking`; returns its id. */
export const createImport = async (
  s: S,
  opts: {
    universityId: string
    source: RosterSource
    /** The staff member's id; null: the nightly cron. */
    by: number | null
    fileName?: string | null
    fileKey?: string | null
    encoding?: string | null
    /** Rows expected (a file's data records); 0 when unknown (the registrar's list). */
    totalRows?: number
  },
): Promise<number> => {
  const now = s.clock()
  const row = await s.db
    .insert(rosterImports)
    .values({
      universityId: opts.universityId,
      source: opts.source,
      state: 'checking',
      fileName: opts.fileName ?? null,
      fileKey: opts.fileKey ?? null,
      encoding: opts.encoding ?? null,
      totalRows: opts.totalRows ?? 0,
      createdBy: opts.by,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: rosterImports.id })
    .get()
  return row.id
}

const LEAVERS = `('graduated','withdrawn','expelled')`

/**
 * Stages checked rows: each is written with what it would do to the directory as it is now
 * (new / changed / leaving / unchanged, or rejected), in one D1 batch with the import's
 * progress. Idempotent per line, so a queue message delivered twice does no harm.
 * `passwordRequiredForNew`: a new person without a password is rejected (an upload);
 * the registrar may name people before they have one.
 * Rows are sent as one JSON parameter (D1 allows 100 bound parameters a statement).
 */
export const stageRows = async (
  s: S,
  importId: number,
  rows: readonly RosterRow[],
  rejected: readonly RejectedRow[] = [],
  opts: { passwordRequiredForNew?: boolean } = {},
): Promise<void> => {
  const imp = await s.db
    .select({ universityId: rosterImports.universityId, state: rosterImports.state })
    .from(rosterImports)
    .where(eq(rosterImports.id, importId))
    .get()
  if (!imp || imp.state !== 'checking') return
  const required = opts.passwordRequiredForNew ? 1 : 0
  const noPassword = encodeReason({ key: 'rosterErrNoPassword' })
  const statements = []
  if (rows.length > 0)
    statements.push(
      raw(
        s,
        sql`
        INSERT OR REPLACE INTO roster_import_rows
          (import_id, line, user_id, name_kana, name, status, left_on, password_hash, change, reason)
        SELECT ${importId}, r.line, r.user_id, r.name_kana, r.name, r.status, r.left_on, r.password_hash,
          CASE
            WHEN d.user_id IS NULL AND r.password_hash IS NULL AND ${required} THEN 'rejected'
            WHEN d.user_id IS NULL THEN 'new'
            WHEN r.status IN ${sql.raw(LEAVERS)} AND r.status IS NOT d.status THEN 'leaving'
            WHEN d.name_kana IS r.name_kana AND (r.name IS NULL OR d.name IS r.name)
              AND d.status IS r.status AND d.left_on IS r.left_on
              AND (r.password_hash IS NULL OR d.password_hash IS r.password_hash) THEN 'unchanged'
            ELSE 'changed'
          END,
          CASE WHEN d.user_id IS NULL AND r.password_hash IS NULL AND ${required} THEN ${noPassword} END
        FROM (
          SELECT json_extract(value, '$.line') AS line, json_extract(value, '$.userId') AS user_id,
            json_extract(value, '$.nameKana') AS name_kana, json_extract(value, '$.name') AS name,
            json_extract(value, '$.status') AS status, json_extract(value, '$.leftOn') AS left_on,
            json_extract(value, '$.passwordHash') AS password_hash
          FROM json_each(${JSON.stringify(rows)})
        ) r
        LEFT JOIN directory_people d ON d.university_id = ${imp.universityId} AND d.user_id = r.user_id`,
      ),
    )
  if (rejected.length > 0)
    statements.push(
      raw(
        s,
        sql`
        INSERT OR REPLACE INTO roster_import_rows (import_id, line, user_id, change, reason)
        SELECT ${importId}, json_extract(value, '$.line'), json_extract(value, '$.userId'), 'rejected',
          json_extract(value, '$.reason')
        FROM json_each(${JSON.stringify(rejected.map((r) => ({ line: r.line, userId: r.userId, reason: encodeReason(r.reason) })))})`,
      ),
    )
  statements.push(
    raw(
      s,
      sql`
      UPDATE roster_imports SET
        checked_rows = (SELECT count(*) FROM roster_import_rows WHERE import_id = ${importId}),
        updated_at = ${s.clock()}
      WHERE id = ${importId} AND state = 'checking'`,
    ),
  )
  await s.db.$client.batch(statements)
}

/**
 * Ends the checking: every line whose ユーザID another line of the import also has is
 * rejected (naming that other line: the first one, or for the first, the next), the counts
 * are made and the import is `ready`. Only an import still `checking` changes; calling it
 * twice is harmless.
 */
export const finishChecking = async (s: S, importId: number): Promise<void> => {
  const count = (change: string) =>
    sql`(SELECT count(*) FROM roster_import_rows WHERE import_id = ${importId} AND change = ${change})`
  await s.db.$client.batch([
    raw(
      s,
      sql`
      UPDATE roster_import_rows AS r SET change = 'rejected', reason = json_object(
        'key', 'rosterErrDuplicate',
        'params', json_object('line', (SELECT min(o.line) FROM roster_import_rows o
          WHERE o.import_id = r.import_id AND o.user_id = r.user_id AND o.line <> r.line)))
      WHERE r.import_id = ${importId} AND r.change <> 'rejected' AND r.user_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM roster_import_rows o
          WHERE o.import_id = r.import_id AND o.user_id = r.user_id AND o.line <> r.line)
        AND (SELECT state FROM roster_imports WHERE id = ${importId}) = 'checking'`,
    ),
    raw(
      s,
      sql`
      UPDATE roster_imports SET
        state = 'ready',
        total_rows = (SELECT count(*) FROM roster_import_rows WHERE import_id = ${importId}),
        checked_rows = (SELECT count(*) FROM roster_import_rows WHERE import_id = ${importId}),
        new_count = ${count('new')}, changed_count = ${count('changed')},
        leaving_count = ${count('leaving')}, unchanged_count = ${count('unchanged')},
        rejected_count = ${count('rejected')},
        updated_at = ${s.clock()}
      WHERE id = ${importId} AND state = 'checking'`,
    ),
  ])
}

/** Marks an import that cannot be checked at all (an unreadable file) as failed. */
export const failImport = (s: S, importId: number, error: string) =>
  s.db
    .update(rosterImports)
    .set({ state: 'failed', error, updatedAt: s.clock() })
    .where(and(eq(rosterImports.id, importId), eq(rosterImports.state, 'checking')))

export type ApplyOutcome =
  | { kind: 'applied'; import: RosterImport }
  | { kind: 'notFound' }
  /** Not `ready`: already applied, being applied, discarded, or still checking. */
  | { kind: 'notReady'; state: RosterImportState }
  /** The batch failed: nothing changed, the import is `ready` again. */
  | { kind: 'failed' }

/** Who applies: a staff member, or for the nightly cron a principal naming the job. */
export type Applier = Pick<StaffPrincipal, 'id' | 'email'>

/**
 * An import still `applying` this long after its claim is claimed again: D1 ends a statement
 * after 30 seconds, so no batch of the claim's request is still running by then.
 */
const STALE_APPLY_MS = 5 * 60_000

/** Whether the import may be applied now: ready, or left `applying` by a request that died. */
export const applicable = (imp: Pick<RosterImport, 'state' | 'updatedAt'>, now: number): boolean =>
  imp.state === 'ready' || (imp.state === 'applying' && imp.updatedAt < now - STALE_APPLY_MS)

/** Stands for the nightly registrar sync in the audit log (no staff member applies it). */
export const CRON_APPLIER: Applier = { id: 0, email: 'cron:registrar-sync' }

/**
 * Applies a ready import: first the guarded step `ready` → `applying` (a second apply, a
 * double click, finds it no longer ready and is refused), then ONE D1 batch, which D1 runs
 * as a transaction: new and changed people written to the directory (a row without a
 * password or a name keeps the directory's), the audit entry with the counts, the import
 * `applied`. If the batch fails nothing of it is written, and the import is `ready` again.
 * The uploaded file, if any, is then deleted from `files`.
 */
export const applyImport = async (
  s: S,
  importId: number,
  by: Applier,
  opts: { universityId?: string; files?: R2Bucket } = {},
): Promise<ApplyOutcome> => {
  const imp = await loadImport(s, importId, opts.universityId)
  if (!imp) return { kind: 'notFound' }
  const claimedAt = s.clock()
  const claimed = await s.db
    .update(rosterImports)
    .set({ state: 'applying', updatedAt: claimedAt })
    .where(
      and(
        eq(rosterImports.id, importId),
        or(
          eq(rosterImports.state, 'ready'),
          // Its batch would have made it `applied` in the same transaction: still `applying`
          // this long after the claim, the request that claimed it died before the batch.
          and(
            eq(rosterImports.state, 'applying'),
            lt(rosterImports.updatedAt, claimedAt - STALE_APPLY_MS),
          ),
        ),
      ),
    )
    .returning({ id: rosterImports.id })
    .get()
  if (!claimed) {
    const now = await loadImport(s, importId)
    return { kind: 'notReady', state: now?.state ?? imp.state }
  }
  const now = s.clock()
  const counts = {
    new: imp.newCount,
    changed: imp.changedCount,
    leaving: imp.leavingCount,
    unchanged: imp.unchangedCount,
    rejected: imp.rejectedCount,
  }
  try {
    await s.db.$client.batch([
      raw(
        s,
        sql`
        INSERT INTO directory_people
          (university_id, user_id, password_hash, name_kana, name, status, left_on, source, updated_at)
        SELECT ${imp.universityId}, user_id, password_hash, name_kana, name, status, left_on,
          ${imp.source}, ${now}
        FROM roster_import_rows
        WHERE import_id = ${importId} AND change IN ('new', 'changed', 'leaving')
        ON CONFLICT (university_id, user_id) DO UPDATE SET
          password_hash = coalesce(excluded.password_hash, directory_people.password_hash),
          name_kana = excluded.name_kana,
          name = coalesce(excluded.name, directory_people.name),
          status = excluded.status,
          left_on = excluded.left_on,
          source = excluded.source,
          updated_at = excluded.updated_at`,
      ),
      built(
        s,
        recordAudit(s.db, { ...by, name: '', role: 'admin', universityId: imp.universityId }, now, {
          action: 'roster.apply',
          universityId: imp.universityId,
          targetType: 'roster_import',
          targetId: importId,
          after: { source: imp.source, fileName: imp.fileName, ...counts },
        }),
      ),
      built(
        s,
        s.db
          .update(rosterImports)
          .set({
            state: 'applied',
            appliedAt: now,
            appliedBy: by.id || null,
            updatedAt: now,
            fileKey: null,
          })
          .where(and(eq(rosterImports.id, importId), eq(rosterImports.state, 'applying'))),
      ),
    ])
  } catch (error) {
    console.error('roster import not applied; nothing changed', { importId, error: String(error) })
    await s.db
      .update(rosterImports)
      .set({ state: 'ready', updatedAt: s.clock() })
      .where(and(eq(rosterImports.id, importId), eq(rosterImports.state, 'applying')))
    return { kind: 'failed' }
  }
  if (imp.fileKey && opts.files) await deleteFile(opts.files, imp.fileKey)
  return { kind: 'applied', import: (await loadImport(s, importId))! }
}

/** Deletes what is left of an uploaded file: the chunks under its prefix. */
const deleteFile = async (files: R2Bucket, prefix: string) => {
  try {
    let cursor: string | undefined
    do {
      const page = await files.list({ prefix, cursor })
      if (page.objects.length > 0) await files.delete(page.objects.map((o) => o.key))
      cursor = page.truncated ? page.cursor : undefined
    } while (cursor)
  } catch (error) {
    // The import is applied either way; an orphan file is only storage.
    console.error('roster file not deleted', { prefix, error: String(error) })
  }
}

/** Discards an import that is not applied (nor being applied): its file is deleted. */
export const discardImport = async (
  s: S,
  importId: number,
  opts: { universityId?: string; files?: R2Bucket } = {},
): Promise<
  { kind: 'discarded' } | { kind: 'notFound' } | { kind: 'notReady'; state: RosterImportState }
> => {
  const imp = await loadImport(s, importId, opts.universityId)
  if (!imp) return { kind: 'notFound' }
  const done = await s.db
    .update(rosterImports)
    .set({ state: 'discarded', updatedAt: s.clock(), fileKey: null })
    .where(
      and(
        eq(rosterImports.id, importId),
        sql`${rosterImports.state} IN ('checking', 'ready', 'failed')`,
      ),
    )
    .returning({ id: rosterImports.id })
    .get()
  if (!done) return { kind: 'notReady', state: (await loadImport(s, importId))!.state }
  if (imp.fileKey && opts.files) await deleteFile(opts.files, imp.fileKey)
  return { kind: 'discarded' }
}

/** The import, only if it belongs to `universityId` when one is given. */
export const loadImport = (s: S, importId: number, universityId?: string) =>
  s.db
    .select()
    .from(rosterImports)
    .where(
      universityId === undefined
        ? eq(rosterImports.id, importId)
        : and(eq(rosterImports.id, importId), eq(rosterImports.universityId, universityId)),
    )
    .get()

/** A university's imports, newest first. */
export const listImports = (s: S, universityId: string, limit = 20) =>
  s.db
    .select()
    .from(rosterImports)
    .where(eq(rosterImports.universityId, universityId))
    .orderBy(desc(rosterImports.createdAt), desc(rosterImports.id))
    .limit(limit)
    .all()

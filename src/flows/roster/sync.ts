/**
 * The directory (名簿) kept current from the university's registrar (学務システム): the
 * students it changed since the last sync, read page by page from its list of changes
 * (twins/registrar/README.md), become ONE roster import with source `registrar`, checked by
 * the roster's own rules and applied like an upload (all or nothing, audited). Only then
 * does the university's `roster_synced_through` move on, to the listing's `as_of`: a sync
 * that fails anywhere leaves the directory and the cursor as they were, and the next one
 * lists the same changes again, which applying twice does not change.
 *
 * The registrar holds no password: a person it names for the first time is in the
 * directory without one (`password_hash` null) and cannot log in until a roster upload
 * gives one; a person already there keeps theirs.
 */
import { eq, sql } from 'drizzle-orm'
import type { RegistrarFailure } from '../../adapters/registrar'
import { universities } from '../../db/schema'
import type { EnrolmentStatus, RegistrarChange } from '../../domain/registrar'
import type { StudentStatus } from '../../domain/roster'
import { checkRow, ROSTER_COLUMNS, STATUS_WORDS, type CsvRecord } from '../../domain/rosterCsv'
import type { Services } from '../../services'
import {
  applyImport,
  createImport,
  CRON_APPLIER,
  failImport,
  finishChecking,
  stageRows,
  type Applier,
  type RejectedRow,
  type RosterRow,
} from './imports'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const JST = 9 * HOUR

/** Students asked for a page: the registrar's most. */
export const SYNC_PAGE_SIZE = 500
/**
 * The nightly sync from 02:00 JST: after the registrar's 01:00–01:30 maintenance, and before
 * the retention pass at 03:00 (flows/retention.ts), which must see tonight's statuses.
 */
export const NIGHTLY_SYNC_AT_MS = 2 * HOUR
/** A nightly sync that failed (or died) is tried again this much later, the same night. */
export const NIGHTLY_SYNC_RETRY_MS = HOUR

/** The registrar's statuses are the roster's, one to one. */
const STATUS: Record<EnrolmentStatus, StudentStatus> = {
  enrolled: 'enrolled',
  on_leave: 'on_leave',
  graduated: 'graduated',
  withdrawn: 'withdrawn',
  expelled: 'expelled',
}
/** 在学 … as the roster's rules read a status (domain/rosterCsv STATUS_WORDS). */
const STATUS_WORD = Object.fromEntries(
  Object.entries(STATUS_WORDS).map(([word, status]) => [status, word]),
) as Record<StudentStatus, string>

/** What a sync may end in when it does not apply. */
export type SyncFailure =
  | RegistrarFailure
  /** The university has no registrar connection (no key). */
  | { ok: false; error: 'notConfigured' }
  /** Listed and checked, but applying failed: the import waits, `ready`, for a person. */
  | { ok: false; error: 'notApplied'; detail: string }

export type SyncOutcome =
  | {
      ok: true
      importId: number
      /** The instant the directory is now current to (the listing's `as_of`). */
      asOf: number
      /** Students the registrar listed. */
      listed: number
    }
  | { ok: false; importId: number | null; failure: SyncFailure }

type S = Pick<Services, 'db' | 'clock' | 'registrar'>

/** The order in which the columns are given to the roster's row check. */
const COLUMNS = { userId: 0, nameKana: 1, name: 2, status: 3, leftOn: 4 } as const

/**
 * A registrar's student as a roster row, through the same check an uploaded row gets
 * (user ID, kana, name, status and leaving day): a record the roster cannot take is a
 * rejected row with its reason, shown with the import, not a failed sync.
 */
export const rosterRowOf = (
  change: RegistrarChange,
  line: number,
): { row: RosterRow } | { rejected: RejectedRow } => {
  const fields = [
    change.userId,
    change.name.kana,
    change.name.kanji,
    STATUS_WORD[STATUS[change.status]],
    change.leftOn ?? '',
  ]
  const record: CsvRecord = { line, fields, start: 0, end: 0, malformed: false }
  const checked = checkRow(record, COLUMNS, Object.keys(COLUMNS).length)
  if (!checked.ok) return { rejected: { line, userId: checked.userId, reason: checked.reason } }
  const { userId, nameKana, name, status, leftOn } = checked.row
  return { row: { line, userId, nameKana, name, status, leftOn, passwordHash: null } }
}

/**
 * A failed sync's `error`, as the import keeps it: JSON naming the failure (what the
 * console turns into words, views/staff/rosterSync syncFailureText) and the registrar's
 * detail for whoever looks deeper.
 */
export const describeFailure = (f: SyncFailure): string => {
  const { ok: _, ...rest } = f
  return JSON.stringify({ sync: rest })
}

/** The failure a sync's import `error` names, or null if it names none. */
export const failureOf = (error: string | null): SyncFailure | null => {
  if (!error?.startsWith('{"sync":')) return null
  try {
    const f = (JSON.parse(error) as { sync?: { error?: unknown } }).sync
    return f && typeof f.error === 'string' ? ({ ok: false, ...f } as SyncFailure) : null
  } catch {
    return null
  }
}

/**
 * Brings the university's directory up to date from its registrar: lists every student
 * changed since `roster_synced_through` (null: from the beginning) into one import, applies
 * it as `by` (null: the nightly cron), then moves the cursor to the listing's `as_of`.
 * `importId`: an import the nightly cron has already claimed for this run.
 */
export const syncRoster = async (
  s: S,
  universityId: string,
  by: Applier | null,
  opts: { importId?: number; pageSize?: number } = {},
): Promise<SyncOutcome> => {
  const registrar = s.registrar(universityId)
  const fail = async (importId: number | null, failure: SyncFailure): Promise<SyncOutcome> => {
    if (importId !== null) await failImport(s, importId, describeFailure(failure))
    return { ok: false, importId, failure }
  }
  if (!registrar.configured)
    return fail(opts.importId ?? null, { ok: false, error: 'notConfigured' })
  const u = await s.db
    .select({ since: universities.rosterSyncedThrough })
    .from(universities)
    .where(eq(universities.id, universityId))
    .get()
  if (!u) throw new Error(`no university ${universityId}`)
  const since = u.since ?? 0
  const limit = opts.pageSize ?? SYNC_PAGE_SIZE
  // The cron's run has its import already (its claim); a person's is made once the
  // registrar has answered, so a registrar that is closed or refuses the key leaves none.
  let importId = opts.importId ?? null

  let cursor: string | null = null
  let asOf: number | null = null
  let listed = 0
  do {
    const r = await registrar.changes({ since, limit, cursor })
    if (!r.ok) return fail(importId, r)
    importId ??= await createImport(s, { universityId, source: 'registrar', by: by?.id ?? null })
    // Every page of one listing is the same snapshot; a registrar that says otherwise
    // cannot be trusted to have listed everything.
    if (asOf !== null && r.page.asOf !== asOf)
      return fail(importId, {
        ok: false,
        error: 'unavailable',
        detail: 'the registrar changed its snapshot between pages',
      })
    asOf = r.page.asOf
    const rows: RosterRow[] = []
    const rejected: RejectedRow[] = []
    for (const change of r.page.students) {
      const one = rosterRowOf(change, ++listed)
      if ('row' in one) rows.push(one.row)
      else rejected.push(one.rejected)
    }
    await stageRows(s, importId, rows, rejected, { passwordRequiredForNew: false })
    cursor = r.page.nextCursor
  } while (cursor !== null)

  await finishChecking(s, importId)
  const applied = await applyImport(s, importId, by ?? CRON_APPLIER, { universityId })
  if (applied.kind !== 'applied')
    return {
      ok: false,
      importId,
      failure: {
        ok: false,
        error: 'notApplied',
        detail: applied.kind === 'notReady' ? `import ${applied.state}` : applied.kind,
      },
    }
  // Forward only: a slower sync that listed from an older snapshot never moves it back.
  await s.db.run(sql`
    UPDATE universities SET roster_synced_through = ${asOf}
    WHERE id = ${universityId}
      AND (roster_synced_through IS NULL OR roster_synced_through < ${asOf})`)
  return { ok: true, importId, asOf: asOf!, listed }
}

/**
 * Claims tonight's sync for the university: one statement, so two overlapping cron passes
 * cannot both; the claim is the import the sync fills. Tonight's sync is done once one has
 * been claimed since 02:00 JST, unless it failed (or is still `checking`, i.e. died) more
 * than an hour ago.
 */
const claimNightlySync = async (s: S, universityId: string, slot: number, now: number) => {
  const row = await s.db.$client
    .prepare(
      `INSERT INTO roster_imports (university_id, source, state, created_by, created_at, updated_at)
       SELECT ?1, 'registrar', 'checking', NULL, ?3, ?3
       WHERE NOT EXISTS (SELECT 1 FROM roster_imports
         WHERE university_id = ?1 AND source = 'registrar' AND created_by IS NULL
           AND created_at >= ?2
           AND (state NOT IN ('failed', 'checking') OR created_at > ?4))
       RETURNING id`,
    )
    .bind(universityId, slot, now, now - NIGHTLY_SYNC_RETRY_MS)
    .first<{ id: number }>()
  return row?.id ?? null
}

/**
 * Cron: from 02:00 JST, once a night, every university with a registrar connection has
 * its directory brought up to date (a failed sync is tried again an hour later, until
 * midnight). One university's trouble keeps no other waiting.
 */
export const syncRostersNightly = async (s: S, now: number) => {
  const sinceMidnight = (now + JST) % DAY
  if (sinceMidnight < NIGHTLY_SYNC_AT_MS) return { ran: 0, failed: 0 }
  const slot = now - sinceMidnight + NIGHTLY_SYNC_AT_MS
  let ran = 0
  let failed = 0
  for (const u of await s.db.select({ id: universities.id }).from(universities).all()) {
    if (!s.registrar(u.id).configured) continue
    try {
      const importId = await claimNightlySync(s, u.id, slot, now)
      if (importId === null) continue
      const r = await syncRoster(s, u.id, null, { importId })
      ran++
      if (!r.ok) {
        failed++
        console.error('nightly roster sync failed', u.id, describeFailure(r.failure))
      }
    } catch (e) {
      failed++
      console.error('nightly roster sync failed', u.id, e)
    }
  }
  return { ran, failed }
}

/**
 * A roster uploaded in the console (名簿のアップロード): read at once (so an unreadable file
 * or a wrong header is said on the upload page), kept in R2 as chunks of whole records (UTF-8
 * text, sealed with AES-GCM under a key derived from the pepper, since initial passwords are
 * in it), and checked by the queue (rosterQueue.ts), one message a chunk. A chunk's object
 * is deleted once its rows are staged; whatever is left goes when the import is applied or
 * discarded.
 */
import { and, eq, sql } from 'drizzle-orm'
import * as z from 'zod'
import { directoryPeople, rosterImports } from '../../db/schema'
import {
  checkRow,
  csvRecords,
  decodeRoster,
  readHeader,
  ROSTER_COLUMNS,
  type CheckedRosterRow,
  type Columns,
  type HeaderProblem,
} from '../../domain/rosterCsv'
import { hashSecret, hmac } from '../../security/crypto'
import type { Services } from '../../services'
import {
  createImport,
  finishChecking,
  stageRows,
  type RejectedRow,
  type RosterRow,
} from './imports'

type S = Pick<Services, 'db' | 'clock'>

/** The largest file accepted: far above 20,000 rows (about 2 MB), far below a request's limit. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024

/**
 * How much work one queue message may carry: a row costs 1, a row with an initial password
 * (PBKDF2, 100,000 iterations: some 30 ms of CPU) costs 20 more. 1,000 plain rows, or 50
 * rows with initial passwords, stay within a few seconds of CPU, far below the consumer's
 * limit (30 s), and the JSON of 1,000 rows fits a D1 parameter.
 */
export const CHUNK_BUDGET = 1000
export const PASSWORD_WEIGHT = 20

export interface RosterFiles {
  bucket: R2Bucket
  queue: Queue<RosterChunk>
  /** The service's secret, from which the key that seals the kept chunks is derived. */
  pepper: string
}

/** AES-GCM key for the kept chunks, derived from the pepper (never stored). */
const sealKey = async (pepper: string) =>
  crypto.subtle.importKey('raw', await hmac(pepper, 'roster-upload-chunk-v1'), 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ])

const seal = async (key: CryptoKey, text: string) => {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(text)),
  )
  const out = new Uint8Array(12 + sealed.length)
  out.set(iv)
  out.set(sealed, 12)
  return out
}

const unseal = async (key: CryptoKey, bytes: Uint8Array) =>
  new TextDecoder().decode(
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, 12) },
      key,
      bytes.subarray(12),
    ),
  )

const columnIndex = z.number().int().min(0).max(1000).optional()

/** One chunk of a kept file to check. */
export const rosterChunk = z.object({
  importId: z.number().int().positive(),
  key: z.string().min(1).max(300),
  /** The file's line the chunk starts on. */
  firstLine: z.number().int().min(2),
  /** Where each column is, and how many the header has. */
  columns: z.object(
    Object.fromEntries(Object.keys(ROSTER_COLUMNS).map((k) => [k, columnIndex])) as Record<
      keyof typeof ROSTER_COLUMNS,
      typeof columnIndex
    >,
  ),
  width: z.number().int().min(1).max(1000),
})
export type RosterChunk = z.infer<typeof rosterChunk>

export type UploadRefusal =
  { problem: 'tooLarge' | 'empty' | 'notText' | 'headerMalformed' | 'noRows' } | HeaderProblem

export type UploadOutcome =
  { kind: 'started'; importId: number } | ({ kind: 'refused' } & UploadRefusal)

const encoder = new TextEncoder()

/**
 * Reads an uploaded file, keeps it and hands its chunks to the queue; the import is then
 * `checking`. Refused before anything is kept: a file too large, empty, not text, without
 * the documented header, or without a single row.
 */
export const startUpload = async (
  s: S,
  files: RosterFiles,
  opts: { universityId: string; by: number; fileName: string; bytes: Uint8Array },
): Promise<UploadOutcome> => {
  if (opts.bytes.length > MAX_UPLOAD_BYTES) return { kind: 'refused', problem: 'tooLarge' }
  const decoded = decodeRoster(opts.bytes)
  if (!decoded.ok) return { kind: 'refused', problem: decoded.problem }
  const { text } = decoded
  const records = csvRecords(text)
  const first = records.next()
  if (first.done || first.value.malformed) return { kind: 'refused', problem: 'headerMalformed' }
  const header = readHeader(first.value.fields)
  if (!header.ok) return { kind: 'refused', problem: header.problem, columns: header.columns }
  const width = first.value.fields.length
  const passwordAt = header.columns.initialPassword

  // Chunks by weight, as character ranges of the text.
  const chunks: { start: number; end: number; firstLine: number }[] = []
  let current: (typeof chunks)[number] | null = null
  let weight = 0
  let rows = 0
  for (const record of records) {
    rows++
    const cost =
      1 +
      (passwordAt !== undefined && (record.fields[passwordAt] ?? '') !== '' ? PASSWORD_WEIGHT : 0)
    if (!current || weight + cost > CHUNK_BUDGET) {
      current = { start: record.start, end: record.end, firstLine: record.line }
      chunks.push(current)
      weight = 0
    }
    current.end = record.end
    weight += cost
  }
  if (rows === 0) return { kind: 'refused', problem: 'noRows' }

  const prefix = `roster/${opts.universityId}/${crypto.randomUUID()}/`
  const key = await sealKey(files.pepper)
  // Each chunk its own object, sealed: the file may carry initial passwords in plain text.
  const messages: { body: RosterChunk }[] = []
  for (const [n, chunk] of chunks.entries()) {
    const chunkKey = `${prefix}${n}`
    await files.bucket.put(chunkKey, await seal(key, text.slice(chunk.start, chunk.end)))
    messages.push({
      body: {
        importId: 0,
        key: chunkKey,
        firstLine: chunk.firstLine,
        columns: header.columns,
        width,
      },
    })
  }
  const importId = await createImport(s, {
    universityId: opts.universityId,
    source: 'upload',
    by: opts.by,
    fileName: opts.fileName.slice(0, 200),
    fileKey: prefix,
    encoding: decoded.encoding,
    totalRows: rows,
  })
  for (const m of messages) m.body.importId = importId
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < messages.length; i += 100)
    await files.queue.sendBatch(messages.slice(i, i + 100))
  return { kind: 'started', importId }
}

/**
 * Checks one chunk: each record against the documented columns; initial passwords hashed
 * (only for people who have no password yet: an initial password never overwrites one);
 * the rows staged; and when every row of the file is staged, the checking finished.
 */
export const checkChunk = async (
  s: S,
  bucket: R2Bucket,
  pepper: string,
  chunk: RosterChunk,
): Promise<void> => {
  const imp = await s.db
    .select({
      state: rosterImports.state,
      universityId: rosterImports.universityId,
      totalRows: rosterImports.totalRows,
    })
    .from(rosterImports)
    .where(eq(rosterImports.id, chunk.importId))
    .get()
  if (!imp || imp.state !== 'checking') return // discarded meanwhile
  const object = await bucket.get(chunk.key)
  // Gone: discarded meanwhile, or this chunk was checked already (a repeated delivery).
  if (!object) return
  const text = await unseal(await sealKey(pepper), new Uint8Array(await object.arrayBuffer()))
  const checked: CheckedRosterRow[] = []
  const rejected: RejectedRow[] = []
  const columns = chunk.columns as Columns
  for (const record of csvRecords(text, chunk.firstLine)) {
    const result = checkRow(record, columns, chunk.width)
    if (result.ok) checked.push(result.row)
    else rejected.push({ line: result.line, userId: result.userId, reason: result.reason })
  }
  const withInitial = checked.filter((r) => r.password && 'initial' in r.password)
  const hasPassword = new Set<string>()
  if (withInitial.length > 0) {
    const rows = await s.db
      .select({ userId: directoryPeople.userId })
      .from(directoryPeople)
      .where(
        and(
          eq(directoryPeople.universityId, imp.universityId),
          sql`${directoryPeople.passwordHash} IS NOT NULL`,
          sql`${directoryPeople.userId} IN (SELECT value FROM json_each(${JSON.stringify(withInitial.map((r) => r.userId))}))`,
        ),
      )
      .all()
    for (const r of rows) hasPassword.add(r.userId)
  }
  const rows: RosterRow[] = []
  for (const r of checked) {
    let passwordHash: string | null = null
    if (r.password && 'hash' in r.password) passwordHash = r.password.hash
    else if (r.password && !hasPassword.has(r.userId))
      passwordHash = await hashSecret(r.password.initial, pepper)
    rows.push({
      line: r.line,
      userId: r.userId,
      nameKana: r.nameKana,
      name: r.name,
      status: r.status,
      leftOn: r.leftOn,
      passwordHash,
    })
  }
  await stageRows(s, chunk.importId, rows, rejected, { passwordRequiredForNew: true })
  // Checked: its initial passwords now exist only as hashes.
  await bucket.delete(chunk.key)
  const progress = await s.db
    .select({ checked: rosterImports.checkedRows, total: rosterImports.totalRows })
    .from(rosterImports)
    .where(eq(rosterImports.id, chunk.importId))
    .get()
  if (progress && progress.checked >= progress.total) await finishChecking(s, chunk.importId)
}

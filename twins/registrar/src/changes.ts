import { z } from 'zod'
import type { StoredRecord } from './record'
import { jstDay, jstIsoMs } from './rules'

/**
 * The registrar's list of students changed since an instant, the way a service keeps its
 * directory current: ordered by (changed_at, user_id), paged by an opaque cursor that holds
 * the snapshot's instant (`as_of`), so every page of one listing answers from the same
 * moment. The cursor is signed with the university's key: a cursor it did not write, or
 * one written for another query, is refused.
 */

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 500
const PARAMS = ['changed_since', 'limit', 'cursor'] as const

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/

/** ISO 8601 with an offset (or Z) as ms since the epoch; null if malformed or no real time. */
export const parseInstant = (s: string): number | null => {
  const m = INSTANT.exec(s)
  if (!m) return null
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const fraction = Number(`0.${m[7] ?? '0'}`)
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return null
  if (Number(m[9] ?? 0) > 23 || Number(m[10] ?? 0) > 59) return null
  const utc = Date.UTC(y, mo - 1, d, h, mi, sec)
  // Date.UTC rolls 30 February over into March: only a day that comes back unchanged is real.
  if (new Date(utc).getUTCDate() !== d) return null
  return utc + Math.floor(fraction * 1000) - offset * 60_000
}

export interface ChangesQuery {
  since: number
  limit: number
  cursor: string | null
}

/** The query string, strictly: the three parameters at most once each, nothing else. */
export const parseChangesQuery = (
  params: URLSearchParams,
): { query: ChangesQuery } | { issues: string[] } => {
  const issues: string[] = []
  const seen = new Map<string, string>()
  for (const [k, v] of params) {
    if (!(PARAMS as readonly string[]).includes(k)) issues.push(`${k}: unknown parameter`)
    else if (seen.has(k)) issues.push(`${k}: given more than once`)
    else seen.set(k, v)
  }
  const rawSince = seen.get('changed_since')
  const since = rawSince === undefined ? null : parseInstant(rawSince)
  if (rawSince === undefined) issues.push('changed_since: required')
  else if (since === null)
    issues.push('changed_since: an ISO 8601 instant with an offset, e.g. 2026-12-15T03:00:00+09:00')
  const rawLimit = seen.get('limit')
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit)
  if (rawLimit !== undefined && (!/^\d{1,3}$/.test(rawLimit) || limit < 1 || limit > MAX_LIMIT))
    issues.push(`limit: a whole number from 1 to ${MAX_LIMIT}`)
  const cursor = seen.get('cursor') ?? null
  if (cursor !== null && (cursor.length === 0 || cursor.length > 2000))
    issues.push('cursor: as a previous page gave it')
  if (issues.length > 0 || since === null) return { issues }
  return { query: { since, limit, cursor } }
}

/** Where a listing goes on: its query, its snapshot and the last (changed_at, user_id) given. */
const cursorSchema = z
  .object({
    u: z.string(),
    s: z.number().int(),
    l: z.number().int(),
    a: z.number().int(),
    t: z.number().int(),
    i: z.string(),
  })
  .strict()
export type Cursor = z.infer<typeof cursorSchema>

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')
const unb64url = (s: string) => {
  if (!/^[\w-]*$/.test(s)) return null
  try {
    return Uint8Array.from(atob(s.replaceAll('-', '+').replaceAll('_', '/')), (c) =>
      c.charCodeAt(0),
    )
  } catch {
    return null
  }
}

const hmacKey = (secret: string) =>
  crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(`registrar-twin cursor:${secret}`),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  )

/** The cursor as the client gets it: payload.signature, both base64url. */
export const writeCursor = async (cursor: Cursor, secret: string) => {
  const payload = new TextEncoder().encode(JSON.stringify(cursor))
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), payload)
  return `${b64url(payload)}.${b64url(new Uint8Array(mac))}`
}

/** The cursor if this registrar wrote it (for this university), else null. */
export const readCursor = async (raw: string, secret: string): Promise<Cursor | null> => {
  const [p, s, extra] = raw.split('.')
  if (p === undefined || s === undefined || extra !== undefined) return null
  const payload = unb64url(p)
  const mac = unb64url(s)
  if (!payload || !mac) return null
  if (!(await crypto.subtle.verify('HMAC', await hmacKey(secret), mac, payload))) return null
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(new TextDecoder().decode(payload)))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** (changed_at, user_id) order; user ids compare by code unit, as the cursor does. */
export const byChange = (
  a: { changedAt: number; userId: string },
  b: { changedAt: number; userId: string },
) => a.changedAt - b.changedAt || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)

/**
 * The day the student left: a graduate's graduation day, the recorded 退学日 / 除籍日, or
 * (none recorded) the day the registrar recorded the change; null for one still enrolled.
 */
const leftOn = (r: StoredRecord, changedAt: number) => {
  if (r.status === 'graduated')
    return r.graduation && !r.graduation.expected
      ? r.graduation.on
      : (r.left_on ?? jstDay(changedAt))
  if (r.status === 'withdrawn' || r.status === 'expelled') return r.left_on ?? jstDay(changedAt)
  return null
}

/** One student in the list: what a directory needs, not the whole record. */
export const changeEntry = (userId: string, r: StoredRecord, changedAt: number) => ({
  user_id: userId,
  status: r.status,
  name: { kanji: r.name.kanji, kana: r.name.kana },
  left_on: leftOn(r, changedAt),
  changed_at: jstIsoMs(changedAt),
})

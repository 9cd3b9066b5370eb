import { randomToken, sha256Hex } from './crypto'

/** What KV holds for a session. The student's current state is read from D1 on each request. */
export interface SessionRecord {
  studentId: number
  universityId: string
  /** The student's credential epoch at login: a later credential change ends the session. */
  epoch: number
  createdAt: number
  refreshedAt: number
}

/** 30 minutes without a request ends a session. */
export const SESSION_IDLE_SECONDS = 30 * 60
/** Refresh the KV TTL at most this often, not on every request. */
const REFRESH_EVERY_MS = 60_000
export const SESSION_COOKIE = 'session'

/**
 * A session cookie is `<id>.<token>` (a student's here, a console member's in
 * flows/staff/auth.ts): the id lets the row be read in the same wave as the session's record
 * (flows/firstReads.ts); it proves nothing. The KV record, found only by the hash of the
 * whole value, must name the same id, or there is no session.
 */
const SESSION_COOKIE_SHAPE = /^([1-9]\d{0,11})\.[A-Za-z0-9_-]{43}$/

/** The id a session cookie names, or null for anything not shaped like ours. */
export const sessionCookieOwner = (value: string | undefined): number | null => {
  const m = value ? SESSION_COOKIE_SHAPE.exec(value) : null
  return m ? Number(m[1]) : null
}

// Only the hash of the cookie is a KV key, so a KV listing yields no usable session.
const keyFor = async (id: string) => `session:${await sha256Hex(id)}`

export const createSession = async (
  kv: KVNamespace,
  record: Omit<SessionRecord, 'refreshedAt'>,
) => {
  const id = `${record.studentId}.${randomToken(32)}`
  await kv.put(await keyFor(id), JSON.stringify({ ...record, refreshedAt: record.createdAt }), {
    expirationTtl: SESSION_IDLE_SECONDS,
  })
  return id
}

/** The session a cookie stands for: null unless KV holds it and it names the cookie's student. */
export const readSession = (kv: KVNamespace, id: string | undefined) =>
  readOwnedRecord<SessionRecord>(kv, id, keyFor, (r) => r.studentId)

/**
 * The KV record a `<id>.<token>` cookie stands for, found by `key` (the hash of the whole
 * value), and only if it names the cookie's id (`owner`): the one rule for students' sessions
 * and console members' (flows/staff/auth.ts).
 */
export const readOwnedRecord = async <R>(
  kv: KVNamespace,
  id: string | undefined,
  key: (id: string) => Promise<string>,
  owner: (record: R) => number,
): Promise<R | null> => {
  const ownerId = sessionCookieOwner(id)
  if (ownerId === null) return null
  const record = await kv.get<R>(await key(id!), 'json')
  return record && owner(record) === ownerId ? record : null
}

/** Extends the idle TTL; cheap to call on every request. */
export const touchSession = async (
  kv: KVNamespace,
  id: string,
  record: SessionRecord,
  now: number,
) => {
  if (now - record.refreshedAt < REFRESH_EVERY_MS) return
  await kv.put(await keyFor(id), JSON.stringify({ ...record, refreshedAt: now }), {
    expirationTtl: SESSION_IDLE_SECONDS,
  })
}

export const destroySession = async (kv: KVNamespace, id: string) => kv.delete(await keyFor(id))

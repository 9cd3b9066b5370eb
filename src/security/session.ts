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

const SESSION_ID_SHAPE = /^[A-Za-z0-9_-]{43}$/
// Only the hash of the session id is a KV key, so a KV listing yields no usable session.
const keyFor = async (id: string) => `session:${await sha256Hex(id)}`

export const createSession = async (
  kv: KVNamespace,
  record: Omit<SessionRecord, 'refreshedAt'>,
) => {
  const id = randomToken(32)
  await kv.put(await keyFor(id), JSON.stringify({ ...record, refreshedAt: record.createdAt }), {
    expirationTtl: SESSION_IDLE_SECONDS,
  })
  return id
}

export const readSession = async (
  kv: KVNamespace,
  id: string | undefined,
): Promise<SessionRecord | null> => {
  if (!id || !SESSION_ID_SHAPE.test(id)) return null
  return kv.get<SessionRecord>(await keyFor(id), 'json')
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

import type { Clock } from '../domain/time'
import { deskFor, type Desks } from './desks'
import { randomToken, sha256Hex } from '../security/crypto'

export type TokenPurpose = 'email-register' | 'email-change' | 'second-password-reset'

export interface TokenPayload {
  purpose: TokenPurpose
  universityId: string
  studentId: number
  email: string
  expiresAt: number
}

/** A one-time URL is valid for 30 minutes (manual §2.1). */
export const TOKEN_TTL_SECONDS = 30 * 60
/** How long a used token's mark is kept after it expired: long past any KV lag. */
const FORGET_MARGIN_MS = 60 * 60_000

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/
const kvKey = (hash: string) => `ott:${hash}`

export interface TokenDeps {
  kv: KVNamespace
  desks: Desks
  clock: Clock
}

/**
 * Issues a one-time token: 256 random bits, of which only the SHA-256 is stored (in KV,
 * with a 30-minute TTL). Returns the raw token for the mailed URL.
 */
export const issueToken = async (
  deps: TokenDeps,
  payload: Omit<TokenPayload, 'expiresAt'>,
): Promise<string> => {
  const raw = randomToken(32)
  const body: TokenPayload = { ...payload, expiresAt: deps.clock() + TOKEN_TTL_SECONDS * 1000 }
  await deps.kv.put(kvKey(await sha256Hex(raw)), JSON.stringify(body), {
    expirationTtl: TOKEN_TTL_SECONDS,
  })
  return raw
}

export type TokenLookup =
  | { status: 'valid'; payload: TokenPayload; hash: string }
  | { status: 'used'; payload: TokenPayload }
  | { status: 'invalid' }

export interface TokenExpectation {
  purposes: readonly TokenPurpose[]
  /** A URL only works on its own university's host. */
  universityId: string
}

/** The stored payload of a token that is well-formed, known, unexpired and for `expect`. */
const readToken = async (deps: TokenDeps, raw: string, expect: TokenExpectation) => {
  if (!TOKEN_SHAPE.test(raw)) return null
  const hash = await sha256Hex(raw)
  const payload = await deps.kv.get<TokenPayload>(kvKey(hash), 'json')
  if (
    !payload ||
    !expect.purposes.includes(payload.purpose) ||
    payload.universityId !== expect.universityId ||
    payload.expiresAt <= deps.clock()
  ) {
    return null
  }
  return { payload, hash }
}

/** What a token is now, without using it: valid, already used, or expired/unknown/forged. */
export const inspectToken = async (
  deps: TokenDeps,
  raw: string,
  expect: TokenExpectation,
): Promise<TokenLookup> => {
  const found = await readToken(deps, raw, expect)
  if (!found) return { status: 'invalid' }
  const { payload, hash } = found
  const used = await deskFor(deps.desks, payload.universityId, payload.studentId).wasTokenConsumed(
    hash,
  )
  return used ? { status: 'used', payload } : { status: 'valid', payload, hash }
}

export type TokenUse =
  | { status: 'consumed'; payload: TokenPayload }
  | { status: 'used'; payload: TokenPayload }
  | { status: 'invalid' }

/**
 * Uses a token already read (by inspectToken): exactly one caller gets 'consumed', even
 * when several arrive at once. The student's Durable Object decides.
 */
export const useToken = async (
  deps: TokenDeps,
  found: { payload: TokenPayload; hash: string },
): Promise<TokenUse> => {
  const { payload, hash } = found
  const won = await deskFor(deps.desks, payload.universityId, payload.studentId).consumeToken(
    hash,
    deps.clock(),
    payload.expiresAt + FORGET_MARGIN_MS,
  )
  return won ? { status: 'consumed', payload } : { status: 'used', payload }
}

/** Reads and uses a token in one go. */
export const consumeToken = async (
  deps: TokenDeps,
  raw: string,
  expect: TokenExpectation,
): Promise<TokenUse> => {
  const found = await readToken(deps, raw, expect)
  return found ? useToken(deps, found) : { status: 'invalid' }
}

import { hmac, timingSafeEqualText, toHex } from '../../security/crypto'

/** How far a notification's timestamp may be from our clock. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000
export const SIGNATURE_HEADER = 'x-payment-signature'

const hmacHex = async (secret: string, message: string) => toHex(await hmac(secret, message))

/**
 * The signature header of a notification: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`. Signing the timestamp with the body stops an old notification being
 * sent again later with a fresh timestamp.
 */
export const signNotification = async (secret: string, rawBody: string, nowMs: number) => {
  const t = Math.floor(nowMs / 1000)
  return `t=${t},v1=${await hmacHex(secret, `${t}.${rawBody}`)}`
}

export type SignatureCheck =
  | { ok: true; signature: string }
  | { ok: false; reason: 'missing_signature' | 'malformed_signature' | 'stale' | 'bad_signature' }

export const verifyNotificationSignature = async (
  secret: string,
  header: string | null | undefined,
  rawBody: string,
  nowMs: number,
): Promise<SignatureCheck> => {
  if (!header) return { ok: false, reason: 'missing_signature' }
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim())
  if (!m) return { ok: false, reason: 'malformed_signature' }
  const t = Number(m[1])
  if (Math.abs(nowMs - t * 1000) > SIGNATURE_TOLERANCE_MS) return { ok: false, reason: 'stale' }
  const expected = await hmacHex(secret, `${t}.${rawBody}`)
  return timingSafeEqualText(expected, m[2]!)
    ? { ok: true, signature: m[2]! }
    : { ok: false, reason: 'bad_signature' }
}

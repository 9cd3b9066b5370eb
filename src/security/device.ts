import { hmac, randomToken, timingSafeEqualText, toBase64Url } from './crypto'

/**
 * OWASP's device cookies (Credential Stuffing Prevention Cheat Sheet, "device cookies"):
 * a browser a student has logged in from gets a cookie bound to that student, so failed
 * logins from it are counted against the browser, and a lock of unknown clients (anyone can
 * cause one: user IDs are sequential) does not stop it logging in.
 *
 * The value is `<nonce>.<issuedAt>.<signature>`, the signature an HMAC under a key derived
 * from the PEPPER secret over the university, the user ID and both other parts. It names
 * no student: it is checked against the user ID typed at login.
 */
export const DEVICE_COOKIE = 'device'

/** A device is trusted this long after its last successful login (the cookie is renewed at each). */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 60 * 60

const SHAPE = /^([A-Za-z0-9_-]{22})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/

// A key of its own, so a device signature is never an HMAC the password hashing also computes.
const signingKey = async (pepper: string) => toBase64Url(await hmac(pepper, 'device-cookie-key'))

const sign = async (
  pepper: string,
  universityId: string,
  userId: string,
  nonce: string,
  issuedAt: number,
) =>
  toBase64Url(
    await hmac(
      await signingKey(pepper),
      `device|${universityId}|${userId.toLowerCase()}|${nonce}|${issuedAt}`,
    ),
  )

/** A new device cookie value for this student, after a successful login at `now`. */
export const issueDeviceCookie = async (
  pepper: string,
  universityId: string,
  userId: string,
  now: number,
) => {
  const nonce = randomToken(16)
  return `${nonce}.${now}.${await sign(pepper, universityId, userId, nonce, now)}`
}

/**
 * The device's id (its nonce) when `value` is a device cookie this service issued for this
 * student and it has not expired; null for anything else (missing, forged, another
 * student's, another university's).
 */
export const verifyDeviceCookie = async (
  pepper: string,
  universityId: string,
  userId: string,
  value: string | undefined,
  now: number,
): Promise<string | null> => {
  const parts = value ? SHAPE.exec(value) : null
  if (!parts) return null
  const [, nonce, issued, signature] = parts as unknown as [string, string, string, string]
  const issuedAt = Number(issued)
  if (now - issuedAt > DEVICE_COOKIE_MAX_AGE_SECONDS * 1000) return null
  const expected = await sign(pepper, universityId, userId, nonce, issuedAt)
  return timingSafeEqualText(expected, signature) ? nonce : null
}

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

/** The HMAC over what a cookie stands for (`subject`) and its own two parts. */
const signSubject = async (pepper: string, subject: string, nonce: string, issuedAt: number) =>
  toBase64Url(await hmac(await signingKey(pepper), `${subject}|${nonce}|${issuedAt}`))

const studentSubject = (universityId: string, userId: string) =>
  `device|${universityId}|${userId.toLowerCase()}`
/** A console member's: its own prefix, so no student's cookie is ever a member's. */
const staffSubject = (email: string) => `staff-device|${email.trim().toLowerCase()}`

const issue = async (pepper: string, subject: string, now: number) => {
  const nonce = randomToken(16)
  return `${nonce}.${now}.${await signSubject(pepper, subject, nonce, now)}`
}

const verify = async (
  pepper: string,
  subject: string,
  value: string | undefined,
  now: number,
): Promise<string | null> => {
  const parts = value ? SHAPE.exec(value) : null
  if (!parts) return null
  const [, nonce, issued, signature] = parts as unknown as [string, string, string, string]
  const issuedAt = Number(issued)
  if (now - issuedAt > DEVICE_COOKIE_MAX_AGE_SECONDS * 1000) return null
  const expected = await signSubject(pepper, subject, nonce, issuedAt)
  return timingSafeEqualText(expected, signature) ? nonce : null
}

/** A new device cookie value for this student, after a successful login at `now`. */
export const issueDeviceCookie = (
  pepper: string,
  universityId: string,
  userId: string,
  now: number,
) => issue(pepper, studentSubject(universityId, userId), now)

/**
 * The device's id (its nonce) when `value` is a device cookie this service issued for this
 * student and it has not expired; null for anything else (missing, forged, another
 * student's, another university's, a console member's).
 */
export const verifyDeviceCookie = (
  pepper: string,
  universityId: string,
  userId: string,
  value: string | undefined,
  now: number,
): Promise<string | null> => verify(pepper, studentSubject(universityId, userId), value, now)

/**
 * The console's device cookie (`__Host-staff-device`): the same scheme for a staff
 * member's address, so strangers' failed logins never lock a member out of a browser they
 * have signed in from.
 */
export const STAFF_DEVICE_COOKIE = 'staff-device'

export const issueStaffDeviceCookie = (pepper: string, email: string, now: number) =>
  issue(pepper, staffSubject(email), now)

/** As verifyDeviceCookie, for the member whose address was typed (a student's never counts). */
export const verifyStaffDeviceCookie = (
  pepper: string,
  email: string,
  value: string | undefined,
  now: number,
): Promise<string | null> => verify(pepper, staffSubject(email), value, now)

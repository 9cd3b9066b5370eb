export const EMAIL_MAX_LENGTH = 254

// Deliberately plain: one @, a dotted domain, half-width printable characters only.
const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/

export type EmailProblem = 'required' | 'tooLong' | 'notHalfWidth' | 'invalid'

/** What is wrong with an address as typed, or null when it is acceptable. */
export const emailProblem = (raw: string): EmailProblem | null => {
  const value = raw.trim()
  if (value === '') return 'required'
  if (value.length > EMAIL_MAX_LENGTH) return 'tooLong'
  // Full-width characters and spaces are the manual's own first suspects (§2.1).
  if (/[^\x21-\x7e]/.test(value)) return 'notHalfWidth'
  if (!EMAIL_PATTERN.test(value)) return 'invalid'
  return null
}

/** The stored form: trimmed and lower-cased, so lookups do not depend on how it was typed. */
export const normalizeEmail = (raw: string): string => raw.trim().toLowerCase()

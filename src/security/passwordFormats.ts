/**
 * The password hash formats a university's roster may carry, as directories export them,
 * and whether a given hash is one the service can verify. Verification lives beside it
 * (security/legacyPasswords.ts); this module only recognises.
 *
 * - `{SSHA}` (LDAP, OpenLDAP's slappasswd): base64(SHA-1(password ‖ salt) ‖ salt);
 * - bcrypt `$2a$` / `$2b$` / `$2y$`, cost 04–12 (a higher cost would not fit a Worker's CPU);
 * - PBKDF2-SHA256 as `{PBKDF2-SHA256}<iterations>$<salt>$<hash>` (passlib's LDAP form, adapted
 *   base64) or `pbkdf2_sha256$<iterations>$<salt>$<hash>` (Django), at most 100,000
 *   iterations (Workers refuse more);
 * - the service's own `pbkdf2-sha256$…` (peppered: only the service itself writes it).
 */
import { PBKDF2_ITERATIONS } from './crypto'

export const PASSWORD_HASH_FORMATS = [
  'service',
  'ssha',
  'bcrypt',
  'pbkdf2-ldap',
  'pbkdf2-django',
] as const
export type PasswordHashFormat = (typeof PASSWORD_HASH_FORMATS)[number]

/** A roster may carry these (not the service's own: it is peppered with our secret). */
export const ROSTER_HASH_FORMATS: readonly PasswordHashFormat[] = [
  'ssha',
  'bcrypt',
  'pbkdf2-ldap',
  'pbkdf2-django',
]

export const BCRYPT_MAX_COST = 12

export type Recognised =
  { ok: true; format: PasswordHashFormat } | { ok: false; problem: 'unknown_format' | 'too_costly' }

const B64 = /^[A-Za-z0-9+/]+={0,2}$/
const AB64 = /^[A-Za-z0-9./+]+={0,2}$/

/** Which format `hash` is in, or why it cannot be used. */
export const recognisePasswordHash = (hash: string): Recognised => {
  if (hash.startsWith('{SSHA}')) {
    const body = hash.slice(6)
    // 20 bytes of SHA-1 and at least 4 of salt: at least 32 base64 characters.
    return B64.test(body) && body.length % 4 === 0 && body.length >= 32
      ? { ok: true, format: 'ssha' }
      : { ok: false, problem: 'unknown_format' }
  }
  const bcrypt = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/.exec(hash)
  if (bcrypt) {
    const cost = Number(bcrypt[1])
    if (cost < 4) return { ok: false, problem: 'unknown_format' }
    return cost > BCRYPT_MAX_COST
      ? { ok: false, problem: 'too_costly' }
      : { ok: true, format: 'bcrypt' }
  }
  const pbkdf2 =
    /^\{PBKDF2-SHA256\}(\d{1,7})\$([^$]+)\$([^$]+)$/.exec(hash) ??
    /^pbkdf2_sha256\$(\d{1,7})\$([^$]+)\$([^$]+)$/.exec(hash)
  if (pbkdf2) {
    const iterations = Number(pbkdf2[1])
    const ldap = hash.startsWith('{')
    if (iterations < 1 || !(ldap ? AB64 : /^[^\s$]+$/).test(pbkdf2[2]!) || !AB64.test(pbkdf2[3]!))
      return { ok: false, problem: 'unknown_format' }
    if (iterations > PBKDF2_ITERATIONS) return { ok: false, problem: 'too_costly' }
    return { ok: true, format: ldap ? 'pbkdf2-ldap' : 'pbkdf2-django' }
  }
  if (/^pbkdf2-sha256\$\d+\$[\w-]+\$[\w-]+$/.test(hash)) return { ok: true, format: 'service' }
  return { ok: false, problem: 'unknown_format' }
}

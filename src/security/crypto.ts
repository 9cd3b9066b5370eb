/** WebCrypto helpers shared by the directory, second passwords, sessions and one-time URLs. */

const encoder = new TextEncoder()

/** Workers refuse PBKDF2 above 100,000 iterations; we use exactly that. */
export const PBKDF2_ITERATIONS = 100_000

export const toBase64Url = (bytes: Uint8Array): string => {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export const fromBase64Url = (text: string): Uint8Array => {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
  return Uint8Array.from(bin, (c) => c.charCodeAt(0))
}

/** `bytes` random bytes as base64url: 32 bytes = 256 bits. */
export const randomToken = (bytes = 32): string =>
  toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))

export const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

export const sha256Hex = async (text: string): Promise<string> =>
  toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))))

/** Constant-time comparison of two strings of any length. */
export const timingSafeEqualText = (a: string, b: string): boolean => {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

/** HMAC-SHA256 of `message` under `key`. */
export const hmac = async (key: string, message: string): Promise<Uint8Array> => {
  const k = await crypto.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, encoder.encode(message)))
}

const pbkdf2 = async (
  secret: Uint8Array,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> => {
  const key = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, ['deriveBits'])
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256),
  )
}

/**
 * Hashes a secret for storage: PBKDF2-SHA256 over HMAC(pepper, secret), so a leaked
 * database alone cannot be attacked offline. Format: `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
 * scripts/seed.ts computes the same format with node:crypto.
 */
export const hashSecret = async (
  secret: string,
  pepper: string,
  iterations = PBKDF2_ITERATIONS,
): Promise<string> => {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const hash = await pbkdf2(await hmac(pepper, secret), salt, iterations)
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`
}

export const verifySecret = async (
  secret: string,
  stored: string,
  pepper: string,
): Promise<boolean> => {
  const [scheme, iter, salt, hash] = stored.split('$')
  const iterations = Number(iter)
  if (
    scheme !== 'pbkdf2-sha256' ||
    !salt ||
    !hash ||
    !Number.isInteger(iterations) ||
    iterations < 1 ||
    iterations > PBKDF2_ITERATIONS
  )
    return false
  const actual = await pbkdf2(await hmac(pepper, secret), fromBase64Url(salt), iterations)
  return timingSafeEqualText(toBase64Url(actual), hash)
}

/** A stored hash of a secret nobody knows: verifying against it costs what a real check costs. */
export const DUMMY_HASH =
  'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

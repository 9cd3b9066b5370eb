import { renderSVG } from 'uqr'

/**
 * RFC 6238 as every authenticator app does it: HMAC-SHA-1, 6 digits, 30-second steps, on
 * WebCrypto (the runtime's own HMAC, no library in the script).
 */
const PERIOD_S = 30
const DIGITS = 6
const CODE_SHAPE = /^\d{6}$/
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/**
 * RFC 4648 base32, as authenticator apps take a secret typed in: case and spaces ignored,
 * padding optional.
 */
const fromBase32 = (text: string): Uint8Array<ArrayBuffer> => {
  const s = text.replace(/ /g, '').toUpperCase().replace(/=+$/, '')
  const bytes = new Uint8Array(((s.length * 5) / 8) | 0)
  let bits = 0
  let value = 0
  let i = 0
  for (const ch of s) {
    const digit = BASE32.indexOf(ch)
    if (digit === -1) throw new TypeError(`not base32: ${ch}`)
    value = (value << 5) | digit
    bits += 5
    if (bits >= 8) {
      bits -= 8
      bytes[i++] = (value >>> bits) & 0xff
    }
  }
  return bytes
}

const toBase32 = (bytes: Uint8Array): string => {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return bits > 0 ? out + BASE32[(value << (5 - bits)) & 31] : out
}

const hmacKey = (secret: string) =>
  crypto.subtle.importKey('raw', fromBase32(secret), { name: 'HMAC', hash: 'SHA-1' }, false, [
    'sign',
  ])

/** RFC 4226's HOTP value of `step`, 6 digits with leading zeros. */
const codeAt = async (key: CryptoKey, step: number): Promise<string> => {
  const counter = new DataView(new ArrayBuffer(8))
  // Steps stay far below 2^53; the counter is a 64-bit big-endian integer.
  counter.setUint32(0, Math.floor(step / 2 ** 32))
  counter.setUint32(4, step >>> 0)
  const mac = new DataView(await crypto.subtle.sign('HMAC', key, counter.buffer))
  const offset = mac.getUint8(19) & 0x0f
  const binary = mac.getUint32(offset) & 0x7fffffff
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0')
}

/** Compares two codes in time independent of where they differ. */
const sameCode = (a: string, b: string) => {
  let diff = a.length ^ b.length
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** A new 160-bit secret, base32 (what authenticator apps take as text). */
export const newTotpSecret = (): string => toBase32(crypto.getRandomValues(new Uint8Array(20)))

/** The time step `ms` falls in. */
export const totpStep = (ms: number): number => Math.floor(ms / 1000 / PERIOD_S)

/**
 * Checks a code against the steps around `now` (one step either side, for clock drift) and
 * returns the step it belongs to, or null. A step at or before `lastStep` is refused: each
 * code works once, and an older one never works after a newer one was used.
 */
export const verifyTotp = async (
  secret: string,
  code: string,
  now: number,
  lastStep: number | null,
): Promise<number | null> => {
  const token = code.replace(/\s/g, '')
  if (!CODE_SHAPE.test(token)) return null
  const key = await hmacKey(secret)
  const current = totpStep(now)
  // The current step first, then the one before and the one after.
  for (const step of [current, current - 1, current + 1]) {
    if (!sameCode(token, await codeAt(key, step))) continue
    return lastStep !== null && step <= lastStep ? null : step
  }
  return null
}

/** The code for `now`: for the tests and the development seed's documentation only. */
export const totpCode = async (secret: string, now: number): Promise<string> =>
  codeAt(await hmacKey(secret), totpStep(now))

/**
 * The otpauth:// URI an authenticator app scans (Key URI Format: the issuer both in the
 * label and as a parameter, for old and new apps alike).
 */
export const totpUri = (secret: string, account: string, issuer: string): string => {
  const e = encodeURIComponent
  const label = issuer ? `${e(issuer)}:${e(account)}?issuer=${e(issuer)}&` : `${e(account)}?`
  return `otpauth://totp/${label}secret=${toBase32(fromBase32(secret))}&algorithm=SHA1&digits=${DIGITS}&period=${PERIOD_S}`
}

/** The URI as a QR code, an SVG data: URL for an <img> (the page's CSP allows data: images). */
export const totpQrDataUrl = (uri: string): string => {
  const svg = renderSVG(uri, { border: 2 })
  return `data:image/svg+xml;base64,${toBase64(new TextEncoder().encode(svg))}`
}

const toBase64 = (bytes: Uint8Array) => {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

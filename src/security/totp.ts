import { Secret, TOTP } from 'otpauth'
import { renderSVG } from 'uqr'

/** RFC 6238 as every authenticator app does it: SHA-1, 6 digits, 30-second steps. */
const PERIOD_S = 30
const CODE_SHAPE = /^\d{6}$/

const totpOf = (secret: string, label = '', issuer = '') =>
  new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_S,
  })

/** A new 160-bit secret, base32 (what authenticator apps take as text). */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32

/** The time step `ms` falls in. */
export const totpStep = (ms: number): number => Math.floor(ms / 1000 / PERIOD_S)

/**
 * Checks a code against the steps around `now` (one step either side, for clock drift) and
 * returns the step it belongs to, or null. A step at or before `lastStep` is refused: each
 * code works once, and an older one never works after a newer one was used.
 */
export const verifyTotp = (
  secret: string,
  code: string,
  now: number,
  lastStep: number | null,
): number | null => {
  const token = code.replace(/\s/g, '')
  if (!CODE_SHAPE.test(token)) return null
  const delta = totpOf(secret).validate({ token, timestamp: now, window: 1 })
  if (delta === null) return null
  const step = totpStep(now) + delta
  return lastStep !== null && step <= lastStep ? null : step
}

/** The code for `now`: for the tests and the development seed's documentation only. */
export const totpCode = (secret: string, now: number): string =>
  totpOf(secret).generate({ timestamp: now })

/** The otpauth:// URI an authenticator app scans. */
export const totpUri = (secret: string, account: string, issuer: string): string =>
  totpOf(secret, account, issuer).toString()

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

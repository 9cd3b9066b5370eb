/**
 * Verifies a password against a hash a university's directory exported (formats:
 * security/passwordFormats.ts). WebCrypto does SHA-1 and PBKDF2; bcrypt is written here,
 * from its description (Provos & Mazières, "A Future-Adaptable Password Scheme", 1999), because
 * WebCrypto has none and a package would weigh more in the bundle than these lines.
 * Every comparison is constant-time.
 */
import { recognisePasswordHash } from './passwordFormats'

const encoder = new TextEncoder()

/** Constant-time equality of two byte strings (the lengths are not secret). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  let diff = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return diff === 0
}

/** Standard base64, or passlib's adapted base64 (`.` for `+`, no padding). */
const fromBase64 = (text: string): Uint8Array | null => {
  const b64 = text.replace(/\./g, '+').replace(/=+$/, '')
  try {
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
    return Uint8Array.from(bin, (c) => c.charCodeAt(0))
  } catch {
    return null
  }
}

/** `{SSHA}`: base64(SHA-1(password ‖ salt) ‖ salt), as OpenLDAP's slappasswd writes it. */
const verifySsha = async (password: string, body: string) => {
  const bytes = fromBase64(body)
  if (!bytes || bytes.length < 24) return false
  const salt = bytes.subarray(20)
  const input = new Uint8Array([...encoder.encode(password), ...salt])
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', input))
  return sameBytes(digest, bytes.subarray(0, 20))
}

const pbkdf2Sha256 = async (
  password: string,
  salt: Uint8Array,
  iterations: number,
  bits: number,
) => {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, [
    'deriveBits',
  ])
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
      key,
      bits,
    ),
  )
}

/**
 * `{PBKDF2-SHA256}<rounds>$<salt>$<checksum>` (passlib's ldap_pbkdf2_sha256: salt and checksum
 * in adapted base64, the salt used as bytes) or Django's `pbkdf2_sha256$<rounds>$<salt>$<hash>`
 * (the salt used as its text, the hash in standard base64).
 */
const verifyPbkdf2 = async (password: string, hash: string, django: boolean) => {
  const parts = /(\d+)\$([^$]+)\$([^$]+)$/.exec(hash)
  if (!parts) return false
  const [, rounds, saltText, checksum] = parts as unknown as [string, string, string, string]
  const salt = django ? encoder.encode(saltText) : fromBase64(saltText)
  const expected = fromBase64(checksum)
  if (!salt || !expected || expected.length < 16 || expected.length > 64) return false
  const actual = await pbkdf2Sha256(password, salt, Number(rounds), expected.length * 8)
  return sameBytes(actual, expected)
}

// bcrypt ----------------------------------------------------------------------------------

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
/** bcrypt's base64 is the standard one (same bit order, no padding) over another alphabet. */
const bcryptDecode = (text: string) =>
  fromBase64([...text].map((ch) => STD_ALPHABET[BCRYPT_ALPHABET.indexOf(ch)]).join(''))
const bcryptEncode = (bytes: Uint8Array) =>
  [...btoa(String.fromCharCode(...bytes)).replace(/=+$/, '')]
    .map((ch) => BCRYPT_ALPHABET[STD_ALPHABET.indexOf(ch)])
    .join('')

const BLOWFISH_WORDS = 18 + 4 * 256
let piWords: Uint32Array | null = null

/**
 * Blowfish's initial P-array and S-boxes are the fractional part of π in hexadecimal, its
 * first 8,336 digits. Computed once per isolate (Chudnovsky's series, summed by binary
 * splitting, ~15 ms) instead of shipping 4 KiB of constants in the bundle; the unit test
 * holds the result against bcrypt's published vectors.
 */
const blowfishConstants = (): Uint32Array => {
  if (piWords) return piWords
  const bits = BigInt(BLOWFISH_WORDS * 32)
  const guard = 64n
  const scale = bits + guard
  const c3over24 = 640320n ** 3n / 24n
  // P(a,b), Q(a,b), T(a,b) of the series' terms a..b-1.
  const split = (a: bigint, b: bigint): [bigint, bigint, bigint] => {
    if (b - a === 1n) {
      if (a === 0n) return [1n, 1n, 13591409n]
      const p = (6n * a - 5n) * (2n * a - 1n) * (6n * a - 1n)
      const t = p * (13591409n + 545140134n * a)
      return [p, a * a * a * c3over24, a & 1n ? -t : t]
    }
    const m = (a + b) / 2n
    const [p1, q1, t1] = split(a, m)
    const [p2, q2, t2] = split(m, b)
    return [p1 * p2, q1 * q2, q2 * t1 + p1 * t2]
  }
  // Each term adds ~47 bits.
  const [, q, t] = split(0n, bits / 47n + 2n)
  // √10005 · 2^scale by Newton's method, from above.
  const square = 10005n << (2n * scale)
  let root = BigInt(Math.ceil(Math.sqrt(10005) * 2 ** 40)) << (scale - 40n)
  for (;;) {
    const next = (root + square / root) >> 1n
    if (next >= root) break
    root = next
  }
  const pi = (426880n * root * q) / t
  const words = new Uint32Array(BLOWFISH_WORDS)
  for (let i = 0; i < BLOWFISH_WORDS; i++)
    words[i] = Number(BigInt.asUintN(32, pi >> (guard + bits - 32n * BigInt(i + 1))))
  piWords = words
  return words
}

/** Blowfish's key schedule state: P (18 words) and the four S-boxes (4 × 256). */
class Blowfish {
  readonly p: Int32Array
  readonly s: Int32Array
  /** The block being enciphered: [left, right]. */
  readonly lr = new Int32Array(2)

  constructor() {
    const pi = blowfishConstants()
    this.p = new Int32Array(pi.subarray(0, 18))
    this.s = new Int32Array(pi.subarray(18))
  }

  encipher() {
    const { p, s, lr } = this
    let l = lr[0]! ^ p[0]!
    let r = lr[1]!
    for (let i = 1; i < 17; i += 2) {
      r ^=
        (((s[l >>> 24]! + s[256 | ((l >>> 16) & 255)]!) ^ s[512 | ((l >>> 8) & 255)]!) +
          s[768 | (l & 255)]!) ^
        p[i]!
      l ^=
        (((s[r >>> 24]! + s[256 | ((r >>> 16) & 255)]!) ^ s[512 | ((r >>> 8) & 255)]!) +
          s[768 | (r & 255)]!) ^
        p[i + 1]!
    }
    lr[0] = r ^ p[17]!
    lr[1] = l
  }

  /**
   * bcrypt's ExpandKey: the key xored cyclically into P, then P and S replaced by the
   * cipher's output, each block first xored with the next words of `data` (cyclically)
   * when there is data (EksBlowfishSetup's salted expansions).
   */
  expand(key: Uint8Array, data: Uint8Array | null) {
    const { p, s, lr } = this
    let k = 0
    for (let i = 0; i < 18; i++) {
      let w = 0
      for (let j = 0; j < 4; j++) {
        w = (w << 8) | key[k]!
        k = (k + 1) % key.length
      }
      p[i] = p[i]! ^ w
    }
    let d = 0
    const word = () => {
      let w = 0
      for (let j = 0; j < 4; j++) {
        w = (w << 8) | data![d]!
        d = (d + 1) % data!.length
      }
      return w
    }
    lr[0] = 0
    lr[1] = 0
    for (const box of [p, s]) {
      for (let i = 0; i < box.length; i += 2) {
        if (data) {
          lr[0] = lr[0]! ^ word()
          lr[1] = lr[1]! ^ word()
        }
        this.encipher()
        box[i] = lr[0]!
        box[i + 1] = lr[1]!
      }
    }
  }
}

/** "OrpheanBeholderScryDoubt", enciphered 64 times: bcrypt's output before encoding. */
const MAGIC = encoder.encode('OrpheanBeholderScryDoubt')

/**
 * bcrypt's 31-character checksum of `password` under the 16-byte `salt` at `cost`. The
 * password's UTF-8 bytes and a NUL, at most 72 bytes (as OpenBSD's `$2b$`; `$2a$` and `$2y$`
 * hashes of passwords under 255 bytes are the same).
 */
export const bcryptChecksum = (password: string, salt: Uint8Array, cost: number): string => {
  const key = new Uint8Array([...encoder.encode(password), 0]).slice(0, 72)
  const bf = new Blowfish()
  bf.expand(key, salt)
  for (let round = 2 ** cost; round > 0; round--) {
    bf.expand(key, null)
    bf.expand(salt, null)
  }
  const view = new DataView(MAGIC.buffer.slice(0))
  const out = new Uint8Array(24)
  const outView = new DataView(out.buffer)
  for (let b = 0; b < 24; b += 8) {
    bf.lr[0] = view.getInt32(b)
    bf.lr[1] = view.getInt32(b + 4)
    for (let i = 0; i < 64; i++) bf.encipher()
    outView.setInt32(b, bf.lr[0]!)
    outView.setInt32(b + 4, bf.lr[1]!)
  }
  // 23 of the 24 bytes, as every bcrypt since the first does.
  return bcryptEncode(out.subarray(0, 23))
}

const verifyBcrypt = (password: string, hash: string) => {
  const cost = Number(hash.slice(4, 6))
  const salt = bcryptDecode(hash.slice(7, 29))
  if (!salt || salt.length !== 16) return false
  return sameBytes(
    encoder.encode(bcryptChecksum(password, salt, cost)),
    encoder.encode(hash.slice(29)),
  )
}

/**
 * Whether `password` is the one `hash` (a format a roster may carry) was made from. False for
 * anything `recognisePasswordHash` refuses (unknown, malformed, too costly) and for the
 * service's own format, which is peppered and checked by security/crypto's verifySecret.
 */
export const verifyLegacyPassword = async (password: string, hash: string): Promise<boolean> => {
  const recognised = recognisePasswordHash(hash)
  if (!recognised.ok) return false
  switch (recognised.format) {
    case 'ssha':
      return verifySsha(password, hash.slice(6))
    case 'bcrypt':
      return verifyBcrypt(password, hash)
    case 'pbkdf2-ldap':
      return verifyPbkdf2(password, hash, false)
    case 'pbkdf2-django':
      return verifyPbkdf2(password, hash, true)
    case 'service':
      return false
  }
}

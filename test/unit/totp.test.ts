import { describe, expect, it } from 'vitest'
import { newTotpSecret, totpCode, totpStep, totpUri, verifyTotp } from '../../src/security/totp'

/** RFC 4226 / RFC 6238's SHA-1 secret, the ASCII bytes "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
const STEP = 30_000

describe('TOTP (RFC 6238, HMAC-SHA-1, 6 digits, 30 s)', () => {
  it("gives RFC 6238's SHA-1 codes (their last six digits) at its test times", async () => {
    // Appendix B: 94287082, 07081804, 14050471, 89005924, 69279037, 65353130.
    const vectors: [seconds: number, code: string][] = [
      [59, '287082'],
      [1111111109, '081804'],
      [1111111111, '050471'],
      [1234567890, '005924'],
      [2000000000, '279037'],
      [20000000000, '353130'],
    ]
    for (const [s, code] of vectors) expect(await totpCode(RFC_SECRET, s * 1000)).toBe(code)
  })

  it("gives RFC 4226's HOTP values for the counters 0 to 9 (a step is the counter)", async () => {
    const hotp = ['755224', '287082', '359152', '969429', '338314']
    const more = ['254676', '287922', '162583', '399871', '520489']
    const codes = await Promise.all(
      [...hotp, ...more].map((_, i) => totpCode(RFC_SECRET, i * STEP)),
    )
    expect(codes).toEqual([...hotp, ...more])
  })

  it('reads a secret typed in lower case, with spaces and padding', async () => {
    const typed = 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq===='
    expect(await totpCode(typed, 59_000)).toBe('287082')
  })

  it('accepts the code of the step before and after, and returns the step it belongs to', async () => {
    const now = 1234567890_000
    const step = totpStep(now)
    for (const d of [-1, 0, 1]) {
      const code = await totpCode(RFC_SECRET, now + d * STEP)
      expect(await verifyTotp(RFC_SECRET, code, now, null)).toBe(step + d)
      expect(await verifyTotp(RFC_SECRET, code.replace(/(\d{3})/, '$1 '), now, null)).toBe(step + d)
    }
  })

  it('refuses a code two steps away, a wrong or malformed code, and a step already used', async () => {
    const now = 1234567890_000
    const step = totpStep(now)
    for (const d of [-2, 2])
      expect(
        await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, now + d * STEP), now, null),
      ).toBeNull()
    const code = await totpCode(RFC_SECRET, now)
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    expect(await verifyTotp(RFC_SECRET, wrong, now, null)).toBeNull()
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}0`])
      expect(await verifyTotp(RFC_SECRET, bad, now, null)).toBeNull()
    expect(await verifyTotp(RFC_SECRET, code, now, step)).toBeNull()
    expect(await verifyTotp(RFC_SECRET, code, now, step + 1)).toBeNull()
    expect(await verifyTotp(RFC_SECRET, code, now, step - 1)).toBe(step)
  })

  it('makes a new 160-bit base32 secret each time', async () => {
    const a = newTotpSecret()
    expect(a).toMatch(/^[A-Z2-7]{32}$/)
    expect(newTotpSecret()).not.toBe(a)
    expect(await totpCode(a, 0)).toMatch(/^\d{6}$/)
  })

  it('writes the otpauth:// URI authenticator apps scan (Key URI Format)', () => {
    expect(
      totpUri('gezd gnbv gy3t qojq gezd gnbv gy3t qojq', 'a+b@example.ac.jp', 'M.I.C. 管理'),
    ).toBe(
      'otpauth://totp/M.I.C.%20%E7%AE%A1%E7%90%86:a%2Bb%40example.ac.jp?issuer=M.I.C.%20%E7%AE%A1%E7%90%86&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30',
    )
  })
})

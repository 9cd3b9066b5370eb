/// <reference types="node" />
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { verifyLegacyPassword } from '../../src/security/legacyPasswords'
import { recognisePasswordHash } from '../../src/security/passwordFormats'

/**
 * Published vectors, each from the format's own documentation or reference tests:
 * bcrypt from jBCrypt's and Openwall's crypt_blowfish test suites (also passlib's and Bouncy
 * Castle's), PBKDF2 from OpenLDAP's slapd-pw-pbkdf2(5) and Django's test_hashers, {SSHA}
 * from pySSHA-slapd's README (slappasswd's format).
 */
const VECTORS: [format: string, password: string, hash: string][] = [
  ['bcrypt', '', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['bcrypt', 'a', '$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe'],
  ['bcrypt', 'abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
  [
    'bcrypt',
    'abcdefghijklmnopqrstuvwxyz',
    '$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC',
  ],
  [
    'bcrypt',
    '~!@#$%^&*()      ~!@#$%^&*()PNBFRD',
    '$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO',
  ],
  ['bcrypt', 'U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ['bcrypt', 'U*U*', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
  ['bcrypt', '', '$2a$04$zVHmKQtGGQob.b/Nc7l9NO8UlrYcW05FiuCj/SxsFO/ZtiN9.mNzy'],
  [
    'pbkdf2-ldap',
    'secret',
    '{PBKDF2-SHA256}10000$jq40ImWtmpTE.aYDYV1GfQ$mpiL4ui02ACmYOAnCjp/MI1gQk50xLbZ54RZneU0fCg',
  ],
  [
    'pbkdf2-django',
    'lètmein',
    'pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=',
  ],
  [
    'pbkdf2-django',
    'letmein',
    'pbkdf2_sha256$10000$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y=',
  ],
  ['ssha', 'slapdsecret', '{SSHA}w5CJCwNQk44NjTYzcMZNKbE6Bu90viYp'],
]

describe('legacy password hashes: published vectors', () => {
  for (const [format, password, hash] of VECTORS) {
    it(`verifies ${format} ${hash.slice(0, 24)}… and nothing else`, async () => {
      expect(recognisePasswordHash(hash)).toEqual({ ok: true, format })
      expect(await verifyLegacyPassword(password, hash)).toBe(true)
      expect(await verifyLegacyPassword(`${password}x`, hash)).toBe(false)
      expect(await verifyLegacyPassword(password.toUpperCase() + 'A', hash)).toBe(false)
    })
  }

  it('reads $2b$ and $2y$ as $2a$ (the same hash for passwords under 255 bytes)', async () => {
    const hash = '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'
    for (const prefix of ['$2b$', '$2y$']) {
      const other = prefix + hash.slice(4)
      expect(recognisePasswordHash(other)).toEqual({ ok: true, format: 'bcrypt' })
      expect(await verifyLegacyPassword('abc', other)).toBe(true)
      expect(await verifyLegacyPassword('abd', other)).toBe(false)
    }
  })

  it('uses only the first 72 bytes of a bcrypt password, as every bcrypt does', async () => {
    // Openwall crypt_blowfish's vector: everything after the 72nd byte is ignored.
    const long =
      '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored'
    const hash = '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui'
    expect(await verifyLegacyPassword(long, hash)).toBe(true)
    expect(await verifyLegacyPassword(long.slice(0, 72), hash)).toBe(true)
    expect(await verifyLegacyPassword(long.slice(0, 71), hash)).toBe(false)
  })
})

const ab64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.')

describe('legacy password hashes: against node:crypto', () => {
  const passwords = ['univpass', 'パスワード2024', '', 'a'.repeat(100), 'p@ss w0rd!"\'\\']

  it('{SSHA} with salts of 4, 8 and 16 bytes', async () => {
    for (const password of passwords) {
      for (const size of [4, 8, 16]) {
        const salt = randomBytes(size)
        const digest = createHash('sha1')
          .update(Buffer.from(password, 'utf8'))
          .update(salt)
          .digest()
        const hash = `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`
        expect(recognisePasswordHash(hash)).toEqual({ ok: true, format: 'ssha' })
        expect(await verifyLegacyPassword(password, hash)).toBe(true)
        expect(await verifyLegacyPassword(`${password}.`, hash)).toBe(false)
      }
    }
  })

  it("PBKDF2-SHA256 in passlib's LDAP form and in Django's", async () => {
    for (const password of passwords) {
      const rounds = 1000 + Math.floor(Math.random() * 2000)
      const salt = randomBytes(16)
      const ldap = `{PBKDF2-SHA256}${rounds}$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, rounds, 32, 'sha256'))}`
      const djangoSalt = randomBytes(9).toString('base64').replace(/[+/]/g, 'x')
      const django = `pbkdf2_sha256$${rounds}$${djangoSalt}$${pbkdf2Sync(password, djangoSalt, rounds, 32, 'sha256').toString('base64')}`
      expect(recognisePasswordHash(ldap)).toEqual({ ok: true, format: 'pbkdf2-ldap' })
      expect(recognisePasswordHash(django)).toEqual({ ok: true, format: 'pbkdf2-django' })
      expect(await verifyLegacyPassword(password, ldap)).toBe(true)
      expect(await verifyLegacyPassword(password, django)).toBe(true)
      expect(await verifyLegacyPassword(`${password}1`, ldap)).toBe(false)
      expect(await verifyLegacyPassword(`${password}1`, django)).toBe(false)
    }
  })
})

describe('legacy password hashes: refused', () => {
  it('refuses a bcrypt cost above 12 and PBKDF2 above 100,000 iterations (a Worker could not)', async () => {
    const costly = [
      '$2b$13$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i',
      '$2a$31$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i',
      'pbkdf2_sha256$600000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=',
      '{PBKDF2-SHA256}100001$jq40ImWtmpTE.aYDYV1GfQ$mpiL4ui02ACmYOAnCjp/MI1gQk50xLbZ54RZneU0fCg',
    ]
    for (const hash of costly) {
      expect(recognisePasswordHash(hash)).toEqual({ ok: false, problem: 'too_costly' })
      expect(await verifyLegacyPassword('abc', hash)).toBe(false)
    }
  })

  it('refuses malformed hashes, and the service’s own (peppered) format', async () => {
    const malformed = [
      '',
      'univpass',
      '{SSHA}',
      '{SSHA}w5CJCwNQk44NjTYz',
      '{SSHA}w5CJCwNQk44NjTYzcMZNKbE6Bu90viY!',
      '{SHA}5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8',
      '$2a$03$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i',
      '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0',
      '$2x$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i',
      'pbkdf2_sha256$0$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=',
      'pbkdf2_sha256$10000$seasalt$',
      '{PBKDF2-SHA256}10000$jq40ImWtmpTE.aYDYV1GfQ$mpiL4ui02ACmYOAnCjp',
      '{PBKDF2-SHA256}10000$jq40I!WtmpTE.aYDYV1GfQ$mpiL4ui02ACmYOAnCjp/MI1gQk50xLbZ54RZneU0fCg',
      'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]
    for (const hash of malformed) expect(await verifyLegacyPassword('abc', hash)).toBe(false)
  })
})

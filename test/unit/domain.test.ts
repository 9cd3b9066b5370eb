import { describe, expect, it } from 'vitest'
import { emailProblem, normalizeEmail } from '../../src/domain/email'
import { brokenSecondPasswordRules } from '../../src/domain/secondPassword'
import { activeLock, lockAfter, ACCOUNT_POLICY } from '../../src/domain/throttle'
import { formatJstDate, formatJstDateTime } from '../../src/domain/time'
import { universityFromRow } from '../../src/domain/university'
import { DEMO_UNIVERSITY } from '../../src/db/demo'
import { en } from '../../src/i18n/en'
import { ja } from '../../src/i18n/ja'
import { format } from '../../src/i18n'
import { hashSecret, PBKDF2_ITERATIONS, verifySecret } from '../../src/security/crypto'

describe('second password rules (manual §2.2)', () => {
  it('accepts a password that keeps every rule', () => {
    expect(brokenSecondPasswordRules('Abcdefg1')).toEqual([])
  })
  it('reports every broken rule, in the manual order', () => {
    expect(brokenSecondPasswordRules('')).toEqual(['minLength', 'upper', 'lower', 'digit'])
    expect(brokenSecondPasswordRules('abc def1')).toEqual(['upper', 'onlyAlnum'])
    expect(brokenSecondPasswordRules('ＡＢＣａｂｃ１２')).toEqual([
      'upper',
      'lower',
      'digit',
      'onlyAlnum',
    ])
  })
})

describe('email addresses', () => {
  it('tells what is wrong', () => {
    expect(emailProblem('  ')).toBe('required')
    expect(emailProblem('a b@example.jp')).toBe('notHalfWidth')
    expect(emailProblem('ｔａｒｏ@example.jp')).toBe('notHalfWidth')
    expect(emailProblem('taro@example')).toBe('invalid')
    expect(emailProblem('taro@@example.jp')).toBe('invalid')
    expect(emailProblem(`${'a'.repeat(250)}@x.jp`)).toBe('tooLong')
    expect(emailProblem(' Taro.Y+mic@Example.ac.jp ')).toBeNull()
  })
  it('normalises for storage', () => {
    expect(normalizeEmail(' Taro@Example.JP ')).toBe('taro@example.jp')
  })
})

describe('throttle rules', () => {
  it('locks on the last allowed failure and lifts the lock when it has run out', () => {
    expect(lockAfter(ACCOUNT_POLICY.maxFailures - 1, 0, ACCOUNT_POLICY)).toBeNull()
    expect(lockAfter(ACCOUNT_POLICY.maxFailures, 1000, ACCOUNT_POLICY)).toBe(
      1000 + ACCOUNT_POLICY.lockMs,
    )
    expect(activeLock(5000, 4999)).toBe(5000)
    expect(activeLock(5000, 5000)).toBeNull()
    expect(activeLock(null, 0)).toBeNull()
  })
})

describe('Asia/Tokyo time', () => {
  it('formats instants as the manual shows them', () => {
    expect(formatJstDateTime(Date.parse('2024-07-19T13:09:00Z'))).toBe('2024/07/19 22:09')
    expect(formatJstDateTime(Date.parse('2024-12-31T15:00:00Z'))).toBe('2025/01/01 00:00')
    expect(formatJstDate(Date.parse('2024-06-06T15:30:00Z'))).toBe('2024/06/07')
  })
})

describe('university settings', () => {
  it('parses methods and fiscal-year-end blackouts, dropping nonsense', () => {
    const u = universityFromRow({
      ...DEMO_UNIVERSITY,
      paymentMethods: JSON.stringify(['credit_card', 'bitcoin', 'paypay']),
      fiscalYearEndBlackouts: JSON.stringify([
        { start: '2027-03-31T11:00:00Z', end: '2027-04-01T00:00:00Z' },
        { start: 'x', end: 'y' },
      ]),
    })
    expect(u.paymentMethods).toEqual(['credit_card', 'paypay'])
    expect(u.fiscalYearEndBlackouts).toEqual([
      { start: Date.parse('2027-03-31T11:00:00Z'), end: Date.parse('2027-04-01T00:00:00Z') },
    ])
    expect(u.balanceCap).toBe(20000)
  })
})

describe('catalogues', () => {
  it('have the same keys and the same placeholders in Japanese and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort())
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      const placeholders = (v: unknown) =>
        JSON.stringify(v)
          .match(/\{\w+(?=[:}])/g) // {name} and {name:lower} name the same placeholder
          ?.sort() ?? []
      expect(placeholders(en[key]), key).toEqual(placeholders(ja[key]))
    }
  })
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}')
  })
  it('writes a field name in lower case mid-sentence in English, never mid-sentence capitals', () => {
    expect(format(en.secondPasswordBrokenRules, { field: en.secondPassword })).toBe(
      'The second password breaks these rules:',
    )
    expect(format(en.required, { field: en.currentSecondPassword })).toBe(
      'Please enter your current second password.',
    )
    expect(format(en.secondPasswordMismatch, { field: en.newSecondPassword })).toBe(
      'The new second password and its confirmation do not match.',
    )
    // An acronym keeps its capitals; a sentence that starts with the field keeps its capital.
    expect(format(en.required, { field: en.userId })).toBe('Please enter your user ID.')
    expect(format(en.tooLong, { field: en.secondPassword, max: 5 })).toMatch(/^Second password/)
    expect(format('{x:lower}', { x: 'M.I.C. card' })).toBe('M.I.C. card')
    // Every English template that puts {field} after the start of a sentence lowers it.
    const midSentence = Object.entries(en).filter(
      ([, v]) => typeof v === 'string' && /[^.!?]\s*\S.*\{field\}/.test(v),
    )
    expect(midSentence.map(([k]) => k)).toEqual([])
  })
})

describe('secret hashing', () => {
  it('verifies the right secret only, with the pepper, at the Workers iteration limit', async () => {
    const stored = await hashSecret('Abcdefg1', 'pepper')
    expect(stored.startsWith(`pbkdf2-sha256$${PBKDF2_ITERATIONS}$`)).toBe(true)
    expect(await verifySecret('Abcdefg1', stored, 'pepper')).toBe(true)
    expect(await verifySecret('Abcdefg2', stored, 'pepper')).toBe(false)
    expect(await verifySecret('Abcdefg1', stored, 'other-pepper')).toBe(false)
    expect(await hashSecret('Abcdefg1', 'pepper')).not.toBe(stored) // salted
  })
  it('refuses malformed or over-limit stored hashes', async () => {
    expect(await verifySecret('x', 'md5$abc', 'p')).toBe(false)
    expect(await verifySecret('x', 'pbkdf2-sha256$100001$AAAA$AAAA', 'p')).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { DEMO_CERTIFICATE_SETTINGS } from '../../src/db/demo'
import {
  academicYearOf,
  certificateContent,
  eligibilityProblems,
  issuerNames,
  normaliseVerificationCode,
  newVerificationCode,
  parseCertificateSettings,
  priceOrder,
  postageFor,
  type ContentContext,
} from '../../src/domain/certificates'
import type { RegistrarRecord } from '../../src/domain/registrar'

/**
 * What each certificate says is made from the registrar's record, never invented; and what
 * stops an order before payment, rule by rule.
 */

const settings = parseCertificateSettings(JSON.stringify(DEMO_CERTIFICATE_SETTINGS))

const RECORD: RegistrarRecord = {
  userId: 'u1',
  studentNumber: '23E0996',
  status: 'enrolled',
  name: { kanji: '髙橋 﨑子', kana: 'タカハシ サキコ', roman: 'TAKAHASHI Sakiko' },
  dateOfBirth: '2004-07-29',
  faculty: { ja: '経済学部', en: 'Faculty of Economics' },
  department: { ja: '経済学科', en: 'Department of Economics' },
  enrolledOn: '2023-04-01',
  graduation: { on: '2027-03-20', expected: true },
  degree: { ja: '学士（経済学）', en: 'Bachelor of Economics' },
  leave: null,
  grades: [
    {
      code: 'ECO101',
      course: { ja: 'ミクロ経済学入門', en: 'Introduction to Microeconomics' },
      year: 2023,
      term: 'spring',
      credits: 2,
      grade: 'S',
    },
  ],
  gpa: 4,
  creditsEarned: 2,
  health: {
    checkedOn: '2026-04-10',
    heightCm: 158.2,
    weightKg: 50.1,
    vision: { right: '1.2', left: '0.9', corrected: true },
    chestXray: { ja: '異常なし', en: 'No abnormality' },
    overall: { ja: '要再検査', en: 'Re-examination advised' },
  },
  holds: [],
}
const GRADUATE: RegistrarRecord = {
  ...RECORD,
  status: 'graduated',
  graduation: { on: '2026-03-20', expected: false },
}

// 2026-12-06 12:00 JST.
const ISSUED = Date.UTC(2026, 11, 6, 3)
const ctx = (lang: 'ja' | 'en'): ContentContext => ({
  lang,
  universityName: { ja: 'デモ大学', en: 'Demo University' },
  legalName: { ja: '学校法人 デモ学園', en: 'Demo Gakuen Educational Foundation' },
  issuedAt: ISSUED,
  issueNumber: '000123-1',
  verificationCode: 'ABCDEFGHJKMNPQRS',
  verifyUrl: 'https://u.example/verify?code=ABCDEFGHJKMNPQRS',
  validUntil: ISSUED + 90 * 86_400_000,
  recipient: null,
  sample: false,
})
const text = (c: ReturnType<typeof certificateContent>) =>
  [c.title, ...c.fields.map((f) => `${f.label} ${f.value}`), c.statement, c.issuer.legalName].join(
    '\n',
  ) +
  (c.table
    ? `\n${c.table.rows.flat().join(' ')} ${c.table.summary.map((f) => f.value).join(' ')}`
    : '')

describe('each certificate, from the registrar’s record', () => {
  it('在学証明書: the name, birth date, faculty and enrolment, in both languages', () => {
    const ja = text(certificateContent('enrolment', RECORD, ctx('ja')))
    expect(ja).toContain('在学証明書')
    expect(ja).toContain('髙橋 﨑子')
    expect(ja).toContain('2004年7月29日')
    expect(ja).toContain('本学経済学部経済学科に在学していることを証明する')
    expect(ja).toContain('学校法人 デモ学園')
    const en = text(certificateContent('enrolment', RECORD, ctx('en')))
    expect(en).toContain('Certificate of Enrollment')
    expect(en).toContain('TAKAHASHI Sakiko')
    expect(en).toContain('July 29, 2004')
    expect(en).toContain('Department of Economics, Faculty of Economics at Demo University')
    expect(en).toContain('Demo Gakuen Educational Foundation')
    expect(en).not.toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/)
  })

  it('成績証明書: every grade, the credits earned and the GPA', () => {
    const c = certificateContent('transcript', RECORD, ctx('en'))
    expect(c.table?.rows).toEqual([['2023', 'Spring', 'Introduction to Microeconomics', '2', 'S']])
    expect(text(c)).toContain('4.00')
  })

  it('卒業見込証明書 and 卒業証明書: the dates and the degree', () => {
    expect(text(certificateContent('expected_graduation', RECORD, ctx('ja')))).toContain(
      '2027年3月20日に本学経済学部経済学科を卒業見込み',
    )
    expect(text(certificateContent('graduation', GRADUATE, ctx('ja')))).toContain(
      '2026年3月20日に本学経済学部経済学科を卒業し、学士（経済学）の学位を授与された',
    )
  })

  it('健康診断証明書: the check as the registrar holds it', () => {
    const ja = text(certificateContent('health', RECORD, ctx('ja')))
    expect(ja).toContain('158.2 cm')
    expect(ja).toContain('1.2 / 0.9（矯正）')
    expect(ja).toContain('要再検査')
  })

  it('学割証: the age on the day and three months’ validity', () => {
    const ja = text(certificateContent('student_discount', RECORD, ctx('ja')))
    expect(ja).toContain('22歳')
    // Three months counted from the issue day itself: up to the day before 6 March.
    expect(ja).toContain('2026年12月6日 〜 2027年3月5日')
  })

  it('a 見本 carries no 照合番号', () => {
    expect(
      certificateContent('enrolment', RECORD, { ...ctx('ja'), sample: true }).verificationCode,
    ).toBe('')
  })
})

describe('what stops an order before payment', () => {
  const line = (
    type: Parameters<typeof certificateContent>[0],
    language: 'ja' | 'en' = 'ja',
    copies = 1,
  ) => ({
    type,
    language,
    copies,
  })
  const codes = (...args: Parameters<typeof eligibilityProblems>) =>
    eligibilityProblems(...args).map((p) => p.code)

  it('lets an enrolled student order what the catalogue offers', () => {
    expect(
      codes(settings, RECORD, [line('enrolment'), line('transcript', 'en', 2)], 'pdf', {}),
    ).toEqual([])
  })
  it('refuses a hold, a status, missing data, a language, a delivery, a limit and too many copies', () => {
    expect(
      codes(
        settings,
        {
          ...RECORD,
          holds: [
            {
              code: 'unpaid_fees',
              description: { ja: '学費未納', en: 'Unpaid fees' },
              since: '2026-10-01',
            },
          ],
        },
        [line('enrolment')],
        'pdf',
        {},
      ),
    ).toEqual(['hold'])
    expect(codes(settings, GRADUATE, [line('enrolment')], 'pdf', {})).toEqual(['status'])
    expect(codes(settings, { ...RECORD, health: null }, [line('health')], 'pdf', {})).toEqual([
      'noData',
    ])
    expect(codes(settings, GRADUATE, [line('expected_graduation')], 'pdf', {})).toEqual(['status'])
    expect(codes(settings, RECORD, [line('student_discount', 'en')], 'post', {})).toEqual([
      'languageNotOffered',
    ])
    expect(codes(settings, RECORD, [line('student_discount')], 'pdf', {})).toEqual([
      'deliveryNotOffered',
    ])
    expect(
      codes(settings, RECORD, [line('student_discount', 'ja', 3)], 'post', { student_discount: 8 }),
    ).toEqual(['yearlyLimit'])
    expect(
      codes(
        settings,
        RECORD,
        [line('enrolment', 'ja', 15), line('transcript', 'ja', 6)],
        'pdf',
        {},
      ),
    ).toEqual(['tooManyCopies'])
    expect(codes(settings, RECORD, [], 'pdf', {})).toEqual(['noLines'])
  })
  it('counts the academic year from April (JST)', () => {
    expect(academicYearOf(Date.UTC(2027, 2, 31, 14, 59))).toBe(2026) // 23:59 JST, 31 March
    expect(academicYearOf(Date.UTC(2027, 2, 31, 15, 0))).toBe(2027) // 00:00 JST, 1 April
  })
})

describe('prices and codes', () => {
  it('charges fee × 部数 for each line plus one postage by destination', () => {
    const lines = [
      { type: 'enrolment' as const, language: 'ja' as const, copies: 2 },
      { type: 'health' as const, language: 'en' as const, copies: 1 },
    ]
    const abroad = {
      country: 'abroad' as const,
      name: 'A',
      postalCode: '',
      address: 'x',
      phone: '+1 555',
    }
    expect(priceOrder(settings, lines, postageFor(settings, 'post', abroad)).total).toBe(
      300 * 2 + 200 + 1200,
    )
    expect(priceOrder(settings, lines, postageFor(settings, 'pdf', null)).total).toBe(800)
  })
  it('makes 照合番号 that are not guessable and reads them however they are typed', () => {
    const codes = new Set(Array.from({ length: 1000 }, newVerificationCode))
    expect(codes.size).toBe(1000)
    const code = [...codes][0]!
    expect(code).toMatch(/^[2-9A-HJKMNP-TV-Z]{16}$/)
    expect(normaliseVerificationCode(` ${code.toLowerCase().match(/.{4}/g)!.join('－')} `)).toBe(
      code,
    )
    expect(normaliseVerificationCode('O0I1-AAAA-AAAA-AAAA')).toBeNull()
  })
})

describe('the issuer’s English name', () => {
  const university = {
    name: 'デモ大学',
    nameEn: 'Demo University',
    legalName: '学校法人 デモ学園',
    legalNameEn: 'Demo Gakuen Educational Foundation',
    certificateSettings: JSON.stringify({ issuerEn: 'Old Issuer Name' }),
  }

  it('is the university’s own (大学設定), not the certificate setting it replaced', () => {
    expect(issuerNames(university).legalName).toEqual({
      ja: '学校法人 デモ学園',
      en: 'Demo Gakuen Educational Foundation',
    })
  })

  it('reads the old certificate setting only while the university’s own is empty', () => {
    expect(issuerNames({ ...university, legalNameEn: '' }).legalName.en).toBe('Old Issuer Name')
  })
})

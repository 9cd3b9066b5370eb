/**
 * 各種証明書のオンライン申請: what a university offers, who may order what, what an order
 * costs, and what each certificate says. Plain rules, decided from the university's
 * settings and the registrar's record; nothing here talks to anything.
 */
import type { CertificateContent, CertificateLang } from './certificateContent'
import {
  CERTIFICATE_TYPES,
  ENROLMENT_STATUSES,
  type Bilingual,
  type CertificateType,
  type EnrolmentStatus,
  type RegistrarRecord,
} from './registrar'
import { jstParts } from './time'

export type Delivery = 'pdf' | 'post'
export const DELIVERIES: readonly Delivery[] = ['pdf', 'post']

/** One certificate the university offers. */
export interface CatalogueItem {
  type: CertificateType
  languages: readonly CertificateLang[]
  /** 単金: yen per copy (0: free, as a 学割証). */
  fee: number
  /** Copies a student may order per academic year (April–March); null: no limit. */
  yearlyLimit: number | null
  /** Who may order it. */
  statuses: readonly EnrolmentStatus[]
  deliveries: readonly Delivery[]
}

export interface CertificateSettings {
  catalogue: readonly CatalogueItem[]
  /** 郵送料 per order (one envelope, or one parcel of sealed envelopes), yen. */
  postage: { domestic: number; international: number }
  /** How long a PDF can be downloaded (and is 有効 on /verify), in days. */
  validityDays: number
  /** Who corrects the registrar's data (学務課 …): shown beside every 見本. */
  office: { name: Bilingual; phone: string; email: string }
  /**
   * The old place of the issuer's English legal name: now the university's own (大学設定,
   * `universities.legal_name_en`), which issuerNames prefers; read only while that is empty.
   */
  issuerEn: string
}

/** At most this many copies in one application, all types together. */
export const MAX_COPIES_PER_APPLICATION = 20

export const NO_CERTIFICATES: CertificateSettings = {
  catalogue: [],
  postage: { domestic: 0, international: 0 },
  validityDays: 90,
  office: { name: { ja: '', en: '' }, phone: '', email: '' },
  issuerEn: '',
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
const isStr = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length <= max
const bilingual = (v: unknown): Bilingual | null => {
  const b = v as Partial<Bilingual> | null
  return isStr(b?.ja) && isStr(b?.en) ? { ja: b.ja, en: b.en } : null
}
const oneOf = <T extends string>(all: readonly T[], v: unknown): T[] =>
  Array.isArray(v) ? all.filter((x) => v.includes(x)) : []

/**
 * A catalogue item as stored, or why it cannot be: one rule for the settings page and for
 * reading the stored text. A free certificate is sent by post only (its postage is what is
 * paid, so nothing is ever issued without a payment, and a free PDF is not printed at will).
 */
export const catalogueItemProblem = (i: CatalogueItem): string | null => {
  if (i.languages.length === 0) return 'language'
  if (i.statuses.length === 0) return 'statuses'
  if (i.deliveries.length === 0) return 'delivery'
  if (i.fee === 0 && i.deliveries.includes('pdf')) return 'freePdf'
  if (i.type === 'student_discount' && i.languages.includes('en')) return 'language'
  return null
}

/** The stored JSON, read leniently: an item that breaks a rule is not offered. */
export const parseCertificateSettings = (text: string): CertificateSettings => {
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(text) as Record<string, unknown>
  } catch {
    return NO_CERTIFICATES
  }
  const items = Array.isArray(raw?.catalogue) ? (raw.catalogue as Record<string, unknown>[]) : []
  const seen = new Set<string>()
  const catalogue = items.flatMap((r): CatalogueItem[] => {
    const type = CERTIFICATE_TYPES.find((t) => t === r?.type)
    if (!type || seen.has(type) || !isInt(r.fee, 0, 100_000)) return []
    const item: CatalogueItem = {
      type,
      languages: oneOf(['ja', 'en'] as const, r.languages),
      fee: r.fee,
      yearlyLimit: isInt(r.yearlyLimit, 1, 1000) ? r.yearlyLimit : null,
      statuses: oneOf(ENROLMENT_STATUSES, r.statuses),
      deliveries: oneOf(DELIVERIES, r.deliveries),
    }
    if (catalogueItemProblem(item)) return []
    seen.add(type)
    return [item]
  })
  const postage = raw?.postage as Record<string, unknown> | undefined
  const office = raw?.office as Record<string, unknown> | undefined
  return {
    catalogue,
    postage: {
      domestic: isInt(postage?.domestic, 0, 100_000) ? postage.domestic : 0,
      international: isInt(postage?.international, 0, 100_000) ? postage.international : 0,
    },
    validityDays: isInt(raw?.validityDays, 1, 3650) ? raw.validityDays : 90,
    office: {
      name: bilingual(office?.name) ?? { ja: '', en: '' },
      phone: isStr(office?.phone, 40) ? office.phone : '',
      email: isStr(office?.email, 254) ? office.email : '',
    },
    issuerEn: isStr(raw?.issuerEn, 200) ? raw.issuerEn : '',
  }
}

const parsedSettings = new Map<string, CertificateSettings>()
/** Parsed once per isolate for each stored text (the university row is read every request). */
export const certificateSettingsOf = (u: { certificateSettings: string }): CertificateSettings => {
  let s = parsedSettings.get(u.certificateSettings)
  if (!s) {
    if (parsedSettings.size >= 256) parsedSettings.clear()
    s = Object.freeze(parseCertificateSettings(u.certificateSettings))
    parsedSettings.set(u.certificateSettings, s)
  }
  return s
}

/** 有効, 失効 or 期限切れ at `now`: what /verify, the student's page and the console say. */
export type CertificateStanding = 'valid' | 'revoked' | 'expired'
export const certificateStanding = (
  c: { revokedAt: number | null; validUntil: number },
  now: number,
): CertificateStanding =>
  c.revokedAt !== null ? 'revoked' : now >= c.validUntil ? 'expired' : 'valid'

/** Who a university's certificates say issued them, in both languages (ContentContext). */
export const issuerNames = (u: {
  name: string
  nameEn: string
  legalName: string
  legalNameEn: string
  certificateSettings: string
}) => ({
  universityName: { ja: u.name, en: u.nameEn },
  // The university's English legal name (大学設定) is the one place for it; issuerEn is the
  // certificate setting it replaced, read only for a row whose English name is still empty.
  legalName: { ja: u.legalName, en: u.legalNameEn || certificateSettingsOf(u).issuerEn },
})

/** The academic year (April–March, JST) an instant falls in: 2026 for 2027-03-31. */
export const academicYearOf = (ms: number) => {
  const p = jstParts(ms)
  return p.month >= 4 ? p.year : p.year - 1
}

/** The first instant of an academic year (April 1st, 00:00 JST). */
export const academicYearStart = (year: number) => Date.UTC(year, 3, 1, -9)

/** One line the student asks for. */
export interface OrderLine {
  type: CertificateType
  language: CertificateLang
  copies: number
}

export type EligibilityProblem =
  | { code: 'notOffered'; type: CertificateType }
  | { code: 'languageNotOffered'; type: CertificateType }
  | { code: 'deliveryNotOffered'; type: CertificateType }
  | { code: 'status'; type: CertificateType; status: EnrolmentStatus }
  | { code: 'hold'; description: Bilingual }
  | { code: 'yearlyLimit'; type: CertificateType; limit: number; used: number }
  | { code: 'noData'; type: CertificateType }
  | { code: 'tooManyCopies'; max: number }
  | { code: 'noLines' }

/** Whether the record holds what a certificate of this type prints. */
const hasDataFor = (type: CertificateType, r: RegistrarRecord) => {
  switch (type) {
    case 'expected_graduation':
      return r.graduation?.expected === true
    case 'graduation':
      return r.graduation?.expected === false
    case 'transcript':
      return r.grades.length > 0
    case 'health':
      return r.health !== null
    default:
      return true
  }
}

/**
 * Everything that stops an order before payment: money is never taken for a certificate
 * that cannot be issued. `usedThisYear` counts the copies of each type the student ordered
 * this academic year (paid or awaiting payment).
 */
export const eligibilityProblems = (
  settings: CertificateSettings,
  record: RegistrarRecord,
  lines: readonly OrderLine[],
  delivery: Delivery,
  usedThisYear: Partial<Record<CertificateType, number>>,
): EligibilityProblem[] => {
  const problems: EligibilityProblem[] = []
  if (lines.length === 0) return [{ code: 'noLines' }]
  const total = lines.reduce((n, l) => n + l.copies, 0)
  if (total > MAX_COPIES_PER_APPLICATION)
    problems.push({ code: 'tooManyCopies', max: MAX_COPIES_PER_APPLICATION })
  if (record.holds.length > 0)
    problems.push({ code: 'hold', description: record.holds[0]!.description })
  for (const line of lines) {
    const item = settings.catalogue.find((i) => i.type === line.type)
    if (!item) {
      problems.push({ code: 'notOffered', type: line.type })
      continue
    }
    if (!item.languages.includes(line.language))
      problems.push({ code: 'languageNotOffered', type: line.type })
    if (!item.deliveries.includes(delivery))
      problems.push({ code: 'deliveryNotOffered', type: line.type })
    if (!item.statuses.includes(record.status))
      problems.push({ code: 'status', type: line.type, status: record.status })
    else if (!hasDataFor(line.type, record)) problems.push({ code: 'noData', type: line.type })
    if (item.yearlyLimit !== null) {
      const used = usedThisYear[line.type] ?? 0
      const asked = lines.filter((l) => l.type === line.type).reduce((n, l) => n + l.copies, 0)
      if (
        used + asked > item.yearlyLimit &&
        !problems.some((p) => p.code === 'yearlyLimit' && p.type === line.type)
      )
        problems.push({ code: 'yearlyLimit', type: line.type, limit: item.yearlyLimit, used })
    }
  }
  return problems
}

/** Which certificates a student with this record may order at all (the catalogue page). */
export const orderableFor = (item: CatalogueItem, record: RegistrarRecord) =>
  record.holds.length === 0 &&
  item.statuses.includes(record.status) &&
  hasDataFor(item.type, record)

/** A postal address: in Japan (〒 and the address as one writes it) or abroad. */
export interface PostalAddress {
  country: 'JP' | 'abroad'
  name: string
  postalCode: string
  /** 都道府県 市区町村 番地 建物, or the foreign address's lines. */
  address: string
  phone: string
}

export const postageFor = (
  settings: CertificateSettings,
  delivery: Delivery,
  address: PostalAddress | null,
) =>
  delivery === 'post' && address
    ? address.country === 'JP'
      ? settings.postage.domestic
      : settings.postage.international
    : 0

export interface PricedLine extends OrderLine {
  unitFee: number
  amount: number
}

/** 内訳 and 合計: fee × 部数 for each line, plus postage. */
export const priceOrder = (
  settings: CertificateSettings,
  lines: readonly OrderLine[],
  postage: number,
) => {
  const priced: PricedLine[] = lines.map((l) => {
    const fee = settings.catalogue.find((i) => i.type === l.type)?.fee ?? 0
    return { ...l, unitFee: fee, amount: fee * l.copies }
  })
  return { lines: priced, postage, total: priced.reduce((n, l) => n + l.amount, 0) + postage }
}

// ── 照合番号 ────────────────────────────────────────────────────────────────────────────

/** No 0/O, 1/I/L, U: a code read aloud or typed from paper is not mistaken. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ'
export const VERIFICATION_CODE_LENGTH = 16

/** A fresh 照合番号: 16 characters from 30 (78 bits), not guessable. */
export const newVerificationCode = () => {
  const out: string[] = []
  // Rejection sampling keeps every character equally likely.
  while (out.length < VERIFICATION_CODE_LENGTH) {
    for (const b of crypto.getRandomValues(new Uint8Array(32))) {
      if (b < 240 && out.length < VERIFICATION_CODE_LENGTH) out.push(CODE_ALPHABET[b % 30]!)
    }
  }
  return out.join('')
}

/** As typed: any case, spaces and hyphens (full-width too) ignored; null if it cannot be one. */
export const normaliseVerificationCode = (typed: string): string | null => {
  const s = typed
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-‐－ー]/g, '')
  return s.length === VERIFICATION_CODE_LENGTH && [...s].every((ch) => CODE_ALPHABET.includes(ch))
    ? s
    : null
}

/** ABCD-EFGH-JKMN-PQRS, as printed. */
export const formatVerificationCode = (code: string) => code.match(/.{1,4}/g)!.join('-')

/** 発行番号: the application's number and the certificate's place in it (a reissue: R1 …). */
export const issueNumberOf = (applicationId: number, n: number, reissue = 0) =>
  `${String(applicationId).padStart(6, '0')}-${n}${reissue ? `-R${reissue}` : ''}`

// ── What each certificate says ──────────────────────────────────────────────────────────

const JA_MONTHS = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  return { y, m, d }
}
const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

/** A YYYY-MM-DD date as printed: 2026年12月6日 / December 6, 2026. */
export const printedDate = (iso: string, lang: CertificateLang) => {
  const { y, m, d } = JA_MONTHS(iso)
  return lang === 'ja' ? `${y}年${m}月${d}日` : `${EN_MONTHS[m - 1]} ${d}, ${y}`
}

/** An instant's JST date as YYYY-MM-DD. */
export const isoDateJst = (ms: number) => {
  const p = jstParts(ms)
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
}

const TITLES: Record<CertificateType, Bilingual> = {
  enrolment: { ja: '在学証明書', en: 'Certificate of Enrollment' },
  transcript: { ja: '成績証明書', en: 'Academic Transcript' },
  expected_graduation: { ja: '卒業見込証明書', en: 'Certificate of Expected Graduation' },
  graduation: { ja: '卒業証明書', en: 'Certificate of Graduation' },
  health: { ja: '健康診断証明書', en: 'Health Certificate' },
  student_discount: { ja: '学校学生生徒旅客運賃割引証', en: 'Student Fare Discount Certificate' },
}

/** The certificate's name as the student sees it in lists (学割証, not its long title). */
export const CERTIFICATE_NAMES: Record<CertificateType, Bilingual> = {
  ...TITLES,
  student_discount: { ja: '学割証', en: 'Student fare discount certificate (学割証)' },
}

const TERMS: Record<string, Bilingual> = {
  spring: { ja: '前期', en: 'Spring' },
  fall: { ja: '後期', en: 'Fall' },
  full_year: { ja: '通年', en: 'Full year' },
}

const STATUS_NAMES: Record<EnrolmentStatus, Bilingual> = {
  enrolled: { ja: '在学', en: 'Enrolled' },
  on_leave: { ja: '休学', en: 'On leave' },
  graduated: { ja: '卒業', en: 'Graduated' },
  withdrawn: { ja: '退学', en: 'Withdrawn' },
  expelled: { ja: '除籍', en: 'Removed from the register' },
}
export const enrolmentStatusName = (s: EnrolmentStatus, lang: CertificateLang) =>
  STATUS_NAMES[s][lang]

/** A 学割証 is valid for three months from its issue (JR's rule). */
const STUDENT_DISCOUNT_MONTHS = 3

export interface ContentContext {
  lang: CertificateLang
  universityName: Bilingual
  /** The issuer's legal name in each language (English may be empty). */
  legalName: Bilingual
  issuedAt: number
  issueNumber: string
  verificationCode: string
  verifyUrl: string
  /** The end of the PDF's validity (電子), or null (郵送: paper has none printed). */
  validUntil: number | null
  recipient: { name: string; organisation: string } | null
  sample: boolean
}

const LABELS = {
  ja: {
    name: '氏名',
    kana: 'フリガナ',
    dateOfBirth: '生年月日',
    studentNumber: '学籍番号',
    faculty: '学部・学科',
    enrolledOn: '入学年月日',
    status: '学籍状況',
    expectedGraduation: '卒業見込年月日',
    graduatedOn: '卒業年月日',
    degree: '学位',
    checkedOn: '実施日',
    height: '身長',
    weight: '体重',
    vision: '視力（右・左）',
    chestXray: '胸部X線',
    overall: '総合判定',
    age: '年齢',
    validFor: '有効期間',
    columns: ['年度', '学期', '科目', '単位', '評価'],
    credits: '修得単位数',
    gpa: 'GPA',
    issueNumber: '発行番号',
    verificationCode: '照合番号',
    validUntil: '有効期限',
    recipient: '提出先',
    verifyHint:
      'この証明書の内容は、右のQRコードまたは次のページで照合番号を入力して確認できます。',
    sample: '見本',
    page: 'ページ',
  },
  en: {
    name: 'Name',
    kana: 'Name (kana)',
    dateOfBirth: 'Date of birth',
    studentNumber: 'Student number',
    faculty: 'Faculty / Department',
    enrolledOn: 'Date of admission',
    status: 'Status',
    expectedGraduation: 'Expected date of graduation',
    graduatedOn: 'Date of graduation',
    degree: 'Degree',
    checkedOn: 'Date of examination',
    height: 'Height',
    weight: 'Weight',
    vision: 'Visual acuity (right, left)',
    chestXray: 'Chest X-ray',
    overall: 'Overall result',
    age: 'Age',
    validFor: 'Valid',
    columns: ['Year', 'Term', 'Course', 'Credits', 'Grade'],
    credits: 'Credits earned',
    gpa: 'GPA',
    issueNumber: 'Certificate No.',
    verificationCode: 'Verification code',
    validUntil: 'Valid until',
    recipient: 'Submitted to',
    verifyHint: 'Verify this certificate with the QR code or by entering the verification code at:',
    sample: 'SAMPLE',
    page: 'Page',
  },
} as const

/** Age in whole years on a day (both YYYY-MM-DD). */
const ageOn = (birth: string, day: string) => {
  const b = JA_MONTHS(birth)
  const d = JA_MONTHS(day)
  return d.y - b.y - (d.m < b.m || (d.m === b.m && d.d < b.d) ? 1 : 0)
}

const addMonths = (iso: string, months: number) => {
  const { y, m, d } = JA_MONTHS(iso)
  const t = new Date(Date.UTC(y, m - 1 + months, d - 1))
  return t.toISOString().slice(0, 10)
}

/**
 * What a certificate of `type` says, from the registrar's record: the 見本 before payment
 * and the issued certificate come from here alike.
 */
export const certificateContent = (
  type: CertificateType,
  record: RegistrarRecord,
  ctx: ContentContext,
): CertificateContent => {
  const { lang } = ctx
  const L = LABELS[lang]
  const ja = lang === 'ja'
  const university = ctx.universityName[lang]
  const today = isoDateJst(ctx.issuedAt)
  const name = ja ? record.name.kanji : record.name.roman
  const dept = ja
    ? `${record.faculty.ja} ${record.department.ja}`
    : `${record.department.en}, ${record.faculty.en}`
  const fields: { label: string; value: string }[] = [{ label: L.name, value: name }]
  if (ja) fields.push({ label: L.kana, value: record.name.kana })
  fields.push(
    { label: L.dateOfBirth, value: printedDate(record.dateOfBirth, lang) },
    { label: L.studentNumber, value: record.studentNumber },
    { label: L.faculty, value: dept },
  )
  let statement: string
  let table: CertificateContent['table'] = null
  switch (type) {
    case 'enrolment':
      fields.push({ label: L.enrolledOn, value: printedDate(record.enrolledOn, lang) })
      statement = ja
        ? `上記の者は、本学${record.faculty.ja}${record.department.ja}に在学していることを証明する。`
        : `This is to certify that the above-named person is currently enrolled as a student of the ${dept} at ${university}.`
      break
    case 'expected_graduation': {
      const on = printedDate(record.graduation!.on, lang)
      fields.push(
        { label: L.enrolledOn, value: printedDate(record.enrolledOn, lang) },
        { label: L.expectedGraduation, value: on },
      )
      statement = ja
        ? `上記の者は、${on}に本学${record.faculty.ja}${record.department.ja}を卒業見込みであることを証明する。`
        : `This is to certify that the above-named person is expected to graduate from the ${dept} at ${university} on ${on}.`
      break
    }
    case 'graduation': {
      const on = printedDate(record.graduation!.on, lang)
      const degree = record.degree?.[lang] ?? ''
      fields.push(
        { label: L.enrolledOn, value: printedDate(record.enrolledOn, lang) },
        { label: L.graduatedOn, value: on },
      )
      if (degree) fields.push({ label: L.degree, value: degree })
      statement = ja
        ? `上記の者は、${on}に本学${record.faculty.ja}${record.department.ja}を卒業${degree ? `し、${degree}の学位を授与されたこと` : 'したこと'}を証明する。`
        : `This is to certify that the above-named person graduated from the ${dept} at ${university} on ${on}${degree ? ` and was awarded the degree of ${degree}` : ''}.`
      break
    }
    case 'transcript':
      fields.push(
        { label: L.enrolledOn, value: printedDate(record.enrolledOn, lang) },
        { label: L.status, value: STATUS_NAMES[record.status][lang] },
      )
      table = {
        columns: L.columns,
        numeric: [false, false, false, true, false],
        rows: record.grades.map((g) => [
          ja ? `${g.year}年度` : String(g.year),
          TERMS[g.term]?.[lang] ?? g.term,
          g.course[lang],
          String(g.credits),
          g.grade,
        ]),
        summary: [
          { label: L.credits, value: String(record.creditsEarned) },
          ...(record.gpa === null ? [] : [{ label: L.gpa, value: record.gpa.toFixed(2) }]),
        ],
      }
      statement = ja
        ? '上記のとおり相違ないことを証明する。'
        : 'This is to certify that the above is a true and complete record of the academic work of the above-named person.'
      break
    case 'health': {
      const h = record.health!
      fields.push(
        { label: L.checkedOn, value: printedDate(h.checkedOn, lang) },
        { label: L.height, value: `${h.heightCm.toFixed(1)} cm` },
        { label: L.weight, value: `${h.weightKg.toFixed(1)} kg` },
        {
          label: L.vision,
          value: `${h.vision.right} / ${h.vision.left}${h.vision.corrected ? (ja ? '（矯正）' : ' (corrected)') : ''}`,
        },
        { label: L.chestXray, value: h.chestXray[lang] },
        { label: L.overall, value: h.overall[lang] },
      )
      statement = ja
        ? '上記は、本学において実施した定期健康診断の結果であることを証明する。'
        : `This is to certify that the above are the results of the regular health examination conducted at ${university}.`
      break
    }
    case 'student_discount': {
      const until = addMonths(today, STUDENT_DISCOUNT_MONTHS)
      fields.push(
        {
          label: L.age,
          value: ja
            ? `${ageOn(record.dateOfBirth, today)}歳`
            : String(ageOn(record.dateOfBirth, today)),
        },
        { label: L.validFor, value: `${printedDate(today, lang)} 〜 ${printedDate(until, lang)}` },
      )
      statement = ja
        ? '上記の者は本学の学生であることを証明する。'
        : `This is to certify that the above-named person is a student of ${university}.`
      break
    }
  }
  return {
    lang,
    title: TITLES[type][lang],
    fields,
    table,
    statement,
    issuedOn: printedDate(today, lang),
    issuer: { legalName: ctx.legalName[lang], universityName: university },
    issueNumber: ctx.issueNumber,
    verificationCode: ctx.sample ? '' : formatVerificationCode(ctx.verificationCode),
    verifyUrl: ctx.verifyUrl,
    validUntil: ctx.validUntil === null ? null : printedDate(isoDateJst(ctx.validUntil), lang),
    recipient: ctx.recipient,
    sample: ctx.sample,
    labels: {
      issueNumber: L.issueNumber,
      verificationCode: L.verificationCode,
      validUntil: L.validUntil,
      recipient: L.recipient,
      verifyHint: L.verifyHint,
      sample: L.sample,
      page: L.page,
    },
  }
}

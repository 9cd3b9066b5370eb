/**
 * What the university's registrar system (学務システム) holds of a student, and the
 * certificates it issues: the data every certificate is made from. The service never
 * edits it; a student who finds a mistake contacts the office.
 */

/** The certificates a registrar issues (the catalogue offers some of them). */
export const CERTIFICATE_TYPES = [
  'enrolment', // 在学証明書
  'transcript', // 成績証明書
  'expected_graduation', // 卒業見込証明書
  'graduation', // 卒業証明書
  'health', // 健康診断証明書
  'student_discount', // 学割証 (学校学生生徒旅客運賃割引証)
] as const
export type CertificateType = (typeof CERTIFICATE_TYPES)[number]

/** 在学, 休学, 卒業, 退学, 除籍 (removed by the university: unpaid fees, years run out …). */
export const ENROLMENT_STATUSES = [
  'enrolled',
  'on_leave',
  'graduated',
  'withdrawn',
  'expelled',
] as const
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number]

export interface Bilingual {
  ja: string
  en: string
}

export interface GradeRecord {
  /** Course code, e.g. ECO101. */
  code: string
  course: Bilingual
  /** Academic year (April start) and term. */
  year: number
  term: 'spring' | 'fall' | 'full_year'
  credits: number
  /** S, A, B, C, F (not passed), or P (認定, passed without a grade). */
  grade: string
}

export interface HealthCheck {
  /** YYYY-MM-DD */
  checkedOn: string
  heightCm: number
  weightKg: number
  /** Visual acuity, e.g. "1.0" / "0.7"; corrected or not. */
  vision: { right: string; left: string; corrected: boolean }
  /** 胸部X線: normal or the finding. */
  chestXray: Bilingual
  /** 総合判定: 異常なし / 要再検査 … */
  overall: Bilingual
}

export interface RegistrarHold {
  /** unpaid_fees (学費未納) or another code the registrar uses. */
  code: string
  description: Bilingual
  since: string
}

export interface RegistrarRecord {
  userId: string
  /** 学籍番号 as printed on certificates. */
  studentNumber: string
  status: EnrolmentStatus
  /** Any character the registrar holds, 髙 and 﨑 included. */
  name: { kanji: string; kana: string; roman: string }
  /** YYYY-MM-DD */
  dateOfBirth: string
  faculty: Bilingual
  department: Bilingual
  /** YYYY-MM-DD */
  enrolledOn: string
  /** 卒業年月日 (expected: false) or 卒業見込年月日 (expected: true). */
  graduation: { on: string; expected: boolean } | null
  /** 学位, once conferred (or to be conferred on graduation). */
  degree: Bilingual | null
  /** 休学期間, while on leave. */
  leave: { from: string; to: string } | null
  grades: readonly GradeRecord[]
  /** As the registrar computes it, two decimals. */
  gpa: number | null
  creditsEarned: number
  health: HealthCheck | null
  holds: readonly RegistrarHold[]
}

/** One issuance in the registrar's ledger: the data as of the issue, to print. */
export interface RegistrarIssuance {
  issuanceId: string
  certificate: CertificateType
  language: 'ja' | 'en'
  copies: number
  issuedAt: number
  record: RegistrarRecord
}

/**
 * A student in the registrar's list of changes: what the directory (名簿) is kept current
 * from. The registrar holds no password: a new person from it cannot log in until a roster
 * upload gives one.
 */
export interface RegistrarChange {
  userId: string
  status: EnrolmentStatus
  name: { kanji: string; kana: string }
  /** YYYY-MM-DD: the graduation or withdrawal day; null while the student has not left. */
  leftOn: string | null
  /** When the registrar last changed the record (ms). */
  changedAt: number
}

/** One page of the list of changes. */
export interface RegistrarChangesPage {
  students: readonly RegistrarChange[]
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null
  /** The instant the listing is a snapshot of (ms): every page of one listing shares it. */
  asOf: number
}

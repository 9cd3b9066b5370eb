/**
 * What one certificate says, in its language, decided before anything is drawn: the same
 * content is shown as the 見本 on 申請内容確認 (HTML) and drawn into the signed PDF, so what
 * a student checks before paying is what is issued.
 */
export type CertificateLang = 'ja' | 'en'

export interface CertificateField {
  label: string
  value: string
}

/** A table (a transcript's grades): drawn over as many A4 pages as it needs. */
export interface CertificateTable {
  columns: readonly string[]
  /** Which columns are numbers (drawn right-aligned). */
  numeric: readonly boolean[]
  rows: readonly (readonly string[])[]
  /** Lines under the table (総修得単位数, GPA …). */
  summary: readonly CertificateField[]
}

export interface CertificateContent {
  lang: CertificateLang
  /** 在学証明書 / Certificate of Enrollment … */
  title: string
  /** 氏名, 生年月日, 学部・学科 … in order. */
  fields: readonly CertificateField[]
  table: CertificateTable | null
  /** 上記の者は本学に在学していることを証明する。 */
  statement: string
  /** The issue date as printed (2026年12月6日 / December 6, 2026). */
  issuedOn: string
  /** Who certifies: the university's legal name and the university's name. */
  issuer: { legalName: string; universityName: string }
  /** 発行番号: the application's number and the copy (e.g. 000123-2). */
  issueNumber: string
  /** 照合番号: what a verifier types on /verify (e.g. ABCD-EFGH-JKLM-NPQR). */
  verificationCode: string
  /** Where the QR code leads: /verify on the university's host, with the code. */
  verifyUrl: string
  /** 有効期限 as printed; null: the certificate states no validity period. */
  validUntil: string | null
  /** Printed as 提出先 when the student names a recipient. */
  recipient: { name: string; organisation: string } | null
  /** 見本: a preview, never a certificate (drawn across the page, no code, no QR). */
  sample: boolean
  /** The labels printed around the content (発行番号, 照合番号, 提出先, 見本 …) in its language. */
  labels: {
    issueNumber: string
    verificationCode: string
    validUntil: string
    recipient: string
    verifyHint: string
    sample: string
    page: string
  }
}

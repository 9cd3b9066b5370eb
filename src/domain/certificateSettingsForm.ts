/**
 * 大学設定's certificate part (各種証明書) as a 管理者 edits it: the form's fields, read and
 * checked into the CertificateSettings that domain/certificates.ts parseCertificateSettings
 * reads back. Plain functions over what the form sent; saving is flows/staff.
 */
import {
  catalogueItemProblem,
  DELIVERIES,
  type CatalogueItem,
  type CertificateSettings,
  type Delivery,
} from './certificates'
import type { CertificateLang } from './certificateContent'
import { CERTIFICATE_TYPES, ENROLMENT_STATUSES, type CertificateType } from './registrar'
import {
  readEmail,
  readPhone,
  readText,
  readWholeNumber,
  readYen,
  type Read,
  type SettingsProblem,
} from './settings'

export const CERTIFICATE_LANGS: readonly CertificateLang[] = ['ja', 'en']

/** The ranges parseCertificateSettings accepts: a value outside would be dropped on reading. */
export const CATALOGUE_LIMITS = {
  fee: { min: 0, max: 100_000 },
  yearlyLimit: { min: 1, max: 1000 },
  postage: { min: 0, max: 100_000 },
  validityDays: { min: 1, max: 3650 },
  officeNameMax: 200,
  phoneMax: 30,
} as const

/** The form's field of one certificate type: cert_enrolment_fee, cert_health_languages … */
export const catalogueField = (
  type: CertificateType,
  part: 'offered' | 'languages' | 'fee' | 'limit' | 'statuses' | 'deliveries',
) => `cert_${type}_${part}`

export const CATALOGUE_TEXT_FIELDS = [
  'postage_domestic',
  'postage_international',
  'validity_days',
  'office_name_ja',
  'office_name_en',
  'office_phone',
  'office_email',
] as const
export type CatalogueTextField = (typeof CATALOGUE_TEXT_FIELDS)[number]

/** One certificate type's row of the form, as typed. */
export interface CatalogueRowForm {
  offered: boolean
  languages: readonly string[]
  fee: string
  limit: string
  statuses: readonly string[]
  deliveries: readonly string[]
}

export type CatalogueForm = Record<CatalogueTextField, string> & {
  rows: Record<CertificateType, CatalogueRowForm>
}

/** What can be wrong with a field; the console words each (routes/staff/certificateSettings). */
export type CatalogueProblem =
  | SettingsProblem
  | { code: 'language' }
  | { code: 'languageDiscount' }
  | { code: 'statuses' }
  | { code: 'delivery' }
  | { code: 'freePdf' }
  | { code: 'unknownChoice' }

export type CatalogueProblems = Partial<Record<string, CatalogueProblem>>

export type CatalogueReading =
  { ok: true; settings: CertificateSettings } | { ok: false; problems: CatalogueProblems }

const ITEM_PROBLEM_FIELD: Record<string, 'languages' | 'statuses' | 'deliveries'> = {
  language: 'languages',
  statuses: 'statuses',
  delivery: 'deliveries',
  freePdf: 'deliveries',
}

/** Only the known values, in their canonical order; null when something else was sent. */
const choices = <T extends string>(all: readonly T[], sent: readonly string[]): T[] | null =>
  sent.every((s) => (all as readonly string[]).includes(s))
    ? all.filter((x) => sent.includes(x))
    : null

/**
 * Reads and checks the whole form. An item not offered is not read (and not stored: the
 * stored catalogue lists what is offered). Every offered item keeps catalogueItemProblem's
 * rule, so nothing saved here is dropped when it is read back. The office's contact is
 * asked for as soon as one certificate is offered: it is printed beside every 見本.
 */
export const readCatalogue = (form: CatalogueForm): CatalogueReading => {
  const problems: CatalogueProblems = {}
  const take = <T>(field: string, r: Read<T>): T | undefined => {
    if ('problem' in r) {
      problems[field] = r.problem
      return undefined
    }
    return r.value
  }
  const L = CATALOGUE_LIMITS
  const catalogue: CatalogueItem[] = []
  for (const type of CERTIFICATE_TYPES) {
    const row = form.rows[type]
    if (!row.offered) continue
    const f = (part: Parameters<typeof catalogueField>[1]) => catalogueField(type, part)
    const fee = take(f('fee'), readYen(row.fee, L.fee))
    const limit =
      row.limit.trim() === '' ? null : take(f('limit'), readWholeNumber(row.limit, L.yearlyLimit))
    const languages = choices(CERTIFICATE_LANGS, row.languages)
    const statuses = choices(ENROLMENT_STATUSES, row.statuses)
    const deliveries = choices<Delivery>(DELIVERIES, row.deliveries)
    if (!languages) problems[f('languages')] = { code: 'unknownChoice' }
    if (!statuses) problems[f('statuses')] = { code: 'unknownChoice' }
    if (!deliveries) problems[f('deliveries')] = { code: 'unknownChoice' }
    if (fee === undefined || limit === undefined || !languages || !statuses || !deliveries) continue
    const item: CatalogueItem = { type, languages, fee, yearlyLimit: limit, statuses, deliveries }
    const problem = catalogueItemProblem(item)
    if (problem) {
      const field = f(ITEM_PROBLEM_FIELD[problem] ?? 'languages')
      problems[field] =
        problem === 'language' && languages.length > 0
          ? { code: 'languageDiscount' }
          : ({ code: problem } as CatalogueProblem)
      continue
    }
    catalogue.push(item)
  }
  const domestic = take('postage_domestic', readYen(form.postage_domestic, L.postage))
  const international = take(
    'postage_international',
    readYen(form.postage_international, L.postage),
  )
  const validityDays = take('validity_days', readWholeNumber(form.validity_days, L.validityDays))
  const offersAny = CERTIFICATE_TYPES.some((t) => form.rows[t].offered)
  const nameJa = take('office_name_ja', readText(form.office_name_ja, L.officeNameMax, offersAny))
  const nameEn = take('office_name_en', readText(form.office_name_en, L.officeNameMax, offersAny))
  const phone =
    !offersAny && form.office_phone.trim() === ''
      ? ''
      : take('office_phone', readPhone(form.office_phone))
  const email = take('office_email', readEmail(form.office_email, offersAny))

  if (Object.keys(problems).length > 0) return { ok: false, problems }
  return {
    ok: true,
    settings: {
      catalogue,
      postage: { domestic: domestic!, international: international! },
      validityDays: validityDays!,
      office: { name: { ja: nameJa!, en: nameEn! }, phone: phone!, email: email! },
      // The issuer's English name is 大学設定's (legal_name_en); the stored old value is
      // kept as it was by the save (flows/staff/certificateSettings).
      issuerEn: '',
    },
  }
}

/** The form filled with what is stored; a type not offered shows sensible defaults. */
export const catalogueFormOf = (s: CertificateSettings): CatalogueForm => {
  const rows = Object.fromEntries(
    CERTIFICATE_TYPES.map((type): [CertificateType, CatalogueRowForm] => {
      const item = s.catalogue.find((i) => i.type === type)
      return [
        type,
        item
          ? {
              offered: true,
              languages: item.languages,
              fee: String(item.fee),
              limit: item.yearlyLimit === null ? '' : String(item.yearlyLimit),
              statuses: item.statuses,
              deliveries: item.deliveries,
            }
          : {
              offered: false,
              languages: ['ja'],
              fee: '',
              limit: '',
              statuses: ['enrolled'],
              deliveries: ['post'],
            },
      ]
    }),
  ) as Record<CertificateType, CatalogueRowForm>
  return {
    rows,
    postage_domestic: String(s.postage.domestic),
    postage_international: String(s.postage.international),
    validity_days: String(s.validityDays),
    office_name_ja: s.office.name.ja,
    office_name_en: s.office.name.en,
    office_phone: s.office.phone,
    office_email: s.office.email,
  }
}

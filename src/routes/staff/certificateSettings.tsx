import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { formatYen } from '../../domain/charge'
import { CERTIFICATE_NAMES } from '../../domain/certificates'
import {
  catalogueField,
  catalogueFormOf,
  CATALOGUE_TEXT_FIELDS,
  readCatalogue,
  type CatalogueForm,
  type CatalogueProblem,
  type CatalogueProblems,
  type CatalogueRowForm,
} from '../../domain/certificateSettingsForm'
import { CERTIFICATE_TYPES, type CertificateType } from '../../domain/registrar'
import { principalOf } from '../../flows/staff/auth'
import {
  loadCertificateSettings,
  saveCertificateSettings,
} from '../../flows/staff/certificateSettings'
import { loadSettings } from '../../flows/staff/settings'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import type { Lang } from '../../i18n'
import { requireStaff } from '../../middleware/staff'
import type { FieldErrors } from '../../views/components'
import { CatalogueSettingsPage } from '../../views/staff/certificateSettings'
import { consoleForm } from './forms'
import { forbidden } from './replies'

type C = Context<AppEnv>

/** 大学設定's certificate part (管理者 only): the catalogue of the member's own university. */
export const certificateSettings = new Hono<AppEnv>()

const PATH = '/settings/certificates'
certificateSettings.use(PATH, requireStaff('settings'))

// ---- The form's shape; its rules are domain/certificateSettingsForm readCatalogue ----------

const raw = z.string({ error: 'adminErrForm' }).max(300, { error: 'adminErrForm' }).default('')
const choice = z
  .union([z.string().max(40), z.array(z.string().max(40)).max(10)], { error: 'adminErrForm' })
  .optional()

const ROW_PARTS = ['offered', 'languages', 'fee', 'limit', 'statuses', 'deliveries'] as const

const catalogueShape = z.object({
  ...Object.fromEntries(CATALOGUE_TEXT_FIELDS.map((f) => [f, raw])),
  ...Object.fromEntries(
    CERTIFICATE_TYPES.flatMap((t) =>
      ROW_PARTS.map((part) => [
        catalogueField(t, part),
        part === 'fee' || part === 'limit' || part === 'offered' ? raw : choice,
      ]),
    ),
  ),
}) as z.ZodType<Record<string, string | string[] | undefined>>

const TEXT_LABELS: Record<(typeof CATALOGUE_TEXT_FIELDS)[number], ConsoleKey> = {
  postage_domestic: 'certPostageDomestic',
  postage_international: 'certPostageInternational',
  validity_days: 'certValidityDays',
  office_name_ja: 'certOfficeNameJa',
  office_name_en: 'certOfficeNameEn',
  office_phone: 'certOfficePhone',
  office_email: 'certOfficeEmail',
}

const ROW_LABELS: Partial<Record<(typeof ROW_PARTS)[number], ConsoleKey>> = {
  languages: 'certFieldLanguages',
  fee: 'certFieldFee',
  limit: 'certFieldLimit',
  statuses: 'certFieldStatuses',
  deliveries: 'certFieldDeliveries',
}

/** Every field of the form, in the form's order, with its label (for messages). */
const fieldsInOrder = (ct: ConsoleText, lang: Lang): [string, string, CertificateType | null][] => [
  ...CERTIFICATE_TYPES.flatMap((t) =>
    ROW_PARTS.flatMap((part): [string, string, CertificateType][] => {
      const key = ROW_LABELS[part]
      return key
        ? [[catalogueField(t, part), ct(key, { name: CERTIFICATE_NAMES[t][lang] }), t]]
        : []
    }),
  ),
  ...CATALOGUE_TEXT_FIELDS.map((f): [string, string, null] => [f, ct(TEXT_LABELS[f]), null]),
]

/** One problem in the administrator's language. */
const problemText = (
  ct: ConsoleText,
  lang: Lang,
  field: string,
  type: CertificateType | null,
  p: CatalogueProblem,
): string => {
  switch (p.code) {
    case 'required':
      return ct('required', { field })
    case 'tooLong':
      return ct('tooLong', { field, max: p.max })
    case 'controlCharacters':
      return ct('adminErrControl', { field })
    case 'notWhole':
      return ct('adminErrWhole', { field })
    case 'outOfRange':
      return ct('adminErrRange', { field, min: formatYen(p.min), max: formatYen(p.max) })
    case 'emailHalfWidth':
      return ct('adminErrEmailHalfWidth', { field })
    case 'emailInvalid':
      return ct('adminErrEmail', { field })
    case 'phoneInvalid':
      return ct('adminErrPhone', { field })
    case 'language':
    case 'statuses':
    case 'delivery':
      return ct('certErrChooseOne', { field })
    case 'languageDiscount':
      return ct('certErrLanguageDiscount')
    case 'freePdf':
      return ct('certErrFreePdf', { name: type ? CERTIFICATE_NAMES[type][lang] : '' })
    case 'unknownChoice':
      return ct('certErrUnknownChoice', { field })
    default:
      // The 大学設定 form's own rules (host names, stop windows …) never reach this form.
      return ct('adminErrForm')
  }
}

const errorsOf = (c: C, problems: CatalogueProblems): FieldErrors => {
  const ct = c.get('ct')
  const lang = c.get('tr').lang
  const errors: FieldErrors = {}
  for (const [field, label, type] of fieldsInOrder(ct, lang)) {
    const p = problems[field]
    if (p) errors[field] = { text: problemText(ct, lang, label, type, p) }
  }
  return errors
}

/** What was posted, to read and to show again. */
const formFromPost = (data: unknown): CatalogueForm => {
  const record = (data ?? {}) as Record<string, unknown>
  const str = (k: string) => (typeof record[k] === 'string' ? (record[k] as string) : '')
  const list = (k: string) => {
    const v = record[k]
    return Array.isArray(v)
      ? v.filter((x): x is string => typeof x === 'string')
      : typeof v === 'string'
        ? [v]
        : []
  }
  return {
    ...(Object.fromEntries(CATALOGUE_TEXT_FIELDS.map((f) => [f, str(f)])) as Record<
      (typeof CATALOGUE_TEXT_FIELDS)[number],
      string
    >),
    rows: Object.fromEntries(
      CERTIFICATE_TYPES.map((t): [CertificateType, CatalogueRowForm] => [
        t,
        {
          offered: str(catalogueField(t, 'offered')) !== '',
          languages: list(catalogueField(t, 'languages')),
          fee: str(catalogueField(t, 'fee')),
          limit: str(catalogueField(t, 'limit')),
          statuses: list(catalogueField(t, 'statuses')),
          deliveries: list(catalogueField(t, 'deliveries')),
        },
      ]),
    ) as Record<CertificateType, CatalogueRowForm>,
  }
}

const render = async (
  c: C,
  form: CatalogueForm,
  errors: FieldErrors,
  notice?: { kind: 'info' | 'success'; text: string },
) => {
  const ct = c.get('ct')
  const saved = await loadSettings(c.get('deps').db, c.get('staff')!.universityId ?? '')
  const name = saved ? (c.get('tr').lang === 'en' ? saved.nameEn : saved.name) : ''
  return c.render(
    <CatalogueSettingsPage universityName={name} form={form} errors={errors} notice={notice} />,
    { title: ct('certSettingsTitle') },
  )
}

certificateSettings.get(PATH, async (c) => {
  const universityId = c.get('staff')!.universityId
  if (!universityId) return forbidden(c)
  const current = await loadCertificateSettings(c.get('deps').db, universityId)
  if (!current) return forbidden(c)
  const ct = c.get('ct')
  const q = c.req.query()
  const notice = q.saved
    ? { kind: 'success' as const, text: ct('adminSaved') }
    : q.unchanged
      ? { kind: 'info' as const, text: ct('adminUnchanged') }
      : undefined
  return render(c, catalogueFormOf(current), {}, notice)
})

certificateSettings.post(
  PATH,
  consoleForm(catalogueShape, TEXT_LABELS, (c, errors, data) =>
    render(c, formFromPost(data), errors),
  ),
  async (c) => {
    const universityId = c.get('staff')!.universityId
    if (!universityId) return forbidden(c)
    const form = formFromPost(c.req.valid('form'))
    const reading = readCatalogue(form)
    if (!reading.ok) {
      c.status(422)
      return render(c, form, errorsOf(c, reading.problems))
    }
    const result = await saveCertificateSettings(
      c.get('deps'),
      principalOf(c.get('staff')!),
      universityId,
      reading.settings,
    )
    if (result.kind === 'notFound') return forbidden(c)
    return c.redirect(`/staff/settings/certificates?${result.kind}=1`, 303)
  },
)

/** The catalogue form's shape, reading and wording, shared with the operator's page. */
export {
  catalogueShape,
  errorsOf as catalogueErrorsOf,
  formFromPost as catalogueFormFromPost,
  TEXT_LABELS as catalogueFieldLabels,
}

import { CREDIT_STATUSES, PAYMENT_STATUSES, type CreditStatus } from '../../domain/application'
import { formatYen } from '../../domain/charge'
import { isPaymentMethod } from '../../domain/paymentMethods'
import { isStudentStatus } from '../../domain/roster'
import { STAFF_ROLES, type StaffRole } from '../../domain/staff'
import { formatJstDateTime } from '../../domain/time'
import type { Translator } from '../../i18n'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import { methodLabel, statusLabel } from '../pages/charge'
import { CREDIT_LABEL, mailLabel } from './applications'
import { STEP_LABEL } from './certificates'
import { ROLE_LABEL } from './components'

/**
 * 監査ログ's 変更前 / 変更後 in words: each stored JSON field as "label: value", times in JST
 * (2026/12/06 14:05, never epoch milliseconds), states and roles by their console names,
 * amounts in yen. What has no words (an error code M.I.C. sent, an id) stays as it was, marked
 * `code` so the page sets it in small type for the technical staff. The stored JSON is never
 * changed: this is only how it is read.
 */
export interface ReadableField {
  label: string
  /** The label is the stored key itself (a field this list has no words for). */
  labelIsCode?: boolean
  value: string
  /** The value is a code, shown as written. */
  code?: boolean
  /** An object's fields (KOMOJU's answer, a stop window), read the same way. */
  fields?: ReadableField[]
}

/** The words of every field the audit log's entries hold. */
const FIELD_LABEL: Record<string, ConsoleKey> = {
  status: 'adminFldStatus',
  creditStatus: 'adminFldCreditStatus',
  creditAttempts: 'adminFldCreditAttempts',
  creditError: 'adminFldCreditError',
  micCreditId: 'adminFldMicCreditId',
  refundedAt: 'adminFldRefundedAt',
  mail: 'adminFldMail',
  to: 'adminFldTo',
  sent: 'adminFldSent',
  requestId: 'adminFldRequestId',
  decision: 'adminFldDecision',
  outcome: 'adminFldOutcome',
  result: 'adminFldResult',
  gateway: 'adminFldGateway',
  kind: 'adminFldKind',
  amount: 'adminFldAmount',
  currency: 'adminFldCurrency',
  capturedAt: 'adminFldCapturedAt',
  amountRefunded: 'adminFldAmountRefunded',
  applied: 'adminFldApplied',
  expired: 'adminFldExpired',
  detail: 'adminFldDetail',
  failures: 'adminFldFailures',
  windowStartedAt: 'adminFldWindowStartedAt',
  lockedUntil: 'adminFldLockedUntil',
  credentialEpoch: 'adminFldCredentialEpoch',
  role: 'adminFldRole',
  disabledAt: 'adminFldDisabledAt',
  email: 'adminFldEmail',
  name: 'adminFldName',
  postStatus: 'adminFldPostStatus',
  trackingNumber: 'adminFldTrackingNumber',
  sealed: 'adminFldSealed',
  revokedAt: 'adminFldRevokedAt',
  issueNumber: 'adminFldIssueNumber',
  replacedBy: 'adminFldReplacedBy',
  suspendedAt: 'adminFldSuspendedAt',
  suspendedReason: 'adminFldSuspendedReason',
  connection: 'adminFldConnection',
  names: 'adminFldNames',
  day: 'adminFldDay',
  differences: 'adminFldDifferences',
  error: 'adminFldError',
  source: 'adminFldSource',
  fileName: 'adminFldFileName',
  new: 'adminFldNew',
  changed: 'adminFldChanged',
  leaving: 'adminFldLeaving',
  unchanged: 'adminFldUnchanged',
  rejected: 'adminFldRejected',
  deadLetteredAt: 'adminFldDeadLetteredAt',
  resolvedAt: 'adminFldResolvedAt',
  leftOn: 'adminFldLeftOn',
  retentionYears: 'adminFldRetentionYears',
  applicationsKept: 'adminFldApplicationsKept',
  certificateFilesRemoved: 'adminFldCertificateFilesRemoved',
  applications: 'adminFldApplications',
  before: 'adminFldBefore',
  id: 'adminFldId',
  gatewayAccount: 'adminFldGatewayAccount',
  nameEn: 'adminFldNameEn',
  legalName: 'adminFldLegalName',
  legalNameEn: 'adminFldLegalNameEn',
  callCentreName: 'adminFldCallCentreName',
  callCentreNameEn: 'adminFldCallCentreNameEn',
  callCentrePhone: 'adminFldCallCentrePhone',
  callCentreHours: 'adminFldCallCentreHours',
  callCentreHoursEn: 'adminFldCallCentreHoursEn',
  mailFrom: 'adminFldMailFrom',
  mailFromName: 'adminFldMailFromName',
  mailFromNameEn: 'adminFldMailFromNameEn',
  cardMoneyDesk: 'adminFldCardMoneyDesk',
  cardMoneyDeskEn: 'adminFldCardMoneyDeskEn',
  hosts: 'adminFldHosts',
  balanceCap: 'adminFldBalanceCap',
  minCharge: 'adminFldMinCharge',
  chargeStep: 'adminFldChargeStep',
  paymentMethods: 'adminFldPaymentMethods',
  paymentDeadlineDays: 'adminFldPaymentDeadlineDays',
  fiscalYearEndBlackouts: 'adminFldFiscalYearEndBlackouts',
  staffAlertEmail: 'adminFldStaffAlertEmail',
  start: 'adminFldStart',
  end: 'adminFldEnd',
}

/** Instants stored as epoch milliseconds. */
const TIME_KEYS = new Set(['lockedUntil', 'windowStartedAt'])
const isTimeKey = (key: string) => TIME_KEYS.has(key) || /At$/.test(key)
/** Integer yen. */
const YEN_KEYS = new Set(['amount', 'amountRefunded', 'balanceCap', 'minCharge', 'chargeStep'])
/** Values that are codes or ids of another system: shown as written. */
const CODE_KEYS = new Set([
  'creditError',
  'micCreditId',
  'applied',
  'kind',
  'error',
  'detail',
  'currency',
  'id',
  'gatewayAccount',
  'names',
  'issueNumber',
  'trackingNumber',
])
/** An ISO instant, as the settings' stop windows are stored. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z$/

const CHECK_STATUS: Record<string, ConsoleKey> = {
  ok: 'adminValCheckOk',
  missing: 'adminValCheckMissing',
  refused: 'adminValCheckRefused',
  unknown: 'adminValCheckUnknown',
  unreachable: 'adminValCheckUnreachable',
}
const CONNECTION: Record<string, ConsoleKey> = {
  komoju: 'uniConnKomoju',
  mic: 'uniConnMic',
  registrar: 'uniConnRegistrar',
}
const STUDENT_STATUS = {
  enrolled: 'myDataStatus_enrolled',
  on_leave: 'myDataStatus_on_leave',
  graduated: 'myDataStatus_graduated',
  withdrawn: 'myDataStatus_withdrawn',
  expelled: 'myDataStatus_expelled',
} as const

type Words = { ct: ConsoleText; tr: Translator }

/** A string value in words, or null when it has none (then it is shown as a code). */
const stringWords = ({ ct, tr }: Words, key: string, v: string): string | null => {
  if (ISO_INSTANT.test(v)) return formatJstDateTime(Date.parse(v))
  switch (key) {
    case 'status':
      if ((PAYMENT_STATUSES as readonly string[]).includes(v))
        return statusLabel(tr, v as (typeof PAYMENT_STATUSES)[number])
      if (isStudentStatus(v)) return tr.t(STUDENT_STATUS[v])
      return CHECK_STATUS[v] ? ct(CHECK_STATUS[v]) : null
    case 'creditStatus':
    case 'result':
      return (CREDIT_STATUSES as readonly string[]).includes(v)
        ? ct(CREDIT_LABEL[v as CreditStatus])
        : null
    case 'role':
      return (STAFF_ROLES as readonly string[]).includes(v) ? ct(ROLE_LABEL[v as StaffRole]) : null
    case 'decision':
      return v === 'approved'
        ? ct('adminValApproved')
        : v === 'rejected'
          ? ct('adminValRejected')
          : null
    case 'postStatus':
      return v in STEP_LABEL ? ct(STEP_LABEL[v as keyof typeof STEP_LABEL]) : null
    case 'mail':
      return mailLabel(ct, v)
    case 'connection':
      return CONNECTION[v] ? ct(CONNECTION[v]) : null
    case 'paymentMethods':
      return isPaymentMethod(v) ? methodLabel(tr, v) : null
  }
  return CODE_KEYS.has(key) ? null : v
}

const read = (w: Words, key: string, v: unknown): Omit<ReadableField, 'label'> => {
  const { ct } = w
  if (v === null || v === undefined || v === '') return { value: ct('adminValNone') }
  if (typeof v === 'boolean') return { value: ct(v ? 'adminValYes' : 'adminValNo') }
  if (typeof v === 'number') {
    if (isTimeKey(key)) return { value: formatJstDateTime(v) }
    if (YEN_KEYS.has(key)) return { value: ct('adminValYen', { amount: formatYen(v) }) }
    return { value: String(v), code: CODE_KEYS.has(key) }
  }
  if (typeof v === 'string') {
    // A list stored as JSON text (a university's payment methods, as its row holds them).
    if (v.startsWith('[') && key === 'paymentMethods') {
      try {
        return read(w, key, JSON.parse(v))
      } catch {
        // Not JSON after all: shown as written.
      }
    }
    const words = stringWords(w, key, v)
    return words === null ? { value: v, code: true } : { value: words }
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return { value: ct('adminValNone') }
    // Stop windows: "2027/03/31 20:00〜2027/04/01 09:00" each.
    if (v.every((x) => x && typeof x === 'object' && 'start' in x && 'end' in x)) {
      const windows = v as { start: unknown; end: unknown }[]
      return {
        value: windows
          .map((x) =>
            ct('adminValWindow', {
              start: read(w, 'start', x.start).value,
              end: read(w, 'end', x.end).value,
            }),
          )
          .join(separator(w)),
      }
    }
    const items = v.map((x) => read(w, key, x))
    if (items.some((i) => i.fields)) return { value: '', fields: v.flatMap((x) => fieldsOf(w, x)) }
    return { value: items.map((i) => i.value).join(separator(w)), code: items.some((i) => i.code) }
  }
  if (typeof v === 'object') return { value: '', fields: fieldsOf(w, v) }
  return { value: String(v), code: true }
}

/** 「、」 between items in Japanese, ", " in English. */
const separator = (w: Words) => (w.tr.lang === 'ja' ? '、' : ', ')

const fieldsOf = (w: Words, v: unknown): ReadableField[] =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.entries(v).map(([key, value]) => {
        const label = FIELD_LABEL[key]
        return {
          label: label ? w.ct(label) : key,
          ...(label ? {} : { labelIsCode: true }),
          ...read(w, key, value),
        }
      })
    : [{ label: '', ...read(w, '', v) }]

/** A stored JSON column as readable fields; null for no value, [] for an empty object. */
export const readableFields = (
  ct: ConsoleText,
  tr: Translator,
  json: string | null,
): ReadableField[] | null => {
  if (json === null) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return [{ label: '', value: json, code: true }]
  }
  return fieldsOf({ ct, tr }, parsed)
}

/** The fields as one line of text, for the CSV: "label: value; label: (label: value, …)". */
export const fieldsText = (fields: ReadableField[] | null): string =>
  fields === null
    ? ''
    : fields
        .map((f) => {
          const value = f.fields ? `(${fieldsText(f.fields).replaceAll('; ', ', ')})` : f.value
          return f.label ? `${f.label}: ${value}` : value
        })
        .join('; ')

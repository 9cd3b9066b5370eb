import { certificateSettingsOf } from './certificates'
import { parseYen } from './charge'
import { emailProblem } from './email'
import { isPaymentMethod, type PaymentMethod } from './paymentMethods'
import { RETENTION_YEARS } from './retention'
import { jstParts } from './time'
import type { BlackoutPeriod, University } from './university'

/**
 * 大学設定 as a 管理者 edits it: the rules a university's settings must keep, as plain
 * functions over what the form sent. Nothing here reads D1; whether a host name belongs to
 * another university is the flow's question (flows/staff/settings.ts).
 */

/** How much each setting may hold. The ranges are generous but keep a typo from going live. */
export const SETTINGS_LIMITS = {
  /** Names, 発行者, contact lines and the sender's name. */
  textMax: 100,
  /** Where the console sends a student whose money is already on the card: office, place, hours. */
  deskMax: 300,
  phoneMax: 30,
  hostMax: 253,
  hostsMax: 20,
  /** Stop windows the form offers at once. */
  windowsMax: 10,
  /** A fiscal-year-end stop longer than this is surely a typo: it would stop every credit. */
  windowMaxDays: 31,
  balanceCap: { min: 1, max: 1_000_000 },
  minCharge: { min: 1, max: 1_000_000 },
  chargeStep: { min: 1, max: 100_000 },
  /** KOMOJU keeps a konbini / Pay-easy payment open for at most 60 days. */
  paymentDeadlineDays: { min: 1, max: 60 },
  /** 個人データの保存期間, years after leaving (domain/retention.ts). */
  retentionYears: { min: RETENTION_YEARS.min, max: RETENTION_YEARS.max },
} as const

/** The form's single-value fields, by their names in the HTML form. */
export const SETTINGS_TEXT_FIELDS = [
  'name',
  'name_en',
  'legal_name',
  'legal_name_en',
  'call_centre_name',
  'call_centre_name_en',
  'call_centre_phone',
  'call_centre_hours',
  'call_centre_hours_en',
  'mail_from',
  'mail_from_name',
  'mail_from_name_en',
  'card_money_desk',
  'card_money_desk_en',
  'hosts',
  'balance_cap',
  'min_charge',
  'charge_step',
  'payment_deadline_days',
  'staff_alert_email',
  'retention_years',
] as const
export type SettingsTextField = (typeof SETTINGS_TEXT_FIELDS)[number]

/** What the form sent, every value as typed. */
export type SettingsForm = Record<SettingsTextField, string> & {
  methods: readonly string[]
  /** datetime-local values in JST ("2027-03-31T20:00"), blank rows included. */
  windows: readonly { start: string; end: string }[]
}

/** The form's field for a stop window's start or end: window_start_0, window_end_0, … */
export const windowField = (i: number, side: 'start' | 'end') => `window_${side}_${i}`

/** What is saved: the columns of `universities` an administrator may change, and the hosts. */
export interface UniversitySettings {
  name: string
  nameEn: string
  legalName: string
  legalNameEn: string
  callCentreName: string
  callCentreNameEn: string
  callCentrePhone: string
  callCentreHours: string
  callCentreHoursEn: string
  mailFrom: string
  mailFromName: string
  mailFromNameEn: string
  /** Where the console sends a student whose money is already on the card, ja and en. */
  cardMoneyDesk: string
  cardMoneyDeskEn: string
  hosts: string[]
  balanceCap: number
  minCharge: number
  chargeStep: number
  paymentMethods: PaymentMethod[]
  paymentDeadlineDays: number
  fiscalYearEndBlackouts: BlackoutPeriod[]
  staffAlertEmail: string | null
  /** 個人データの保存期間: years after leaving. */
  retentionYears: number
}

export type SettingsProblem =
  | { code: 'required' }
  /** An English value left empty: every university's students may read English. */
  | { code: 'englishRequired' }
  /** Japanese in an English value: English pages and mails would carry it. */
  | { code: 'notEnglish' }
  | { code: 'tooLong'; max: number }
  | { code: 'controlCharacters' }
  | { code: 'notWhole' }
  | { code: 'outOfRange'; min: number; max: number }
  | { code: 'emailHalfWidth' }
  | { code: 'emailInvalid' }
  | { code: 'phoneInvalid' }
  | { code: 'hostInvalid'; host: string }
  | { code: 'noHost' }
  | { code: 'tooManyHosts'; max: number }
  | { code: 'hostTaken'; hosts: string[] }
  | { code: 'capBelowMinimum'; min: number }
  | { code: 'minNotStep'; step: number }
  | { code: 'stepOverCap' }
  | { code: 'noPaymentMethod' }
  | { code: 'unknownPaymentMethod' }
  | { code: 'windowIncomplete'; n: number }
  | { code: 'dateTimeInvalid'; n: number }
  | { code: 'windowEndsBeforeStart'; n: number }
  | { code: 'windowTooLong'; n: number; days: number }

/** Problems by form field name (a stop window's by its start or end field). */
export type SettingsProblems = Partial<Record<string, SettingsProblem>>

export type SettingsReading =
  { ok: true; settings: UniversitySettings } | { ok: false; problems: SettingsProblems }

// ---- Reading single values --------------------------------------------------------------

// Line breaks and other control characters are refused in every one-line setting: the
// sender's name goes into a mail header, where a line break would start a header of its own.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

type Read<T> = { value: T } | { problem: SettingsProblem }

const text = (raw: string, max: number, required = true): Read<string> => {
  const v = raw.trim()
  if (v === '') return required ? { problem: { code: 'required' } } : { value: '' }
  if (CONTROL.test(v)) return { problem: { code: 'controlCharacters' } }
  if (v.length > max) return { problem: { code: 'tooLong', max } }
  return { value: v }
}

// Kana, kanji and full-width forms (ｱ, ０, ！, 〜 …): what an English page must not carry.
const JAPANESE = /[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/

/** Whether a text holds Japanese characters (kana, kanji, full-width punctuation or forms). */
export const hasJapanese = (v: string) => JAPANESE.test(v)

/**
 * An English value students read: required (every university's student pages and mails come
 * in English too), and in English: Japanese in it would show on the English pages.
 */
const english = (raw: string, max: number): Read<string> => {
  const t = text(raw, max)
  if ('problem' in t)
    return t.problem.code === 'required' ? { problem: { code: 'englishRequired' } } : t
  return hasJapanese(t.value) ? { problem: { code: 'notEnglish' } } : t
}

const email = (raw: string, required: boolean): Read<string> => {
  const v = raw.trim()
  if (v === '' && !required) return { value: '' }
  switch (emailProblem(v)) {
    case 'required':
      return { problem: { code: 'required' } }
    case 'tooLong':
      return { problem: { code: 'tooLong', max: 254 } }
    case 'notHalfWidth':
      return { problem: { code: 'emailHalfWidth' } }
    case 'invalid':
      return { problem: { code: 'emailInvalid' } }
    case null:
      return { value: v.toLowerCase() }
  }
}

const PHONE = /^\+?[0-9][0-9\- ()]*[0-9]$/

const phone = (raw: string): Read<string> => {
  const t = text(raw, SETTINGS_LIMITS.phoneMax)
  if ('problem' in t) return t
  return PHONE.test(t.value) ? t : { problem: { code: 'phoneInvalid' } }
}

/** Yen as a person types it (full-width digits, commas and 円 allowed), within a range. */
const yen = (raw: string, range: { min: number; max: number }): Read<number> => {
  if (raw.trim() === '') return { problem: { code: 'required' } }
  const n = parseYen(raw)
  if (n === null) return { problem: { code: 'notWhole' } }
  if (n < range.min || n > range.max) return { problem: { code: 'outOfRange', ...range } }
  return { value: n }
}

const days = (raw: string, range: { min: number; max: number }): Read<number> => {
  const v = raw.trim()
  if (v === '') return { problem: { code: 'required' } }
  if (!/^[0-9]{1,4}$/.test(v)) return { problem: { code: 'notWhole' } }
  const n = Number(v)
  if (n < range.min || n > range.max) return { problem: { code: 'outOfRange', ...range } }
  return { value: n }
}

// ---- Host names -------------------------------------------------------------------------

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** A host name as the Host header carries it: letters, digits, hyphens and dots, no port. */
export const isHostName = (host: string) =>
  host.length > 0 &&
  host.length <= SETTINGS_LIMITS.hostMax &&
  host.split('.').every((l) => LABEL.test(l))

/**
 * The host names typed one per line (commas and spaces also separate), lower-cased, a
 * trailing dot dropped, each once, in the order typed.
 */
export const hostsFromText = (raw: string): string[] => [
  ...new Set(
    raw
      .split(/[\s,]+/)
      .map((h) => h.trim().toLowerCase().replace(/\.$/, ''))
      .filter((h) => h !== ''),
  ),
]

const hosts = (raw: string): Read<string[]> => {
  const list = hostsFromText(raw)
  if (list.length === 0) return { problem: { code: 'noHost' } }
  const bad = list.find((h) => !isHostName(h))
  // What was typed, cut short: the message quotes it.
  if (bad) return { problem: { code: 'hostInvalid', host: bad.slice(0, 60) } }
  if (list.length > SETTINGS_LIMITS.hostsMax)
    return { problem: { code: 'tooManyHosts', max: SETTINGS_LIMITS.hostsMax } }
  return { value: list }
}

// ---- Stop windows in JST ----------------------------------------------------------------

const JST_OFFSET_MS = 9 * 60 * 60_000
const DAY_MS = 24 * 60 * 60_000
const pad = (n: number) => String(n).padStart(2, '0')

/**
 * An <input type="datetime-local"> value read as Japan time ("2027-03-31T20:00", seconds
 * allowed and dropped; a space or a slash date as typed by hand too), or null.
 */
export const parseJstDateTime = (raw: string): number | null => {
  const m =
    /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d{1,3})?)?$/.exec(
      raw.trim(),
    )
  if (!m) return null
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number]
  if (y < 2000 || y > 2100 || h > 23 || mi > 59) return null
  const ms = Date.UTC(y, mo - 1, d, h, mi) - JST_OFFSET_MS
  // Date.UTC rolls 2027-02-30 over into March: such a date is not a date.
  const p = jstParts(ms)
  return p.year === y && p.month === mo && p.day === d ? ms : null
}

/** An instant as a datetime-local value in JST, for the form. */
export const toJstDateTimeInput = (ms: number): string => {
  const p = jstParts(ms)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`
}

// ---- The whole form ---------------------------------------------------------------------

/**
 * Reads and checks the whole 大学設定 form: every field on its own, then the rules between
 * fields (the cap against the minimum, the minimum against the step, each window's end
 * after its start). Either every value is good and the settings come back, or every problem
 * found does, by field, and nothing is to be saved.
 */
export const readSettings = (form: SettingsForm): SettingsReading => {
  const problems: SettingsProblems = {}
  const take = <T>(field: string, r: Read<T>): T | undefined => {
    if ('problem' in r) {
      problems[field] = r.problem
      return undefined
    }
    return r.value
  }
  const L = SETTINGS_LIMITS
  const name = take('name', text(form.name, L.textMax))
  const nameEn = take('name_en', text(form.name_en, L.textMax))
  const legalName = take('legal_name', text(form.legal_name, L.textMax))
  const legalNameEn = take('legal_name_en', english(form.legal_name_en, L.textMax))
  const callCentreName = take('call_centre_name', text(form.call_centre_name, L.textMax))
  const callCentreNameEn = take('call_centre_name_en', english(form.call_centre_name_en, L.textMax))
  const callCentrePhone = take('call_centre_phone', phone(form.call_centre_phone))
  const callCentreHours = take('call_centre_hours', text(form.call_centre_hours, L.textMax))
  const callCentreHoursEn = take(
    'call_centre_hours_en',
    english(form.call_centre_hours_en, L.textMax),
  )
  const mailFrom = take('mail_from', email(form.mail_from, true))
  const mailFromName = take('mail_from_name', text(form.mail_from_name, L.textMax))
  const mailFromNameEn = take('mail_from_name_en', english(form.mail_from_name_en, L.textMax))
  const cardMoneyDesk = take('card_money_desk', text(form.card_money_desk, L.deskMax))
  const cardMoneyDeskEn = take('card_money_desk_en', english(form.card_money_desk_en, L.deskMax))
  const hostList = take('hosts', hosts(form.hosts))
  const balanceCap = take('balance_cap', yen(form.balance_cap, L.balanceCap))
  const minCharge = take('min_charge', yen(form.min_charge, L.minCharge))
  const chargeStep = take('charge_step', yen(form.charge_step, L.chargeStep))
  const deadlineDays = take(
    'payment_deadline_days',
    days(form.payment_deadline_days, L.paymentDeadlineDays),
  )
  const staffAlertEmail = take('staff_alert_email', email(form.staff_alert_email, false))
  const retentionYears = take('retention_years', days(form.retention_years, L.retentionYears))

  // The charge rules together: a student must be able to charge the minimum under the cap,
  // and the minimum must itself be a whole number of steps (else it could never be typed).
  if (balanceCap !== undefined && minCharge !== undefined && balanceCap < minCharge)
    problems.balance_cap = { code: 'capBelowMinimum', min: minCharge }
  if (minCharge !== undefined && chargeStep !== undefined && minCharge % chargeStep !== 0)
    problems.min_charge = { code: 'minNotStep', step: chargeStep }
  if (balanceCap !== undefined && chargeStep !== undefined && chargeStep > balanceCap)
    problems.charge_step ??= { code: 'stepOverCap' }

  const methods = [...new Set(form.methods)]
  if (methods.some((m) => !isPaymentMethod(m))) problems.methods = { code: 'unknownPaymentMethod' }
  else if (methods.length === 0) problems.methods = { code: 'noPaymentMethod' }

  const windows: BlackoutPeriod[] = []
  form.windows.slice(0, L.windowsMax).forEach((w, i) => {
    const n = i + 1
    const [startRaw, endRaw] = [w.start.trim(), w.end.trim()]
    // A row left blank is no window: that is how one is removed.
    if (startRaw === '' && endRaw === '') return
    const startField = windowField(i, 'start')
    const endField = windowField(i, 'end')
    if (startRaw === '' || endRaw === '') {
      problems[startRaw === '' ? startField : endField] = { code: 'windowIncomplete', n }
      return
    }
    const start = parseJstDateTime(startRaw)
    const end = parseJstDateTime(endRaw)
    if (start === null || end === null) {
      problems[start === null ? startField : endField] = { code: 'dateTimeInvalid', n }
      return
    }
    if (end <= start) problems[endField] = { code: 'windowEndsBeforeStart', n }
    else if (end - start > L.windowMaxDays * DAY_MS)
      problems[endField] = { code: 'windowTooLong', n, days: L.windowMaxDays }
    else windows.push({ start, end })
  })

  if (Object.keys(problems).length > 0) return { ok: false, problems }
  return {
    ok: true,
    settings: {
      name: name!,
      nameEn: nameEn!,
      legalName: legalName!,
      legalNameEn: legalNameEn!,
      callCentreName: callCentreName!,
      callCentreNameEn: callCentreNameEn!,
      callCentrePhone: callCentrePhone!,
      callCentreHours: callCentreHours!,
      callCentreHoursEn: callCentreHoursEn!,
      mailFrom: mailFrom!,
      mailFromName: mailFromName!,
      mailFromNameEn: mailFromNameEn!,
      cardMoneyDesk: cardMoneyDesk!,
      cardMoneyDeskEn: cardMoneyDeskEn!,
      hosts: hostList!,
      balanceCap: balanceCap!,
      minCharge: minCharge!,
      chargeStep: chargeStep!,
      paymentMethods: methods as PaymentMethod[],
      paymentDeadlineDays: deadlineDays!,
      fiscalYearEndBlackouts: windows.sort((a, b) => a.start - b.start),
      staffAlertEmail: staffAlertEmail || null,
      retentionYears: retentionYears!,
    },
  }
}

/** The settings as they stand, for the form and for comparing before and after. */
export const settingsOf = (
  u: University,
  hosts: readonly string[],
  retentionYears: number,
): UniversitySettings => ({
  name: u.name,
  nameEn: u.nameEn,
  legalName: u.legalName,
  // The issuer's English name was once a certificate setting (issuerEn): an old row shows it
  // here until it is saved as the university's own (certificates read it only as the old value).
  legalNameEn: u.legalNameEn || certificateSettingsOf(u).issuerEn,
  callCentreName: u.callCentre.name,
  callCentreNameEn: u.callCentre.nameEn,
  callCentrePhone: u.callCentre.phone,
  callCentreHours: u.callCentre.hours,
  callCentreHoursEn: u.callCentre.hoursEn,
  mailFrom: u.mailFrom,
  mailFromName: u.mailFromName,
  mailFromNameEn: u.mailFromNameEn,
  cardMoneyDesk: u.cardMoneyDesk.ja,
  cardMoneyDeskEn: u.cardMoneyDesk.en,
  hosts: [...hosts],
  balanceCap: u.balanceCap,
  minCharge: u.minCharge,
  chargeStep: u.chargeStep,
  paymentMethods: [...u.paymentMethods],
  paymentDeadlineDays: u.paymentDeadlineDays,
  fiscalYearEndBlackouts: u.fiscalYearEndBlackouts.map((w) => ({ ...w })),
  staffAlertEmail: u.staffAlertEmail,
  retentionYears,
})

/** The form filled with saved settings, with blank rows to add stop windows. */
export const formOf = (s: UniversitySettings): SettingsForm => {
  const windows = s.fiscalYearEndBlackouts.map((w) => ({
    start: toJstDateTimeInput(w.start),
    end: toJstDateTimeInput(w.end),
  }))
  while (windows.length < Math.min(SETTINGS_LIMITS.windowsMax, s.fiscalYearEndBlackouts.length + 2))
    windows.push({ start: '', end: '' })
  return {
    name: s.name,
    name_en: s.nameEn,
    legal_name: s.legalName,
    legal_name_en: s.legalNameEn,
    call_centre_name: s.callCentreName,
    call_centre_name_en: s.callCentreNameEn,
    call_centre_phone: s.callCentrePhone,
    call_centre_hours: s.callCentreHours,
    call_centre_hours_en: s.callCentreHoursEn,
    mail_from: s.mailFrom,
    mail_from_name: s.mailFromName,
    mail_from_name_en: s.mailFromNameEn,
    card_money_desk: s.cardMoneyDesk,
    card_money_desk_en: s.cardMoneyDeskEn,
    hosts: s.hosts.join('\n'),
    balance_cap: String(s.balanceCap),
    min_charge: String(s.minCharge),
    charge_step: String(s.chargeStep),
    payment_deadline_days: String(s.paymentDeadlineDays),
    staff_alert_email: s.staffAlertEmail ?? '',
    retention_years: String(s.retentionYears),
    methods: s.paymentMethods,
    windows,
  }
}

/** A window as the audit log shows it: ISO instants, as `universities` stores them. */
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
const isoWindow = (w: BlackoutPeriod) => ({ start: iso(w.start), end: iso(w.end) })

/** Settings in a form that compares and reads well in the audit log (JSON). */
const comparable = (s: UniversitySettings): Record<string, unknown> => ({
  ...s,
  fiscalYearEndBlackouts: s.fiscalYearEndBlackouts.map(isoWindow),
})

/**
 * Only what changed, before and after, for the audit log; null when nothing did. Hosts and
 * methods compare as sets: typing them in another order is no change.
 */
export const settingsChanges = (
  before: UniversitySettings,
  after: UniversitySettings,
): { before: Record<string, unknown>; after: Record<string, unknown> } | null => {
  const a = comparable(before)
  const b = comparable(after)
  const same = (k: string) => {
    const [x, y] = [a[k], b[k]]
    if (k === 'hosts' || k === 'paymentMethods')
      return (
        JSON.stringify([...(x as string[])].sort()) === JSON.stringify([...(y as string[])].sort())
      )
    return JSON.stringify(x) === JSON.stringify(y)
  }
  const changed = Object.keys(b).filter((k) => !same(k))
  if (changed.length === 0) return null
  return {
    before: Object.fromEntries(changed.map((k) => [k, a[k]])),
    after: Object.fromEntries(changed.map((k) => [k, b[k]])),
  }
}

/** The stop windows as `universities.fiscal_year_end_blackouts` stores them. */
export const blackoutsJson = (windows: readonly BlackoutPeriod[]) =>
  JSON.stringify(windows.map(isoWindow))

/** The single-value readers, for the other settings forms (the certificates' catalogue). */
export {
  days as readWholeNumber,
  email as readEmail,
  phone as readPhone,
  text as readText,
  yen as readYen,
  type Read,
}

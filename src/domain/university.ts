import { isPaymentMethod, type PaymentMethod } from './paymentMethods'

/** A period during which the university's M.I.C. link is stopped at fiscal-year end. */
export interface BlackoutPeriod {
  start: number
  end: number
}

export interface University {
  id: string
  name: string
  nameEn: string
  legalName: string
  legalNameEn: string
  callCentre: { name: string; nameEn: string; phone: string; hours: string; hoursEn: string }
  mailFrom: string
  mailFromName: string
  mailFromNameEn: string
  /** Where a student is sent for money already on the card (the university's office). */
  cardMoneyDesk: { ja: string; en: string }
  balanceCap: number
  minCharge: number
  chargeStep: number
  paymentMethods: readonly PaymentMethod[]
  paymentDeadlineDays: number
  fiscalYearEndBlackouts: readonly BlackoutPeriod[]
  /** The university's merchant account at the payment gateway (each is its own merchant). */
  gatewayAccount: string
  /** Where alerts go when a credit needs a person; none: only the logs say so. */
  staffAlertEmail: string | null
  /** 各種証明書: the stored JSON, parsed where it is used (certificateSettingsOf). */
  certificateSettings: string
  /** Suspended by the operator since then: its students see a page that says so. */
  suspendedAt?: number | null
}

export interface UniversityRow {
  id: string
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
  cardMoneyDesk: string
  cardMoneyDeskEn: string
  balanceCap: number
  minCharge: number
  chargeStep: number
  paymentMethods: string
  paymentDeadlineDays: number
  fiscalYearEndBlackouts: string
  gatewayAccount: string
  staffAlertEmail: string | null
  certificateSettings: string
  suspendedAt?: number | null
}

const parseBlackouts = (json: string): BlackoutPeriod[] => {
  const raw: unknown = JSON.parse(json)
  if (!Array.isArray(raw)) return []
  return raw.flatMap((p: { start?: unknown; end?: unknown }) => {
    const start = Date.parse(String(p?.start))
    const end = Date.parse(String(p?.end))
    return Number.isFinite(start) && Number.isFinite(end) && start < end ? [{ start, end }] : []
  })
}

/**
 * Parsed settings by their stored text. The row is read on every request (a change holds at
 * once); the same text always parses the same, so each isolate parses it once (the parse
 * and its Date.parse calls were ~0.15 ms a request in the profile). Frozen: shared by requests.
 */
const parsed = new Map<string, readonly unknown[]>()
const parseOnce = <T>(text: string, parse: (text: string) => T[]): readonly T[] => {
  let value = parsed.get(text)
  if (!value) {
    // A handful of universities' settings; a flood of edits cannot grow it without bound.
    if (parsed.size >= 256) parsed.clear()
    value = Object.freeze(parse(text))
    parsed.set(text, value)
  }
  return value as readonly T[]
}

/** Turns a stored row into the settings the rest of the service reads. */
export const universityFromRow = (row: UniversityRow): University => ({
  id: row.id,
  name: row.name,
  nameEn: row.nameEn,
  legalName: row.legalName,
  legalNameEn: row.legalNameEn,
  callCentre: {
    name: row.callCentreName,
    nameEn: row.callCentreNameEn,
    phone: row.callCentrePhone,
    hours: row.callCentreHours,
    hoursEn: row.callCentreHoursEn,
  },
  mailFrom: row.mailFrom,
  mailFromName: row.mailFromName,
  mailFromNameEn: row.mailFromNameEn,
  cardMoneyDesk: { ja: row.cardMoneyDesk, en: row.cardMoneyDeskEn },
  balanceCap: row.balanceCap,
  minCharge: row.minCharge,
  chargeStep: row.chargeStep,
  paymentMethods: parseOnce(row.paymentMethods, (t) =>
    (JSON.parse(t) as unknown[]).filter(isPaymentMethod),
  ),
  paymentDeadlineDays: row.paymentDeadlineDays,
  fiscalYearEndBlackouts: parseOnce(row.fiscalYearEndBlackouts, parseBlackouts),
  gatewayAccount: row.gatewayAccount,
  staffAlertEmail: row.staffAlertEmail,
  certificateSettings: row.certificateSettings,
  suspendedAt: row.suspendedAt ?? null,
})

/**
 * The settings a student reads (names, 発行者, contact, hours, the mail's sender), in the
 * student's language. An English value is '' only on a row made before English values
 * existed (migration 0013), until its staff fill it in (大学設定 asks them to): English pages
 * and mails then show the Japanese value, which is better than nothing.
 */
export const universityIn = (u: University, lang: 'ja' | 'en') => {
  const en = (english: string, japanese: string) =>
    lang === 'en' && english.trim() !== '' ? english : japanese
  return {
    name: en(u.nameEn, u.name),
    legalName: en(u.legalNameEn, u.legalName),
    callCentreName: en(u.callCentre.nameEn, u.callCentre.name),
    callCentreHours: en(u.callCentre.hoursEn, u.callCentre.hours),
    callCentrePhone: u.callCentre.phone,
    mailFromName: en(u.mailFromNameEn, u.mailFromName),
    cardMoneyDesk: en(u.cardMoneyDesk.en, u.cardMoneyDesk.ja),
  }
}

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
  callCentre: { name: string; phone: string; hours: string }
  mailFrom: string
  mailFromName: string
  balanceCap: number
  minCharge: number
  chargeStep: number
  paymentMethods: PaymentMethod[]
  paymentDeadlineDays: number
  fiscalYearEndBlackouts: BlackoutPeriod[]
  /** The university's merchant account at the payment gateway (each is its own merchant). */
  gatewayAccount: string
  /** Where alerts go when a credit needs a person; none: only the logs say so. */
  staffAlertEmail: string | null
}

export interface UniversityRow {
  id: string
  name: string
  nameEn: string
  legalName: string
  callCentreName: string
  callCentrePhone: string
  callCentreHours: string
  mailFrom: string
  mailFromName: string
  balanceCap: number
  minCharge: number
  chargeStep: number
  paymentMethods: string
  paymentDeadlineDays: number
  fiscalYearEndBlackouts: string
  gatewayAccount: string
  staffAlertEmail: string | null
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

/** Turns a stored row into the settings the rest of the service reads. */
export const universityFromRow = (row: UniversityRow): University => ({
  id: row.id,
  name: row.name,
  nameEn: row.nameEn,
  legalName: row.legalName,
  callCentre: { name: row.callCentreName, phone: row.callCentrePhone, hours: row.callCentreHours },
  mailFrom: row.mailFrom,
  mailFromName: row.mailFromName,
  balanceCap: row.balanceCap,
  minCharge: row.minCharge,
  chargeStep: row.chargeStep,
  paymentMethods: (JSON.parse(row.paymentMethods) as unknown[]).filter(isPaymentMethod),
  paymentDeadlineDays: row.paymentDeadlineDays,
  fiscalYearEndBlackouts: parseBlackouts(row.fiscalYearEndBlackouts),
  gatewayAccount: row.gatewayAccount,
  staffAlertEmail: row.staffAlertEmail,
})

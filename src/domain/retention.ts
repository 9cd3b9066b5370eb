import { academicYearOf, academicYearStart } from './certificates'
import { jstParts } from './time'

/**
 * How long what a student leaves behind is kept: the one place these periods are written.
 * - Personal data of a leaver (卒業 / 退学 / 除籍): the university's `retention_years` after
 *   the JST day they left, then removed or pseudonymised (flows/retention.ts).
 * - Payment and credit records (the application and what hangs off it): kept for the
 *   accounts, without the name, until 7 whole fiscal years (April–March, JST) have ended
 *   after the fiscal year in which the application last changed (a refund months later
 *   counts), then deleted.
 */

/** What a 管理者 may set, in years after leaving (universities.retention_years). */
export const RETENTION_YEARS = { min: 1, max: 10, default: 5 } as const

/** How many fiscal years the accounts keep a payment record after its own fiscal year. */
export const ACCOUNTS_KEPT_FISCAL_YEARS = 7

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * The last leaving day (YYYY-MM-DD, JST) whose personal data is due at `now`: someone who
 * left on day L is removed on the JST day L + `years` years, and kept the day before. A
 * 29 February leaving day falls due on 1 March of a year without one.
 */
export const retentionCutoffDay = (now: number, years: number): string => {
  const p = jstParts(now)
  return `${p.year - years}-${pad(p.month)}-${pad(p.day)}`
}

/**
 * The instant before which a payment record last changed may be deleted at `now`: the start
 * (1 April, JST) of the fiscal year 7 before the current one. An application
 * last changed in June 2020 (fiscal 2020, ending 2021-03-31) is kept until 2028-03-31 and
 * deleted from 2028-04-01 (JST).
 */
export const accountsCutoff = (now: number): number =>
  academicYearStart(academicYearOf(now) - ACCOUNTS_KEPT_FISCAL_YEARS)

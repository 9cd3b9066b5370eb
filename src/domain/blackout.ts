import { jstParts } from './time'
import type { BlackoutPeriod } from './university'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const JST_OFFSET_MS = 9 * HOUR

export type BlackoutKind = 'daily' | 'monthEnd' | 'fiscalYearEnd'
export interface Blackout extends BlackoutPeriod {
  kind: BlackoutKind
}

/** Midnight JST of the day `ms` falls on, as an instant. */
const jstMidnight = (ms: number) => {
  const p = jstParts(ms)
  return Date.UTC(p.year, p.month - 1, p.day) - JST_OFFSET_MS
}

const isLastDayOfMonth = (ms: number) => jstParts(ms + 24 * HOUR).day === 1

/**
 * The M.I.C. link's stop window that `ms` falls in, if any (manual §4.1 順序11):
 * ① every day 2:00–5:00 JST, ② the last day of every month 23:30–24:00 JST,
 * ③ the university's fiscal-year-end periods. Starts are inclusive, ends exclusive.
 */
export const blackoutAt = (
  ms: number,
  fiscalYearEnd: readonly BlackoutPeriod[],
): Blackout | null => {
  const midnight = jstMidnight(ms)
  const since = ms - midnight
  if (since >= 2 * HOUR && since < 5 * HOUR)
    return { kind: 'daily', start: midnight + 2 * HOUR, end: midnight + 5 * HOUR }
  if (since >= 23 * HOUR + 30 * MINUTE && isLastDayOfMonth(ms)) {
    return {
      kind: 'monthEnd',
      start: midnight + 23 * HOUR + 30 * MINUTE,
      end: midnight + 24 * HOUR,
    }
  }
  const period = fiscalYearEnd.find((p) => ms >= p.start && ms < p.end)
  return period ? { kind: 'fiscalYearEnd', ...period } : null
}

/**
 * The first instant at or after `ms` outside every window. Windows can touch or overlap
 * (a fiscal-year-end period running into 2:00), so this walks until it is clear.
 */
export const linkOpensAt = (ms: number, fiscalYearEnd: readonly BlackoutPeriod[]): number => {
  let at = ms
  for (let i = 0; i < 100; i++) {
    const window = blackoutAt(at, fiscalYearEnd)
    if (!window) return at
    at = window.end
  }
  return at
}

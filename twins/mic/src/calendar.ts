import { z } from 'zod'

/**
 * M.I.C.'s own calendar: when it refuses calls, and how full a card may get. The service
 * keeps its own copy of the stop windows to plan around them; this one is the authority,
 * so the two can disagree and the service must cope with the 503s either way.
 */

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const JST = 9 * HOUR

export interface Window {
  start: number
  end: number
}
export interface StopWindow extends Window {
  kind: 'daily' | 'monthEnd' | 'fiscalYearEnd'
}

/** The card cap of a university M.I.C. has no record of. */
export const DEFAULT_CAP = 20_000

/** An instant as ms since the epoch or an ISO string, always stored as ms. */
export const instant = z.union([
  z.number().int().nonnegative(),
  z.string().transform((s, ctx) => {
    const ms = Date.parse(s)
    if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `not a date: ${s}` })
    return ms
  }),
])

export const windowSchema = z
  .object({ start: instant, end: instant })
  .refine((w) => w.start < w.end, 'start must be before end')

export const universitySchema = z.object({
  id: z.string().min(1),
  balanceCap: z.number().int().positive(),
  stopWindows: z.array(windowSchema).default([]),
})
export type University = z.infer<typeof universitySchema>

/** The UNIVERSITIES var: a JSON string in wrangler.toml, or already an array in tests. */
export const parseUniversities = (raw: unknown): University[] =>
  z.array(universitySchema).parse(typeof raw === 'string' ? JSON.parse(raw) : (raw ?? []))

const jstMidnight = (ms: number) => ms - ((ms + JST) % DAY)
const isLastDayOfMonth = (ms: number) => new Date(ms + JST + DAY).getUTCDate() === 1

/**
 * The stop window `ms` falls in, if any: every day 2:00–5:00 JST, the last day of each
 * month 23:30–24:00 JST, and the university's fiscal-year-end windows. Starts are
 * inclusive, ends exclusive.
 */
export const stopWindowAt = (ms: number, fiscalYearEnd: readonly Window[]): StopWindow | null => {
  const midnight = jstMidnight(ms)
  const since = ms - midnight
  if (since >= 2 * HOUR && since < 5 * HOUR)
    return { kind: 'daily', start: midnight + 2 * HOUR, end: midnight + 5 * HOUR }
  if (since >= 23 * HOUR + 30 * MINUTE && isLastDayOfMonth(ms))
    return { kind: 'monthEnd', start: midnight + 23 * HOUR + 30 * MINUTE, end: midnight + DAY }
  const period = fiscalYearEnd.find((w) => ms >= w.start && ms < w.end)
  return period ? { kind: 'fiscalYearEnd', start: period.start, end: period.end } : null
}

/**
 * When M.I.C. opens again after `ms`. Windows can touch (a fiscal-year-end window ending
 * at 2:00 runs into the daily one), and "come back at 2:00" would only earn another 503.
 */
export const opensAt = (ms: number, fiscalYearEnd: readonly Window[]): number => {
  let at = ms
  for (let i = 0; i < 100; i++) {
    const window = stopWindowAt(at, fiscalYearEnd)
    if (!window) break
    at = window.end
  }
  return at
}

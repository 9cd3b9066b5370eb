import { z } from 'zod'
import type { Certificate, StoredRecord } from './record'

/**
 * The registrar's own rules: who it issues which certificate to, how it counts 学割証 in
 * an academic year, and when it is closed for its nightly maintenance. The service keeps
 * its own idea of eligibility to tell a student before payment; this one decides.
 */

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const JST = 9 * HOUR

export interface Refusal {
  reason: 'hold' | 'status' | 'no_expected_graduation' | 'no_grades' | 'no_health_record'
  detail: string
}

const STATUS_JA = {
  enrolled: '在学',
  on_leave: '休学',
  graduated: '卒業',
  withdrawn: '退学',
  expelled: '除籍',
}

/**
 * Why the registrar will not issue `certificate` to this student, or null. Any hold blocks
 * everything; a student who withdrew or was removed (除籍) gets a transcript only; then each certificate's own
 * condition. The yearly limit of 学割証 needs the ledger and is checked by the store.
 */
export const refusal = (r: StoredRecord, certificate: Certificate): Refusal | null => {
  if (r.holds.length > 0)
    return {
      reason: 'hold',
      detail: `holds: ${r.holds.map((h) => `${h.code} (${h.description.ja})`).join(', ')}`,
    }
  const status = (want: string) => ({
    reason: 'status' as const,
    detail: `${certificate} needs ${want}; the student is ${r.status} (${STATUS_JA[r.status]})`,
  })
  if ((r.status === 'withdrawn' || r.status === 'expelled') && certificate !== 'transcript')
    return status(`a status other than ${r.status}`)
  switch (certificate) {
    case 'enrolment':
    case 'student_discount':
      return r.status === 'enrolled' ? null : status('enrolled (在学)')
    case 'health':
      if (r.status !== 'enrolled') return status('enrolled (在学)')
      return r.health
        ? null
        : { reason: 'no_health_record', detail: 'no health check on record this year' }
    case 'expected_graduation':
      if (r.status !== 'enrolled') return status('enrolled (在学)')
      return r.graduation?.expected
        ? null
        : { reason: 'no_expected_graduation', detail: 'no expected graduation on record' }
    case 'graduation':
      return r.status === 'graduated' && r.graduation && !r.graduation.expected
        ? null
        : status('graduated (卒業)')
    case 'transcript':
      return r.grades.length > 0 ? null : { reason: 'no_grades', detail: 'no grades on record' }
  }
}

/** The academic year (April to March, JST) `ms` falls in, as its first calendar year. */
export const academicYear = (ms: number) => {
  const d = new Date(ms + JST)
  return d.getUTCMonth() >= 3 ? d.getUTCFullYear() : d.getUTCFullYear() - 1
}

/** The first instant of an academic year: 1 April, 00:00 JST. */
export const academicYearStart = (year: number) => Date.UTC(year, 3, 1) - JST

// ---- The maintenance window ----

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (JST)')
  .transform((s) => Number(s.slice(0, 2)) * HOUR + Number(s.slice(3)) * MINUTE)

/** An instant as ms since the epoch or an ISO string, stored as ms. */
export const instant = z.union([
  z.number().int().nonnegative(),
  z.string().transform((s, ctx) => {
    const ms = Date.parse(s)
    if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `not a date: ${s}` })
    return ms
  }),
])

const hhmm = (ms: number) =>
  `${String(Math.floor(ms / HOUR)).padStart(2, '0')}:${String((ms % HOUR) / MINUTE).padStart(2, '0')}`

/**
 * When the registrar is closed: every day from `from` to `to` (JST, to exclusive; a window
 * may run past midnight) unless `daily` is null, and any one-off `windows` (instants).
 */
export const maintenanceSchema = z.object({
  daily: z
    .object({ from: clockTime, to: clockTime })
    .refine((d) => d.from !== d.to, 'from and to must differ')
    .nullable(),
  windows: z
    .array(z.object({ start: instant, end: instant }).refine((w) => w.start < w.end, 'start < end'))
    .max(50)
    .default([]),
})
export type Maintenance = z.output<typeof maintenanceSchema>

/** MAINTENANCE_WINDOW ("01:00-01:30", JST daily; or "off") as the admin API would set it. */
export const maintenanceVar = (raw: string | undefined) => {
  const value = (raw ?? '').trim() || '01:00-01:30'
  if (value === 'off') return { daily: null, windows: [] }
  const [from, to] = value.split('-')
  return { daily: { from, to }, windows: [] }
}

/** The settings as the admin API shows them (times of day as HH:MM). */
export const maintenanceJson = (m: Maintenance) => ({
  daily: m.daily ? { from: hhmm(m.daily.from), to: hhmm(m.daily.to) } : null,
  windows: m.windows.map((w) => ({
    start: new Date(w.start).toISOString(),
    end: new Date(w.end).toISOString(),
  })),
})

/** The window `ms` falls in, if any, as instants. */
export const maintenanceAt = (
  ms: number,
  m: Maintenance,
): { start: number; end: number } | null => {
  if (m.daily) {
    const { from, to } = m.daily
    const midnight = ms - ((ms + JST) % DAY)
    // A window past midnight (23:30–00:30) is the evening's part or the morning's.
    const length = (to - from + DAY) % DAY
    for (const start of [midnight + from, midnight + from - DAY])
      if (ms >= start && ms < start + length) return { start, end: start + length }
  }
  return m.windows.find((w) => ms >= w.start && ms < w.end) ?? null
}

/** When the registrar opens again after `ms`: windows that touch are one closure. */
export const opensAt = (ms: number, m: Maintenance) => {
  let at = ms
  for (let i = 0; i < 100; i++) {
    const w = maintenanceAt(at, m)
    if (!w) break
    at = w.end
  }
  return at
}

/** An instant as the registrar writes it: ISO 8601 in JST, e.g. 2026-12-15T01:30:00+09:00. */
export const jstIso = (ms: number) => `${new Date(ms + JST).toISOString().slice(0, 19)}+09:00`

/** An instant to the millisecond, as the registrar's list of changes writes them. */
export const jstIsoMs = (ms: number) => `${new Date(ms + JST).toISOString().slice(0, 23)}+09:00`

/** A JST calendar day, YYYY-MM-DD. */
export const jstDay = (ms: number) => new Date(ms + JST).toISOString().slice(0, 10)

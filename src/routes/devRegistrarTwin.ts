import * as z from 'zod'
import { twinApi } from './devTwins'

/**
 * The registrar twin's admin API (twins/registrar/README.md), for /_dev/registrar only.
 * Like the other twins' clients it never throws, and reads loosely: the page shows the
 * record as the twin answers it.
 */

export const REGISTRAR_STATUSES = ['enrolled', 'on_leave', 'graduated', 'withdrawn'] as const
export type RegistrarStatus = (typeof REGISTRAR_STATUSES)[number]
export const REGISTRAR_FAULT_MODES = ['none', 'fail', 'timeout', 'slow', 'lose-response'] as const
export const REGISTRAR_HOLDS = ['unpaid_fees', 'library'] as const

export interface RegistrarFault {
  mode: (typeof REGISTRAR_FAULT_MODES)[number]
  rate: number
  remaining: number | null
  delayMs: number
  student: string | null
}

/** A record as the twin answers it (snake_case), read as far as the page needs. */
const recordJson = z
  .object({
    user_id: z.string(),
    student_number: z.string(),
    status: z.string(),
    name: z.object({ kanji: z.string(), kana: z.string(), roman: z.string() }),
    faculty: z.object({ ja: z.string(), en: z.string() }),
    department: z.object({ ja: z.string(), en: z.string() }),
    enrolled_on: z.string(),
    graduation: z.object({ on: z.string(), expected: z.boolean() }).nullable(),
    leave: z.object({ from: z.string(), to: z.string() }).nullable(),
    grades: z.array(z.unknown()),
    gpa: z.number().nullable(),
    credits_earned: z.number(),
    health: z.unknown().nullable(),
    holds: z.array(z.object({ code: z.string(), description: z.object({ ja: z.string() }) })),
  })
  .loose()
export type TwinRecord = z.output<typeof recordJson>

const issuanceJson = z
  .object({
    issuanceId: z.string(),
    university: z.string(),
    userId: z.string(),
    idempotencyKey: z.string(),
    certificate: z.string(),
    language: z.string(),
    copies: z.number(),
    issuedAt: z.string(),
  })
  .loose()
export type TwinIssuance = z.output<typeof issuanceJson>

const maintenanceJson = z
  .object({
    daily: z.object({ from: z.string(), to: z.string() }).nullable(),
    windows: z.array(z.object({ start: z.string(), end: z.string() })),
    now: z.string(),
    active: z.object({ start: z.string(), end: z.string() }).nullable(),
  })
  .loose()
export type TwinMaintenance = z.output<typeof maintenanceJson>

const faultJson = z
  .object({
    mode: z.enum(REGISTRAR_FAULT_MODES).catch('none'),
    rate: z.number().catch(1),
    remaining: z.number().nullable().catch(null),
    delayMs: z.number().catch(30_000),
    student: z.string().nullable().catch(null),
  })
  .loose()

const clockJson = z.object({ offsetMs: z.number(), now: z.number() }).loose()

const read =
  <S extends z.ZodType>(schema: S) =>
  (v: unknown) => {
    const r = schema.safeParse(v)
    return r.success ? (r.data as z.output<S>) : null
  }

export const registrarTwin = (env: Env) => {
  const api = twinApi('Registrar twin', env.DEV_REGISTRAR_ADMIN_URL, 'DEV_REGISTRAR_ADMIN_URL')
  const student = (university: string, user: string) =>
    `/students/${encodeURIComponent(university)}/${encodeURIComponent(user)}`
  return {
    name: api.name,
    record: (university: string, user: string) =>
      api.typed('GET', student(university, user), read(recordJson)),
    change: (university: string, user: string, change: Record<string, unknown>) =>
      api.typed('PUT', student(university, user), read(recordJson), change),
    addHold: (university: string, user: string, code: string) =>
      api.call('POST', `${student(university, user)}/holds`, { code }),
    removeHold: (university: string, user: string, code: string) =>
      api.call('DELETE', `${student(university, user)}/holds/${encodeURIComponent(code)}`),
    issuances: (limit = 50) =>
      api.typed(
        'GET',
        `/issuances?limit=${limit}`,
        (v) => read(z.object({ issuances: z.array(issuanceJson) }))(v)?.issuances ?? null,
      ),
    maintenance: () => api.typed('GET', '/maintenance', read(maintenanceJson)),
    setMaintenance: (m: {
      daily: { from: string; to: string } | null
      windows: { start: string | number; end: string | number }[]
    }) => api.typed('PUT', '/maintenance', read(maintenanceJson), m),
    fault: () => api.typed('GET', '/fault', read(faultJson)),
    setFault: (f: RegistrarFault) => api.call('PUT', '/fault', f),
    clock: () => api.typed('GET', '/clock', read(clockJson)),
    setClock: (offsetMs: number) =>
      api.typed('PUT', '/clock', read(clockJson), { offsetMs: Math.round(offsetMs) }),
    reset: () => api.call('POST', '/reset'),
  }
}

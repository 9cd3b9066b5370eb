/**
 * The university's registrar system (学務システム), as this service sees it: a student's
 * record, read to check eligibility and to preview a certificate, and the issuance of a
 * certificate, which the registrar records in its own ledger (証明書発行台帳) and answers
 * with the data to print.
 */
import * as z from 'zod'
import {
  CERTIFICATE_TYPES,
  ENROLMENT_STATUSES,
  type CertificateType,
  type RegistrarChangesPage,
  type RegistrarIssuance,
  type RegistrarRecord,
} from '../../domain/registrar'

export type RegistrarFailure =
  /** The nightly maintenance window; `until` is when it says it opens again, if it said. */
  | { ok: false; error: 'maintenance'; until: number | null }
  /** No answer, a timeout or a server error: worth trying again later. */
  | { ok: false; error: 'unavailable'; detail: string }
  /** The registrar has no such student. */
  | { ok: false; error: 'unknownStudent'; detail: string }
  /** It will not issue this certificate to this student (a hold, the status …): final. */
  | { ok: false; error: 'notEligible'; reason: string; detail: string }
  /**
   * Our side is wrong (no key, a refused key, a request it calls malformed): staff must look.
   * `status`: the registrar's HTTP status (401: the key was refused); absent when not called.
   */
  | { ok: false; error: 'misconfigured'; detail: string; status?: number }

export type RegistrarResult<T> = ({ ok: true } & T) | RegistrarFailure

export interface IssueRequest {
  certificate: CertificateType
  language: 'ja' | 'en'
  copies: number
}

export interface Registrar {
  /** Whether the university has a registrar connection (its key) at all. */
  readonly configured: boolean
  /** The student's record as it is now. */
  record(userId: string): Promise<RegistrarResult<{ record: RegistrarRecord }>>
  /**
   * Records the issuance in the registrar's ledger and returns the data to print. The key
   * makes a retry after a lost answer the same issuance (the registrar answers from its
   * ledger); the same key with a different request is refused.
   */
  issue(
    userId: string,
    request: IssueRequest,
    idempotencyKey: string,
  ): Promise<RegistrarResult<{ issuance: RegistrarIssuance }>>
  /** Whether the registrar answers with this key (the operator's connection check). */
  ping(): Promise<RegistrarResult<{ at: number }>>
  /**
   * One page of the students changed at or after `since` (ms), oldest change first. The
   * first page (no cursor) fixes the listing's snapshot (`asOf`); the next pages are asked
   * with the same `since` and `limit` and the cursor the previous page gave.
   */
  changes(query: ChangesQuery): Promise<RegistrarResult<{ page: RegistrarChangesPage }>>
}

export interface ChangesQuery {
  since: number
  /** 1–500 students a page. */
  limit: number
  cursor: string | null
}

export type Fetcher = (request: Request) => Promise<Response>

// ---- Reading the registrar's answers: every field checked, nothing taken on trust ----

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
/** ISO 8601 with an offset, as the registrar writes instants; read as ms. */
const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)
  .transform((s) => Date.parse(s))
  .refine((ms) => Number.isFinite(ms))
const text = z.string().min(1)
const bilingual = z.object({ ja: text, en: text })

const recordJson = z
  .object({
    user_id: text,
    student_number: text,
    status: z.enum(ENROLMENT_STATUSES),
    name: z.object({ kanji: text, kana: text, roman: text }),
    date_of_birth: day,
    faculty: bilingual,
    department: bilingual,
    enrolled_on: day,
    graduation: z.object({ on: day, expected: z.boolean() }).nullable(),
    degree: bilingual.nullable(),
    leave: z.object({ from: day, to: day }).nullable(),
    grades: z.array(
      z.object({
        code: text,
        course: bilingual,
        year: z.number().int(),
        term: z.enum(['spring', 'fall', 'full_year']),
        credits: z.number().int().nonnegative(),
        grade: z.enum(['S', 'A', 'B', 'C', 'F', 'P']),
      }),
    ),
    gpa: z.number().nonnegative().max(4).nullable(),
    credits_earned: z.number().int().nonnegative(),
    health: z
      .object({
        checked_on: day,
        height_cm: z.number().positive(),
        weight_kg: z.number().positive(),
        vision: z.object({ right: text, left: text, corrected: z.boolean() }),
        chest_xray: bilingual,
        overall: bilingual,
      })
      .nullable(),
    holds: z.array(z.object({ code: text, description: bilingual, since: day })),
  })
  .transform((r): RegistrarRecord => ({
    userId: r.user_id,
    studentNumber: r.student_number,
    status: r.status,
    name: r.name,
    dateOfBirth: r.date_of_birth,
    faculty: r.faculty,
    department: r.department,
    enrolledOn: r.enrolled_on,
    graduation: r.graduation,
    degree: r.degree,
    leave: r.leave,
    grades: r.grades,
    gpa: r.gpa,
    creditsEarned: r.credits_earned,
    health: r.health && {
      checkedOn: r.health.checked_on,
      heightCm: r.health.height_cm,
      weightKg: r.health.weight_kg,
      vision: r.health.vision,
      chestXray: r.health.chest_xray,
      overall: r.health.overall,
    },
    holds: r.holds,
  }))

const issuanceJson = z
  .object({
    issuance_id: text,
    certificate: z.enum(CERTIFICATE_TYPES),
    language: z.enum(['ja', 'en']),
    copies: z.number().int().positive(),
    issued_at: instant,
    record: recordJson,
  })
  .transform((i): RegistrarIssuance => ({
    issuanceId: i.issuance_id,
    certificate: i.certificate,
    language: i.language,
    copies: i.copies,
    issuedAt: i.issued_at,
    record: i.record,
  }))

const pingJson = z.object({ at: instant })

const leaving = ['graduated', 'withdrawn', 'expelled']

const changeJson = z
  .object({
    user_id: text,
    status: z.enum(ENROLMENT_STATUSES),
    name: z.object({ kanji: text, kana: text }),
    left_on: day.nullable(),
    changed_at: instant,
  })
  // A leaver has a leaving day and nobody else has one.
  .refine((c) => (c.left_on !== null) === leaving.includes(c.status), {
    message: 'left_on is given for a leaver and only for one',
  })

const changesJson = z
  .object({
    students: z.array(changeJson).max(500),
    next_cursor: z.string().min(1).max(4000).nullable(),
    as_of: instant,
  })
  .transform((p): RegistrarChangesPage => ({
    students: p.students.map((c) => ({
      userId: c.user_id,
      status: c.status,
      name: c.name,
      leftOn: c.left_on,
      changedAt: c.changed_at,
    })),
    nextCursor: p.next_cursor,
    asOf: p.as_of,
  }))

/**
 * Whether a page answers the query as the contract says: no more students than asked,
 * each changed within [since, asOf], in (changed_at, user_id) order without repeats, and a
 * page that says more follow is full.
 */
const pageAnswers = (p: RegistrarChangesPage, q: ChangesQuery) => {
  if (p.students.length > q.limit) return false
  if (p.nextCursor !== null && p.students.length < q.limit) return false
  let prev: { changedAt: number; userId: string } | null = null
  for (const c of p.students) {
    if (c.changedAt < q.since || c.changedAt > p.asOf) return false
    if (
      prev &&
      (c.changedAt < prev.changedAt || (c.changedAt === prev.changedAt && c.userId <= prev.userId))
    )
      return false
    prev = c
  }
  return true
}

type Answer =
  | { kind: 'response'; status: number; json: Record<string, unknown> }
  | { kind: 'timeout' }
  | { kind: 'error'; detail: string }

/**
 * The HTTP client for a university's registrar API (twins/registrar/README.md has the
 * contract). Production gives it the university's endpoint, its key and `fetch`;
 * development and tests give it the twin, which speaks the same API. It never throws:
 * every call answers a RegistrarResult.
 */
export class HttpRegistrar implements Registrar {
  constructor(
    private readonly opts: {
      baseUrl: string
      universityId: string
      /** Empty: every call answers `misconfigured` without calling. */
      apiKey: string
      timeoutMs: number
      fetcher: Fetcher
    },
  ) {}

  get configured() {
    return this.opts.apiKey !== ''
  }

  private path(rest: string) {
    return `/v1/universities/${encodeURIComponent(this.opts.universityId)}${rest}`
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    init: { body?: unknown; idempotencyKey?: string } = {},
  ): Promise<Answer> {
    const headers = new Headers({
      authorization: `Bearer ${this.opts.apiKey}`,
      accept: 'application/json',
    })
    if (init.body !== undefined) headers.set('content-type', 'application/json')
    if (init.idempotencyKey) headers.set('idempotency-key', init.idempotencyKey)
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | null = null
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.opts.timeoutMs)
    })
    try {
      const request = new Request(this.opts.baseUrl.replace(/\/$/, '') + path, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: controller.signal,
      })
      // The body is read inside the race: a registrar that sends headers and then stalls is
      // as unavailable as one that never answers.
      const answer = (async () => {
        const res = await this.opts.fetcher(request)
        const json = (await res.json().catch(() => null)) as unknown
        return { res, json }
      })()
      const r = await Promise.race([answer, timeout])
      if (r === 'timeout') {
        controller.abort()
        answer.catch(() => {})
        return { kind: 'timeout' }
      }
      const json =
        r.json && typeof r.json === 'object' && !Array.isArray(r.json)
          ? (r.json as Record<string, unknown>)
          : {}
      return { kind: 'response', status: r.res.status, json }
    } catch (e) {
      return { kind: 'error', detail: e instanceof Error ? e.message : String(e) }
    } finally {
      if (timer !== null) clearTimeout(timer)
    }
  }

  private failure(r: Answer): RegistrarFailure {
    if (r.kind === 'timeout')
      return {
        ok: false,
        error: 'unavailable',
        detail: `no answer within ${this.opts.timeoutMs} ms`,
      }
    if (r.kind === 'error') return { ok: false, error: 'unavailable', detail: r.detail }
    const code = typeof r.json.error === 'string' ? r.json.error : ''
    const said = typeof r.json.detail === 'string' ? `: ${r.json.detail}` : ''
    const detail = `HTTP ${r.status} ${code}`.trim() + said
    if (r.status === 503 && code === 'maintenance')
      return { ok: false, error: 'maintenance', until: untilOf(r.json.until) }
    if (r.status === 404 && code === 'unknown_student')
      return { ok: false, error: 'unknownStudent', detail }
    if (r.status === 422 && code === 'not_eligible') {
      const reason = typeof r.json.reason === 'string' ? r.json.reason : 'unknown'
      return { ok: false, error: 'notEligible', reason, detail }
    }
    // A refused key, a request it calls malformed, a key reused for another request: ours
    // to fix, and trying again will not help. Timeouts and rate limits are waited out.
    if (r.status >= 400 && r.status < 500 && ![408, 429].includes(r.status))
      return { ok: false, error: 'misconfigured', detail, status: r.status }
    if (r.status >= 200 && r.status < 300)
      return { ok: false, error: 'unavailable', detail: `HTTP ${r.status}: an unreadable answer` }
    return { ok: false, error: 'unavailable', detail }
  }

  private unconfigured(): RegistrarFailure | null {
    return this.opts.apiKey
      ? null
      : {
          ok: false,
          error: 'misconfigured',
          detail: `no registrar API key for university ${this.opts.universityId}`,
        }
  }

  async record(userId: string): Promise<RegistrarResult<{ record: RegistrarRecord }>> {
    const missing = this.unconfigured()
    if (missing) return missing
    const r = await this.call('GET', this.path(`/students/${encodeURIComponent(userId)}`))
    if (r.kind === 'response' && r.status === 200) {
      const record = recordJson.safeParse(r.json)
      if (record.success && record.data.userId === userId) return { ok: true, record: record.data }
    }
    return this.failure(r)
  }

  async issue(
    userId: string,
    request: IssueRequest,
    idempotencyKey: string,
  ): Promise<RegistrarResult<{ issuance: RegistrarIssuance }>> {
    const missing = this.unconfigured()
    if (missing) return missing
    const r = await this.call(
      'POST',
      this.path(`/students/${encodeURIComponent(userId)}/issuances`),
      {
        body: {
          certificate: request.certificate,
          language: request.language,
          copies: request.copies,
        },
        idempotencyKey,
      },
    )
    if (r.kind === 'response' && (r.status === 200 || r.status === 201)) {
      const issuance = issuanceJson.safeParse(r.json)
      // What was issued must be what was asked for, to whom it was asked for.
      if (
        issuance.success &&
        issuance.data.record.userId === userId &&
        issuance.data.certificate === request.certificate &&
        issuance.data.language === request.language &&
        issuance.data.copies === request.copies
      )
        return { ok: true, issuance: issuance.data }
    }
    return this.failure(r)
  }

  async ping(): Promise<RegistrarResult<{ at: number }>> {
    const missing = this.unconfigured()
    if (missing) return missing
    const r = await this.call('GET', this.path('/ping'))
    if (r.kind === 'response' && r.status === 200) {
      const ping = pingJson.safeParse(r.json)
      if (ping.success) return { ok: true, at: ping.data.at }
    }
    return this.failure(r)
  }

  async changes(query: ChangesQuery): Promise<RegistrarResult<{ page: RegistrarChangesPage }>> {
    const missing = this.unconfigured()
    if (missing) return missing
    const params = new URLSearchParams({
      changed_since: isoInstant(query.since),
      limit: String(query.limit),
    })
    if (query.cursor !== null) params.set('cursor', query.cursor)
    const r = await this.call('GET', this.path(`/students?${params}`))
    if (r.kind === 'response' && r.status === 200) {
      const page = changesJson.safeParse(r.json)
      if (page.success && pageAnswers(page.data, query)) return { ok: true, page: page.data }
    }
    return this.failure(r)
  }
}

/** An instant as ISO 8601 (UTC), as the registrar's query parameters take it. */
const isoInstant = (ms: number) => new Date(ms).toISOString()

/** When maintenance ends, as the answer's `until` says (null if it did not say readably). */
const untilOf = (until: unknown): number | null => {
  const at = typeof until === 'string' ? instant.safeParse(until) : null
  return at?.success ? at.data : null
}

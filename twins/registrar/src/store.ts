import { z } from 'zod'
import { answered, storedRecord, type Certificate, type Hold, type StoredRecord } from './record'
import {
  academicYear,
  academicYearStart,
  jstIso,
  maintenanceSchema,
  maintenanceVar,
  refusal,
  type Maintenance,
} from './rules'
import { SEEDED_AT, seededRecord, seededStudents } from './seed'

/** 学割証 a student may have issued in one academic year, unless the university says otherwise. */
export const DEFAULT_STUDENT_DISCOUNT_PER_YEAR = 10

const universitySchema = z.object({
  id: z.string().min(1),
  /** The API key the university's service calls with (Authorization: Bearer). */
  key: z.string().min(8),
  studentDiscountPerYear: z.number().int().min(0).default(DEFAULT_STUDENT_DISCOUNT_PER_YEAR),
})
export type University = z.infer<typeof universitySchema>

/** The UNIVERSITIES var: a JSON string in wrangler.toml, or already an array in tests. */
export const parseUniversities = (raw: unknown): University[] =>
  z.array(universitySchema).parse(typeof raw === 'string' ? JSON.parse(raw) : (raw ?? []))

/**
 * What the twin is told to do wrong: `fail` answers 500, `timeout` answers nothing for
 * `delayMs` then 504, `slow` answers rightly after `delayMs`, `lose-response` records an
 * issuance and then times out as if the answer were lost (what idempotency keys are for).
 * Each call with probability `rate`, for the next `remaining` calls (null: until switched
 * off), for one student ("university:user") or (null) every call.
 */
export const faultSchema = z.object({
  mode: z.enum(['none', 'fail', 'timeout', 'slow', 'lose-response']).default('none'),
  rate: z.number().min(0).max(1).default(1),
  // The first `skip` calls it would hit pass untouched (a fault on the second page of a list).
  skip: z.number().int().min(0).max(10_000).default(0),
  remaining: z.number().int().positive().nullable().default(null),
  delayMs: z.number().int().min(0).max(600_000).default(30_000),
  student: z
    .string()
    .regex(/^[^:]+:.+$/, 'university:user')
    .nullable()
    .default(null),
})
export type Fault = z.infer<typeof faultSchema>
export const NO_FAULT: Fault = faultSchema.parse({})

export interface IssueBody {
  certificate: Certificate
  language: 'ja' | 'en'
  copies: number
}

/** What an issuance call answers: an HTTP status and its JSON body. */
export type Outcome = { status: 200 | 201 | 404 | 409 | 422; body: Record<string, unknown> }

type IssuanceRow = {
  issuanceId: string
  university: string
  userId: string
  idempotencyKey: string
  certificate: string
  language: string
  copies: number
  issuedAt: number
  answer: string
}

/**
 * The twin's storage. Students are the seed (computed, never stored) unless the admin API
 * changed one: then the whole changed record is stored and wins. The ledger (証明書発行台帳)
 * keeps every issuance with the answer it was given, one per idempotency key per
 * university. Settings: fault, clock, maintenance.
 */
export class Store {
  private readonly sql: SqlStorage

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: Env,
  ) {
    this.sql = storage.sql
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS students (university TEXT NOT NULL, userId TEXT NOT NULL,
        record TEXT NOT NULL, updatedAt INTEGER NOT NULL, PRIMARY KEY (university, userId));
      CREATE TABLE IF NOT EXISTS issuances (issuanceId TEXT PRIMARY KEY,
        university TEXT NOT NULL, userId TEXT NOT NULL, idempotencyKey TEXT NOT NULL,
        certificate TEXT NOT NULL, language TEXT NOT NULL, copies INTEGER NOT NULL,
        issuedAt INTEGER NOT NULL, answer TEXT NOT NULL, UNIQUE (university, idempotencyKey));
      CREATE INDEX IF NOT EXISTS issuances_student ON issuances (university, userId, certificate);
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`)
  }

  private setting<T>(key: string, fallback: T): T {
    const row = this.sql.exec<{ value: string }>('SELECT value FROM settings WHERE key = ?', key)
    return row.toArray().map((r) => JSON.parse(r.value) as T)[0] ?? fallback
  }

  private save(key: string, value: unknown) {
    this.sql.exec(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
      key,
      JSON.stringify(value),
    )
  }

  // The twin's own clock, so a test can reach a maintenance window or a new academic year.
  clockOffset = () => this.setting('clock', 0)
  setClockOffset = (offsetMs: number) => this.save('clock', Math.round(offsetMs))
  now = () => Date.now() + this.clockOffset()

  fault = (): Fault => this.setting('fault', NO_FAULT)
  setFault = (fault: Fault) => this.save('fault', fault)

  /** The fault for this call, if any, counted down. `student` null: a call about no student. */
  takeFault(student: string | null): Fault | null {
    const fault = this.fault()
    if (fault.mode === 'none' || (fault.student !== null && fault.student !== student)) return null
    if (fault.skip > 0) {
      this.setFault({ ...fault, skip: fault.skip - 1 })
      return null
    }
    if (Math.random() >= fault.rate) return null
    if (fault.remaining !== null) {
      const remaining = fault.remaining - 1
      this.setFault(remaining <= 0 ? NO_FAULT : { ...fault, remaining })
    }
    return fault
  }

  /** As set through the admin API, else MAINTENANCE_WINDOW (default 01:00–01:30 JST daily). */
  maintenance = (): Maintenance =>
    maintenanceSchema.parse(
      this.setting<unknown>('maintenance', null) ?? maintenanceVar(this.env.MAINTENANCE_WINDOW),
    )
  /** `input` is the admin API's body as given (checked against maintenanceSchema first). */
  setMaintenance = (input: unknown) => this.save('maintenance', input)

  /** As configured (UNIVERSITIES), with any key the admin API has changed since. */
  universities = () => {
    const keys = this.setting<Record<string, string>>('keys', {})
    return parseUniversities(this.env.UNIVERSITIES).map((u) => ({ ...u, key: keys[u.id] ?? u.key }))
  }
  university = (id: string) => this.universities().find((u) => u.id === id) ?? null
  /** The university's IT changes its key: calls with the old one are refused from now on. */
  setKey = (id: string, key: string) =>
    this.save('keys', { ...this.setting<Record<string, string>>('keys', {}), [id]: key })

  /** The student's record as the registrar holds it now, or null if it has none. */
  stored(university: string, userId: string): StoredRecord | null {
    const row = this.sql
      .exec<{ record: string }>(
        'SELECT record FROM students WHERE university = ? AND userId = ?',
        university,
        userId,
      )
      .toArray()[0]
    return row ? storedRecord.parse(JSON.parse(row.record)) : seededRecord(university, userId)
  }

  record(university: string, userId: string) {
    const r = this.stored(university, userId)
    return r ? answered(userId, r) : null
  }

  /** The registrar's staff change a record (a full record, checked by the caller). */
  put(university: string, userId: string, record: StoredRecord) {
    this.sql.exec(
      `INSERT INTO students (university, userId, record, updatedAt) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET record = excluded.record, updatedAt = excluded.updatedAt`,
      university,
      userId,
      JSON.stringify(record),
      this.now(),
    )
    return answered(userId, record)
  }

  addHold(university: string, userId: string, hold: Hold) {
    const r = this.stored(university, userId)
    if (!r) return null
    const holds = [...r.holds.filter((h) => h.code !== hold.code), hold]
    return this.put(university, userId, { ...r, holds })
  }

  removeHold(university: string, userId: string, code: string) {
    const r = this.stored(university, userId)
    if (!r) return null
    return this.put(university, userId, { ...r, holds: r.holds.filter((h) => h.code !== code) })
  }

  /** Every student the registrar has: the seed and those the admin API added or changed. */
  students(filter: { university?: string; status?: string; limit: number; offset: number }) {
    const changed = new Map(
      this.sql
        .exec<{ university: string; userId: string; updatedAt: number }>(
          'SELECT university, userId, updatedAt FROM students',
        )
        .toArray()
        .map((r) => [`${r.university}:${r.userId}`, r.updatedAt]),
    )
    const keys = new Set([...seededStudents().map(([u, s]) => `${u}:${s}`), ...changed.keys()])
    const rows = [...keys]
      .map((k) => {
        const [university, userId] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)]
        const r = this.stored(university, userId)!
        return {
          university,
          userId,
          studentNumber: r.student_number,
          status: r.status,
          name: r.name,
          holds: r.holds.map((h) => h.code),
          changedAt: changed.get(k) ?? null,
        }
      })
      .filter(
        (s) =>
          (!filter.university || s.university === filter.university) &&
          (!filter.status || s.status === filter.status),
      )
    return {
      total: rows.length,
      students: rows.slice(filter.offset, filter.offset + filter.limit),
    }
  }

  /**
   * When each of the university's students last changed (a seeded record unchanged since:
   * SEEDED_AT), for the list of changes: every student, as { userId, changedAt }.
   */
  changeTimes(university: string): { userId: string; changedAt: number }[] {
    const changed = new Map(
      this.sql
        .exec<{ userId: string; updatedAt: number }>(
          'SELECT userId, updatedAt FROM students WHERE university = ?',
          university,
        )
        .toArray()
        .map((r) => [r.userId, r.updatedAt]),
    )
    const seeded = seededStudents()
      .filter(([u, user]) => u === university && !changed.has(user))
      .map(([, userId]) => ({ userId, changedAt: SEEDED_AT }))
    return [...seeded, ...[...changed].map(([userId, changedAt]) => ({ userId, changedAt }))]
  }

  /** 学割証 copies issued to the student in the academic year `at` falls in. */
  private discountCopies(university: string, userId: string, at: number) {
    const year = academicYear(at)
    return this.sql
      .exec<{ n: number }>(
        `SELECT COALESCE(SUM(copies), 0) AS n FROM issuances
         WHERE university = ? AND userId = ? AND certificate = 'student_discount'
           AND issuedAt >= ? AND issuedAt < ?`,
        ...[university, userId, academicYearStart(year), academicYearStart(year + 1)],
      )
      .one().n
  }

  /**
   * An issuance: refused (unknown student, not eligible) or recorded in the ledger with the
   * record as of now, the answer kept. A key seen before answers from the ledger, the same
   * answer even if the record has changed since; the same key for another request is refused.
   */
  issue(university: string, userId: string, body: IssueBody, key: string): Outcome {
    return this.storage.transactionSync((): Outcome => {
      const done = this.sql
        .exec<IssuanceRow>(
          'SELECT * FROM issuances WHERE university = ? AND idempotencyKey = ?',
          university,
          key,
        )
        .toArray()[0]
      if (done) {
        const same =
          done.userId === userId &&
          done.certificate === body.certificate &&
          done.language === body.language &&
          done.copies === body.copies
        if (!same) return { status: 409, body: { error: 'idempotency_key_reused' } }
        return { status: 200, body: JSON.parse(done.answer) as Record<string, unknown> }
      }
      const record = this.stored(university, userId)
      if (!record) return { status: 404, body: { error: 'unknown_student' } }
      const refused = refusal(record, body.certificate)
      if (refused) return { status: 422, body: { error: 'not_eligible', ...refused } }
      const now = this.now()
      if (body.certificate === 'student_discount') {
        const limit = this.university(university)?.studentDiscountPerYear ?? 0
        const used = this.discountCopies(university, userId, now)
        if (used + body.copies > limit)
          return {
            status: 422,
            body: {
              error: 'not_eligible',
              reason: 'yearly_limit',
              detail: `student_discount: ${used} of ${limit} issued in academic year ${academicYear(now)}; ${body.copies} more would pass the limit`,
            },
          }
      }
      const issuanceId = `iss_${crypto.randomUUID().replaceAll('-', '')}`
      const answer = {
        issuance_id: issuanceId,
        certificate: body.certificate,
        language: body.language,
        copies: body.copies,
        issued_at: jstIso(now),
        record: answered(userId, record),
      }
      this.sql.exec(
        `INSERT INTO issuances (issuanceId, university, userId, idempotencyKey, certificate,
           language, copies, issuedAt, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ...[issuanceId, university, userId, key, body.certificate, body.language, body.copies],
        ...[now, JSON.stringify(answer)],
      )
      return { status: 201, body: answer }
    })
  }

  /** The ledger, newest first, optionally one university's or one student's. */
  issuances(filter: { university?: string; userId?: string; limit: number }) {
    const where: string[] = []
    const args: (string | number)[] = []
    if (filter.university) {
      where.push('university = ?')
      args.push(filter.university)
    }
    if (filter.userId) {
      where.push('userId = ?')
      args.push(filter.userId)
    }
    return this.sql
      .exec<IssuanceRow>(
        `SELECT * FROM issuances ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY issuedAt DESC, rowid DESC LIMIT ?`,
        ...args,
        filter.limit,
      )
      .toArray()
      .map((r) => ({
        issuanceId: r.issuanceId,
        university: r.university,
        userId: r.userId,
        idempotencyKey: r.idempotencyKey,
        certificate: r.certificate,
        language: r.language,
        copies: r.copies,
        issuedAt: jstIso(r.issuedAt),
      }))
  }

  /** Back to the seed: changed records, the ledger, faults and maintenance changes gone. */
  reset() {
    this.sql.exec(
      "DELETE FROM students; DELETE FROM issuances; DELETE FROM settings WHERE key <> 'clock';",
    )
  }
}

import { and, eq, isNull, or, sql } from 'drizzle-orm'
import type { MicFailure } from '../adapters/mic'
import type { PaymentProvider } from '../adapters/payments'
import type { Student } from '../context'
import type { Db } from '../db'
import { applications, students, universities } from '../db/schema'
import { chargeProblem, type ChargeProblem, type ChargeRoom } from '../domain/charge'
import {
  hasDeadline,
  IMMEDIATE_PAYMENT_WINDOW_MS,
  type PaymentMethod,
} from '../domain/paymentMethods'
import { universityFromRow, type University } from '../domain/university'
import { translator, type Lang } from '../i18n'
import type { Services } from '../services'
import { paymentDeadlineMail } from './mails'

export type Application = typeof applications.$inferSelect

export const loadUniversity = async (db: Db, id: string): Promise<University> => {
  const row = await db.select().from(universities).where(eq(universities.id, id)).get()
  if (!row) throw new Error(`unknown university ${id}`)
  return universityFromRow(row)
}

export type BalanceReading =
  | { known: true; balance: number; asOf: number; live: boolean; failure: MicFailure | null }
  | { known: false; failure: MicFailure }

/**
 * 現在の残高: read from M.I.C. and remembered; when M.I.C. cannot answer (a stop window,
 * a fault), the last balance it gave, with its time.
 */
export const readBalance = async (
  s: Pick<Services, 'db' | 'mic'>,
  student: Student,
): Promise<BalanceReading> => {
  const r = await s.mic.balance({ universityId: student.universityId, userId: student.userId })
  if (r.ok) {
    await s.db
      .update(students)
      .set({ micBalance: r.balance, micBalanceAt: r.asOf })
      .where(eq(students.id, student.id))
    return { known: true, balance: r.balance, asOf: r.asOf, live: true, failure: null }
  }
  const last = await s.db
    .select({ balance: students.micBalance, at: students.micBalanceAt })
    .from(students)
    .where(eq(students.id, student.id))
    .get()
  if (last?.balance != null && last.at != null)
    return { known: true, balance: last.balance, asOf: last.at, live: false, failure: r }
  return { known: false, failure: r }
}

/** Charges applied for and not yet on the card: they count against the cap. */
export const outstandingAmount = async (db: Db, studentId: number): Promise<number> => {
  const row = await db
    .select({ total: sql<number>`coalesce(sum(${applications.amount}), 0)` })
    .from(applications)
    .where(
      and(
        eq(applications.studentId, studentId),
        or(
          eq(applications.status, 'awaiting_payment'),
          and(eq(applications.status, 'paid'), sql`${applications.creditStatus} != 'credited'`),
        ),
      ),
    )
    .get()
  return row?.total ?? 0
}

export const chargeRoom = async (s: Pick<Services, 'db' | 'mic'>, student: Student) => {
  const reading = await readBalance(s, student)
  const outstanding = await outstandingAmount(s.db, student.id)
  return {
    reading,
    room: reading.known ? ({ balance: reading.balance, outstanding } satisfies ChargeRoom) : null,
  }
}

export interface ChargeRequest {
  universityId: string
  studentId: number
  amount: number
  method: PaymentMethod
  /** The 申請 form's key: the same key always means the same application. */
  requestKey: string
  lang: Lang
  provider: string
  /** Pay-easy only: the telephone number the gateway asks for. */
  contactPhone: string | null
}

export type ApplyOutcome =
  | { ok: true; application: Application; created: boolean }
  | {
      ok: false
      problem: ChargeProblem | { code: 'balanceUnknown' } | { code: 'methodUnavailable' }
    }

/**
 * Records an application after the cap check. Must run inside the student's StudentDesk,
 * which runs one at a time everything that touches the student's balance: two
 * applications can then never both fit under the cap that only one fits under.
 */
export const applyForCharge = async (s: Services, req: ChargeRequest): Promise<ApplyOutcome> => {
  const existing = await s.db
    .select()
    .from(applications)
    .where(
      and(eq(applications.studentId, req.studentId), eq(applications.requestKey, req.requestKey)),
    )
    .get()
  if (existing) return { ok: true, application: existing, created: false }
  const u = await loadUniversity(s.db, req.universityId)
  if (!u.paymentMethods.includes(req.method))
    return { ok: false, problem: { code: 'methodUnavailable' } }
  const student = await s.db
    .select()
    .from(students)
    .where(and(eq(students.id, req.studentId), eq(students.universityId, req.universityId)))
    .get()
  if (!student) throw new Error(`unknown student ${req.studentId}`)
  const { room } = await chargeRoom(s, student)
  if (!room) return { ok: false, problem: { code: 'balanceUnknown' } }
  const problem = chargeProblem(req.amount, u, room)
  if (problem) return { ok: false, problem }
  const now = s.clock()
  const deadline = hasDeadline(req.method)
    ? now + u.paymentDeadlineDays * 24 * 60 * 60_000
    : now + IMMEDIATE_PAYMENT_WINDOW_MS
  const application = await s.db
    .insert(applications)
    .values({
      universityId: req.universityId,
      studentId: req.studentId,
      amount: req.amount,
      paymentMethod: req.method,
      requestKey: req.requestKey,
      lang: req.lang,
      provider: req.provider,
      contactPhone: req.contactPhone,
      paymentDeadline: deadline,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get()
  return { ok: true, application, created: true }
}

/**
 * Opens the application's payment at the gateway, once: asking again (a double submit, a
 * retry after the gateway did not answer) finds the same payment, because the gateway
 * deduplicates by a key derived from the application. A hosted page is a link to follow;
 * a コンビニ / Pay-easy payment comes back with its numbers, which are kept and mailed.
 */
export const startPayment = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  provider: PaymentProvider,
  u: University,
  student: Student,
  a: Application,
  origin: string,
): Promise<Application> => {
  if (a.paymentUrl || a.paymentDetails) return a
  const opened = await provider.openPayment({
    applicationId: a.id,
    amount: a.amount,
    method: a.paymentMethod,
    deadline: a.paymentDeadline,
    returnUrl: `${origin}/applications/${a.id}/return`,
    email: student.email ?? '',
    lang: a.lang,
    nameKana: student.nameKana,
    phone: a.contactPhone,
    now: s.clock(),
  })
  const values: Partial<Application> =
    opened.kind === 'hosted'
      ? { providerSessionId: opened.sessionId, paymentUrl: opened.redirectUrl }
      : {
          providerPaymentId: opened.paymentId,
          paymentDetails: JSON.stringify(opened.store),
          paymentNumber:
            opened.store.kind === 'konbini' ? opened.store.receipt : opened.store.customerId,
          paymentDeadline: opened.deadline,
        }
  const updated = await s.db
    .update(applications)
    .set({ ...values, updatedAt: s.clock() })
    .where(eq(applications.id, a.id))
    .returning()
    .get()
  if (hasDeadline(a.paymentMethod) && student.email && (await claimMail(s, a.id, 'deadlineMailAt')))
    await s.mailer.send(
      paymentDeadlineMail(translator(a.lang), u, student.email, student.nameKana, updated),
    )
  return updated
}

/**
 * Marks one of an application's mails as sent; true for exactly one caller, however many
 * deliveries or retries race to send it.
 */
export const claimMail = async (
  s: Pick<Services, 'db' | 'clock'>,
  id: number,
  mark: 'deadlineMailAt' | 'errorMailAt' | 'completionMailAt',
) => {
  const claimed = await s.db
    .update(applications)
    .set({ [mark]: s.clock() })
    .where(and(eq(applications.id, id), isNull(applications[mark])))
    .returning({ id: applications.id })
    .get()
  return claimed !== undefined
}

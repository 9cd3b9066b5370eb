import { and, eq } from 'drizzle-orm'
import { applications, directoryPeople, students } from '../../db/schema'
import { chargeProblem, type ChargeProblem } from '../../domain/charge'
import { paymentDeadlineOf, type PaymentMethod } from '../../domain/paymentMethods'
import { studentMay } from '../../domain/roster'
import type { Lang } from '../../i18n'
import type { Services } from '../../services'
import { applicationByRequest, chargeRoom, loadUniversity, type Application } from '../charge'

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
      problem:
        | ChargeProblem
        | { code: 'balanceUnknown' }
        | { code: 'methodUnavailable' }
        /** The student's status does not allow charging (卒業, 退学, 除籍). */
        | { code: 'notAllowed' }
    }

/**
 * Records an application after the cap check. Must run inside the student's StudentDesk,
 * which runs one at a time everything that touches the student's balance: two
 * applications can then never both fit under the cap that only one fits under.
 *
 * The student's status is checked here too, not only by the pages: whatever reaches the
 * desk, a 卒業 / 退学 / 除籍 student's new application is refused (domain/roster.ts). An
 * application made before the status changed stays what it was (its payment is credited).
 */
export const applyForCharge = async (s: Services, req: ChargeRequest): Promise<ApplyOutcome> => {
  const existing = await applicationByRequest(s.db, req.studentId, req.requestKey)
  if (existing) return { ok: true, application: existing, created: false }
  const u = await loadUniversity(s.db, req.universityId)
  if (!u.paymentMethods.includes(req.method))
    return { ok: false, problem: { code: 'methodUnavailable' } }
  const row = await s.db
    .select({ student: students, status: directoryPeople.status })
    .from(students)
    .leftJoin(
      directoryPeople,
      and(
        eq(directoryPeople.universityId, students.universityId),
        eq(directoryPeople.userId, students.userId),
      ),
    )
    .where(and(eq(students.id, req.studentId), eq(students.universityId, req.universityId)))
    .get()
  if (!row) throw new Error(`unknown student ${req.studentId}`)
  // No longer in the directory: as a leaver (middleware/session.ts reads it the same way).
  if (!studentMay(row.status ?? 'withdrawn', 'charge'))
    return { ok: false, problem: { code: 'notAllowed' } }
  const { student } = row
  const { room } = await chargeRoom(s, student)
  if (!room) return { ok: false, problem: { code: 'balanceUnknown' } }
  const problem = chargeProblem(req.amount, u, room)
  if (problem) return { ok: false, problem }
  const now = s.clock()
  const deadline = paymentDeadlineOf(req.method, u.paymentDeadlineDays, now)
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

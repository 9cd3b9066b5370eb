import { and, eq, inArray, lte, sql } from 'drizzle-orm'
import { applications, students } from '../db/schema'
import { creditRetryDelayMs, type CreditStatus } from '../domain/application'
import { blackoutAt, linkOpensAt } from '../domain/blackout'
import { hasDeadline, PAYMENT_METHODS } from '../domain/paymentMethods'
import type { University } from '../domain/university'
import { deskFor } from '../durable/studentDesk'
import { translator } from '../i18n'
import type { Services } from '../services'
import { claimMail, loadUniversity, type Application } from './charge'
import { creditErrorMail } from './mails'

/** The key M.I.C. deduplicates a credit by: one per application, forever. */
export const creditKey = (a: Pick<Application, 'universityId' | 'id'>) =>
  `${a.universityId}:application:${a.id}`

/**
 * Credits one paid application to M.I.C., or records why not yet. Must run inside the
 * student's StudentDesk, so no two credits of one student are in flight at once. Safe to
 * repeat: M.I.C. applies a key once, a credit already recorded is left alone, and one
 * waiting for its backoff is not tried early.
 */
export const creditApplication = async (s: Services, id: number): Promise<CreditStatus | null> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a) return null
  if (
    a.status !== 'paid' ||
    a.creditStatus === 'credited' ||
    a.creditStatus === 'failed' ||
    a.creditStatus === 'none'
  )
    return a.creditStatus
  const now = s.clock()
  // A credit waiting for its retry or for a stop window to end waits its time, whoever
  // asks (a duplicate webhook, a student's return): the cron takes it when it is due.
  if (
    (a.creditStatus === 'retrying' || a.creditStatus === 'deferred') &&
    a.nextCreditAt !== null &&
    a.nextCreditAt > now
  )
    return a.creditStatus
  const u = await loadUniversity(s.db, a.universityId)
  const set = (values: Partial<Application>) =>
    s.db
      .update(applications)
      .set({ ...values, updatedAt: s.clock() })
      .where(eq(applications.id, a.id))
  if (blackoutAt(now, u.fiscalYearEndBlackouts)) {
    await set({
      creditStatus: 'deferred',
      nextCreditAt: linkOpensAt(now, u.fiscalYearEndBlackouts),
    })
    return 'deferred'
  }
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  if (!student) throw new Error(`application ${a.id} has no student`)
  const r = await s.mic.credit(
    { universityId: a.universityId, userId: student.userId },
    a.amount,
    creditKey(a),
  )
  if (r.ok) {
    await set({
      creditStatus: 'credited',
      creditedAt: s.clock(),
      micCreditId: r.creditId,
      creditError: null,
      nextCreditAt: null,
    })
    await s.db
      .update(students)
      .set({ micBalance: r.balance, micBalanceAt: s.clock() })
      .where(eq(students.id, student.id))
    return 'credited'
  }
  if (r.error === 'blackout') {
    const opens = linkOpensAt(Math.max(r.until ?? now + 60_000, now), u.fiscalYearEndBlackouts)
    await set({ creditStatus: 'deferred', nextCreditAt: opens })
    return 'deferred'
  }
  const attempts = a.creditAttempts + 1
  const status = r.error === 'rejected' ? 'failed' : 'retrying'
  console.error('M.I.C. credit failed', { application: a.id, attempts, status, detail: r.detail })
  await set({
    creditStatus: status,
    creditAttempts: attempts,
    creditError: r.detail.slice(0, 500),
    nextCreditAt:
      status === 'retrying'
        ? linkOpensAt(now + creditRetryDelayMs(attempts), u.fiscalYearEndBlackouts)
        : null,
  })
  await sendCreditErrorMailOnce(s, a, student.email, u)
  return status
}

const sendCreditErrorMailOnce = async (
  s: Services,
  a: Application,
  email: string | null,
  u: University,
) => {
  if (email && (await claimMail(s, a.id, 'errorMailAt')))
    await s.mailer.send(creditErrorMail(translator(a.lang), u, email, a))
}

/** Paid applications whose credit is due: waiting for a window, a retry, or left pending. */
export const dueCredits = (s: Pick<Services, 'db'>, now: number, limit: number) =>
  s.db
    .select({
      id: applications.id,
      universityId: applications.universityId,
      studentId: applications.studentId,
    })
    .from(applications)
    .where(
      and(
        inArray(applications.creditStatus, ['pending', 'deferred', 'retrying']),
        lte(applications.nextCreditAt, now),
        eq(applications.status, 'paid'),
      ),
    )
    .orderBy(applications.nextCreditAt)
    .limit(limit)
    .all()

/**
 * Cron: asks each due application's StudentDesk to credit it. Students run in parallel
 * (a few at a time); one student's credits run one after another in the desk anyway.
 */
export const creditDueApplications = async (
  s: Services,
  now: number,
  opts = { limit: 500, parallel: 8 },
) => {
  const due = await dueCredits(s, now, opts.limit)
  const byStudent = new Map<string, typeof due>()
  for (const d of due) {
    const key = `${d.universityId}/${d.studentId}`
    const group = byStudent.get(key)
    if (group) group.push(d)
    else byStudent.set(key, [d])
  }
  const groups = [...byStudent.values()]
  let credited = 0
  const worker = async () => {
    for (let group = groups.shift(); group; group = groups.shift()) {
      for (const d of group) {
        const status = await deskFor(s.desks, d.universityId, d.studentId).credit(d.id)
        if (status === 'credited') credited++
      }
    }
  }
  await Promise.all(Array.from({ length: opts.parallel }, worker))
  return { due: due.length, credited }
}

const DEADLINE_METHODS = PAYMENT_METHODS.filter(hasDeadline)

/**
 * Cron: applications still awaiting payment past their deadline become 未払い (コンビニ,
 * Pay-easy) or キャンセル (a provider page left unpaid), releasing their share of the cap.
 * A payment that still arrives later wins (see nextPaymentStatus).
 */
export const expireOverdueApplications = async (s: Pick<Services, 'db'>, now: number) => {
  const rows = await s.db
    .update(applications)
    .set({
      status: sql`case when ${inArray(applications.paymentMethod, DEADLINE_METHODS)} then 'unpaid' else 'cancelled' end`,
      paymentOutcome: 'expired',
      updatedAt: now,
    })
    .where(and(eq(applications.status, 'awaiting_payment'), lte(applications.paymentDeadline, now)))
    .returning({ id: applications.id })
  return rows.length
}

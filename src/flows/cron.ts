import { and, eq, inArray, lte } from 'drizzle-orm'
import { applications } from '../db/schema'
import { CREDIT_IN_PROGRESS } from '../domain/application'
import { deskFor } from './desks'
import type { Services } from '../services'
import { alertNeedsPerson } from './staff/alerts'

/** Paid applications whose credit is due: a window ended, a retry, room to check, left pending. */
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
        inArray(applications.creditStatus, [...CREDIT_IN_PROGRESS]),
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
  // Then what still needs a person after 30 minutes is mailed to staff, once each: after
  // crediting, so a held credit that fitted in this pass is not alerted.
  const alerts = await alertNeedsPerson(s, now)
  return { due: due.length, credited, alerted: alerts.sent }
}

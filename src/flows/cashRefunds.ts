import { desc, eq } from 'drizzle-orm'
import type { Db } from '../db'
import { cashRefunds, students, universityHosts } from '../db/schema'
import { translator } from '../i18n'
import type { Services } from '../services'
import { loadUniversity, type Application } from './charge'
import { cashRefundAccountMail, refundApprovedMail, refundCompletedMail } from './mails'

/**
 * A page of the student side as a full URL for a mail, on the university's own host name
 * (the first one it is served on). The page is behind the student's login: the mail
 * carries no token, and the bank account is only ever typed there.
 */
export const studentPageUrl = async (
  s: Pick<Services, 'db'>,
  universityId: string,
  path: string,
) => {
  const host = await s.db
    .select({ hostname: universityHosts.hostname })
    .from(universityHosts)
    .where(eq(universityHosts.universityId, universityId))
    .orderBy(universityHosts.hostname)
    .get()
  return `https://${host?.hostname ?? 'localhost'}${path}`
}

/** The application's latest refund request to a bank account (KOMOJU's refund request), if any. */
export const latestCashRefund = (s: Pick<Services, 'db'>, applicationId: number) =>
  latestCashRefundRead(s.db, applicationId).get()

/** The latest request's read, for a batch of the caller's (申請情報 詳細). */
export const latestCashRefundRead = (db: Db, applicationId: number) =>
  db
    .select()
    .from(cashRefunds)
    .where(eq(cashRefunds.applicationId, applicationId))
    .orderBy(desc(cashRefunds.id))
    .limit(1)

/**
 * Staff approved the refund of a コンビニ / Pay-easy payment: KOMOJU needs the student's
 * bank account for it, which staff never see or type. The student is mailed the link to the
 * page where they give it (after logging in); nothing moves until they do. False when the
 * student has no address to mail.
 */
export const askForBankAccount = async (
  s: Pick<Services, 'db' | 'mailer'>,
  a: Application,
): Promise<boolean> => {
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  if (!student?.email) return false
  const u = await loadUniversity(s.db, a.universityId)
  const url = await studentPageUrl(s, a.universityId, `/applications/${a.id}/refund-account`)
  await s.mailer.send(cashRefundAccountMail(translator(a.lang), u, student.email, a, url))
  return true
}

/**
 * Tells the student about their refund, in the language they applied in: `refund-approved`
 * (asked of KOMOJU, not done yet) or `refund-completed` (KOMOJU gave the money back). The
 * callers send each once: the claimant of a staff decision (flows/staff/actions.ts), and
 * whoever moves the application from paid to 返金済み on KOMOJU's answer (a compare-and-set,
 * flows/desk/gateway.ts). False when the student has no address or the mail failed.
 */
export const mailRefund = async (
  s: Pick<Services, 'db' | 'mailer'>,
  a: Application,
  kind: 'refund-approved' | 'refund-completed',
): Promise<boolean> => {
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  if (!student?.email) return false
  const u = await loadUniversity(s.db, a.universityId)
  const build = kind === 'refund-approved' ? refundApprovedMail : refundCompletedMail
  return s.mailer.send(build(translator(a.lang), u, student.email, student.nameKana, a))
}

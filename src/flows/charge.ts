import { and, eq, gt, isNull, lt, ne, notInArray, or, sql, type SQL } from 'drizzle-orm'
import type { MicFailure } from '../adapters/mic'
import type { PaymentProvider } from '../adapters/payments'
import type { Student } from '../context'
import type { Db } from '../db'
import { applications, students, universities } from '../db/schema'
import { CAP_COUNTED } from '../domain/application'
import type { ChargeRoom } from '../domain/charge'
import { hasDeadline } from '../domain/paymentMethods'
import { universityFromRow, type University } from '../domain/university'
import { translator } from '../i18n'
import type { Services } from '../services'
import { paymentDeadlineMail } from './mails'

import type { Application } from '../db/schema'

export type { Application }

export const loadUniversity = async (db: Db, id: string): Promise<University> => {
  const row = await db.select().from(universities).where(eq(universities.id, id)).get()
  if (!row) throw new Error(`unknown university ${id}`)
  return universityFromRow(row)
}

export type BalanceReading =
  | { known: true; balance: number; asOf: number; live: boolean; failure: MicFailure | null }
  | { known: false; failure: MicFailure }

/** The application a student's 申請 form key made, if any: the same key, the same application. */
export const applicationByRequest = (db: Db, studentId: number, requestKey: string) =>
  db
    .select()
    .from(applications)
    .where(and(eq(applications.studentId, studentId), eq(applications.requestKey, requestKey)))
    .get()

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
    await rememberBalance(s.db, student.id, r.balance, r.asOf)
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

/**
 * Remembers a balance M.I.C. reported at `asOf`, unless a newer reading is remembered
 * already: an old answer (a replayed credit's, a slow page's) never overwrites a new one.
 */
export const rememberBalance = (db: Db, studentId: number, balance: number, asOf: number) =>
  db
    .update(students)
    .set({ micBalance: balance, micBalanceAt: asOf })
    .where(
      and(
        eq(students.id, studentId),
        or(isNull(students.micBalanceAt), lt(students.micBalanceAt, asOf)),
      ),
    )

/** countsTowardCap (domain/application.ts), as SQL: the one rule, in the database's words. */
export const capCounted = () =>
  and(
    eq(applications.kind, 'mic_charge'),
    or(
      eq(applications.status, CAP_COUNTED.awaiting),
      and(
        eq(applications.status, CAP_COUNTED.paid),
        notInArray(applications.creditStatus, [...CAP_COUNTED.settled]),
      ),
    ),
  )

/** The yen of the applications `where` picks. */
export const sumOfAmounts = async (db: Db, where: SQL | undefined): Promise<number> => {
  const row = await db
    .select({ total: sql<number>`coalesce(sum(${applications.amount}), 0)` })
    .from(applications)
    .where(where)
    .get()
  return row?.total ?? 0
}

/** Charges applied for and not yet on the card: they count against the cap. */
export const outstandingAmount = (db: Db, studentId: number) =>
  sumOfAmounts(db, and(eq(applications.studentId, studentId), capCounted()))

/** Credited to the card after `since`: not in a balance M.I.C. reported at `since`. */
const creditedSince = (db: Db, studentId: number, since: number) =>
  sumOfAmounts(
    db,
    and(
      eq(applications.studentId, studentId),
      eq(applications.kind, 'mic_charge'),
      eq(applications.creditStatus, 'credited'),
      gt(applications.creditedAt, since),
    ),
  )

/**
 * The student's room under the cap, to decide whether an application may be made: from
 * the balance M.I.C. reports now. In a stop window, when M.I.C. cannot answer, from the
 * last balance it reported plus everything credited since (and, as always, everything on
 * its way); outside one, a remembered balance is only shown, never used to decide. Either
 * way the credit itself is checked again against M.I.C.'s balance then.
 */
export const chargeRoom = async (s: Pick<Services, 'db' | 'mic'>, student: Student) => {
  const reading = await readBalance(s, student)
  const outstanding = await outstandingAmount(s.db, student.id)
  const stopWindow = reading.failure?.error === 'blackout'
  if (!reading.known || (!reading.live && !stopWindow)) return { reading, room: null }
  const since = reading.live ? 0 : await creditedSince(s.db, student.id, reading.asOf)
  return {
    reading,
    room: { balance: reading.balance + since, outstanding } satisfies ChargeRoom,
  }
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
    // Counted from the application, not from now: a retried open sends the very same body,
    // which KOMOJU's idempotency key requires to answer with the same session.
    now: a.createdAt,
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
  mark:
    | 'deadlineMailAt'
    | 'errorMailAt'
    | 'completionMailAt'
    | 'heldMailAt'
    | 'staffAlertAt'
    | 'returnAlertAt',
) => {
  const claimed = await s.db
    .update(applications)
    .set({ [mark]: s.clock() })
    .where(and(eq(applications.id, id), isNull(applications[mark])))
    .returning({ id: applications.id })
    .get()
  return claimed !== undefined
}

import { and, eq, gt, isNull, lt, ne, notInArray, or, sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
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
): Promise<BalanceReading> => (await balanceWith(s, student, []))[0]

/**
 * M.I.C.'s answer, then ONE D1 batch: the balance remembered (or, when M.I.C. cannot answer,
 * the last one remembered) with `more` of the caller's reads, so a page waits on storage once.
 */
const balanceWith = async <T extends BatchItem<'sqlite'>[]>(
  s: Pick<Services, 'db' | 'mic'>,
  student: Student,
  more: [...T],
): Promise<[BalanceReading, ...{ [K in keyof T]: Awaited<T[K]> }]> => {
  const r = await s.mic.balance({ universityId: student.universityId, userId: student.userId })
  if (r.ok) {
    const [, ...rest] = await s.db.batch([
      rememberBalance(s.db, student.id, r.balance, r.asOf),
      ...more,
    ] as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])
    const reading: BalanceReading = {
      known: true,
      balance: r.balance,
      asOf: r.asOf,
      live: true,
      failure: null,
    }
    return [reading, ...rest] as never
  }
  const [last, ...rest] = (await s.db.batch([
    s.db
      .select({ balance: students.micBalance, at: students.micBalanceAt })
      .from(students)
      .where(eq(students.id, student.id)),
    ...more,
  ] as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as [
    { balance: number | null; at: number | null }[],
    ...unknown[],
  ]
  const row = last[0]
  const reading: BalanceReading =
    row?.balance != null && row.at != null
      ? { known: true, balance: row.balance, asOf: row.at, live: false, failure: r }
      : { known: false, failure: r }
  return [reading, ...rest] as never
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

/** The yen of the applications `where` picks, as a query (to await, or to batch). */
const amountsOf = (db: Db, where: SQL | undefined) =>
  db
    .select({ total: sql<number>`coalesce(sum(${applications.amount}), 0)` })
    .from(applications)
    .where(where)
const totalOf = (rows: { total: number }[]) => rows[0]?.total ?? 0

/** The yen of the applications `where` picks. */
export const sumOfAmounts = async (db: Db, where: SQL | undefined): Promise<number> =>
  totalOf(await amountsOf(db, where))

/** Charges applied for and not yet on the card: they count against the cap. */
export const outstandingAmount = (db: Db, studentId: number) =>
  sumOfAmounts(db, and(eq(applications.studentId, studentId), capCounted()))

/**
 * Credited to the card after the balance the service last remembered from M.I.C.: not in
 * that balance. Reads the remembered time itself, so it can share a batch with its reading.
 */
const creditedSinceRemembered = (db: Db, studentId: number) =>
  amountsOf(
    db,
    and(
      eq(applications.studentId, studentId),
      eq(applications.kind, 'mic_charge'),
      eq(applications.creditStatus, 'credited'),
      gt(
        applications.creditedAt,
        sql`(SELECT ${students.micBalanceAt} FROM ${students} WHERE ${students.id} = ${studentId})`,
      ),
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
  // M.I.C.'s answer, then one batch: what is on its way, and what was credited since the
  // remembered balance (used only when M.I.C. could not answer).
  const [reading, outstandingRows, sinceRows] = await balanceWith(s, student, [
    amountsOf(s.db, and(eq(applications.studentId, student.id), capCounted())),
    creditedSinceRemembered(s.db, student.id),
  ])
  const outstanding = totalOf(outstandingRows)
  const stopWindow = reading.failure?.error === 'blackout'
  if (!reading.known || (!reading.live && !stopWindow)) return { reading, room: null }
  const since = reading.live ? 0 : totalOf(sinceRows)
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

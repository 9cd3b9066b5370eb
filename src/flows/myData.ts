import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Student } from '../context'
import type { Db } from '../db'
import {
  applications,
  cashRefunds,
  certificateLines,
  certificateOrders,
  certificates,
  directoryPeople,
} from '../db/schema'
import type { StudentStatus } from '../domain/roster'
import type { Application } from './charge'
import type { OrderView } from './certificates'

/** A refund to a bank account (コンビニ / Pay-easy) as the student's data lists it. */
export type CashRefund = typeof cashRefunds.$inferSelect

/**
 * Everything the service holds about one student, as they may download it (個人データの
 * ダウンロード): the account, and every application with its certificates and refunds.
 * Nothing of anyone else: every query is bound to the student's own id.
 */
export interface MyData {
  userId: string
  nameKana: string
  email: string | null
  /** 在学 / 休学 / 卒業 / 退学 / 除籍 as the roster says; null when the roster has no row. */
  status: StudentStatus | null
  leftOn: string | null
  lastLoginAt: number | null
  applications: {
    application: Application
    order: OrderView | null
    cashRefunds: CashRefund[]
  }[]
}

/** The student's own data, read in one D1 batch. */
export const loadMyData = async (db: Db, student: Student): Promise<MyData> => {
  const own = db
    .select({ id: applications.id })
    .from(applications)
    .where(eq(applications.studentId, student.id))
  const [person, apps, orders, lines, issued, refunds] = await db.batch([
    db
      .select({ status: directoryPeople.status, leftOn: directoryPeople.leftOn })
      .from(directoryPeople)
      .where(
        and(
          eq(directoryPeople.universityId, student.universityId),
          eq(directoryPeople.userId, student.userId),
        ),
      ),
    db
      .select()
      .from(applications)
      .where(eq(applications.studentId, student.id))
      .orderBy(asc(applications.id)),
    db.select().from(certificateOrders).where(eq(certificateOrders.studentId, student.id)),
    db
      .select()
      .from(certificateLines)
      .where(inArray(certificateLines.applicationId, own))
      .orderBy(asc(certificateLines.id)),
    db
      .select()
      .from(certificates)
      .where(inArray(certificates.applicationId, own))
      .orderBy(asc(certificates.id)),
    db
      .select()
      .from(cashRefunds)
      .where(inArray(cashRefunds.applicationId, own))
      .orderBy(asc(cashRefunds.id)),
  ])
  return {
    userId: student.userId,
    nameKana: student.nameKana,
    email: student.email,
    status: person[0]?.status ?? null,
    leftOn: person[0]?.leftOn ?? null,
    lastLoginAt: student.lastLoginAt,
    applications: apps.map((application) => {
      const order = orders.find((o) => o.applicationId === application.id)
      return {
        application,
        order: order
          ? {
              order,
              lines: lines.filter((l) => l.applicationId === application.id),
              certificates: issued.filter((c) => c.applicationId === application.id),
            }
          : null,
        cashRefunds: refunds.filter((r) => r.applicationId === application.id),
      }
    }),
  }
}

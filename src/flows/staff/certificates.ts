import { and, asc, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db'
import {
  applications,
  certificateLines,
  certificateOrders,
  certificates,
  staffMembers,
  students,
} from '../../db/schema'
import type { PostalAddress } from '../../domain/certificates'
import { universityScope, type StaffPrincipal } from '../../domain/staff'
import type { Services } from '../../services'
import { loadUniversity } from '../charge'
import { deskFor } from '../desks'
import { recordAudit } from './audit'
import { certificatePostMail } from './certificateMails'

// ---- 郵送 steps ---------------------------------------------------------------------------------

/** 郵送's work in order: 印刷待ち → 封入待ち → 発送待ち → 発送済み. */
export const POST_STEPS = ['to_print', 'printed', 'enclosed', 'shipped'] as const
export type PostStep = (typeof POST_STEPS)[number]
export const isPostStep = (v: unknown): v is PostStep =>
  typeof v === 'string' && (POST_STEPS as readonly string[]).includes(v)

/** What staff do to an order, the step it must be at, and the step it moves to. */
export const POST_ACTIONS = {
  print: { from: 'to_print', to: 'printed' },
  enclose: { from: 'printed', to: 'enclosed' },
  ship: { from: 'enclosed', to: 'shipped' },
} as const satisfies Record<string, { from: PostStep; to: PostStep }>
export type PostAction = keyof typeof POST_ACTIONS
export const isPostAction = (v: unknown): v is PostAction =>
  typeof v === 'string' && Object.hasOwn(POST_ACTIONS, v)

/**
 * A tracking number as typed from a label or a phone call: full-width characters, spaces
 * and hyphens allowed; Japan Post's are 11–13 digits at home and two letters, nine digits
 * and two letters abroad (EA123456789JP). Null when it cannot be one.
 */
export const normaliseTrackingNumber = (typed: string): string | null => {
  const s = typed
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-‐－ー]/g, '')
  return /^[0-9]{10,14}$/.test(s) || /^[A-Z]{2}[0-9]{9}[A-Z]{2}$/.test(s) ? s : null
}

/** A postal address as stored (JSON), or null when it is not one. */
export const postalAddressOf = (json: string | null): PostalAddress | null => {
  if (!json) return null
  try {
    const a = JSON.parse(json) as Partial<PostalAddress>
    return typeof a?.name === 'string' && typeof a.address === 'string'
      ? {
          country: a.country === 'abroad' ? 'abroad' : 'JP',
          name: a.name,
          postalCode: typeof a.postalCode === 'string' ? a.postalCode : '',
          address: a.address,
          phone: typeof a.phone === 'string' ? a.phone : '',
        }
      : null
  } catch {
    return null
  }
}

export type CertificateLine = typeof certificateLines.$inferSelect
export type CertificateOrder = typeof certificateOrders.$inferSelect
export type IssuedCertificate = typeof certificates.$inferSelect

/** Each application's 内訳 lines, for the applications given. */
export const linesOf = async (db: Db, applicationIds: readonly number[]) => {
  const byApplication = new Map<number, CertificateLine[]>()
  if (applicationIds.length === 0) return byApplication
  const rows = await db
    .select()
    .from(certificateLines)
    .where(inArray(certificateLines.applicationId, [...applicationIds]))
    .orderBy(asc(certificateLines.id))
    .all()
  for (const r of rows) {
    const list = byApplication.get(r.applicationId) ?? []
    list.push(r)
    byApplication.set(r.applicationId, list)
  }
  return byApplication
}

export interface QueueRow {
  order: CertificateOrder
  address: PostalAddress | null
  lines: CertificateLine[]
  student: { id: number; userId: string; nameKana: string }
  paidAt: number | null
}

/**
 * The 郵送 queue at one step, oldest first (paid first, printed first …), with how many
 * orders wait at each step. Only paid orders whose certificates are issued (postStatus set
 * when the issue is done), of the member's university (the call centre: every one).
 */
export const postalQueue = async (
  db: Db,
  member: Pick<StaffPrincipal, 'universityId'>,
  step: PostStep,
) => {
  const scope = universityScope(member)
  const where = and(
    eq(certificateOrders.delivery, 'post'),
    eq(applications.status, 'paid'),
    scope === null ? undefined : eq(certificateOrders.universityId, scope),
  )
  const stepTime = {
    to_print: applications.paidAt,
    printed: certificateOrders.printedAt,
    enclosed: certificateOrders.enclosedAt,
    shipped: certificateOrders.shippedAt,
  }[step]
  const [found, counts] = await Promise.all([
    db
      .select({
        order: certificateOrders,
        student: { id: students.id, userId: students.userId, nameKana: students.nameKana },
        paidAt: applications.paidAt,
      })
      .from(certificateOrders)
      .innerJoin(applications, eq(applications.id, certificateOrders.applicationId))
      .innerJoin(students, eq(students.id, applications.studentId))
      .where(and(where, eq(certificateOrders.postStatus, step)))
      // Shipped orders: the newest first (they are looked up); the rest: whoever waited longest.
      .orderBy(
        step === 'shipped' ? desc(stepTime) : asc(stepTime),
        asc(certificateOrders.applicationId),
      )
      .limit(QUEUE_LIMIT + 1)
      .all(),
    db
      .select({ step: certificateOrders.postStatus, n: count() })
      .from(certificateOrders)
      .innerJoin(applications, eq(applications.id, certificateOrders.applicationId))
      .where(where)
      .groupBy(certificateOrders.postStatus)
      .all(),
  ])
  const rows = found.slice(0, QUEUE_LIMIT)
  const lines = await linesOf(
    db,
    rows.map((r) => r.order.applicationId),
  )
  return {
    rows: rows.map((r): QueueRow => ({
      ...r,
      address: postalAddressOf(r.order.postalAddress),
      lines: lines.get(r.order.applicationId) ?? [],
    })),
    limited: found.length > QUEUE_LIMIT,
    counts: Object.fromEntries(
      POST_STEPS.map((s) => [s, counts.find((c) => c.step === s)?.n ?? 0]),
    ) as Record<PostStep, number>,
  }
}

/** The most orders the queue shows at a time; it says so when there are more. */
export const QUEUE_LIMIT = 200

/** A certificate order with its lines and issued certificates (申請詳細). */
export const certificateOrderOf = async (db: Db, applicationId: number) => {
  const [order, lines, issued] = await Promise.all([
    db
      .select()
      .from(certificateOrders)
      .where(eq(certificateOrders.applicationId, applicationId))
      .get(),
    db
      .select()
      .from(certificateLines)
      .where(eq(certificateLines.applicationId, applicationId))
      .orderBy(asc(certificateLines.id))
      .all(),
    db
      .select({ certificate: certificates, revokedByName: staffMembers.name })
      .from(certificates)
      .leftJoin(staffMembers, eq(staffMembers.id, certificates.revokedBy))
      .where(eq(certificates.applicationId, applicationId))
      .orderBy(asc(certificates.id))
      .all(),
  ])
  return order ? { order, address: postalAddressOf(order.postalAddress), lines, issued } : null
}
export type CertificateOrderView = NonNullable<Awaited<ReturnType<typeof certificateOrderOf>>>

// ---- Moving an order a step on ---------------------------------------------------------------

export type PostStepResult =
  | { done: true; auditId: number; mailed: boolean | null }
  | { done: false; why: 'notFound' | 'wrongStep'; step: PostStep | null }

/**
 * Moves a 郵送 order one step on (印刷, 封入, 発送), only from the step before it: a
 * compare-and-set on post_status, so a double submit or two members at once move it once,
 * and a step out of order changes nothing. The move is audited and, for 印刷 (the office
 * started on it) and 発送 (with the tracking number), the student is mailed.
 */
export const advancePostStep = async (
  deps: Pick<Services, 'db' | 'clock' | 'mailer'>,
  actor: StaffPrincipal,
  applicationId: number,
  action: PostAction,
  trackingNumber: string | null,
): Promise<PostStepResult> => {
  const { db } = deps
  const { from, to } = POST_ACTIONS[action]
  const now = deps.clock()
  const scope = universityScope(actor)
  const stamp =
    to === 'printed'
      ? { printedAt: now }
      : to === 'enclosed'
        ? { enclosedAt: now }
        : { shippedAt: now, trackingNumber }
  const moved = await db
    .update(certificateOrders)
    .set({ postStatus: to, ...stamp })
    .where(
      and(
        eq(certificateOrders.applicationId, applicationId),
        eq(certificateOrders.delivery, 'post'),
        eq(certificateOrders.postStatus, from),
        scope === null ? undefined : eq(certificateOrders.universityId, scope),
        // Only a paid order is worked on: one refunded meanwhile stays where it is.
        sql`EXISTS (SELECT 1 FROM applications WHERE id = ${applicationId} AND status = 'paid')`,
      ),
    )
    .returning()
    .get()
  if (!moved) {
    const current = await db
      .select({ step: certificateOrders.postStatus })
      .from(certificateOrders)
      .where(
        and(
          eq(certificateOrders.applicationId, applicationId),
          scope === null ? undefined : eq(certificateOrders.universityId, scope),
        ),
      )
      .get()
    return current
      ? { done: false, why: 'wrongStep', step: current.step }
      : { done: false, why: 'notFound', step: null }
  }
  const entry = await recordAudit(db, actor, now, {
    action: `certificate.${action}`,
    universityId: moved.universityId,
    targetType: 'certificate_order',
    targetId: applicationId,
    applicationId,
    before: { postStatus: from },
    after: {
      postStatus: to,
      ...(to === 'shipped' ? { trackingNumber } : {}),
      ...(to === 'enclosed' ? { sealed: moved.sealed } : {}),
    },
  })
    .returning({ id: sql<number>`id` })
    .get()
  const mailed = await mailStudent(deps, moved, action)
  return { done: true, auditId: entry.id, mailed }
}

/** The student's mail about their 郵送 order; false when it could not be sent. */
const mailStudent = async (
  deps: Pick<Services, 'db' | 'mailer'>,
  order: CertificateOrder,
  action: PostAction,
) => {
  const { db } = deps
  const who = await db
    .select({ email: students.email, nameKana: students.nameKana, lang: applications.lang })
    .from(applications)
    .innerJoin(students, eq(students.id, applications.studentId))
    .where(eq(applications.id, order.applicationId))
    .get()
  if (!who?.email) return false
  const [university, lines] = await Promise.all([
    loadUniversity(db, order.universityId),
    linesOf(db, [order.applicationId]),
  ])
  return deps.mailer.send(
    certificatePostMail(university, who.lang, who.email, who.nameKana, {
      order,
      address: postalAddressOf(order.postalAddress),
      lines: lines.get(order.applicationId) ?? [],
      step: action === 'print' ? 'printed' : action === 'enclose' ? 'enclosed' : 'shipped',
    }),
  )
}

// ---- One certificate: download, 失効 ----------------------------------------------------------

/** A certificate the member may see, with its application's id; null otherwise. */
export const scopedCertificate = async (
  db: Db,
  member: Pick<StaffPrincipal, 'universityId'>,
  id: number,
) => {
  const scope = universityScope(member)
  return (
    (await db
      .select()
      .from(certificates)
      .where(
        and(
          eq(certificates.id, id),
          scope === null ? undefined : eq(certificates.universityId, scope),
        ),
      )
      .get()) ?? null
  )
}

export type RevokeResult =
  { done: true; auditId: number } | { done: false; why: 'notFound' | 'alreadyRevoked' }

/**
 * 失効: marks the certificate revoked, once (a compare-and-set on revoked_at), with who and
 * why, and audits it. /verify reads revoked_at, so it says 失効 from the next request on.
 */
export const revokeCertificate = async (
  deps: Pick<Services, 'db' | 'clock'>,
  actor: StaffPrincipal,
  certificateId: number,
  reason: string,
): Promise<RevokeResult> => {
  const { db } = deps
  const now = deps.clock()
  const scope = universityScope(actor)
  const revoked = await db
    .update(certificates)
    .set({ revokedAt: now, revokedBy: actor.id, revokeReason: reason })
    .where(
      and(
        eq(certificates.id, certificateId),
        isNull(certificates.revokedAt),
        scope === null ? undefined : eq(certificates.universityId, scope),
      ),
    )
    .returning()
    .get()
  if (!revoked) {
    const exists = await scopedCertificate(db, actor, certificateId)
    return { done: false, why: exists ? 'alreadyRevoked' : 'notFound' }
  }
  const entry = await recordAudit(db, actor, now, {
    action: 'certificate.revoke',
    universityId: revoked.universityId,
    targetType: 'certificate',
    targetId: certificateId,
    applicationId: revoked.applicationId,
    reason,
    before: { revokedAt: null },
    after: { issueNumber: revoked.issueNumber, revokedAt: now },
  })
    .returning({ id: sql<number>`id` })
    .get()
  return { done: true, auditId: entry.id }
}

/** Each application's certificates still in force (not revoked), to print from. */
export const printableOf = async (db: Db, applicationIds: readonly number[]) => {
  const byApplication = new Map<
    number,
    Pick<IssuedCertificate, 'id' | 'issueNumber' | 'type' | 'language'>[]
  >()
  if (applicationIds.length === 0) return byApplication
  const rows = await db
    .select({
      id: certificates.id,
      applicationId: certificates.applicationId,
      issueNumber: certificates.issueNumber,
      type: certificates.type,
      language: certificates.language,
    })
    .from(certificates)
    .where(
      and(inArray(certificates.applicationId, [...applicationIds]), isNull(certificates.revokedAt)),
    )
    .orderBy(asc(certificates.id))
    .all()
  for (const { applicationId, ...r } of rows) {
    const list = byApplication.get(applicationId) ?? []
    list.push(r)
    byApplication.set(applicationId, list)
  }
  return byApplication
}

export type ReissueResult =
  | { done: true; auditId: number; certificateId: number }
  | {
      done: false
      why: 'notFound' | 'alreadyRevoked' | 'notIssued' | 'registrarDown' | 'registrarRefused'
    }

/**
 * 再発行: the student's desk issues a new certificate for the same copy, from the registrar's
 * data now, and revokes the old one with the reason; audited with both issue numbers.
 */
export const reissueCertificate = async (
  deps: Pick<Services, 'db' | 'clock' | 'desks'>,
  actor: StaffPrincipal,
  certificateId: number,
  reason: string,
): Promise<ReissueResult> => {
  const old = await scopedCertificate(deps.db, actor, certificateId)
  if (!old) return { done: false, why: 'notFound' }
  if (old.revokedAt !== null) return { done: false, why: 'alreadyRevoked' }
  const owner = await deps.db
    .select({ studentId: applications.studentId })
    .from(applications)
    .where(eq(applications.id, old.applicationId))
    .get()
  if (!owner) return { done: false, why: 'notFound' }
  const outcome = await deskFor(deps.desks, old.universityId, owner.studentId).reissue(
    certificateId,
    actor.id,
    reason,
  )
  if (!outcome.ok)
    return {
      done: false,
      why:
        outcome.reason !== 'registrar'
          ? 'notIssued'
          : outcome.detail === 'maintenance' || outcome.detail === 'unavailable'
            ? 'registrarDown'
            : 'registrarRefused',
    }
  const fresh = await deps.db
    .select()
    .from(certificates)
    .where(eq(certificates.id, outcome.certificateId))
    .get()
  const entry = await recordAudit(deps.db, actor, deps.clock(), {
    action: 'certificate.reissue',
    universityId: old.universityId,
    targetType: 'certificate',
    targetId: certificateId,
    applicationId: old.applicationId,
    reason,
    before: { issueNumber: old.issueNumber, revokedAt: null },
    after: { issueNumber: fresh?.issueNumber ?? null, replacedBy: outcome.certificateId },
  })
    .returning({ id: sql<number>`id` })
    .get()
  return { done: true, auditId: entry.id, certificateId: outcome.certificateId }
}

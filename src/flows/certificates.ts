import { and, asc, eq, gte, inArray, isNull, sql } from 'drizzle-orm'
import type { RegistrarFailure } from '../adapters/registrar'
import type { Db } from '../db'
import {
  applications,
  certificateLines,
  certificateOrders,
  certificates,
  recipientLinks,
  students,
} from '../db/schema'
import type { CertificateLang } from '../domain/certificateContent'
import {
  academicYearOf,
  academicYearStart,
  certificateContent,
  certificateSettingsOf,
  certificateStanding,
  issuerNames,
  eligibilityProblems,
  issueNumberOf,
  postageFor,
  priceOrder,
  type Delivery,
  type EligibilityProblem,
  type OrderLine,
  type PostalAddress,
} from '../domain/certificates'
import { paymentDeadlineOf, type PaymentMethod } from '../domain/paymentMethods'
import type { CertificateType, RegistrarRecord } from '../domain/registrar'
import type { University } from '../domain/university'
import type { Lang, Translator } from '../i18n'
import { randomToken, sha256Hex } from '../security/crypto'
import type { Services } from '../services'
import { applicationByRequest, loadUniversity, type Application } from './charge'
import { breakdownOf } from './mails'

import type { Certificate, CertificateLine, CertificateOrder } from '../db/schema'
export type { Certificate, CertificateLine, CertificateOrder }

/** What the student asks for, as the order form gives it (checked by the routes' schema). */
export interface OrderRequest {
  universityId: string
  studentId: number
  lines: readonly OrderLine[]
  delivery: Delivery
  recipient: { name: string; organisation: string; email: string | null } | null
  address: PostalAddress | null
  sealed: boolean
  method: PaymentMethod
  /** The 申請 form's key: the same key always means the same application. */
  requestKey: string
  lang: Lang
  provider: string
  contactPhone: string | null
  siteOrigin: string
}

export type OrderOutcome =
  | { ok: true; application: Application; created: boolean }
  | { ok: false; problems: EligibilityProblem[] }
  | { ok: false; registrar: RegistrarFailure }
  | { ok: false; methodUnavailable: true }

/** Copies of each type the student ordered this academic year, paid or awaiting payment. */
export const copiesThisYear = async (
  db: Db,
  studentId: number,
  now: number,
): Promise<Partial<Record<CertificateType, number>>> => {
  const rows = await db
    .select({ type: certificateLines.type, copies: sql<number>`sum(${certificateLines.copies})` })
    .from(certificateLines)
    .innerJoin(applications, eq(applications.id, certificateLines.applicationId))
    .where(
      and(
        eq(applications.studentId, studentId),
        gte(applications.createdAt, academicYearStart(academicYearOf(now))),
        inArray(applications.status, ['awaiting_payment', 'paid']),
      ),
    )
    .groupBy(certificateLines.type)
  return Object.fromEntries(rows.map((r) => [r.type, r.copies]))
}

/**
 * The student's record and what stops an order before payment, both read now: the same
 * check the 申請内容確認 page shows and the desk makes again when the order is placed.
 */
export const checkOrder = async (
  s: Pick<Services, 'db' | 'clock' | 'registrar'>,
  u: University,
  student: { id: number; userId: string },
  lines: readonly OrderLine[],
  delivery: Delivery,
): Promise<
  | { ok: true; record: RegistrarRecord; problems: EligibilityProblem[] }
  | { ok: false; failure: RegistrarFailure }
> => {
  const r = await s.registrar(u.id).record(student.userId)
  if (!r.ok) return { ok: false, failure: r }
  const used = await copiesThisYear(s.db, student.id, s.clock())
  const problems = eligibilityProblems(certificateSettingsOf(u), r.record, lines, delivery, used)
  return { ok: true, record: r.record, problems }
}

/**
 * Records a certificate order (an application of kind `certificate`, its 内訳 and its
 * delivery) after checking it against the registrar's record as it is now. Must run inside
 * the student's StudentDesk: two orders at once can then never both fit under a yearly
 * limit only one fits under. The application and its rows are written in one batch (all or
 * nothing).
 */
export const placeOrder = async (s: Services, req: OrderRequest): Promise<OrderOutcome> => {
  const existing = await applicationByRequest(s.db, req.studentId, req.requestKey)
  if (existing) return { ok: true, application: existing, created: false }
  const u = await loadUniversity(s.db, req.universityId)
  if (!u.paymentMethods.includes(req.method)) return { ok: false, methodUnavailable: true }
  const student = await s.db
    .select()
    .from(students)
    .where(and(eq(students.id, req.studentId), eq(students.universityId, req.universityId)))
    .get()
  if (!student) throw new Error(`unknown student ${req.studentId}`)
  const check = await checkOrder(s, u, student, req.lines, req.delivery)
  if (!check.ok) return { ok: false, registrar: check.failure }
  if (check.problems.length > 0) return { ok: false, problems: check.problems }
  const settings = certificateSettingsOf(u)
  const price = priceOrder(settings, req.lines, postageFor(settings, req.delivery, req.address))
  const now = s.clock()
  const deadline = paymentDeadlineOf(req.method, u.paymentDeadlineDays, now)
  const ofThisRequest = sql`(SELECT id FROM applications WHERE student_id = ${req.studentId} AND request_key = ${req.requestKey})`
  await s.db.batch([
    s.db.insert(applications).values({
      universityId: req.universityId,
      studentId: req.studentId,
      kind: 'certificate',
      quantity: req.lines.reduce((n, l) => n + l.copies, 0),
      amount: price.total,
      paymentMethod: req.method,
      requestKey: req.requestKey,
      lang: req.lang,
      provider: req.provider,
      contactPhone: req.contactPhone,
      paymentDeadline: deadline,
      createdAt: now,
      updatedAt: now,
    }),
    s.db.insert(certificateOrders).values({
      applicationId: ofThisRequest,
      universityId: req.universityId,
      studentId: req.studentId,
      delivery: req.delivery,
      siteOrigin: req.siteOrigin,
      recipientName: req.recipient?.name ?? null,
      recipientOrganisation: req.recipient?.organisation ?? null,
      recipientEmail: req.recipient?.email ?? null,
      postalAddress: req.address ? JSON.stringify(req.address) : null,
      sealed: req.delivery === 'post' && req.sealed,
      postage: price.postage,
    }),
    ...price.lines.map((l) =>
      s.db.insert(certificateLines).values({
        applicationId: ofThisRequest,
        type: l.type,
        language: l.language,
        copies: l.copies,
        unitFee: l.unitFee,
      }),
    ),
  ])
  const application = await applicationByRequest(s.db, req.studentId, req.requestKey)
  if (!application) throw new Error('the order was not recorded')
  return { ok: true, application, created: true }
}

export interface OrderView {
  order: CertificateOrder
  lines: CertificateLine[]
  certificates: Certificate[]
}

/** An order with its lines and the certificates issued for it (reissues included). */
export const loadOrder = async (db: Db, applicationId: number): Promise<OrderView | null> =>
  orderOf(await db.batch(orderReads(db, applicationId)))

/** An order's three reads, for a batch of the caller's (loadOrder, 申請情報 詳細). */
export const orderReads = (db: Db, applicationId: number) =>
  [
    db.select().from(certificateOrders).where(eq(certificateOrders.applicationId, applicationId)),
    db
      .select()
      .from(certificateLines)
      .where(eq(certificateLines.applicationId, applicationId))
      .orderBy(asc(certificateLines.id)),
    db
      .select()
      .from(certificates)
      .where(eq(certificates.applicationId, applicationId))
      .orderBy(asc(certificates.id)),
  ] as const

/** The order those reads found, if any. */
export const orderOf = ([order, lines, issued]: readonly [
  CertificateOrder[],
  (typeof certificateLines.$inferSelect)[],
  (typeof certificates.$inferSelect)[],
]): OrderView | null => (order[0] ? { order: order[0], lines, certificates: issued } : null)

/** The postal address an order is sent to, as stored. */
export const postalAddressOf = (
  o: Pick<CertificateOrder, 'postalAddress'>,
): PostalAddress | null => (o.postalAddress ? (JSON.parse(o.postalAddress) as PostalAddress) : null)

/** Where /verify is for a university's site, with the code (the QR code's target). */
export const verifyUrlOf = (origin: string, code: string) =>
  `${origin}/verify?code=${encodeURIComponent(code)}`

/**
 * The 見本 of each line, from the registrar's record as it is now: what the student checks
 * before paying is drawn by the same rules as what is issued.
 */
export const samplesOf = (
  u: University,
  record: RegistrarRecord,
  lines: readonly OrderLine[],
  recipient: { name: string; organisation: string } | null,
  now: number,
  origin: string,
) =>
  lines.map((l) =>
    certificateContent(l.type, record, {
      lang: l.language,
      ...issuerNames(u),
      issuedAt: now,
      issueNumber: issueNumberOf(0, 0).replace(/\d/g, '0'),
      verificationCode: '',
      verifyUrl: `${origin}/verify`,
      validUntil: null,
      recipient,
      sample: true,
    }),
  )

/** Which certificate of an order a 発行番号's place refers to (1 … n over the lines' copies). */
export const copyNumbers = (lines: readonly CertificateLine[]) => {
  const out: { line: CertificateLine; copy: number; n: number }[] = []
  for (const line of lines)
    for (let copy = 1; copy <= line.copies; copy++) out.push({ line, copy, n: out.length + 1 })
  return out
}

/** Whether a certificate may still be downloaded (電子, issued, not revoked, not expired). */
export const downloadable = (c: Certificate, now: number) => certificateStanding(c, now) === 'valid'

/** The certificate a normalised 照合番号 names, at its university only. */
export const certificateByCode = (db: Db, universityId: string, code: string) =>
  db
    .select()
    .from(certificates)
    .where(
      and(eq(certificates.verificationCode, code), eq(certificates.universityId, universityId)),
    )
    .get()

/**
 * A link for the recipient the student named (電子 only): no account needed, valid as long
 * as the certificates are. Only the token's hash is kept.
 */
export const createRecipientLink = async (
  s: Pick<Services, 'db' | 'clock'>,
  applicationId: number,
  email: string,
  expiresAt: number,
) => {
  const token = randomToken(24)
  await s.db.insert(recipientLinks).values({
    tokenHash: await sha256Hex(token),
    applicationId,
    email,
    createdAt: s.clock(),
    expiresAt,
  })
  return token
}

/** The order a recipient's token opens, while it is valid. */
export const recipientOrder = async (s: Pick<Services, 'db' | 'clock'>, token: string) => {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null
  const link = await s.db
    .select()
    .from(recipientLinks)
    .where(eq(recipientLinks.tokenHash, await sha256Hex(token)))
    .get()
  if (!link || s.clock() >= link.expiresAt) return null
  return link
}

/** The object key a certificate's PDF is stored under. */
export const objectKeyOf = (universityId: string, applicationId: number, code: string) =>
  `certificates/${universityId}/${applicationId}/${code}.pdf`

/** The file name a downloaded certificate gets (ASCII: every browser keeps it). */
export const fileNameOf = (c: Pick<Certificate, 'type' | 'language' | 'issueNumber'>) =>
  `certificate-${c.type}-${c.language}-${c.issueNumber}.pdf`

export type { CertificateLang }

/** A certificate order's 内訳 for its mails; null for a charge (its amount is its 内訳). */
export const breakdownFor = async (
  s: Pick<Services, 'db'>,
  tr: Translator,
  a: Pick<Application, 'id' | 'kind'>,
) => {
  if (a.kind !== 'certificate') return null
  const view = await loadOrder(s.db, a.id)
  return view ? breakdownOf(tr, view.lines, view.order.postage) : null
}

/**
 * Revokes every certificate of an order whose payment went back after the issue (a refund
 * in KOMOJU's dashboard, a chargeback): by the system, with the reason as a code.
 */
export const revokeOrder = (
  s: Pick<Services, 'db' | 'clock'>,
  applicationId: number,
  reason: 'refunded' | 'chargeback' | 'registrar_refused',
) =>
  s.db
    .update(certificates)
    .set({
      revokedAt: s.clock(),
      revokeReason: reason === 'registrar_refused' ? reason : `payment_${reason}`,
    })
    .where(and(eq(certificates.applicationId, applicationId), isNull(certificates.revokedAt)))

import { and, eq, isNull } from 'drizzle-orm'
import type { RegistrarFailure } from '../../adapters/registrar'
import {
  applications,
  certificateLines,
  certificateOrders,
  certificates,
  students,
} from '../../db/schema'
import {
  CREDIT_IN_PROGRESS,
  creditRetryDelayMs,
  MAX_CREDIT_ATTEMPTS,
  type CreditStatus,
} from '../../domain/application'
import {
  certificateContent,
  certificateSettingsOf,
  issuerNames,
  issueNumberOf,
  newVerificationCode,
} from '../../domain/certificates'
import type { RegistrarIssuance } from '../../domain/registrar'
import type { University } from '../../domain/university'
import { translator } from '../../i18n'
import { toHex } from '../../security/crypto'
import type { Services } from '../../services'
import { loadUniversity, type Application } from '../charge'
import {
  copyNumbers,
  createRecipientLink,
  loadOrder,
  objectKeyOf,
  revokeOrder,
  verifyUrlOf,
  type CertificateLine,
  type CertificateOrder,
} from '../certificates'
import { certificateIssuedMail, certificateRefusedMail, recipientLinkMail } from '../mails'
import { alertStaffOnce } from '../crediting'
import { GATEWAY_FRESH_MS, settleWithGateway } from './gateway'
import { refundApplication } from './refund'

/** The registrar could not be asked (or KOMOJU, before): asked again this much later. */
const UNDECIDED_RETRY_MS = 5 * 60_000

/** The key the registrar deduplicates a line's issuance by: asking twice issues once. */
export const certificateIssueKey = (a: Pick<Application, 'universityId' | 'id'>, lineId: number) =>
  `${a.universityId}-application-${a.id}-line-${lineId}`

/**
 * Issues a paid certificate order: each line asked of the registrar (which records it in
 * its ledger and answers with the data to print), each copy drawn, signed and stored, then
 * the order is `credited` (issued) and the student (and a named recipient) told. Must run
 * inside the student's StudentDesk, like a credit, so an issue and a refund never cross.
 * Safe to repeat: the registrar answers a key it has issued from its ledger, a copy already
 * stored is not drawn again, and the mails go out once.
 *
 * The registrar down (its nightly maintenance, a fault): the order waits and is tried again
 * by the cron. The registrar refusing after payment (a hold put on meanwhile …): nothing is
 * issued and the payment goes back, by itself where KOMOJU can refund it.
 */
export const issueOrder = async (s: Services, id: number): Promise<CreditStatus | null> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a || a.kind !== 'certificate') return null
  if (a.status !== 'paid' || !CREDIT_IN_PROGRESS.includes(a.creditStatus)) return a.creditStatus
  const now = s.clock()
  if (a.creditStatus !== 'pending' && a.nextCreditAt !== null && a.nextCreditAt > now)
    return a.creditStatus
  const set = (values: Partial<Application>) =>
    s.db
      .update(applications)
      .set({ ...values, updatedAt: s.clock() })
      .where(eq(applications.id, a.id))
  // Nothing is issued for money KOMOJU no longer holds (refunded or charged back meanwhile).
  if (a.gatewayCheckedAt === null || now - a.gatewayCheckedAt > GATEWAY_FRESH_MS) {
    const verdict = await settleWithGateway(s, a.id)
    if (verdict === 'undecided') {
      await set({ nextCreditAt: now + UNDECIDED_RETRY_MS })
      return a.creditStatus
    }
    if (verdict !== 'holds') {
      const after = await s.db.select().from(applications).where(eq(applications.id, id)).get()
      return after?.creditStatus ?? null
    }
  }
  const view = await loadOrder(s.db, a.id)
  if (!view) throw new Error(`certificate application ${a.id} has no order`)
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  if (!student) throw new Error(`application ${a.id} has no student`)
  const u = await loadUniversity(s.db, a.universityId)
  const registrar = s.registrar(u.id)
  const issued = new Set(
    view.certificates.filter((c) => c.replacesId === null).map((c) => `${c.lineId}:${c.copy}`),
  )
  const places = copyNumbers(view.lines)
  for (const line of view.lines) {
    const missing = places.filter(
      (p) => p.line.id === line.id && !issued.has(`${line.id}:${p.copy}`),
    )
    if (missing.length === 0) continue
    const r = await registrar.issue(
      student.userId,
      { certificate: line.type, language: line.language, copies: line.copies },
      certificateIssueKey(a, line.id),
    )
    if (!r.ok) return notIssued(s, a, u, student.email, r)
    if (line.registrarIssuanceId !== r.issuance.issuanceId)
      await s.db
        .update(certificateLines)
        .set({ registrarIssuanceId: r.issuance.issuanceId })
        .where(eq(certificateLines.id, line.id))
    for (const p of missing)
      if ((await issueCopy(s, u, a, view.order, line, p.copy, p.n, r.issuance)) === 'unsigned')
        return notIssued(s, a, u, student.email, {
          ok: false,
          error: 'misconfigured',
          detail: `no signing key for ${u.id} (CERT_SIGNING_KEY_${u.id.toUpperCase()})`,
        })
  }
  await set({
    creditStatus: 'credited',
    creditedAt: s.clock(),
    creditError: null,
    nextCreditAt: null,
  })
  if (view.order.delivery === 'post')
    await s.db
      .update(certificateOrders)
      .set({ postStatus: 'to_print' })
      .where(and(eq(certificateOrders.applicationId, a.id), isNull(certificateOrders.postStatus)))
  await tellOnceIssued(s, u, a, view.order, student.email)
  return 'credited'
}

/** Draws, signs and stores one copy, then records it: a copy is recorded only once stored. */
const issueCopy = async (
  s: Services,
  u: University,
  a: Application,
  order: CertificateOrder,
  line: CertificateLine,
  copy: number,
  n: number,
  issuance: RegistrarIssuance,
  reissue: { of: number; count: number } | null = null,
) => {
  const code = newVerificationCode()
  const issuedAt = s.clock()
  const validUntil = issuedAt + certificateSettingsOf(u).validityDays * 24 * 60 * 60_000
  const issueNumber = issueNumberOf(a.id, n, reissue?.count ?? 0)
  const content = certificateContent(line.type, issuance.record, {
    lang: line.language,
    ...issuerNames(u),
    issuedAt,
    issueNumber,
    verificationCode: code,
    verifyUrl: verifyUrlOf(order.siteOrigin, code),
    validUntil: order.delivery === 'pdf' ? validUntil : null,
    recipient:
      order.recipientName && order.recipientOrganisation
        ? { name: order.recipientName, organisation: order.recipientOrganisation }
        : null,
    sample: false,
  })
  const pdf = await s.renderCertificate(content, u.id)
  if (!pdf) return 'unsigned' as const
  const key = objectKeyOf(u.id, a.id, code)
  await s.certificatesBucket.put(key, pdf, {
    httpMetadata: { contentType: 'application/pdf' },
    customMetadata: { application: String(a.id), issueNumber },
  })
  const sha256 = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', pdf)))
  const row = await s.db
    .insert(certificates)
    .values({
      applicationId: a.id,
      lineId: line.id,
      universityId: u.id,
      copy,
      type: line.type,
      language: line.language,
      issueNumber,
      verificationCode: code,
      holderName: line.language === 'ja' ? issuance.record.name.kanji : issuance.record.name.roman,
      objectKey: key,
      sha256,
      size: pdf.byteLength,
      issuedAt,
      validUntil,
      replacesId: reissue?.of ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: certificates.id })
    .get()
  // Recorded meanwhile by another run: this drawing is not the certificate; forget it.
  if (!row) await s.certificatesBucket.delete(key)
  return row?.id ?? null
}

/** The registrar did not issue: wait for it, or (a refusal) give the money back. */
const notIssued = async (
  s: Services,
  a: Application,
  u: University,
  email: string | null,
  r: RegistrarFailure,
): Promise<CreditStatus> => {
  const now = s.clock()
  const set = (values: Partial<Application>) =>
    s.db
      .update(applications)
      .set({ ...values, updatedAt: s.clock() })
      .where(eq(applications.id, a.id))
  if (r.error === 'maintenance') {
    await set({
      creditStatus: 'deferred',
      nextCreditAt: Math.max(r.until ?? now + UNDECIDED_RETRY_MS, now + 60_000),
      creditError: 'registrar: maintenance',
    })
    return 'deferred'
  }
  if (r.error === 'unavailable' || r.error === 'misconfigured') {
    const attempts = a.creditAttempts + 1
    const stalled = attempts >= MAX_CREDIT_ATTEMPTS || r.error === 'misconfigured'
    await set({
      creditStatus: stalled ? 'stalled' : 'retrying',
      creditAttempts: attempts,
      creditError: `registrar: ${r.detail}`.slice(0, 500),
      nextCreditAt: stalled ? null : now + creditRetryDelayMs(attempts),
    })
    if (stalled) await alertStaffOnce(s, a, u, 'stalled')
    return stalled ? 'stalled' : 'retrying'
  }
  // Refused (not eligible, unknown student): final, and the money goes back. Copies of an
  // earlier line already issued are revoked: no certificate stands for money returned.
  const detail = r.error === 'notEligible' ? `${r.reason}: ${r.detail}` : r.detail
  await set({
    creditStatus: 'refused',
    creditError: `registrar: ${detail}`.slice(0, 500),
    nextCreditAt: null,
  })
  await revokeOrder(s, a.id, 'registrar_refused')
  const refund = await refundApplication(s, a.id)
  const after = await s.db.select().from(applications).where(eq(applications.id, a.id)).get()
  if (email && after) {
    const view = await loadOrder(s.db, a.id)
    if (view && (await claimOrderMail(s, a.id, 'issuedMailAt')))
      await s.mailer.send(
        certificateRefusedMail(
          translator(a.lang),
          u,
          email,
          after,
          view.lines,
          refund === 'refunded',
        ),
      )
  }
  if (refund !== 'refunded') await alertStaffOnce(s, a, u, 'refused')
  return after?.creditStatus ?? 'refused'
}

const claimOrderMail = async (
  s: Pick<Services, 'db' | 'clock'>,
  id: number,
  mark: 'issuedMailAt' | 'recipientMailAt',
) =>
  (await s.db
    .update(certificateOrders)
    .set({ [mark]: s.clock() })
    .where(and(eq(certificateOrders.applicationId, id), isNull(certificateOrders[mark])))
    .returning({ id: certificateOrders.applicationId })
    .get()) !== undefined

/** The student's mail (ready to download, or on its way by post) and the recipient's link. */
const tellOnceIssued = async (
  s: Services,
  u: University,
  a: Application,
  order: CertificateOrder,
  email: string | null,
) => {
  const view = await loadOrder(s.db, a.id)
  if (!view) return
  if (email && (await claimOrderMail(s, a.id, 'issuedMailAt')))
    await s.mailer.send(certificateIssuedMail(translator(a.lang), u, email, a, view))
  if (
    order.delivery === 'pdf' &&
    order.recipientEmail &&
    (await claimOrderMail(s, a.id, 'recipientMailAt'))
  ) {
    const until = Math.max(...view.certificates.map((c) => c.validUntil))
    const token = await createRecipientLink(s, a.id, order.recipientEmail, until)
    await s.mailer.send(
      recipientLinkMail(
        translator(a.lang),
        u,
        order.recipientEmail,
        a,
        view,
        `${order.siteOrigin}/r/${token}`,
      ),
    )
  }
}

export type ReissueOutcome =
  | { ok: true; certificateId: number }
  | { ok: false; reason: 'notFound' | 'notIssued' | 'registrar'; detail?: string }

/**
 * 再発行 (staff): a new certificate for the same line and copy, from the registrar's data
 * now, with a new 照合番号; the old one is revoked with the reason. Inside the desk.
 */
export const reissueCertificate = async (
  s: Services,
  certificateId: number,
  staffId: number,
  reason: string,
): Promise<ReissueOutcome> => {
  const old = await s.db.select().from(certificates).where(eq(certificates.id, certificateId)).get()
  if (!old) return { ok: false, reason: 'notFound' }
  const a = await s.db
    .select()
    .from(applications)
    .where(eq(applications.id, old.applicationId))
    .get()
  const view = await loadOrder(s.db, old.applicationId)
  if (!a || !view || a.status !== 'paid' || a.creditStatus !== 'credited')
    return { ok: false, reason: 'notIssued' }
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  const line = view.lines.find((l) => l.id === old.lineId)
  if (!student || !line) return { ok: false, reason: 'notFound' }
  const u = await loadUniversity(s.db, a.universityId)
  // A reissue is a new issuance in the registrar's ledger, from its data now.
  const count = view.certificates.filter(
    (c) => c.lineId === old.lineId && c.copy === old.copy,
  ).length
  const r = await s
    .registrar(u.id)
    .issue(
      student.userId,
      { certificate: line.type, language: line.language, copies: 1 },
      `${certificateIssueKey(a, line.id)}-copy-${old.copy}-reissue-${count}`,
    )
  if (!r.ok) return { ok: false, reason: 'registrar', detail: r.error }
  const place = copyNumbers(view.lines).find((p) => p.line.id === line.id && p.copy === old.copy)!
  const id = await issueCopy(s, u, a, view.order, line, old.copy, place.n, r.issuance, {
    of: old.id,
    count,
  })
  if (id === null || id === 'unsigned') return { ok: false, reason: 'notIssued' }
  await s.db
    .update(certificates)
    .set({ revokedAt: s.clock(), revokedBy: staffId, revokeReason: reason })
    .where(and(eq(certificates.id, old.id), isNull(certificates.revokedAt)))
  return { ok: true, certificateId: id }
}

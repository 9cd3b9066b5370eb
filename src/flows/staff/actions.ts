import { breakdownFor } from '../certificates'
import { and, eq, isNull } from 'drizzle-orm'
import { PaymentProviderError, type GatewayPayment } from '../../adapters/payments'
import { applications, auditLog, refundRequests, students, universities } from '../../db/schema'
import {
  creditAmountOf,
  RECREDITABLE,
  REFUNDABLE,
  refundableByStudent,
  refundableToBankAccount,
} from '../../domain/application'
import { rememberBalance } from '../charge'
import { yen } from './words'
import { formatJstDateTime } from '../../domain/time'
import { hasDeadline } from '../../domain/paymentMethods'
import type { StaffAction, StaffPrincipal } from '../../domain/staff'
import { deskFor } from '../desks'
import { translator, type Lang, type Params } from '../../i18n'
import type { ConsoleKey } from '../../i18n/console'
import type { Services } from '../../services'
import { askForBankAccount, mailRefund } from '../cashRefunds'
import { loadUniversity, type Application } from '../charge'
import {
  chargeCompletedMail,
  creditErrorMail,
  creditHeldMail,
  paymentDeadlineMail,
  refundApprovedMail,
  refundCompletedMail,
  type OutgoingMail,
} from '../mails'
import { applyGatewayPayment, handToDesk } from '../payments'
import { recordAudit, type AuditAction } from './audit'
import { inInvitationLine } from './members'
import { REFUND_AUDIT, type OpenRefundRequest, type ScopedStudent } from './applications'

/**
 * The actions of 申請詳細, each behind a confirmation step with a reason, each written to
 * the audit log with the application's state before and after. Money moves only through
 * the student's desk (再チャージ, 返金) or the flow every webhook takes (照会).
 */
export const ACTION_NAMES = [
  'recredit',
  'inquire',
  'resend-mail',
  'refund',
  'refund-approve',
  'refund-reject',
  'credit-net',
  'close-reversal',
] as const
export type ActionName = (typeof ACTION_NAMES)[number]

/** The right (domain/staff STAFF_ACTIONS) each action needs. */
export const ACTION_RIGHT: Record<ActionName, StaffAction> = {
  recredit: 'recredit',
  inquire: 'inquire',
  'resend-mail': 'resendMail',
  refund: 'refund',
  'refund-approve': 'refund',
  'refund-reject': 'refund',
  // Crediting what KOMOJU still holds moves money onto the card like 再チャージ, but it is a
  // decision about a payment (credit the net, or refund the rest): not the call centre's.
  'credit-net': 'refund',
  'close-reversal': 'resolveEvent',
}

/** The audit log's name of each action. */
export const ACTION_AUDIT: Record<ActionName, AuditAction> = {
  recredit: 'application.recredit',
  inquire: 'application.inquire',
  'resend-mail': 'application.resend-mail',
  refund: REFUND_AUDIT.request,
  'refund-approve': REFUND_AUDIT.approve,
  'refund-reject': REFUND_AUDIT.reject,
  'credit-net': 'application.credit-net',
  'close-reversal': 'application.close-reversal',
}

/** The mails メール再送 can send: the one that fits the application's state now. */
export type ResendableMail =
  | 'payment-deadline'
  | 'charge-completed'
  | 'credit-held'
  | 'credit-error'
  | 'refund-approved'
  | 'refund-completed'

/**
 * Which mail the student should have for the application as it stands: the payment
 * numbers while a コンビニ / Pay-easy payment is awaited, チャージ完了 once credited, the
 * held mail while held, and the error mail (manual §4.3) while a credit is failing,
 * refused, stalled or its amount does not match. Nothing for the rest.
 */
export const fittingMail = (a: Application): ResendableMail | null => {
  if (a.status === 'awaiting_payment')
    return hasDeadline(a.paymentMethod) && a.paymentDetails ? 'payment-deadline' : null
  if (a.creditStatus === 'credited') return 'charge-completed'
  // The refund mails (flows/cashRefunds.ts mailRefund): done, or asked of KOMOJU and not
  // yet done (a card refund with no answer yet, a bank transfer KOMOJU has not made).
  if (a.status === 'refunded') return 'refund-completed'
  if (a.status !== 'paid') return null
  if (a.creditStatus === 'refunding') return 'refund-approved'
  if (a.creditStatus === 'held') return 'credit-held'
  if (['retrying', 'refused', 'stalled', 'mismatch'].includes(a.creditStatus)) return 'credit-error'
  return null
}

/** Why 返金 cannot be done now, by the desk's rule (refundableByStudent); null if it can. */
const whyNoRefund = (a: Application, s: ActionSituation): ConsoleKey | null => {
  if (a.status === 'refunded') return 'appWhyRefunded'
  if (a.status !== 'paid') return 'appWhyNotPaid'
  // The money is on the card: not ours to give back, the university's office settles it.
  // Said with where to send the student (大学設定's 窓口), or how to get that set.
  if (a.creditStatus === 'credited')
    // (An issued certificate order has words of its own: whyNot says certWhyIssued.)
    return a.kind === 'certificate'
      ? 'appWhyCredited'
      : deskOf(s.extras, 'ja') || deskOf(s.extras, 'en')
        ? 'retryWhyRefundOnCard'
        : 'retryWhyRefundOnCardNoDesk'
  // Once a credit request may have reached M.I.C., only M.I.C.'s answer decides: it may
  // have landed, so the money must not also go back.
  if (a.creditSentAt !== null) return 'appWhyCreditSent'
  if (!REFUNDABLE.includes(a.creditStatus)) return 'appWhyCreditUnderWay'
  // KOMOJU pays a store payment back only to a bank account, which the student gives on
  // their own page (the approval mails them the link); one request at a time.
  if (hasDeadline(a.paymentMethod))
    return !a.providerPaymentId
      ? 'appWhyNotOpened'
      : refundableToBankAccount(a)
        ? null
        : 'appWhyBankRefundUnderWay'
  if (!a.providerPaymentId || !refundableByStudent(a)) return 'appWhyNotOpened'
  return null
}

export interface ActionSituation {
  application: Application
  student: Pick<ScopedStudent, 'email'>
  openRequest: OpenRefundRequest | undefined
  member: Pick<StaffPrincipal, 'id'>
  /** What only some states need (situationExtras): the card's room, the university's 窓口. */
  extras?: SituationExtras | null
}

/**
 * What whyNot needs beyond the application for a held credit (is there room on the card
 * yet?) and a credited one (where the office takes the student whose money is on the card).
 */
export interface SituationExtras {
  /** M.I.C.'s last balance of the card as the service read it, null if never read. */
  lastBalance: number | null
  cap: number
  /** 大学設定's 窓口 for money already on the card ('' when not set). */
  cardMoneyDesk: { ja: string; en: string }
}

/** The states whose reasons read SituationExtras: a held credit, a credited one. */
const needsExtras = (a: Pick<Application, 'kind' | 'creditStatus'>) =>
  a.kind === 'mic_charge' && (a.creditStatus === 'held' || a.creditStatus === 'credited')

/**
 * Reads SituationExtras when the application's state needs them (one query), else null:
 * 申請詳細 of any other state costs nothing more.
 */
export const situationExtras = async (
  s: Pick<Services, 'db' | 'mic'>,
  a: Pick<Application, 'kind' | 'creditStatus' | 'studentId' | 'universityId'>,
): Promise<SituationExtras | null> => {
  if (!needsExtras(a)) return null
  const row = await s.db
    .select({
      userId: students.userId,
      lastBalance: students.micBalance,
      cap: universities.balanceCap,
      ja: universities.cardMoneyDesk,
      en: universities.cardMoneyDeskEn,
    })
    .from(students)
    .innerJoin(universities, eq(universities.id, a.universityId))
    .where(eq(students.id, a.studentId))
    .get()
  if (!row) return null
  // A held credit: whether the card has room is M.I.C.'s answer now, not the balance we
  // last remembered (the student may have spent on campus since). No answer: the last one.
  let lastBalance = row.lastBalance
  if (a.creditStatus === 'held') {
    const reading = await s.mic.balance({ universityId: a.universityId, userId: row.userId })
    if (reading.ok) {
      lastBalance = reading.balance
      await rememberBalance(s.db, a.studentId, reading.balance, reading.asOf)
    }
  }
  return {
    lastBalance,
    cap: row.cap,
    cardMoneyDesk: { ja: row.ja.trim(), en: row.en.trim() },
  }
}

const deskOf = (extras: SituationExtras | null | undefined, lang: Lang) =>
  extras?.cardMoneyDesk[lang] ?? ''

/**
 * A held credit that cannot fit yet: by M.I.C.'s balance (asked as the page is read) the card still has no room
 * for it, so 再チャージ would only hold it again; the cron looks again by itself at its
 * next_credit_at. Unknown balance: offered (the desk reads M.I.C. and decides).
 */
const heldWithoutRoom = (a: Application, extras: SituationExtras | null | undefined) =>
  a.creditStatus === 'held' &&
  extras != null &&
  extras.lastBalance !== null &&
  extras.lastBalance + creditAmountOf(a) > extras.cap

/**
 * The figures a reason names ({time}, {balance}, {amount}, {cap}, {desk}), in the console's
 * language: the 窓口 in that language, the other one's when only it is set.
 */
export const whyParams = (s: ActionSituation, lang: Lang): Params => {
  const a = s.application
  const other: Lang = lang === 'en' ? 'ja' : 'en'
  return {
    time: a.nextCreditAt === null ? '—' : formatJstDateTime(a.nextCreditAt),
    amount: yen(creditAmountOf(a)),
    balance: s.extras?.lastBalance == null ? '—' : yen(s.extras.lastBalance),
    cap: s.extras ? yen(s.extras.cap) : '—',
    desk: deskOf(s.extras, lang) || deskOf(s.extras, other),
  }
}

/**
 * Why an action makes no sense for the application as it stands (a catalogue key that
 * says so), or null when it may be done. The detail page offers only what is null here,
 * and a POST is checked again, since the state may have moved since the page was shown.
 */
export const whyNot = (name: ActionName, s: ActionSituation): ConsoleKey | null => {
  const a = s.application
  if (a.kind === 'certificate') {
    // What moves money onto the M.I.C. card means nothing for a certificate order, and
    // what was issued is not refunded: said in the certificate's words.
    if (CHARGE_ONLY.includes(name)) return 'certWhyNotForCertificates'
    const why = whyNotAction(name, s)
    return why === 'appWhyCredited' ? 'certWhyIssued' : why
  }
  return whyNotAction(name, s)
}

const whyNotAction = (name: ActionName, s: ActionSituation): ConsoleKey | null => {
  const a = s.application
  switch (name) {
    case 'recredit':
      if (a.status === 'refunded') return 'appWhyRefunded'
      if (a.status !== 'paid') return 'appWhyNotPaid'
      if (a.creditStatus === 'credited') return 'appWhyCredited'
      // The gateway's amount is not the application's: never credit it; ask or refund.
      if (a.creditStatus === 'mismatch') return 'appWhyMismatch'
      if (a.creditStatus === 'refunding') return 'appWhyRefunding'
      if (!RECREDITABLE.includes(a.creditStatus)) return 'appWhyNotPaid'
      // A refund waits for its decision: crediting now would race it (whichever lands
      // first, the other is refused), so the request is decided first.
      if (s.openRequest) return 'retryWhyRefundOpen'
      // It would only be held again: the cron tries it by itself when there is room.
      if (heldWithoutRoom(a, s.extras)) return 'retryWhyHeldNoRoom'
      return null
    case 'inquire':
      return a.providerPaymentId || a.providerSessionId ? null : 'appWhyNotOpened'
    case 'resend-mail':
      if (!s.student.email) return 'appWhyNoEmail'
      return fittingMail(a) ? null : 'appWhyNoMail'
    case 'refund':
      if (s.openRequest) return 'appWhyRefundOpen'
      return whyNoRefund(a, s)
    case 'refund-approve':
      if (!s.openRequest) return 'appWhyNoRequest'
      if (s.openRequest.requestedBy === s.member.id) return 'appWhyOwnRequest'
      return whyNoRefund(a, s)
    case 'refund-reject':
      return s.openRequest ? null : 'appWhyNoRequest'
    case 'credit-net':
      if (s.openRequest) return 'appWhyRefundOpen'
      return a.status === 'paid' && a.creditStatus === 'partly_refunded'
        ? null
        : 'appWhyNotPartlyRefunded'
    case 'close-reversal':
      return a.creditStatus === 'reversed' && a.reversalResolvedAt === null
        ? null
        : 'appWhyNotReversed'
  }
}

/** The actions that credit M.I.C. or settle a credit, refused for a certificate order. */
export const CHARGE_ONLY: readonly ActionName[] = ['recredit', 'credit-net', 'close-reversal']

/** What the audit log keeps of an application's state, before and after an action. */
const stateOf = (a: Application) => ({
  status: a.status,
  creditStatus: a.creditStatus,
  creditAttempts: a.creditAttempts,
  creditError: a.creditError,
  micCreditId: a.micCreditId,
  refundedAt: a.refundedAt,
})

const reload = async (s: Pick<Services, 'db'>, id: number) =>
  (await s.db.select().from(applications).where(eq(applications.id, id)).get())!

export interface ActionInput {
  actor: StaffPrincipal
  application: Application
  student: ScopedStudent
  openRequest: OpenRefundRequest | undefined
  /** situationExtras of the application as read for this request. */
  extras?: SituationExtras | null
  reason: string
}

/** Done: the audit entry that tells what happened. Refused: why, and as which status. */
export type ActionResult =
  { done: true; auditId: number } | { done: false; why: ConsoleKey; status: 403 | 409 }

const audit = async (
  s: Pick<Services, 'db'>,
  input: ActionInput,
  at: number,
  name: ActionName,
  entry: { targetType?: string; targetId?: number; before?: unknown; after?: unknown },
) => {
  const row = await recordAudit(s.db, input.actor, at, {
    action: ACTION_AUDIT[name],
    universityId: input.application.universityId,
    targetType: entry.targetType ?? 'application',
    targetId: entry.targetId ?? input.application.id,
    applicationId: input.application.id,
    reason: input.reason,
    before: entry.before,
    after: entry.after,
  })
    .returning({ id: auditLog.id })
    .get()
  return { done: true as const, auditId: row!.id }
}

/**
 * 再チャージ: the student's desk tries the credit now with the application's own
 * idempotency key (flows/desk/credit.ts retryCreditNow).
 */
const recredit = async (s: Services, input: ActionInput, at: number): Promise<ActionResult> => {
  const a = input.application
  const result = await deskFor(s.desks, a.universityId, a.studentId).recredit(a.id)
  const after = await reload(s, a.id)
  // When it will be tried by itself (a retry, a stop window, a hold): the result says so.
  return audit(s, input, at, 'recredit', {
    before: stateOf(a),
    after: { ...stateOf(after), nextCreditAt: after.nextCreditAt, result },
  })
}

/** What KOMOJU said about the payment, as the audit log and the page show it. */
export type GatewayAnswer =
  | {
      kind: 'payment'
      status: GatewayPayment['status']
      amount: number
      currency: string
      capturedAt: number | null
      amountRefunded: number
      /** What applying it did: paid now, refunded now, nothing new, or no application. */
      applied: 'changed' | 'refunded' | 'unchanged' | 'unmatched'
    }
  | { kind: 'session'; status: 'pending' | 'completed' | 'cancelled'; expired: boolean }
  | { kind: 'unknown' }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'noGateway' }

/**
 * 支払状況を照会: asks KOMOJU about the application's payment (or hosted session) and
 * applies its answer exactly as a webhook's consumer does (applyGatewayPayment, then the
 * desk): a capture whose webhook was lost becomes お支払い済み and is credited; a refund made
 * in KOMOJU's dashboard becomes 返金済み. Nothing is believed but KOMOJU's own answer.
 */
const inquire = async (s: Services, input: ActionInput, at: number): Promise<ActionResult> => {
  const a = input.application
  const provider = s.payments(await loadUniversity(s.db, a.universityId))
  let answer: GatewayAnswer
  if (!provider) answer = { kind: 'noGateway' }
  else {
    try {
      let payment: GatewayPayment | null = null
      let session: { status: 'pending' | 'completed' | 'cancelled'; expired: boolean } | null = null
      if (a.providerPaymentId) payment = await provider.payment(a.providerPaymentId)
      else if (a.providerSessionId) {
        const found = await provider.session(a.providerSessionId)
        payment = found?.payment ?? null
        if (found) session = { status: found.status, expired: found.expired }
      }
      if (payment) {
        const outcome = await applyGatewayPayment(s, provider, a.universityId, payment)
        await handToDesk(s.desks, outcome)
        answer = {
          kind: 'payment',
          status: payment.status,
          amount: payment.amount,
          currency: payment.currency,
          capturedAt: payment.capturedAt,
          amountRefunded: payment.amountRefunded,
          applied:
            outcome.kind === 'unmatched'
              ? 'unmatched'
              : outcome.kind === 'refunded'
                ? 'refunded'
                : outcome.kind === 'fraud' || outcome.changed
                  ? 'changed'
                  : 'unchanged',
        }
      } else answer = session ? { kind: 'session', ...session } : { kind: 'unknown' }
    } catch (e) {
      if (!(e instanceof PaymentProviderError)) throw e
      answer = { kind: 'unreachable', detail: e.message.slice(0, 300) }
    }
  }
  const after = await reload(s, a.id)
  return audit(s, input, at, 'inquire', {
    before: stateOf(a),
    after: { ...stateOf(after), gateway: answer },
  })
}

/** The mail メール再送 sends, built as the flows build it, to the student's address now. */
const mailOf = async (
  s: Pick<Services, 'db'>,
  kind: ResendableMail,
  a: Application,
  student: ScopedStudent & { email: string },
): Promise<OutgoingMail> => {
  const tr = translator(a.lang)
  const u = await loadUniversity(s.db, a.universityId)
  switch (kind) {
    case 'payment-deadline':
      return paymentDeadlineMail(tr, u, student.email, student.nameKana, a)
    case 'charge-completed':
      return chargeCompletedMail(
        tr,
        u,
        student.email,
        student.nameKana,
        a,
        await breakdownFor(s, tr, a),
      )
    case 'credit-held':
      return creditHeldMail(tr, u, student.email, a)
    case 'credit-error':
      return creditErrorMail(tr, u, student.email, a)
    case 'refund-approved':
      return refundApprovedMail(tr, u, student.email, student.nameKana, a)
    case 'refund-completed':
      return refundCompletedMail(tr, u, student.email, student.nameKana, a)
  }
}

/**
 * メール再送: the mail that fits the application's state, to the student's current
 * address. The mailer records it in mail_log with the application; the once-only marks
 * of the automatic mails are left alone (this is a resend, not the first).
 */
const resendMail = async (s: Services, input: ActionInput, at: number): Promise<ActionResult> => {
  const a = input.application
  const kind = fittingMail(a)
  const email = input.student.email
  if (!kind || !email)
    return { done: false, why: kind ? 'appWhyNoEmail' : 'appWhyNoMail', status: 409 }
  const sent = await s.mailer.send(await mailOf(s, kind, a, { ...input.student, email }))
  return audit(s, input, at, 'resend-mail', {
    before: stateOf(a),
    after: { ...stateOf(a), mail: kind, to: email, sent },
  })
}

/**
 * 返金 request: kept until another member with the refund right decides it. One waiting
 * request per application (a unique index): a second is refused, whoever asks.
 */
const requestRefund = async (
  s: Services,
  input: ActionInput,
  at: number,
): Promise<ActionResult> => {
  const a = input.application
  const row = await s.db
    .insert(refundRequests)
    .values({
      applicationId: a.id,
      universityId: a.universityId,
      requestedBy: input.actor.id,
      requestedAt: at,
      reason: input.reason,
    })
    .onConflictDoNothing()
    .returning({ id: refundRequests.id })
    .get()
  if (!row) return { done: false, why: 'appWhyRefundOpen', status: 409 }
  return audit(s, input, at, 'refund', {
    targetType: 'refund',
    targetId: row.id,
    before: stateOf(a),
    after: { ...stateOf(a), requestId: row.id },
  })
}

/**
 * Decides the waiting request. The decision is claimed first (a compare-and-set on the
 * request still being open), so two members deciding at once, or an approval crossing a
 * rejection, end in one decision; only the claimant of an approval asks the desk to
 * refund, and the desk refunds only what M.I.C. certainly never applied, once per
 * application at KOMOJU (its own idempotency key).
 */
const decideRefund = async (
  s: Services,
  input: ActionInput,
  at: number,
  decision: 'approved' | 'rejected',
): Promise<ActionResult> => {
  const a = input.application
  const request = input.openRequest
  if (!request) return { done: false, why: 'appWhyNoRequest', status: 409 }
  // Never the requester's own approval: a refund needs two people.
  if (decision === 'approved' && request.requestedBy === input.actor.id)
    return { done: false, why: 'appWhyOwnRequest', status: 403 }
  // …nor an account of the requester's own invitation line (members.ts, inInvitationLine).
  if (
    decision === 'approved' &&
    (await inInvitationLine(s.db, request.requestedBy, input.actor.id))
  )
    return { done: false, why: 'appWhyInvitationLine', status: 403 }
  const claimed = await s.db
    .update(refundRequests)
    .set({
      decidedBy: input.actor.id,
      decidedAt: at,
      decision,
      result: decision === 'rejected' ? input.reason : null,
    })
    .where(and(eq(refundRequests.id, request.id), isNull(refundRequests.decidedAt)))
    .returning({ id: refundRequests.id })
    .get()
  if (!claimed) return { done: false, why: 'appWhyNoRequest', status: 409 }
  const name = decision === 'approved' ? 'refund-approve' : 'refund-reject'
  if (decision === 'rejected')
    return audit(s, input, at, name, {
      targetType: 'refund',
      targetId: request.id,
      before: stateOf(a),
      after: { ...stateOf(a), requestId: request.id, decision },
    })
  // A store payment: KOMOJU needs the student's bank account, which staff never handle.
  // The student is mailed the link to the page where they give it; nothing moves before.
  const outcome = hasDeadline(a.paymentMethod)
    ? (await askForBankAccount(s, a))
      ? 'bankAccountAsked'
      : 'unavailable'
    : await deskFor(s.desks, a.universityId, a.studentId).refund(a.id)
  await s.db
    .update(refundRequests)
    .set({ result: outcome })
    .where(eq(refundRequests.id, request.id))
  const after = await reload(s, a.id)
  // The student is told (once: only the claimant of the decision gets here). Refunded at
  // once (a card): that it is done. Asked of KOMOJU and not answered yet: that it is under
  // way (its completion is mailed by settleWithGateway). A store payment's approval mail
  // is the link to the bank account page, sent above; a refund KOMOJU refused: nothing.
  const mail =
    outcome === 'refunded'
      ? 'refund-completed'
      : outcome === 'unavailable' && after.status === 'paid' && after.creditStatus === 'refunding'
        ? 'refund-approved'
        : null
  const mailed = mail ? await mailRefund(s, after, mail) : null
  return audit(s, input, at, name, {
    targetType: 'refund',
    targetId: request.id,
    before: stateOf(a),
    after: {
      ...stateOf(after),
      requestId: request.id,
      decision,
      outcome,
      ...(mail ? { mail, sent: mailed } : {}),
    },
  })
}

/**
 * Does one action, after checking once more that it makes sense now (the page may be
 * old). The caller has checked the member's right and that the application is in the
 * member's university.
 */
export const runAction = async (
  s: Services,
  name: ActionName,
  input: ActionInput,
): Promise<ActionResult> => {
  const why = whyNot(name, {
    application: input.application,
    student: input.student,
    openRequest: input.openRequest,
    member: input.actor,
    // As read for this request; read here when the caller did not.
    extras: input.extras !== undefined ? input.extras : await situationExtras(s, input.application),
  })
  if (why) return { done: false, why, status: why === 'appWhyOwnRequest' ? 403 : 409 }
  const at = s.clock()
  switch (name) {
    case 'recredit':
      return recredit(s, input, at)
    case 'inquire':
      return inquire(s, input, at)
    case 'resend-mail':
      return resendMail(s, input, at)
    case 'refund':
      return requestRefund(s, input, at)
    case 'refund-approve':
      return decideRefund(s, input, at, 'approved')
    case 'refund-reject':
      return decideRefund(s, input, at, 'rejected')
    case 'credit-net':
      return creditNet(s, input, at)
    case 'close-reversal':
      return closeReversal(s, input, at)
  }
}

/** 差額をチャージ: the desk credits what KOMOJU still holds of a partly refunded payment. */
const creditNet = async (s: Services, input: ActionInput, at: number): Promise<ActionResult> => {
  const a = input.application
  const result = await deskFor(s.desks, a.universityId, a.studentId).creditNet(a.id)
  const after = await reload(s, a.id)
  return audit(s, input, at, 'credit-net', {
    before: stateOf(a),
    after: { ...stateOf(after), creditAmount: after.creditAmount, result },
  })
}

/**
 * 対応済みにする for money KOMOJU gave back after the credit: the office settled it with the
 * student (the money on the card is not ours to take back). It leaves 要対応; the state
 * stays `reversed`, so the student's page and 突合 keep saying what happened.
 */
const closeReversal = async (
  s: Services,
  input: ActionInput,
  at: number,
): Promise<ActionResult> => {
  const a = input.application
  const closed = await s.db
    .update(applications)
    .set({ reversalResolvedAt: at, reversalResolvedBy: input.actor.id, reversalNote: input.reason })
    .where(
      and(
        eq(applications.id, a.id),
        eq(applications.creditStatus, 'reversed'),
        isNull(applications.reversalResolvedAt),
      ),
    )
    .returning({ id: applications.id })
    .get()
  if (!closed) return { done: false, why: 'appWhyNotReversed', status: 409 }
  return audit(s, input, at, 'close-reversal', {
    before: stateOf(a),
    after: { ...stateOf(a), gatewayRefunded: a.gatewayRefunded, resolved: true },
  })
}

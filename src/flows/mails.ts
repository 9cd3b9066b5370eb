import type { Mail } from '../adapters/mail'
import { formatYen } from '../domain/charge'
import { hasEveryNumber, storeInstructionsOf } from '../domain/storePayment'
import { formatJstDateTime, formatJstJapanese } from '../domain/time'
import { universityIn, type University } from '../domain/university'
import type { TextKey, Translator } from '../i18n'
import type { Application } from '../db/schema'
import type { Certificate, CertificateLine, CertificateOrder } from '../db/schema'
import { CERTIFICATE_NAMES } from '../domain/certificates'
import { hasDeadline } from '../domain/paymentMethods'
import {
  refundableByStudent,
  refundableToBankAccount,
  type CreditStanding,
} from '../domain/application'
import { creditCauseOf, waitingHelps, type CreditCauseKind } from '../domain/creditCause'
import { consoleText } from '../i18n/console'
import { creditErrorSentence } from './staff/words'

/** One row of a mail's 内訳: 種別 数量 単金 金額. */
export interface BreakdownRow {
  label: string
  quantity: number
  unit: number
  amount: number
}

/** A mail about an application names it, for the console's タイムライン. */
export type OutgoingMail = Mail & { kind: string; universityId: string; applicationId?: number }

/** The closing lines of every mail: the manual's notes and the university's contact. */
const footer = (tr: Translator, u: University, withIgnoreNote: boolean) =>
  [
    '',
    ...(withIgnoreNote ? [tr.t('mailFooterIgnore')] : []),
    tr.t('mailFooterNoReply'),
    tr.t('mailFooterContact'),
    '',
    universityIn(u, tr.lang).callCentreName,
    `TEL ${u.callCentre.phone}`,
    tr.t('contactHours', { hours: universityIn(u, tr.lang).callCentreHours }),
  ].join('\n')

const envelope = (u: University, tr: Translator, to: string, kind: string, subject: TextKey) => ({
  from: { address: u.mailFrom, name: universityIn(u, tr.lang).mailFromName },
  to,
  kind,
  universityId: u.id,
  subject: tr.t(subject, { university: universityIn(u, tr.lang).name }),
})

const TOKEN_MAILS = {
  'email-register': { subject: 'mailEmailRegisterSubject', body: 'mailEmailRegisterBody' },
  'email-change': { subject: 'mailEmailChangeSubject', body: 'mailEmailChangeBody' },
  'second-password-reset': { subject: 'mailResetSubject', body: 'mailResetBody' },
} as const satisfies Record<string, { subject: TextKey; body: TextKey }>

/** A mail carrying a one-time URL (manual §2.1 "メール文面"). */
export const oneTimeUrlMail = (
  tr: Translator,
  u: University,
  kind: keyof typeof TOKEN_MAILS,
  to: string,
  url: string,
  userId: string,
): OutgoingMail => ({
  ...envelope(u, tr, to, kind, TOKEN_MAILS[kind].subject),
  text: [
    tr.t(TOKEN_MAILS[kind].body, { userId }),
    '',
    url,
    '',
    tr.t('mailUrlExpiry'),
    footer(tr, u, true),
  ].join('\n'),
})

/** Tells the old address that the email address was changed. */
export const emailChangedNotice = (
  tr: Translator,
  u: University,
  to: string,
  userId: string,
): OutgoingMail => ({
  ...envelope(u, tr, to, 'email-changed', 'mailEmailChangedSubject'),
  text: [tr.t('mailEmailChangedBody', { userId }), footer(tr, u, false)].join('\n'),
})

type ChargeMailApplication = Pick<
  Application,
  | 'id'
  | 'kind'
  | 'amount'
  | 'quantity'
  | 'paymentMethod'
  | 'paidAt'
  | 'paymentNumber'
  | 'paymentDetails'
  | 'paymentDeadline'
>

const when = (tr: Translator, ms: number) =>
  tr.lang === 'ja' ? formatJstJapanese(ms) : `${formatJstDateTime(ms)} JST`

/** チャージ完了 (manual §4.1 順序10), with every field of the manual's sample. */
export const chargeCompletedMail = (
  tr: Translator,
  u: University,
  to: string,
  nameKana: string,
  a: ChargeMailApplication,
  /** A certificate order's 内訳 (breakdownOf); a charge's is its amount. */
  breakdown: readonly BreakdownRow[] | null = null,
  /** Where the charge's credit stands as the mail goes (creditStanding); null: on its way. */
  credit: CreditStanding | null = null,
): OutgoingMail => ({
  ...envelope(
    u,
    tr,
    to,
    'charge-completed',
    a.kind === 'certificate' ? 'mailOrderCompletedSubject' : 'mailChargeCompletedSubject',
  ),
  applicationId: a.id,
  text: [
    tr.t(a.kind === 'certificate' ? 'mailOrderCompletedSubject' : 'mailChargeCompletedHeading'),
    tr.t('serviceName'),
    '',
    tr.t('mailTo', { name: nameKana }),
    '',
    tr.t('mailChargeCompletedPaid'),
    tr.t('mailApplicationNumber', { id: a.id }),
    `${tr.t('mailTotal')}: ¥${formatYen(a.amount)}`,
    `${tr.t('mailMethod')}: ${tr.t(`pm_${a.paymentMethod}`)}`,
    `${tr.t('mailPaidAt')}: ${when(tr, a.paidAt ?? 0)}`,
    '',
    `(${tr.t('mailIssuer')})`,
    universityIn(u, tr.lang).legalName,
    `(${tr.t('mailBreakdown')})`,
    tr.t('mailBreakdownHeader'),
    ...(
      breakdown ?? [
        { label: tr.t('chargeAmount'), quantity: a.quantity, unit: a.amount, amount: a.amount },
      ]
    ).map((r) => `${r.label} ${r.quantity} ¥${formatYen(r.unit)} ¥${formatYen(r.amount)}`),
    '',
    ...(a.kind === 'certificate'
      ? tr.list('mailOrderCompletedNotes')
      : chargeCompletedNotes(tr, credit)),
    footer(tr, u, false),
  ].join('\n'),
})

/**
 * The チャージ完了 mail's notes. The manual's (its first line: a few minutes) while the credit
 * is on its way; a stop window's end instead when one holds it; and no promise at all once
 * it has stopped (held, refused …): the mail about why follows, and 申請情報 詳細 says it.
 */
const chargeCompletedNotes = (tr: Translator, credit: CreditStanding | null) => {
  const [soon = '', ...rest] = tr.list('mailChargeCompletedNotes')
  const first =
    credit === null || credit.kind === 'credited' || credit.kind === 'notPaid'
      ? soon
      : credit.kind === 'waiting'
        ? credit.reason === 'blackout'
          ? tr.t('creditWaitingWindow', { time: when(tr, credit.expectedAt) })
          : soon
        : tr.t('mailChargeCompletedNotCredited')
  return [first, ...rest]
}

/**
 * What a コンビニ / Pay-easy payment is paid with, labelled: the gateway's numbers and its
 * page of instructions. Shared by 申請完了, 申請情報 詳細 and the mail. A number the gateway
 * left out is not shown (its instructions page, always linked then, has it).
 */
export const storeRows = (
  tr: Translator,
  a: Pick<Application, 'paymentDetails' | 'paymentNumber'>,
): { label: string; value: string; link?: boolean }[] => {
  const s = storeInstructionsOf(a.paymentDetails)
  const link = (url: string | null) =>
    url ? [{ label: tr.t('paymentInstructions'), value: url, link: true }] : []
  const row = (label: string, value: string | null) => (value ? [{ label, value }] : [])
  if (s?.kind === 'konbini')
    return [
      ...row(tr.t('paymentNumber'), s.receipt),
      ...row(tr.t('confirmationCode'), s.confirmationCode),
      ...link(s.instructionsUrl),
    ]
  if (s?.kind === 'pay_easy')
    return [
      ...row(tr.t('payEasyBankId'), s.bankId),
      ...row(tr.t('payEasyCustomerId'), s.customerId),
      ...row(tr.t('payEasyConfirmationId'), s.confirmationId),
      ...link(s.instructionsUrl),
    ]
  return [{ label: tr.t('paymentNumber'), value: a.paymentNumber ?? '' }]
}

/** コンビニ / Pay-easy: the payment number and deadline, to pay by. */
export const paymentDeadlineMail = (
  tr: Translator,
  u: University,
  to: string,
  nameKana: string,
  a: ChargeMailApplication,
): OutgoingMail => ({
  ...envelope(u, tr, to, 'payment-deadline', 'mailDeadlineSubject'),
  applicationId: a.id,
  text: [
    tr.t('mailTo', { name: nameKana }),
    '',
    tr.t(
      hasEveryNumber(storeInstructionsOf(a.paymentDetails))
        ? 'mailDeadlineIntro'
        : 'mailDeadlineIntroInstructions',
      { what: tr.t(a.kind === 'certificate' ? 'menuCertificates' : 'menuCharge') },
    ),
    tr.t('mailApplicationNumber', { id: a.id }),
    `${tr.t('mailMethod')}: ${tr.t(`pm_${a.paymentMethod}`)}`,
    ...storeRows(tr, a).map((r) => `${r.label}: ${r.value}`),
    `${tr.t('paymentDeadline')}: ${when(tr, a.paymentDeadline)}`,
    `${tr.t('mailTotal')}: ¥${formatYen(a.amount)}`,
    '',
    ...tr.list(a.kind === 'certificate' ? 'mailOrderDeadlineNotes' : 'mailDeadlineNotes'),
    footer(tr, u, false),
  ].join('\n'),
})

/** 上限超過のため保留: the paid charge waits for room on the card; once per application. */
export const creditHeldMail = (
  tr: Translator,
  u: University,
  to: string,
  a: Pick<Application, 'id' | 'amount' | 'quantity'>,
): OutgoingMail => ({
  ...envelope(u, tr, to, 'credit-held', 'mailCreditHeldSubject'),
  applicationId: a.id,
  text: [
    ...tr.list('mailCreditHeldBody'),
    tr.t('mailApplicationNumber', { id: a.id }),
    `${tr.t('mailTotal')}: ¥${formatYen(a.amount)}`,
    footer(tr, u, false),
  ].join('\n'),
})

/** A mail with the link to 返金先口座の指定 (the student gives the bank account there). */
const cashRefundLinkMail =
  (kind: 'cash-refund-account' | 'cash-refund-rejected') =>
  (
    tr: Translator,
    u: University,
    to: string,
    a: Pick<Application, 'id' | 'amount' | 'quantity'>,
    url: string,
  ): OutgoingMail => ({
    ...envelope(
      u,
      tr,
      to,
      kind,
      kind === 'cash-refund-account'
        ? 'mailCashRefundAccountSubject'
        : 'mailCashRefundRejectedSubject',
    ),
    applicationId: a.id,
    text: [
      ...tr.list(
        kind === 'cash-refund-account' ? 'mailCashRefundAccountBody' : 'mailCashRefundRejectedBody',
      ),
      tr.t('mailApplicationNumber', { id: a.id }),
      `${tr.t('mailTotal')}: ¥${formatYen(a.amount)}`,
      '',
      url,
      footer(tr, u, false),
    ].join('\n'),
  })

/**
 * Staff approved the refund of a コンビニ / Pay-easy payment: KOMOJU pays it into a bank
 * account, which only the student gives, on the page the link opens (after logging in).
 */
export const cashRefundAccountMail = cashRefundLinkMail('cash-refund-account')

/** KOMOJU rejected (or never received) the refund request: the student may give the account again. */
export const cashRefundRejectedMail = cashRefundLinkMail('cash-refund-rejected')

// ---- Refund mails (to the student) ----------------------------------------------------------

type RefundMailApplication = Pick<
  Application,
  'id' | 'kind' | 'amount' | 'paymentMethod' | 'refundedAt' | 'gatewayRefunded'
>

/**
 * A refund, told to the student as the manual's mails tell a payment: approved and asked
 * of KOMOJU (`refund-approved`), or done (`refund-completed`). The amount is what went
 * back (KOMOJU's figure when the service has it).
 */
const refundMail =
  (kind: 'refund-approved' | 'refund-completed') =>
  (
    tr: Translator,
    u: University,
    to: string,
    nameKana: string,
    a: RefundMailApplication,
  ): OutgoingMail => {
    const done = kind === 'refund-completed'
    const bank = hasDeadline(a.paymentMethod)
    return {
      ...envelope(
        u,
        tr,
        to,
        kind,
        done ? 'mailRefundCompletedSubject' : 'mailRefundApprovedSubject',
      ),
      applicationId: a.id,
      text: [
        tr.t('mailTo', { name: nameKana }),
        '',
        tr.t(done ? 'mailRefundCompletedLead' : 'mailRefundApprovedLead'),
        ...(a.kind === 'mic_charge' ? [tr.t('mailRefundNoCredit')] : []),
        tr.t('mailApplicationNumber', { id: a.id }),
        `${tr.t('mailRefundAmount')}: ${tr.t('yen', { amount: formatYen(a.gatewayRefunded || a.amount) })}`,
        `${tr.t('mailMethod')}: ${tr.t(`pm_${a.paymentMethod}`)}`,
        ...(done && a.refundedAt !== null
          ? [`${tr.t('mailRefundedAt')}: ${when(tr, a.refundedAt)}`]
          : []),
        '',
        tr.t(
          bank
            ? done
              ? 'mailRefundBankDone'
              : 'mailRefundBankPending'
            : done
              ? 'mailRefundCardDone'
              : 'mailRefundCardPending',
        ),
        ...(done ? [] : [tr.t('mailRefundApprovedNext')]),
        footer(tr, u, false),
      ].join('\n'),
    }
  }

/** 返金を受け付けました: staff approved it and KOMOJU was asked; its completion is mailed too. */
export const refundApprovedMail = refundMail('refund-approved')

/** 返金が完了しました: KOMOJU gave the money back (at once for a card, later for a transfer). */
export const refundCompletedMail = refundMail('refund-completed')

/** The envelope of every alert to the university's staff: Japanese only, about one application. */
const staffAlertEnvelope = (u: University, id: number, subject: string) => ({
  from: { address: u.mailFrom, name: u.mailFromName },
  to: u.staffAlertEmail ?? '',
  kind: 'staff-alert' as const,
  universityId: u.id,
  applicationId: id,
  subject,
})

const STAFF_ALERT_REASONS = {
  stalled: 'M.I.C.が応答しないため、再試行の上限に達しました。',
  refused: 'M.I.C.がチャージを拒否しました（カードの停止・再発行など）。',
  mismatch: '決済代行会社の支払金額が申請の金額と一致しません。',
} as const

const CERTIFICATE_ALERT_REASONS = {
  stalled: '学務システムが応答しないか、署名鍵などの設定に問題があるため、発行を続けられません。',
  refused:
    '学務システムが発行を受け付けず、返金も自動ではできませんでした（コンビニ・Pay-easyの支払いなど）。',
  mismatch: '決済代行会社の支払金額が申請の金額と一致しません。',
} as const

/**
 * The alert's cause: the sentence a console member reads for it (what happened, what to tell
 * the student; flows/staff/words.ts), then the desk's record as written, for the technical
 * staff.
 */
const alertCause = (creditError: string | null, creditStatus: string) => {
  const cause = creditErrorSentence(consoleText('ja'), creditError, creditStatus)
  return cause ? [`原因: ${cause.sentence}`, `記録: ${cause.code}`] : []
}

/** To the university's staff: a paid application's credit needs a person. Japanese only. */
export const staffAlertMail = (
  u: University,
  a: Pick<Application, 'id' | 'kind' | 'amount' | 'creditError' | 'providerPaymentId'>,
  reason: keyof typeof STAFF_ALERT_REASONS,
): OutgoingMail =>
  a.kind === 'certificate'
    ? {
        ...staffAlertEnvelope(u, a.id, `【要対応】証明書の申請 発行申請番号 ${a.id}`),
        text: [
          `発行申請番号 ${a.id}（¥${formatYen(a.amount)}）はお支払い済みですが、証明書を発行できていません。`,
          CERTIFICATE_ALERT_REASONS[reason],
          ...alertCause(a.creditError, reason),
          `決済ID: ${a.providerPaymentId ?? '—'}`,
          '',
          'コンソールの申請詳細で状況を確認し、発行をやり直すか返金してください。',
        ].join('\n'),
      }
    : {
        ...staffAlertEnvelope(u, a.id, `【要対応】M.I.C.チャージ 発行申請番号 ${a.id}`),
        text: [
          `発行申請番号 ${a.id}（¥${formatYen(a.amount)}）はお支払い済みですが、M.I.C.へ反映できていません。`,
          STAFF_ALERT_REASONS[reason],
          ...alertCause(a.creditError, reason),
          `決済ID: ${a.providerPaymentId ?? '—'}`,
          '',
          '学生には【お知らせ】M.I.C.へのチャージ状況について をお送りしています。',
        ].join('\n'),
      }

/**
 * To the university's staff: KOMOJU gave money back (a refund in its dashboard or a
 * chargeback) that the service did not ask for. Japanese only, once per application.
 */
export const moneyReturnedAlertMail = (
  u: University,
  a: Pick<
    Application,
    'id' | 'amount' | 'providerPaymentId' | 'gatewayRefunded' | 'gatewayChargeback' | 'creditStatus'
  >,
  userId: string | null,
  reason: 'partlyRefunded' | 'reversed' | 'fraud',
): OutgoingMail =>
  reason === 'fraud'
    ? fraudAlertMail(u, a, userId)
    : {
        ...staffAlertEnvelope(u, a.id, `【要対応】M.I.C.チャージ 発行申請番号 ${a.id}`),
        text: [
          `発行申請番号 ${a.id}（¥${formatYen(a.amount)}、ユーザID ${userId ?? '—'}）のお支払いのうち ¥${formatYen(a.gatewayRefunded)} が、${a.gatewayChargeback ? 'カード会社によるチャージバックで' : 'KOMOJUの管理画面などから'}返金されました。`,
          reason === 'reversed'
            ? 'この金額はすでにM.I.C.へチャージされています。カードに残る金額の扱いを学生と調整し、コンソールの申請詳細で「対応済みにする」を押してください。'
            : 'M.I.C.へはまだチャージしていません。コンソールの申請詳細で、残りの金額をチャージするか、残りを返金するかを選んでください。',
          `決済ID: ${a.providerPaymentId ?? '—'}`,
        ].join('\n'),
      }

/** To the university's staff: KOMOJU marked a payment as fraud. Japanese only, once. */
const fraudAlertMail = (
  u: University,
  a: Pick<Application, 'id' | 'amount' | 'providerPaymentId' | 'creditStatus'>,
  userId: string | null,
): OutgoingMail => ({
  ...staffAlertEnvelope(u, a.id, `【要対応】M.I.C.チャージ 発行申請番号 ${a.id}（不正の疑い）`),
  text: [
    `発行申請番号 ${a.id}（¥${formatYen(a.amount)}、ユーザID ${userId ?? '—'}）のお支払いを、KOMOJUが不正の疑いありとしました。`,
    a.creditStatus === 'credited'
      ? 'この金額はすでにM.I.C.へチャージされています。KOMOJUの管理画面で内容を確認し、学生・カード会社と対応してください。'
      : 'M.I.C.へはチャージせず止めています。KOMOJUの管理画面で内容を確認し、コンソールの申請詳細から返金してください。',
    `決済ID: ${a.providerPaymentId ?? '—'}`,
  ].join('\n'),
})

type RefusalApplication = Pick<
  Application,
  | 'id'
  | 'amount'
  | 'status'
  | 'creditStatus'
  | 'creditError'
  | 'creditSentAt'
  | 'paymentMethod'
  | 'gatewayRefunded'
>

/**
 * A credit stopped for a cause waiting cannot end (a suspended or unknown card, M.I.C.'s
 * refusal, the gateway's amount): the cause's sentence and the one next step, the same on
 * 申請情報 詳細 and in the mail. Null while waiting helps (a retry, a stop window, room on
 * the card): the manual's §4.3 words fit those.
 */
export const creditRefusal = (
  a: RefusalApplication,
): {
  cause: `creditCause_${Extract<CreditCauseKind, 'cardSuspended' | 'cardUnknown' | 'micRefused' | 'amountMismatch'>}`
  next: 'refund' | 'bank' | 'contact'
  /** What the refund gives back: the payment, less what the gateway returned already. */
  amount: number
} | null => {
  if (a.status !== 'paid' || (a.creditStatus !== 'refused' && a.creditStatus !== 'mismatch'))
    return null
  const cause = creditCauseOf(a.creditError, a.creditStatus)
  if (cause && waitingHelps(cause)) return null
  const kind =
    cause?.kind === 'cardSuspended' ||
    cause?.kind === 'cardUnknown' ||
    cause?.kind === 'amountMismatch'
      ? cause.kind
      : a.creditStatus === 'mismatch'
        ? 'amountMismatch'
        : 'micRefused'
  return {
    cause: `creditCause_${kind}`,
    next: refundableByStudent(a) ? 'refund' : refundableToBankAccount(a) ? 'bank' : 'contact',
    amount: a.amount - a.gatewayRefunded,
  }
}

/**
 * 【お知らせ】M.I.C.へのチャージ状況について (manual §4.3), once per application. A refusal
 * waiting cannot fix keeps the manual's subject and contact but says why and what to do
 * instead of "しばらくお待ちください" (creditRefusal: the page's words).
 */
export const creditErrorMail = (
  tr: Translator,
  u: University,
  to: string,
  a: Pick<Application, 'id'> & Partial<RefusalApplication>,
): OutgoingMail => {
  const refusal = a.status && a.creditStatus ? creditRefusal(a as RefusalApplication) : null
  return {
    ...envelope(u, tr, to, 'credit-error', 'mailCreditErrorSubject'),
    applicationId: a.id,
    text: [
      ...(refusal
        ? [
            ...tr.list('mailCreditRefusedBody'),
            tr.t(refusal.cause),
            tr.t(
              refusal.next === 'refund'
                ? 'mailCreditNextRefund'
                : refusal.next === 'bank'
                  ? 'mailCreditNextRefundBank'
                  : 'mailCreditNextContact',
              { amount: tr.t('yen', { amount: formatYen(refusal.amount) }) },
            ),
            ...tr.list('mailCreditRefusedEnd'),
          ]
        : tr.list('mailCreditErrorBody')),
      tr.t('mailApplicationNumber', { id: a.id }),
      '',
      tr.t('mailCreditErrorSystem'),
      tr.t('mailCreditErrorContact'),
      universityIn(u, tr.lang).callCentreName,
      `[TEL] ${u.callCentre.phone}`,
      tr.t('mailCreditErrorHours', { hours: universityIn(u, tr.lang).callCentreHours }),
    ].join('\n'),
  }
}

/** What a 要対応 alert names (flows/staff/alerts.ts). */
export interface NeedsPersonAlert {
  /** The kind in the console's Japanese words (上限超過のため保留 …). */
  kindLabel: string
  applicationId: number | null
  eventId: string | null
  paymentId: string | null
  amount: number | null
  since: number
}

/**
 * 【要対応】 to the university's staff address: something has waited 30 minutes for a
 * person (flows/staff/alerts.ts sends it once per item). Staff read Japanese; the link is a
 * path on the console, whichever host name they use for it.
 */
export const needsPersonAlertMail = (u: University, item: NeedsPersonAlert): OutgoingMail => {
  const what =
    item.applicationId !== null
      ? `発行申請番号 ${item.applicationId}`
      : `イベント ${item.eventId ?? '—'}`
  const link = item.applicationId !== null ? `/staff/applications/${item.applicationId}` : '/staff'
  return {
    from: { address: u.mailFrom, name: u.mailFromName },
    to: u.staffAlertEmail ?? '',
    kind: 'staff-needs-person',
    universityId: u.id,
    ...(item.applicationId !== null ? { applicationId: item.applicationId } : {}),
    subject: `【要対応】${item.kindLabel} ${what}`,
    text: [
      `${u.name}のM.I.C.オンラインチャージで、30分以上対応を待っているものがあります。`,
      '',
      `種別: ${item.kindLabel}`,
      ...(item.applicationId !== null ? [`発行申請番号: ${item.applicationId}`] : []),
      ...(item.eventId !== null ? [`イベントID: ${item.eventId}`] : []),
      `決済ID: ${item.paymentId ?? '—'}`,
      `金額: ${item.amount === null ? '—' : `¥${formatYen(item.amount)}`}`,
      `発生日時: ${formatJstDateTime(item.since)}（日本時間）`,
      '',
      `運用コンソールの要対応から確認してください: ${link}`,
    ].join('\n'),
  }
}

/**
 * To someone a 管理者 invited to the operations console: the one-time URL (30 minutes,
 * once). In Japanese and English, since nothing tells which language the invitee reads.
 */
export const staffInviteMail = (
  u: University,
  to: string,
  invite: { name: string; roleJa: string; roleEn: string; url: string; expiresAt: number },
): OutgoingMail => ({
  from: { address: u.mailFrom, name: u.mailFromName },
  to,
  kind: 'staff-invite',
  universityId: u.id,
  subject: `【${u.name}】M.I.C.オンラインチャージ 運用コンソールへの招待 / Invitation to the operations console`,
  text: [
    `${invite.name} 様`,
    '',
    `${u.name}のM.I.C.オンラインチャージ 運用コンソールに、${invite.roleJa}として招待されました。`,
    '下のURLを開き、認証アプリの登録とパスワードの設定をしてください。',
    `URLの有効期限は ${formatJstJapanese(invite.expiresAt)} まで（30分間）、1回限りです。`,
    '',
    invite.url,
    '',
    'お心当たりのない場合は、このメールを破棄してください。',
    '',
    '----',
    '',
    `You have been invited to the M.I.C. Online Charge operations console of ${u.nameEn} as ${invite.roleEn}.`,
    'Open the URL above, add the console to your authenticator app and choose a password.',
    `The URL works once, until ${formatJstDateTime(invite.expiresAt)} JST (30 minutes).`,
    'If you did not expect this mail, please ignore it.',
  ].join('\n'),
})

/** A certificate order's 内訳 as the mails and pages print it: each line, then 郵送料. */
export const breakdownOf = (
  tr: Translator,
  lines: readonly Pick<CertificateLine, 'type' | 'language' | 'copies' | 'unitFee'>[],
  postage: number,
): BreakdownRow[] => [
  ...lines.map((l) => ({
    label: certificateLineName(tr, l),
    quantity: l.copies,
    unit: l.unitFee,
    amount: l.unitFee * l.copies,
  })),
  ...(postage > 0 ? [{ label: tr.t('postage'), quantity: 1, unit: postage, amount: postage }] : []),
]

/** 在学証明書（和文） / Certificate of Enrollment (English). */
export const certificateLineName = (
  tr: Translator,
  l: Pick<CertificateLine, 'type' | 'language'>,
) =>
  `${CERTIFICATE_NAMES[l.type][tr.lang]}${tr.t(l.language === 'ja' ? 'inJapanese' : 'inEnglish')}`

/** The certificates are ready: to download (電子) or being prepared for the post (郵送). */
export const certificateIssuedMail = (
  tr: Translator,
  u: University,
  to: string,
  a: Pick<Application, 'id'>,
  view: { order: CertificateOrder; lines: CertificateLine[]; certificates: Certificate[] },
): OutgoingMail => ({
  ...envelope(u, tr, to, 'certificate-issued', 'mailCertificateIssuedSubject'),
  applicationId: a.id,
  text: [
    ...tr.list(
      view.order.delivery === 'pdf' ? 'mailCertificateIssuedPdf' : 'mailCertificateIssuedPost',
    ),
    tr.t('mailApplicationNumber', { id: a.id }),
    '',
    ...view.lines.map((l) => `${certificateLineName(tr, l)} × ${l.copies}`),
    ...(view.order.delivery === 'pdf' && view.certificates.length > 0
      ? [
          '',
          tr.t('mailCertificateValidUntil', {
            time: when(tr, Math.min(...view.certificates.map((c) => c.validUntil))),
          }),
          `${view.order.siteOrigin}/applications/${a.id}`,
        ]
      : []),
    ...(view.order.recipientEmail
      ? ['', tr.t('mailCertificateRecipientSent', { email: view.order.recipientEmail })]
      : []),
    footer(tr, u, false),
  ].join('\n'),
})

/** The registrar refused after payment: nothing was issued, and the money goes back. */
export const certificateRefusedMail = (
  tr: Translator,
  u: University,
  to: string,
  a: Pick<Application, 'id' | 'amount' | 'paymentMethod'>,
  lines: readonly CertificateLine[],
  refunded: boolean,
): OutgoingMail => ({
  ...envelope(u, tr, to, 'certificate-refused', 'mailCertificateRefusedSubject'),
  applicationId: a.id,
  text: [
    ...tr.list('mailCertificateRefusedBody'),
    tr.t('mailApplicationNumber', { id: a.id }),
    ...lines.map((l) => `${certificateLineName(tr, l)} × ${l.copies}`),
    '',
    refunded
      ? tr.t('mailCertificateRefunded', { amount: formatYen(a.amount) })
      : tr.t(
          hasDeadline(a.paymentMethod) ? 'mailCertificateRefundBank' : 'mailCertificateRefundLater',
        ),
    footer(tr, u, false),
  ].join('\n'),
})

/** To the recipient the student named: a link to the certificates, no account needed. */
export const recipientLinkMail = (
  tr: Translator,
  u: University,
  to: string,
  a: Pick<Application, 'id'>,
  view: { order: CertificateOrder; lines: CertificateLine[]; certificates: Certificate[] },
  url: string,
): OutgoingMail => ({
  ...envelope(u, tr, to, 'certificate-recipient', 'mailRecipientSubject'),
  applicationId: a.id,
  text: [
    tr.t('mailRecipientTo', {
      organisation: view.order.recipientOrganisation ?? '',
      name: view.order.recipientName ?? '',
    }),
    '',
    ...tr.list('mailRecipientBody'),
    ...view.lines.map((l) => `${certificateLineName(tr, l)} × ${l.copies}`),
    '',
    url,
    '',
    tr.t('mailRecipientExpiry', {
      time: when(tr, Math.max(...view.certificates.map((c) => c.validUntil))),
    }),
    footer(tr, u, false),
  ].join('\n'),
})

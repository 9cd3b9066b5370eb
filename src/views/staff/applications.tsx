import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { PAYMENT_STATUSES, type PaymentStatus } from '../../domain/application'
import { hasDeadline } from '../../domain/paymentMethods'
import { formatJstDateTime } from '../../domain/time'
import type { Application } from '../../flows/charge'
import { storeRows } from '../../flows/mails'
import type { ActionName, GatewayAnswer } from '../../flows/staff/actions'
import type {
  CashRefundRow,
  OpenRefundRequest,
  ScopedStudent,
  TimelineEntry,
} from '../../flows/staff/applications'
import {
  CREDIT_LABEL,
  creditLabel,
  creditErrorSentence,
  creditShown,
  gatewayStatusText,
  sessionStatusText,
  storePaymentExpired,
  webhookOutcomeText,
  webhookTypeText,
  yen,
} from '../../flows/staff/words'
import type { Params, Translator } from '../../i18n'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import { methodLabel, statusLabel } from '../pages/charge'
import { ErrorSummary, Field, Message, type FieldError, type FieldErrors } from '../components'
import { ActionForm, CauseText, Coded, TableWrap, When } from './components'
import { CERTIFICATE_NAMES, formatVerificationCode } from '../../domain/certificates'
import type { CertificateOrderView } from '../../flows/staff/certificates'
import {
  CertificateIssueSection,
  CertificateOrderSections,
  certificateName,
  linesSummary,
} from './certificates'

const useC = () => useRequestContext<AppEnv>()

// The console's one wording of amounts and credit states (flows/staff/words.ts).
export { CREDIT_LABEL, yen }

const paymentLabel = (tr: Translator, ct: ConsoleText, s: string | null) =>
  s && (PAYMENT_STATUSES as readonly string[]).includes(s)
    ? statusLabel(tr, s as PaymentStatus)
    : ct('dash')

/**
 * お支払いステータス as staff read it: the student's words, except a store payment past its
 * deadline unpaid, which is 期限切れ (the caller is told why nothing can be paid any more).
 */
export const paymentShown = (
  ct: ConsoleText,
  tr: Translator,
  a: Parameters<typeof storePaymentExpired>[0],
  now?: number,
) => (storePaymentExpired(a, now) ? ct('appPaymentExpired') : statusLabel(tr, a.status))

// ---- 申請詳細 --------------------------------------------------------------------------------

export const ACTION_LABEL: Record<ActionName, ConsoleKey> = {
  recredit: 'appActionRecredit',
  inquire: 'appActionInquire',
  'resend-mail': 'appActionResendMail',
  refund: 'appActionRefund',
  'refund-approve': 'appActionRefundApprove',
  'refund-reject': 'appActionRefundReject',
  'credit-net': 'appActionCreditNet',
  'close-reversal': 'appActionCloseReversal',
}

/** Each action's confirmation page title, worded for it in both languages. */
export const CONFIRM_TITLE: Record<ActionName, ConsoleKey> = {
  recredit: 'appConfirmTitleRecredit',
  inquire: 'appConfirmTitleInquire',
  'resend-mail': 'appConfirmTitleResendMail',
  refund: 'appConfirmTitleRefund',
  'refund-approve': 'appConfirmTitleRefundApprove',
  'refund-reject': 'appConfirmTitleRefundReject',
  'credit-net': 'appConfirmTitleCreditNet',
  'close-reversal': 'appConfirmTitleCloseReversal',
}

/** One action on the detail page: offered (a link to its confirmation), or why not. */
export interface ActionOffer {
  name: ActionName
  why: ConsoleKey | null
  /** The figures the reason names (flows/staff/actions.ts whyParams). */
  params?: Params
}

/** A message on 申請詳細; `code`: the raw record behind it, in small type for technical staff. */
export type Notice = { kind: 'info' | 'success' | 'error'; text: string; code?: string }

const Fact = (p: { label: string; children: unknown }) => (
  <>
    <dt>{p.label}</dt>
    <dd>{p.children}</dd>
  </>
)

const CASH_REFUND_OUTCOME = {
  pending: 'appCashRefundPending',
  completed: 'appCashRefundCompleted',
  rejected: 'appCashRefundRejected',
  lost: 'appCashRefundLost',
} as const satisfies Record<string, ConsoleKey>

export const ApplicationDetail = (p: {
  a: Application
  student: ScopedStudent
  universityName: string | null
  timeline: TimelineEntry[]
  offers: ActionOffer[]
  openRequest: OpenRefundRequest | undefined
  notice: Notice | null
  /** Refund requests to the student's bank account (コンビニ / Pay-easy), oldest first. */
  cashRefunds?: CashRefundRow[]
  /** A certificate order's 内訳, delivery and certificates; null for a charge. */
  certificate?: CertificateOrderView | null
  now?: number
}) => {
  const c = useC()
  const ct = c.get('ct')
  const tr = c.get('tr')
  const { a, student } = p
  const dash = ct('dash')
  const main = p.offers.filter((o) => !o.name.startsWith('refund'))
  const refund = p.offers.filter((o) => o.name.startsWith('refund'))
  return (
    <>
      {p.notice && (
        <Message kind={p.notice.kind}>
          <p>
            {p.notice.code ? <Coded words={p.notice.text} code={p.notice.code} /> : p.notice.text}
          </p>
        </Message>
      )}
      <section class="card" aria-labelledby="application-heading">
        <h2 id="application-heading">{ct('appSectionApplication')}</h2>
        <dl class="facts">
          <Fact label={ct('appNumber')}>{a.id}</Fact>
          <Fact label={ct('certColKind')}>
            {p.certificate ? linesSummary(ct, tr.lang, p.certificate.lines) : ct('certKindCharge')}
          </Fact>
          {p.universityName !== null && <Fact label={ct('university')}>{p.universityName}</Fact>}
          <Fact label={ct('appAppliedAt')}>
            <When ms={a.createdAt} />
          </Fact>
          <Fact label={ct('appAmount')}>{yen(a.amount)}</Fact>
          <Fact label={ct('appMethod')}>{methodLabel(tr, a.paymentMethod)}</Fact>
          <Fact label={ct('appPaymentStatus')}>
            <span class={`status status-${a.status}`}>{paymentShown(ct, tr, a, p.now)}</span>
          </Fact>
          {hasDeadline(a.paymentMethod) &&
            a.paymentDetails &&
            storeRows(tr, a).map((r) => (
              <Fact label={r.label}>
                {r.link ? <a href={r.value}>{r.value}</a> : <span class="mono">{r.value}</span>}
              </Fact>
            ))}
          <Fact label={ct('appDeadline')}>
            <When ms={a.paymentDeadline} />
          </Fact>
          <Fact label={ct('appPaidAt')}>
            <When ms={a.paidAt} />
          </Fact>
          <Fact label={ct('appPaymentId')}>
            <span class="mono">{a.providerPaymentId ?? dash}</span>
          </Fact>
          {a.providerSessionId && (
            <Fact label={ct('appSessionId')}>
              <span class="mono">{a.providerSessionId}</span>
            </Fact>
          )}
          {a.refundedAt !== null && (
            <Fact label={ct('appRefundedAt')}>
              <When ms={a.refundedAt} />
            </Fact>
          )}
        </dl>
      </section>
      {p.certificate && (
        <>
          <CertificateIssueSection a={a} order={p.certificate.order} />
          <CertificateOrderSections view={p.certificate} now={p.now ?? a.createdAt} />
        </>
      )}
      {!p.certificate && (
        <section class="card" aria-labelledby="credit-heading">
          <h2 id="credit-heading">{ct('appSectionCredit')}</h2>
          <dl class="facts">
            <Fact label={ct('appCreditStatus')}>
              <span class={`credit credit-${a.creditStatus}`}>{creditShown(ct, a)}</span>
            </Fact>
            <Fact label={ct('appCreditedAt')}>
              <When ms={a.creditedAt} />
            </Fact>
            <Fact label={ct('appMicCreditId')}>
              <span class="mono">{a.micCreditId ?? dash}</span>
            </Fact>
            <Fact label={ct('appAttempts')}>{a.creditAttempts}</Fact>
            <Fact label={ct('appNextAttempt')}>
              <When ms={a.creditStatus === 'credited' ? null : a.nextCreditAt} />
            </Fact>
            <Fact label={ct('appCreditSentAt')}>
              <When ms={a.creditSentAt} />
            </Fact>
            <Fact label={ct('appCauseHeading')}>
              <CauseText creditError={a.creditError} creditStatus={a.creditStatus} />
            </Fact>
          </dl>
        </section>
      )}
      {p.cashRefunds && p.cashRefunds.length > 0 && (
        <section class="card" aria-labelledby="cash-refund-heading">
          <h2 id="cash-refund-heading">{ct('appCashRefundHeading')}</h2>
          <p>{ct('appCashRefundNote')}</p>
          <ol>
            {p.cashRefunds.map((r) => (
              <li>
                {ct('appCashRefundLine', {
                  time: formatJstDateTime(r.requestedAt),
                  outcome: ct(CASH_REFUND_OUTCOME[r.outcome ?? 'pending']),
                  decided: r.decidedAt === null ? '' : formatJstDateTime(r.decidedAt),
                })}
              </li>
            ))}
          </ol>
        </section>
      )}
      <section class="card" aria-labelledby="student-heading">
        <h2 id="student-heading">{ct('appSectionStudent')}</h2>
        <dl class="facts">
          <Fact label={ct('appUserId')}>{student.userId}</Fact>
          <Fact label={ct('appNameKana')}>{student.nameKana}</Fact>
          <Fact label={ct('email')}>{student.email ?? ct('appEmailNone')}</Fact>
        </dl>
        <p>
          <a href={`/staff/students/${student.id}`}>{ct('appStudentLink')}</a>
        </p>
      </section>
      <section class="card" aria-labelledby="actions-heading">
        <h2 id="actions-heading">{ct('appSectionActions')}</h2>
        <OfferList applicationId={a.id} offers={main} />
        {refund.length > 0 && (
          <>
            <h3>{ct('appRefundHeading')}</h3>
            {p.openRequest && (
              <p>
                {ct('appOpenRequest', {
                  name: p.openRequest.requestedByName ?? String(p.openRequest.requestedBy),
                  time: formatJstDateTime(p.openRequest.requestedAt),
                  reason: p.openRequest.reason,
                })}
              </p>
            )}
            <OfferList
              applicationId={a.id}
              // Without an open request only 返金 itself has something to say, and with one
              // only its approval and rejection do.
              offers={refund.filter((o) =>
                p.openRequest ? o.name !== 'refund' : o.name === 'refund',
              )}
            />
          </>
        )}
      </section>
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">{ct('appSectionTimeline')}</h2>
        {p.timeline.length === 0 ? (
          <p>{ct('none')}</p>
        ) : (
          <ol class="timeline">
            {p.timeline.map((e) => (
              <li class={`tl-${e.kind}`}>
                <span class="when">
                  <WhenToSecond ms={e.at} />
                </span>
                {timelineText(ct, tr, e, a.kind)}
              </li>
            ))}
          </ol>
        )}
      </section>
      <p class="actions">
        <a class="button" href="/staff/search">
          {ct('navSearch')}
        </a>
        <a class="button" href={`/staff/applications/${a.id}`}>
          {ct('appReload')}
        </a>
      </p>
    </>
  )
}

/**
 * A timeline's time in JST to the second: one action's effects, a webhook and its mail
 * often share a minute, and the order within it is what staff read.
 */
const WhenToSecond = ({ ms }: { ms: number }) => (
  <time datetime={new Date(ms).toISOString()}>
    {`${formatJstDateTime(ms)}:${String(new Date(ms).getUTCSeconds()).padStart(2, '0')}`}
  </time>
)

const OfferList = ({ applicationId, offers }: { applicationId: number; offers: ActionOffer[] }) => {
  const ct = useC().get('ct')
  if (offers.length === 0) return <p>{ct('appNoActions')}</p>
  return (
    <ul class="console-offers">
      {offers.map((o) =>
        o.why === null ? (
          <li>
            <a class="button" href={`/staff/applications/${applicationId}/actions/${o.name}`}>
              {ct(ACTION_LABEL[o.name])}
            </a>
          </li>
        ) : (
          <li>
            <span class="offer-off">{ct(ACTION_LABEL[o.name])}</span>: {ct(o.why, o.params)}
          </li>
        ),
      )}
    </ul>
  )
}

// ---- タイムライン's sentences ------------------------------------------------------------------

const MAIL_LABEL: Record<string, ConsoleKey> = {
  'payment-deadline': 'appMailDeadline',
  'charge-completed': 'appMailCompleted',
  'credit-held': 'appMailHeld',
  'credit-error': 'appMailError',
  'refund-approved': 'retryMailRefundApproved',
  'refund-completed': 'retryMailRefundCompleted',
  'staff-alert': 'appMailStaffAlert',
  'staff-needs-person': 'appMailNeedsPerson',
  'cash-refund-account': 'appMailCashRefundAccount',
  'cash-refund-rejected': 'appMailCashRefundRejected',
  'certificate-issued': 'appMailCertificateIssued',
  'certificate-recipient': 'appMailCertificateRecipient',
  'certificate-refused': 'appMailCertificateRefused',
  'certificate-printed': 'certMailKindPrinted',
  'certificate-shipped': 'certMailKindShipped',
}
/** A mail's kind (mail_log.kind) in words; a kind without words is said to be unexpected. */
export const mailLabel = (ct: ConsoleText, kind: string) =>
  MAIL_LABEL[kind] ? ct(MAIL_LABEL[kind]) : ct('appMailOther')
/** A mail's kind in words, with its code beside it when it has no words of its own. */
const MailKind = ({ ct, kind }: { ct: ConsoleText; kind: string }) =>
  MAIL_LABEL[kind] ? ct(MAIL_LABEL[kind]) : <Coded words={ct('appMailOther')} code={kind} />

const STAFF_ACTION_LABEL: Record<string, ConsoleKey> = {
  'application.recredit': 'appActionRecredit',
  'application.inquire': 'appActionInquire',
  'application.resend-mail': 'appActionResendMail',
  'application.credit-net': 'appActionCreditNet',
  'application.close-reversal': 'appActionCloseReversal',
  'event.resolve': 'triageResolve',
  'certificate.print': 'certActionPrint',
  'certificate.enclose': 'certActionEnclose',
  'certificate.ship': 'certActionShip',
  'certificate.revoke': 'certActionRevoke',
  'certificate.reissue': 'certActionReissue',
}

const REFUND_RESULT: Record<string, ConsoleKey> = {
  refunded: 'appTlRefundResultRefunded',
  unavailable: 'appTlRefundResultUnavailable',
  notRefundable: 'appTlRefundResultNotRefundable',
}

/** KOMOJU's answer to 支払状況を照会 as the audit entry keeps it, in words. */
const gatewayAnswerText = (ct: ConsoleText, g: Record<string, unknown> | undefined) => {
  if (g?.kind === 'payment') return `KOMOJU: ${gatewayStatusText(ct, String(g.status))}`
  if (g?.kind === 'session')
    return `KOMOJU: ${sessionStatusText(ct, String(g.status), g.expired === true)}`
  return ct(g?.kind === 'unknown' ? 'appTlInquireUnknown' : 'appTlInquireFailed')
}

/** What a staff action led to, from its audit entry, in a few words. */
const staffResult = (ct: ConsoleText, e: Extract<TimelineEntry, { kind: 'staff' }>) => {
  const after = e.after ?? {}
  if (e.action === 'application.recredit' || e.action === 'application.credit-net')
    return creditLabel(ct, String(after.creditStatus))
  if (e.action === 'certificate.ship')
    return `${ct('certTracking')} ${String(after.trackingNumber)}`
  if (e.action === 'certificate.revoke' || e.action === 'certificate.reissue')
    return String(after.issueNumber)
  if (e.action === 'application.resend-mail')
    return `${mailLabel(ct, String(after.mail))} → ${String(after.to)}`
  if (e.action === 'application.inquire')
    return gatewayAnswerText(ct, after.gateway as Record<string, unknown> | undefined)
  return null
}

/** A line's words, and the raw record they explain when there is one (small type, `<code>`). */
const withCode = (words: string, code: string | null) =>
  code === null ? words : <Coded words={words} code={code} />

/** One line of the タイムライン as a sentence in the console's language. */
export const timelineText = (
  ct: ConsoleText,
  tr: Translator,
  e: TimelineEntry,
  applicationKind: Application['kind'] = 'mic_charge',
) => {
  const dash = ct('dash')
  switch (e.kind) {
    case 'applied':
      return ct('appTlApplied', {
        method: e.method ? methodLabel(tr, e.method) : dash,
        amount: yen(e.amount),
      })
    case 'opened':
      if (e.paymentId)
        return e.paymentNumber
          ? ct('appTlOpenedStore', { id: e.paymentId, number: e.paymentNumber })
          : ct('appTlOpenedPayment', { id: e.paymentId })
      return ct('appTlOpenedSession', { id: e.sessionId ?? dash })
    case 'payment':
      return ct('appTlPayment', { status: paymentLabel(tr, ct, e.to) })
    case 'credit':
      return applicationKind === 'certificate' ? issueText(ct, e) : creditText(ct, e)
    case 'certificateIssued':
      return `${ct('certTlIssued', {
        name: CERTIFICATE_NAMES[e.type][tr.lang],
        language: ct(e.language === 'ja' ? 'certLangJa' : 'certLangEn'),
        issueNumber: e.issueNumber,
        code: formatVerificationCode(e.verificationCode),
      })}`
    case 'webhook':
      // The gateway's event type stays beside its words: it is what KOMOJU's dashboard shows.
      return withCode(
        ct('appTlWebhook', {
          type: webhookTypeText(ct, e.type),
          id: e.eventId,
          outcome: webhookOutcomeText(ct, e.outcome),
        }),
        e.type,
      )
    case 'deadLettered':
      return ct('appTlDeadLettered', { id: e.eventId })
    case 'mail': {
      const line = ct('appTlMail', {
        kind: mailLabel(ct, e.mailKind),
        to: e.to,
        result: e.result === 'sent' ? ct('appTlMailSent') : ct('appTlMailFailedPlain'),
      })
      const code = [
        MAIL_LABEL[e.mailKind] ? null : e.mailKind,
        e.result === 'sent' ? null : e.error,
      ]
        .filter((c) => c)
        .join(' ')
      return withCode(line, code || null)
    }
    case 'staff': {
      const known = STAFF_ACTION_LABEL[e.action]
      const action = known ? ct(known) : ct('appActionOther')
      const result = staffResult(ct, e)
      return withCode(
        ct(result ? 'appTlStaffResult' : 'appTlStaff', {
          name: e.staffName,
          action,
          result: result ?? '',
          reason: e.reason ?? dash,
        }),
        known ? null : e.action,
      )
    }
    case 'refundRequested':
      return ct('appTlRefundRequested', { name: e.staffName, reason: e.reason })
    case 'refundDecided':
      return e.decision === 'approved'
        ? ct('appTlRefundApproved', {
            name: e.staffName,
            result: e.result && REFUND_RESULT[e.result] ? ct(REFUND_RESULT[e.result]!) : dash,
            reason: e.reason ?? dash,
          })
        : ct('appTlRefundRejected', { name: e.staffName, reason: e.reason ?? dash })
  }
}

/** A credit event's sentence, then the desk's record of why in words and as it was written. */
const withCause = (
  ct: ConsoleText,
  lead: string,
  e: Extract<TimelineEntry, { kind: 'credit' }>,
  tail = '',
) => (
  <>
    {lead} <CauseText creditError={e.answer} creditStatus={e.to ?? undefined} />
    {tail && ` ${tail}`}
  </>
)

/**
 * A certificate order's issue rides on the credit states (domain/application.ts): the same
 * events, told as the registrar's side of the story.
 */
const issueText = (ct: ConsoleText, e: Extract<TimelineEntry, { kind: 'credit' }>) => {
  const next = e.nextAt === null ? ct('dash') : formatJstDateTime(e.nextAt)
  switch (e.to) {
    case 'pending':
      return e.from === 'none' ? ct('certTlQueued') : ct('certTlResumed')
    case 'credited':
      return ct('certTlAllIssued')
    case 'retrying':
      return withCause(
        ct,
        ct('appTlAttemptFailedWhy', { attempt: e.attempt }),
        e,
        ct('appTlNextAttempt', { time: next }),
      )
    case 'deferred':
      return ct('certTlDeferred', { time: next })
    case 'refused':
      return withCause(ct, ct('appTlIssueRefusedWhy'), e)
    default:
      return creditText(ct, e)
  }
}

/** A credit event (a status change or an attempt) as M.I.C.'s side of the story. */
const creditText = (ct: ConsoleText, e: Extract<TimelineEntry, { kind: 'credit' }>) => {
  const next = e.nextAt === null ? ct('dash') : formatJstDateTime(e.nextAt)
  const failed = ct('appTlAttemptFailedWhy', { attempt: e.attempt })
  switch (e.to) {
    case 'pending':
      return e.from === 'none' ? ct('appTlCreditQueued') : ct('appTlCreditResumed')
    case 'credited':
      return ct('appTlCredited', { id: e.micCreditId ?? ct('dash') })
    case 'retrying':
      return withCause(ct, failed, e, ct('appTlNextAttempt', { time: next }))
    case 'stalled':
      return withCause(ct, failed, e, e.from === 'stalled' ? '' : ct('appTlStalled'))
    case 'deferred':
      return ct('appTlDeferred', { time: next })
    case 'held':
      // The cause's sentence says it is held, and why: said once.
      return e.answer ? (
        <CauseText creditError={e.answer} creditStatus="held" />
      ) : (
        ct('appTlHeldWhy')
      )
    case 'refused':
      return withCause(ct, ct('appTlRefusedWhy'), e)
    case 'mismatch':
      return withCause(ct, ct('appTlMismatchWhy'), e)
    case 'refunding':
      return ct('appTlRefunding')
    default:
      return ct('appTlCreditOther', { from: creditLabel(ct, e.from), to: creditLabel(ct, e.to) })
  }
}

// ---- 確認 ----------------------------------------------------------------------------------

/** The confirmation step of an action: what will happen, and the reason asked for. */
export const ActionConfirm = (p: {
  name: ActionName
  a: Application
  student: ScopedStudent
  description: string
  openRequest: OpenRefundRequest | undefined
  why: ConsoleKey | null
  /** The figures `why` names. */
  whyParams?: Params
  errors: FieldErrors
}) => {
  const c = useC()
  const ct = c.get('ct')
  const tr = c.get('tr')
  const { a } = p
  const back = `/staff/applications/${a.id}`
  return (
    <>
      <ErrorSummary errors={p.errors} />
      <section class="card" aria-labelledby="what-heading">
        <h2 id="what-heading">{ct('appSectionApplication')}</h2>
        <dl class="facts">
          <Fact label={ct('appNumber')}>
            <a href={back}>{a.id}</a>
          </Fact>
          <Fact label={ct('appUserId')}>{p.student.userId}</Fact>
          <Fact label={ct('appNameKana')}>{p.student.nameKana}</Fact>
          <Fact label={ct('appAmount')}>{yen(a.amount)}</Fact>
          <Fact label={ct('appMethod')}>{methodLabel(tr, a.paymentMethod)}</Fact>
          <Fact label={ct('appPaymentStatus')}>{paymentShown(ct, tr, a)}</Fact>
          <Fact label={ct('appCreditStatus')}>{creditShown(ct, a)}</Fact>
          {p.openRequest && (
            <Fact label={ct('appRefundHeading')}>
              {ct('appOpenRequest', {
                name: p.openRequest.requestedByName ?? String(p.openRequest.requestedBy),
                time: formatJstDateTime(p.openRequest.requestedAt),
                reason: p.openRequest.reason,
              })}
            </Fact>
          )}
        </dl>
      </section>
      {p.why ? (
        <Message kind="error">
          <p>{ct(p.why, p.whyParams)}</p>
        </Message>
      ) : (
        <>
          <p>{p.description}</p>
          <ActionForm
            action={`/staff/applications/${a.id}/actions/${p.name}`}
            label={ct(ACTION_LABEL[p.name])}
            reasonError={p.errors.reason?.text}
          />
        </>
      )}
      <p class="actions">
        <a class="button" href={back}>
          {ct('appBackToDetail')}
        </a>
      </p>
    </>
  )
}

// ---- After an action -------------------------------------------------------------------------

const parseAfter = (json: string | null): Record<string, unknown> => {
  try {
    const v: unknown = json ? JSON.parse(json) : null
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** KOMOJU's answer to 支払状況を照会, as the audit entry keeps it (flows/staff/actions.ts). */
const inquiryNotice = (ct: ConsoleText, tr: Translator, after: Record<string, unknown>): Notice => {
  const g = (after.gateway ?? {}) as Partial<GatewayAnswer> & Record<string, unknown>
  const now = ct('appInquireNow', {
    status: paymentLabel(tr, ct, String(after.status)),
    credit: creditLabel(ct, String(after.creditStatus)),
  })
  switch (g.kind) {
    case 'payment': {
      const said = ct('appDoneInquirePayment', {
        status: gatewayStatusText(ct, String(g.status)),
        amount: yen(Number(g.amount)),
        refunded: yen(Number(g.amountRefunded)),
      })
      const applied = String(g.applied)
      const key: ConsoleKey =
        applied === 'changed'
          ? 'appInquireChanged'
          : applied === 'refunded'
            ? 'appInquireRefunded'
            : applied === 'unmatched'
              ? 'appInquireUnmatched'
              : 'appInquireUnchanged'
      return {
        kind: applied === 'unmatched' ? 'error' : applied === 'unchanged' ? 'info' : 'success',
        text: `${said} ${ct(key)} ${now}`,
      }
    }
    case 'session':
      return {
        kind: 'info',
        text: `${ct('appDoneInquireSession', { status: sessionStatusText(ct, String(g.status), g.expired === true) })} ${now}`,
      }
    case 'unreachable':
      return { kind: 'error', text: ct('appInquireUnreachableWhy'), code: String(g.detail) }
    case 'noGateway':
      return { kind: 'error', text: ct('appInquireNoGateway') }
    default:
      return { kind: 'error', text: ct('appInquireUnknown') }
  }
}

/**
 * When a credit 再チャージ could not land is tried again by itself, by its state (the cause and
 * what to tell the student are the cause's own sentence, flows/staff/words.ts).
 */
const recreditNext = (status: string): ConsoleKey | null => {
  if (status === 'held') return 'retryNextHeld'
  if (status === 'retrying') return 'retryNextRetrying'
  if (status === 'stalled') return 'retryNextStalled'
  return null
}

/**
 * 再チャージ's result, from its audit entry: credited is a success; M.I.C. refusing again
 * (refused, held over the cap, failing or stalled) is an error that says why in words
 * (domain/creditCause.ts, the one reader of the desk's records) and what to do next, the
 * record itself in small type; a stop window says when it is credited by itself.
 */
const recreditNotice = (ct: ConsoleText, after: Record<string, unknown>): Notice => {
  const status = String(after.creditStatus)
  const next =
    typeof after.nextCreditAt === 'number' ? formatJstDateTime(after.nextCreditAt) : ct('dash')
  if (status === 'deferred') return { kind: 'info', text: ct('retryDeferred', { time: next }) }
  if (!['refused', 'held', 'retrying', 'stalled'].includes(status))
    return {
      kind: status === 'credited' ? 'success' : 'info',
      text: ct('appDoneRecredit', { status: creditLabel(ct, status) }),
    }
  const record = typeof after.creditError === 'string' ? after.creditError : null
  const cause = creditErrorSentence(ct, record, status)
  const then = recreditNext(status)
  return {
    kind: 'error',
    text: [
      ct('retryFailed', { status: creditLabel(ct, status) }),
      ...(cause ? [cause.sentence] : []),
      ...(then ? [ct(then, { time: next })] : []),
    ].join(' '),
    code: record ?? undefined,
  }
}

/** The message on the detail page after an action, from the action's audit entry. */
export const actionNotice = (
  ct: ConsoleText,
  tr: Translator,
  action: string,
  afterJson: string | null,
): Notice | null => {
  const after = parseAfter(afterJson)
  switch (action) {
    case 'application.recredit':
      return recreditNotice(ct, after)
    case 'application.credit-net': {
      const status = String(after.creditStatus)
      return {
        kind: status === 'credited' ? 'success' : 'info',
        text: ct('appDoneCreditNet', { status: creditLabel(ct, status) }),
      }
    }
    case 'application.close-reversal':
      return { kind: 'success', text: ct('appDoneCloseReversal') }
    case 'application.inquire':
      return inquiryNotice(ct, tr, after)
    case 'application.resend-mail': {
      const params = { mail: mailLabel(ct, String(after.mail)), to: String(after.to) }
      return after.sent === true
        ? { kind: 'success', text: ct('appDoneResendMail', params) }
        : { kind: 'error', text: ct('appResendFailed', params) }
    }
    case 'refund.request':
      return { kind: 'success', text: ct('appDoneRefund') }
    case 'refund.approve': {
      // The refund mail the student was sent (flows/staff/actions.ts decideRefund), if any.
      const mailed =
        after.sent === true
          ? ` ${ct('retryRefundMailed', { mail: mailLabel(ct, String(after.mail)) })}`
          : ''
      if (after.outcome === 'bankAccountAsked')
        return { kind: 'success', text: ct('appDoneRefundBankAsked') }
      return after.outcome === 'refunded'
        ? { kind: 'success', text: `${ct('appDoneRefundApproved')}${mailed}` }
        : {
            kind: 'error',
            text: `${ct(
              after.outcome === 'unavailable' ? 'appRefundUnavailable' : 'appRefundNotRefundable',
            )}${mailed}`,
          }
    }
    case 'refund.reject':
      return { kind: 'info', text: ct('appDoneRefundRejected') }
    case 'certificate.revoke':
      return {
        kind: 'success',
        text: ct('certDoneRevoke', { issueNumber: String(after.issueNumber) }),
      }
    default:
      return null
  }
}

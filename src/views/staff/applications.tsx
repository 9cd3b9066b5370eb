import type { PropsWithChildren } from 'hono/jsx'
import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import {
  CREDIT_STATUSES,
  PAYMENT_STATUSES,
  type CreditStatus,
  type PaymentStatus,
} from '../../domain/application'
import { formatYen } from '../../domain/charge'
import { hasDeadline } from '../../domain/paymentMethods'
import { formatJstDateTime } from '../../domain/time'
import type { Application } from '../../flows/charge'
import { storeRows } from '../../flows/mails'
import type { ActionName, GatewayAnswer } from '../../flows/staff/actions'
import type {
  CashRefundRow,
  OpenRefundRequest,
  ScopedStudent,
  SearchRow,
  TimelineEntry,
} from '../../flows/staff/applications'
import type { Translator } from '../../i18n'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import { methodLabel, statusLabel } from '../pages/charge'
import { ErrorSummary, Field, Message, type FieldError, type FieldErrors } from '../components'
import { ActionForm, TableWrap, When } from './components'
import { CERTIFICATE_NAMES, formatVerificationCode } from '../../domain/certificates'
import type { CertificateLine, CertificateOrderView } from '../../flows/staff/certificates'
import {
  CertificateIssueSection,
  CertificateOrderSections,
  certificateName,
  issueLabel,
  linesSummary,
} from './certificates'

const useC = () => useRequestContext<AppEnv>()

/** Money in the console: the same in both languages, as KOMOJU's and M.I.C.'s records read. */
export const yen = (n: number) => `¥${formatYen(n)}`

export const CREDIT_LABEL: Record<CreditStatus, ConsoleKey> = {
  none: 'appCreditNone',
  pending: 'appCreditPending',
  deferred: 'appCreditDeferred',
  retrying: 'appCreditRetrying',
  held: 'appCreditHeld',
  refused: 'appCreditRefused',
  mismatch: 'appCreditMismatch',
  stalled: 'appCreditStalled',
  refunding: 'appCreditRefunding',
  partly_refunded: 'appCreditPartlyRefunded',
  fraud: 'appCreditFraud',
  credited: 'appCreditCredited',
  reversed: 'appCreditReversed',
}
/**
 * チャージ状況 as staff read it. A refunded payment's credit is left `refunding` by the desk
 * (it is never credited afterwards): said as what it is, not as a refund under way.
 */
const creditShown = (ct: ConsoleText, a: { status: PaymentStatus; creditStatus: CreditStatus }) =>
  ct(a.status === 'refunded' ? 'appCreditRefunded' : CREDIT_LABEL[a.creditStatus])
const creditLabel = (ct: ConsoleText, s: string | null) =>
  s && s in CREDIT_LABEL ? ct(CREDIT_LABEL[s as CreditStatus]) : (s ?? '—')
const paymentLabel = (tr: Translator, s: string | null) =>
  s && (PAYMENT_STATUSES as readonly string[]).includes(s)
    ? statusLabel(tr, s as PaymentStatus)
    : (s ?? '—')

// ---- 検索 ----------------------------------------------------------------------------------

export interface SearchValues {
  id: string
  user: string
  name: string
  email: string
  ref: string
  from: string
  to: string
  state: string
  university: string
}

/** A labelled date or select, marked up as the student side's Field is. */
export const FieldFrame = (
  p: PropsWithChildren<{ name: string; label: string; error?: FieldError }>,
) => (
  <div class={p.error ? 'field has-error' : 'field'}>
    <label for={p.name}>{p.label}</label>
    {p.error && (
      <div class="field-error" id={`${p.name}-error`}>
        <p>{p.error.text}</p>
      </div>
    )}
    {p.children}
  </div>
)

/** The aria attributes of a control whose field may carry an error. */
export const invalidity = (name: string, error: FieldError | undefined) => ({
  'aria-invalid': error ? ('true' as const) : undefined,
  'aria-describedby': error ? `${name}-error` : undefined,
})

export const DateField = (p: {
  name: string
  label: string
  value: string
  error?: FieldError
}) => (
  <FieldFrame name={p.name} label={p.label} error={p.error}>
    <input id={p.name} name={p.name} type="date" value={p.value} {...invalidity(p.name, p.error)} />
  </FieldFrame>
)

export const SearchPage = (p: {
  values: SearchValues
  errors: FieldErrors
  universities: { id: string; name: string; nameEn: string }[] | null
  results: {
    rows: SearchRow[]
    limited: boolean
    limit: number
    lines: Map<number, CertificateLine[]>
  } | null
}) => {
  const c = useC()
  const ct = c.get('ct')
  const tr = c.get('tr')
  const v = p.values
  return (
    <>
      <ErrorSummary errors={p.errors} />
      <form method="get" action="/staff/search" class="card console-form" novalidate>
        <div class="inline">
          <Field
            name="id"
            label={ct('appNumber')}
            value={v.id}
            error={p.errors.id}
            inputmode="numeric"
            maxlength={12}
          />
          <Field
            name="user"
            label={ct('appUserId')}
            value={v.user}
            error={p.errors.user}
            maxlength={64}
          />
          <Field
            name="name"
            label={ct('appNameKana')}
            value={v.name}
            error={p.errors.name}
            maxlength={64}
          />
          <Field
            name="email"
            label={ct('email')}
            type="email"
            value={v.email}
            error={p.errors.email}
            maxlength={254}
          />
        </div>
        <Field
          name="ref"
          label={ct('appPaymentRef')}
          hint={ct('appPaymentRefHint')}
          value={v.ref}
          error={p.errors.ref}
          maxlength={100}
        />
        <fieldset class="inline">
          <legend>{ct('appPeriod')}</legend>
          <DateField name="from" label={ct('appFrom')} value={v.from} error={p.errors.from} />
          <DateField name="to" label={ct('appTo')} value={v.to} error={p.errors.to} />
        </fieldset>
        <div class="inline">
          <FieldFrame name="state" label={ct('appState')} error={p.errors.state}>
            <select id="state" name="state" {...invalidity('state', p.errors.state)}>
              <option value="">{ct('appStateAny')}</option>
              <optgroup label={ct('appPaymentStatus')}>
                {PAYMENT_STATUSES.map((s) => (
                  <option value={`payment:${s}`} selected={v.state === `payment:${s}`}>
                    {statusLabel(tr, s)}
                  </option>
                ))}
              </optgroup>
              <optgroup label={ct('appCreditStatus')}>
                {CREDIT_STATUSES.map((s) => (
                  <option value={`credit:${s}`} selected={v.state === `credit:${s}`}>
                    {ct(CREDIT_LABEL[s])}
                  </option>
                ))}
              </optgroup>
            </select>
          </FieldFrame>
          {p.universities && (
            <FieldFrame name="university" label={ct('university')} error={p.errors.university}>
              <select
                id="university"
                name="university"
                {...invalidity('university', p.errors.university)}
              >
                <option value="">{ct('allUniversities')}</option>
                {p.universities!.map((u) => (
                  <option value={u.id} selected={v.university === u.id}>
                    {tr.lang === 'en' ? u.nameEn : u.name}
                  </option>
                ))}
              </select>
            </FieldFrame>
          )}
        </div>
        <div class="actions">
          <button type="submit" class="button primary">
            {ct('appSearchButton')}
          </button>
        </div>
      </form>
      {p.results && (
        <SearchResults
          {...p.results}
          showUniversity={p.universities !== null && p.universities.length > 1}
        />
      )}
    </>
  )
}

const SearchResults = (p: {
  rows: SearchRow[]
  limited: boolean
  limit: number
  showUniversity: boolean
  /** Each certificate order's 内訳 lines, to name what was ordered. */
  lines: Map<number, CertificateLine[]>
}) => {
  const c = useC()
  const ct = c.get('ct')
  const tr = c.get('tr')
  return (
    <section aria-labelledby="results-heading">
      <h2 id="results-heading">{ct('appResults')}</h2>
      <p role="status">
        {p.rows.length === 0 ? ct('appNoResults') : ct('appResultCount', { count: p.rows.length })}
        {p.limited && ` ${ct('appResultLimited', { limit: p.limit })}`}
      </p>
      {p.rows.length > 0 && (
        <TableWrap label={ct('appResults')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{ct('appNumber')}</th>
                {p.showUniversity && <th scope="col">{ct('university')}</th>}
                <th scope="col">{ct('certColKind')}</th>
                <th scope="col">{ct('appUserId')}</th>
                <th scope="col">{ct('appNameKana')}</th>
                <th scope="col">{ct('appAmount')}</th>
                <th scope="col">{ct('appMethod')}</th>
                <th scope="col">{ct('appPaymentStatus')}</th>
                <th scope="col">{ct('appCreditStatus')}</th>
                <th scope="col">{ct('appAppliedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/staff/applications/${r.id}`}>{r.id}</a>
                  </td>
                  {p.showUniversity && <td>{r.universityName}</td>}
                  <td class="wrap">
                    {r.kind === 'certificate'
                      ? linesSummary(ct, tr.lang, p.lines.get(r.id) ?? [])
                      : ct('certKindCharge')}
                  </td>
                  <td>{r.userId}</td>
                  <td>{r.nameKana}</td>
                  <td class="num">{yen(r.amount)}</td>
                  <td>{methodLabel(tr, r.paymentMethod)}</td>
                  <td>{statusLabel(tr, r.status)}</td>
                  <td>{r.kind === 'certificate' ? issueLabel(ct, r) : creditShown(ct, r)}</td>
                  <td>
                    <When ms={r.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  )
}

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
}

export type Notice = { kind: 'info' | 'success' | 'error'; text: string }

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
          <p>{p.notice.text}</p>
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
            <span class={`status status-${a.status}`}>{statusLabel(tr, a.status)}</span>
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
            <Fact label={ct('appCreditError')}>
              <span class="mono">{a.creditError ?? dash}</span>
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
            <span class="offer-off">{ct(ACTION_LABEL[o.name])}</span>: {ct(o.why)}
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
  'staff-alert': 'appMailStaffAlert',
  'certificate-printed': 'certMailKindPrinted',
  'certificate-shipped': 'certMailKindShipped',
}
export const mailLabel = (ct: ConsoleText, kind: string) =>
  MAIL_LABEL[kind] ? ct(MAIL_LABEL[kind]) : kind

const STAFF_ACTION_LABEL: Record<string, ConsoleKey> = {
  'application.recredit': 'appActionRecredit',
  'application.inquire': 'appActionInquire',
  'application.resend-mail': 'appActionResendMail',
  'application.credit-net': 'appActionCreditNet',
  'application.close-reversal': 'appActionCloseReversal',
  'certificate.print': 'certActionPrint',
  'certificate.enclose': 'certActionEnclose',
  'certificate.ship': 'certActionShip',
  'certificate.revoke': 'certActionRevoke',
  'certificate.reissue': 'certActionReissue',
}

const WEBHOOK_OUTCOME: Record<string, ConsoleKey> = {
  applied: 'appTlOutcomeApplied',
  unmatched: 'appTlOutcomeUnmatched',
  ignored: 'appTlOutcomeIgnored',
}

const REFUND_RESULT: Record<string, ConsoleKey> = {
  refunded: 'appTlRefundResultRefunded',
  unavailable: 'appTlRefundResultUnavailable',
  notRefundable: 'appTlRefundResultNotRefundable',
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
  if (e.action === 'application.inquire') {
    const g = after.gateway as { kind?: string; status?: string } | undefined
    return g?.kind === 'payment' || g?.kind === 'session'
      ? `KOMOJU: ${g.status}`
      : ct(g?.kind === 'unknown' ? 'appTlInquireUnknown' : 'appTlInquireFailed')
  }
  return null
}

/** One line of the タイムライン as a sentence in the console's language. */
export const timelineText = (
  ct: ConsoleText,
  tr: Translator,
  e: TimelineEntry,
  applicationKind: Application['kind'] = 'mic_charge',
): string => {
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
      return ct('appTlPayment', { status: paymentLabel(tr, e.to) })
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
      return ct('appTlWebhook', {
        type: e.type,
        id: e.eventId,
        outcome: e.outcome
          ? WEBHOOK_OUTCOME[e.outcome]
            ? ct(WEBHOOK_OUTCOME[e.outcome]!)
            : e.outcome
          : ct('appTlOutcomePending'),
      })
    case 'deadLettered':
      return ct('appTlDeadLettered', { id: e.eventId })
    case 'mail':
      return ct('appTlMail', {
        kind: mailLabel(ct, e.mailKind),
        to: e.to,
        result:
          e.result === 'sent'
            ? ct('appTlMailSent')
            : ct('appTlMailFailed', { error: e.error ?? dash }),
      })
    case 'staff': {
      const action = STAFF_ACTION_LABEL[e.action] ? ct(STAFF_ACTION_LABEL[e.action]!) : e.action
      const result = staffResult(ct, e)
      return ct(result ? 'appTlStaffResult' : 'appTlStaff', {
        name: e.staffName,
        action,
        result: result ?? '',
        reason: e.reason ?? dash,
      })
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
        : ct('appTlRefundRejected', { name: e.staffName, reason: e.reason ?? e.result ?? dash })
  }
}

/**
 * A certificate order's issue rides on the credit states (domain/application.ts): the same
 * events, told as the registrar's side of the story.
 */
const issueText = (ct: ConsoleText, e: Extract<TimelineEntry, { kind: 'credit' }>) => {
  const answer = e.answer ?? ct('dash')
  const next = e.nextAt === null ? ct('dash') : formatJstDateTime(e.nextAt)
  switch (e.to) {
    case 'pending':
      return e.from === 'none' ? ct('certTlQueued') : ct('certTlResumed')
    case 'credited':
      return ct('certTlAllIssued')
    case 'retrying':
      return `${ct('appTlAttemptFailed', { attempt: e.attempt, answer })} ${ct('appTlNextAttempt', { time: next })}`
    case 'deferred':
      return ct('certTlDeferred', { time: next })
    case 'refused':
      return ct('certTlRefused', { answer })
    default:
      return creditText(ct, e)
  }
}

/** A credit event (a status change or an attempt) as M.I.C.'s side of the story. */
const creditText = (ct: ConsoleText, e: Extract<TimelineEntry, { kind: 'credit' }>) => {
  const answer = e.answer ?? ct('dash')
  const next = e.nextAt === null ? ct('dash') : formatJstDateTime(e.nextAt)
  const failedAttempt = ct('appTlAttemptFailed', { attempt: e.attempt, answer })
  switch (e.to) {
    case 'pending':
      return e.from === 'none' ? ct('appTlCreditQueued') : ct('appTlCreditResumed')
    case 'credited':
      return ct('appTlCredited', { id: e.micCreditId ?? ct('dash') })
    case 'retrying':
      return `${failedAttempt} ${ct('appTlNextAttempt', { time: next })}`
    case 'stalled':
      return e.from === 'stalled' ? failedAttempt : `${failedAttempt} ${ct('appTlStalled')}`
    case 'deferred':
      return ct('appTlDeferred', { time: next })
    case 'held':
      return ct('appTlHeld', { answer })
    case 'refused':
      return ct('appTlRefused', { answer })
    case 'mismatch':
      return ct('appTlMismatch', { answer })
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
          <Fact label={ct('appPaymentStatus')}>{statusLabel(tr, a.status)}</Fact>
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
          <p>{ct(p.why)}</p>
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
    status: paymentLabel(tr, String(after.status)),
    credit: creditLabel(ct, String(after.creditStatus)),
  })
  switch (g.kind) {
    case 'payment': {
      const said = ct('appDoneInquirePayment', {
        status: String(g.status),
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
        text: `${ct('appDoneInquireSession', { status: `${String(g.status)}${g.expired ? ' (expired)' : ''}` })} ${now}`,
      }
    case 'unreachable':
      return { kind: 'error', text: ct('appInquireUnreachable', { detail: String(g.detail) }) }
    case 'noGateway':
      return { kind: 'error', text: ct('appInquireNoGateway') }
    default:
      return { kind: 'error', text: ct('appInquireUnknown') }
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
    case 'application.recredit': {
      const status = String(after.creditStatus)
      return {
        kind: status === 'credited' ? 'success' : 'info',
        text: ct('appDoneRecredit', { status: creditLabel(ct, status) }),
      }
    }
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
    case 'refund.approve':
      if (after.outcome === 'bankAccountAsked')
        return { kind: 'success', text: ct('appDoneRefundBankAsked') }
      return after.outcome === 'refunded'
        ? { kind: 'success', text: ct('appDoneRefundApproved') }
        : {
            kind: 'error',
            text: ct(
              after.outcome === 'unavailable' ? 'appRefundUnavailable' : 'appRefundNotRefundable',
            ),
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

import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import {
  creditStanding,
  refundableByStudent,
  refundableToBankAccount,
  tabOf,
  type ApplicationTab,
  type PaymentStatus,
} from '../../domain/application'
import { formatYen } from '../../domain/charge'
import { hasDeadline, type PaymentMethod } from '../../domain/paymentMethods'
import { hasEveryNumber, safeInstructionsUrl, storeInstructionsOf } from '../../domain/storePayment'
import { formatJstDate, formatJstDateTime } from '../../domain/time'
import type { Application, BalanceReading } from '../../flows/charge'
import { creditRefusal, storeRows } from '../../flows/mails'
import type { Translator } from '../../i18n'
import { CsrfField, ErrorSummary, Field, Message, Notes, type FieldErrors } from '../components'
import { LastLogin } from './general'
import { BreakdownTable, CertificatesSection } from './certificates'
import type { OrderView } from '../../flows/certificates'
import { breakdownOf, certificateLineName } from '../../flows/mails'
import type { CertificateType } from '../../domain/registrar'

/** 証明書 in 申請一覧: the certificate names of an order, each once. */
const certificateNames = (tr: Translator, lines: string | null) =>
  [
    ...new Set(
      (lines ?? '').split(',').flatMap((l) => {
        const [type, language] = l.split(':')
        return type && language
          ? [
              certificateLineName(tr, {
                type: type as CertificateType,
                language: language as 'ja' | 'en',
              }),
            ]
          : []
      }),
    ),
  ].join('、')

const useC = () => useRequestContext<AppEnv>()
const yen = (tr: Translator, n: number) => tr.t('yen', { amount: formatYen(n) })
export const methodLabel = (tr: Translator, m: PaymentMethod) => tr.t(`pm_${m}`)

const STATUS_KEYS = {
  awaiting_payment: 'statusAwaiting',
  paid: 'statusPaid',
  unpaid: 'statusUnpaid',
  cancelled: 'statusCancelled',
  refunded: 'statusRefunded',
} as const satisfies Record<PaymentStatus, string>
export const statusLabel = (tr: Translator, s: PaymentStatus) => tr.t(STATUS_KEYS[s])

/** When M.I.C. cannot be reached: the last known balance, and when the link opens again. */
const BalanceNotice = ({
  reading,
  opensAt,
}: {
  reading: BalanceReading
  opensAt: number | null
}) => {
  const { t } = useC().get('tr')
  // M.I.C.'s planned stop is said as such, with its end: not a failure to connect.
  if (opensAt !== null) {
    const end = formatJstDateTime(opensAt)
    return (
      <Message kind="info">
        <p>{t('windowNow', { end })}</p>
        {!reading.known ? (
          <p>{t('balanceUnknownWindow')}</p>
        ) : (
          !reading.live && (
            <p>{t('balanceAsOfWindow', { time: formatJstDateTime(reading.asOf) })}</p>
          )
        )}
        {reading.known && <p>{t('windowCreditsLater', { end })}</p>}
      </Message>
    )
  }
  if (reading.known && reading.live) return null
  return (
    <Message kind="info">
      <p>
        {reading.known
          ? t('balanceStale', { time: formatJstDateTime(reading.asOf) })
          : t('balanceUnknown')}
      </p>
    </Message>
  )
}

/** 戻る and 進む, as at the foot of each step of the charge. */
const StepActions = ({ back }: { back: string }) => {
  const { t } = useC().get('tr')
  return (
    <p class="actions">
      <a class="button" href={back}>
        {t('back')}
      </a>
      <button type="submit" class="button primary">
        {t('next')}
      </button>
    </p>
  )
}

export interface ChargeView {
  reading: BalanceReading
  cap: number
  chargeable: number | null
  minCharge: number
  chargeStep: number
  /** When the M.I.C. link opens again, if it is stopped now. */
  opensAt: number | null
}

/** チャージ (manual §4.1 順序2). */
export const ChargePage = ({
  view,
  value,
  errors,
}: {
  view: ChargeView
  value?: string
  errors: FieldErrors
}) => {
  const tr = useC().get('tr')
  const { t } = tr
  return (
    <>
      <ErrorSummary errors={errors} />
      <BalanceNotice reading={view.reading} opensAt={view.opensAt} />
      <section class="card" aria-labelledby="balance-heading">
        <h2 id="balance-heading">{t('currentBalance')}</h2>
        <p class="balance">
          {view.reading.known ? yen(tr, view.reading.balance) : t('balanceNotAvailable')}
        </p>
        <dl class="summary">
          <dt>{t('balanceCap')}</dt>
          <dd>{yen(tr, view.cap)}</dd>
          {view.chargeable !== null && (
            <>
              <dt>{t('chargeable')}</dt>
              <dd>{yen(tr, view.chargeable)}</dd>
            </>
          )}
        </dl>
      </section>
      {view.reading.known && (
        <form method="post" action="/charge" class="card" novalidate>
          <CsrfField />
          <h2>{t('chargeHeading')}</h2>
          <Field
            name="amount"
            label={t('chargeAmountYen')}
            value={value}
            error={errors.amount}
            hint={t('chargeAmountHint', {
              min: formatYen(view.minCharge),
              step: formatYen(view.chargeStep),
            })}
            required
            maxlength={20}
            inputmode="numeric"
          />
          <StepActions back="/menu" />
        </form>
      )}
      <Notes items="chargeNotes">
        <p>{t('chargeNoteCap', { cap: formatYen(view.cap) })}</p>
      </Notes>
    </>
  )
}

/** お支払い方法選択 (manual §4.1 順序3). */
export const MethodPage = (p: {
  amount: number
  methods: { method: PaymentMethod; howTo: string }[]
  selected?: string
  error?: string
  phone?: string
  phoneError?: string
}) => {
  const tr = useC().get('tr')
  const { t } = tr
  return (
    <>
      {(p.error || p.phoneError) && (
        <ErrorSummary
          errors={{
            ...(p.error ? { method: { text: p.error } } : {}),
            ...(p.phoneError ? { phone: { text: p.phoneError } } : {}),
          }}
        />
      )}
      <p>{t('chargeAmountIs', { amount: yen(tr, p.amount) })}</p>
      <form method="post" action="/charge/method" class="card">
        <CsrfField />
        <input type="hidden" name="amount" value={String(p.amount)} />
        <fieldset id="method" aria-describedby={p.error ? 'method-error' : undefined}>
          <legend>{t('paymentMethod')}</legend>
          {p.error && (
            <p class="field-error" id="method-error">
              {p.error}
            </p>
          )}
          <ul class="methods">
            {p.methods.map(({ method, howTo }) => (
              <li>
                <input
                  type="radio"
                  name="method"
                  id={`method-${method}`}
                  value={method}
                  checked={p.selected === method}
                  required
                />
                <label for={`method-${method}`}>{methodLabel(tr, method)}</label>
                {hasDeadline(method) && <small class="hint">{t('methodPaidLater')}</small>}{' '}
                <a
                  href={howTo}
                  class="howto"
                  aria-label={t('howToFor', { method: methodLabel(tr, method) })}
                >
                  {t('howTo')}
                </a>
                {/* Pay-easy's telephone number, under its radio: the stylesheet shows it only
                    while Pay-easy is chosen (a sibling selector, no script); without the
                    stylesheet it shows, with its label saying it is for Pay-easy only. */}
                {method === 'payeasy' && (
                  <div class="reveal">
                    <Field
                      name="phone"
                      label={t('contactPhone')}
                      type="tel"
                      autocomplete="tel"
                      inputmode="tel"
                      value={p.phone}
                      hint={t('contactPhoneHint')}
                      error={p.phoneError ? { text: p.phoneError } : undefined}
                      maxlength={20}
                    />
                  </div>
                )}
              </li>
            ))}
          </ul>
        </fieldset>
        <p class="note">{t('cvsNote')}</p>
        <StepActions back={`/charge?amount=${p.amount}`} />
      </form>
    </>
  )
}

/** The manual's 申請内容 table: 種別, 数量, 金額, and 合計. */
/**
 * The manual's tables of an application: 申請内容 (confirm, 申請完了) counts in 部 on both
 * rows; 詳細情報 (申請情報 詳細) gives the bare quantity and leaves 合計's empty.
 */
const ContentsTable = ({
  amount,
  quantity,
  detail = false,
}: {
  amount: number
  quantity: number
  detail?: boolean
}) => {
  const tr = useC().get('tr')
  const { t } = tr
  return (
    <table class="contents">
      <thead>
        <tr>
          <th scope="col">{t('kind')}</th>
          <th scope="col">{t('quantity')}</th>
          <th scope="col">{t('amountColumn')}</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{t('chargeAmount')}</th>
          <td>{detail ? quantity : t('copies', { n: quantity })}</td>
          <td>{yen(tr, amount)}</td>
        </tr>
        <tr class="total">
          <th scope="row">{t('total')}</th>
          <td>{detail ? '' : t('copies', { n: quantity })}</td>
          <td>{yen(tr, amount * quantity)}</td>
        </tr>
      </tbody>
    </table>
  )
}

/** 申請内容確認 (manual §4.1 順序6). */
export const ConfirmPage = (p: {
  amount: number
  method: PaymentMethod
  phone: string | null
  reading: BalanceReading
  requestKey: string
  error?: string
}) => {
  const tr = useC().get('tr')
  const { t } = tr
  return (
    <>
      {p.error && (
        <Message kind="error">
          <p>{p.error}</p>
        </Message>
      )}
      <section class="card" aria-labelledby="after-heading">
        <h2 id="after-heading">{t('balanceAfter')}</h2>
        <p class="balance">
          {p.reading.known ? yen(tr, p.reading.balance + p.amount) : t('balanceNotAvailable')}
        </p>
      </section>
      <section class="card" aria-labelledby="contents-heading">
        <h2 id="contents-heading">{t('applicationContents')}</h2>
        <ContentsTable amount={p.amount} quantity={1} />
      </section>
      <section class="card" aria-labelledby="method-heading">
        <h2 id="method-heading">{t('paymentMethod')}</h2>
        <p>{methodLabel(tr, p.method)}</p>
      </section>
      <form method="post" action="/charge/apply" class="actions">
        <CsrfField />
        <input type="hidden" name="amount" value={String(p.amount)} />
        <input type="hidden" name="method" value={p.method} />
        {p.phone && <input type="hidden" name="phone" value={p.phone} />}
        <input type="hidden" name="request_key" value={p.requestKey} />
        <a
          class="button"
          href={`/charge/method?amount=${p.amount}&method=${p.method}${p.phone ? `&phone=${p.phone}` : ''}`}
        >
          {t('back')}
        </a>
        {!p.error && (
          <button type="submit" class="button primary">
            {t('apply')}
          </button>
        )}
      </form>
    </>
  )
}

/** 申請完了 — お支払いページに移動します (manual §4.1 順序8). */
export const AppliedPage = ({ a, order }: { a: Application; order: OrderView | null }) => {
  const tr = useC().get('tr')
  const { t } = tr
  return (
    <>
      <section class="done-box" role="status" aria-labelledby="done-heading">
        <h2 id="done-heading">{t('appliedHeading')}</h2>
        {a.paymentUrl ? (
          <>
            <p>{t('goingToPayment')}</p>
            <a class="button primary" href={a.paymentUrl}>
              {t('ok')}
            </a>
          </>
        ) : a.paymentDetails ? (
          <>
            <p>{t(payLaterText(a))}</p>
            <DeadlineInfo a={a} />
            <a class="button primary" href={`/applications/${a.id}`}>
              {t('ok')}
            </a>
          </>
        ) : (
          <form method="post" action={`/applications/${a.id}/pay`}>
            <CsrfField />
            <p>{t('paymentPageUnavailable')}</p>
            <button type="submit" class="button primary">
              {t('retryPaymentPage')}
            </button>
          </form>
        )}
      </section>
      <section class="card" aria-labelledby="contents-heading">
        <h2 id="contents-heading">{t('applicationContents')}</h2>
        <p>
          {t('applicationNumber')} {a.id}
        </p>
        {order ? (
          <BreakdownTable
            rows={breakdownOf(tr, order.lines, order.order.postage)}
            total={a.amount}
          />
        ) : (
          <ContentsTable amount={a.amount} quantity={a.quantity} />
        )}
        <p>
          {t('paymentMethod')}: {methodLabel(tr, a.paymentMethod)}
        </p>
      </section>
    </>
  )
}

/** How to pay later: with the numbers shown, or on the gateway's page when it gave none. */
const payLaterText = (a: Application) =>
  hasEveryNumber(storeInstructionsOf(a.paymentDetails)) ? 'payLater' : 'payLaterInstructions'

/** The gateway's numbers to pay a コンビニ / Pay-easy charge with, and its deadline. */
const DeadlineInfo = ({ a }: { a: Application }) => {
  const tr = useC().get('tr')
  const { t } = tr
  return (
    <dl class="summary deadline">
      {storeRows(tr, a).map((r, i) => (
        <>
          <dt>{r.label}</dt>
          {r.link ? (
            <dd>
              <a href={safeInstructionsUrl(r.value) ?? '#'} rel="noopener noreferrer">
                {r.label}
              </a>
            </dd>
          ) : (
            <dd class={i === 0 ? 'payment-number' : undefined}>{r.value || '—'}</dd>
          )}
        </>
      ))}
      <dt>{t('paymentDeadline')}</dt>
      <dd>{formatJstDateTime(a.paymentDeadline)}</dd>
    </dl>
  )
}

/** Back from the provider: お支払い完了, or what is still happening (manual §4.1 順序10). */
export const ReturnPage = ({
  a,
  now,
  fiscal,
}: {
  a: Application
  now: number
  fiscal: Parameters<typeof creditStanding>[2]
}) => {
  const tr = useC().get('tr')
  const { t } = tr
  const links = (
    <p class="actions">
      <a class="button" href={a.kind === 'certificate' ? '/certificates' : '/charge'}>
        {t('applyAgain')}
      </a>
      <a class="button primary" href={`/applications/${a.id}`}>
        {t('seeDetails')}
      </a>
    </p>
  )
  if (a.status === 'paid') {
    return (
      <section class="done-box" role="status" aria-labelledby="done-heading">
        <h2 id="done-heading">{t('paymentDoneHeading')}</h2>
        <p>{t('paymentDone')}</p>
        <CreditWait a={a} now={now} fiscal={fiscal} />
        <p>{t('paymentDoneMail')}</p>
        {links}
      </section>
    )
  }
  if (a.status === 'awaiting_payment' && hasDeadline(a.paymentMethod)) {
    return (
      <section class="done-box" role="status" aria-labelledby="done-heading">
        <h2 id="done-heading">{t('payLaterHeading')}</h2>
        <p>{t(payLaterText(a))}</p>
        <DeadlineInfo a={a} />
        {links}
      </section>
    )
  }
  if (a.status === 'awaiting_payment') {
    return (
      <section class="card" role="status" aria-labelledby="wait-heading">
        <h2 id="wait-heading">{t('confirmingHeading')}</h2>
        <p>{t('confirmingPayment')}</p>
        <p>
          <a href={`/applications/${a.id}/return`}>{t('reload')}</a>
        </p>
      </section>
    )
  }
  // Cancelled, unpaid or refunded: the page's own heading says so (the route's title,
  // notPaidHeading), not 申請完了 above it; the manual's 申請完了 is for a payment made.
  return (
    <section class="card" role="status">
      <p>{t('notPaid', { status: statusLabel(tr, a.status) })}</p>
      {links}
    </section>
  )
}

/**
 * On お支払い完了: when the credit will reach the card, if not in a minute or two (a stop
 * window: the time 申請情報 詳細 and the チャージ完了 mail give, by creditStanding), or why
 * it will not (a refusal already known).
 */
const CreditWait = ({
  a,
  now,
  fiscal,
}: {
  a: Application
  now: number
  fiscal: Parameters<typeof creditStanding>[2]
}) => {
  const tr = useC().get('tr')
  if (a.kind !== 'mic_charge') return null
  const standing = creditStanding(a, now, fiscal)
  const waits = standing.kind === 'waiting' && standing.reason === 'blackout'
  if (!waits && standing.kind !== 'error') return null
  return <p class={`credit credit-${standing.kind}`}>{creditText(tr, a, now, fiscal)}</p>
}

/** 証明書 申請一覧 (manual §4.2). */
export const ApplicationListPage = (p: {
  rows: (Application & { certificateLines: string | null })[]
  tab: ApplicationTab
  lastLoginAt: number | null
  /** A 退学 / 除籍 student, who has only this page left: why (and, if sent here, that too). */
  leaver?: { status: 'withdrawn' | 'expelled'; closed: boolean }
}) => {
  const tr = useC().get('tr')
  const { t } = tr
  const columns = [
    'issueNumber',
    'paymentColumn',
    'issueDate',
    'certificate',
    'copiesColumn',
    'totalAmount',
  ] as const
  const tabs: [ApplicationTab, string][] = [
    ['printable', t('tabPrintable')],
    ['history', t('tabHistory')],
  ]
  return (
    <>
      <LastLogin at={p.lastLoginAt} />
      {p.leaver && (
        <Message kind="info">
          {p.leaver.closed && <p>{t('leaverPageClosed')}</p>}
          <p>{t('leaverNotice', { status: t(`leaverStatus_${p.leaver.status}`) })}</p>
        </Message>
      )}
      <nav class="tabs" aria-label={t('applicationsTitle')}>
        {tabs.map(([tab, label]) => (
          <a href={`/applications?tab=${tab}`} aria-current={tab === p.tab ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <p class="hint">{t(p.tab === 'printable' ? 'tabPrintableHint' : 'tabHistoryHint')}</p>
      {p.rows.length === 0 ? (
        <p>{t('noApplications')}</p>
      ) : (
        // On a phone each row stacks into a card (static/app.css), the manual's columns in
        // their order, each value under its column's name (data-label); the roles keep it a
        // table for screen readers, which drop a table's semantics once it is not laid out as
        // one. The 発行番号 link covers its row, so the whole card opens 申請情報 詳細.
        <div class="table-scroll">
          <table class="applications" role="table">
            <caption>{t(p.tab === 'printable' ? 'listCurrent' : 'listHistory')}</caption>
            <thead role="rowgroup">
              <tr role="row">
                {columns.map((key) => (
                  <th scope="col" role="columnheader">
                    {t(key)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody role="rowgroup">
              {p.rows.map((a) => {
                const cells = [
                  <a class="row-link" href={`/applications/${a.id}`}>
                    {a.id}
                  </a>,
                  a.status === 'paid' ? t('paymentCompleted') : statusLabel(tr, a.status),
                  formatJstDate(a.createdAt),
                  a.kind === 'certificate'
                    ? certificateNames(tr, a.certificateLines)
                    : t('menuCharge'),
                  t('copies', { n: a.quantity }),
                  yen(tr, a.amount),
                ]
                return (
                  <tr role="row">
                    {cells.map((cell, i) => (
                      <td role="cell" data-label={t(columns[i]!)}>
                        {cell}
                      </td>
                    ))}
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {/* A 退学 / 除籍 student has no menu to go back to. */}
      {!p.leaver && (
        <p class="actions">
          <a class="button" href="/menu">
            {t('back')}
          </a>
        </p>
      )}
    </>
  )
}

/**
 * Where the M.I.C. credit stands, in words a student (and the call centre) can act on: on
 * 申請情報 詳細 and in the student's own data download.
 */
export const creditText = (
  tr: Translator,
  a: Application,
  now: number,
  fiscal: Parameters<typeof creditStanding>[2],
  cashRefund?: CashRefundShown,
): string => {
  const { t } = tr
  const standing = creditStanding(a, now, fiscal)
  // A refund to the student's bank account: under way, or rejected by KOMOJU (ask again).
  const bankPending = standing.kind === 'refunding' && cashRefund?.outcome === null
  if (bankPending)
    return t('creditRefundingBank', { time: formatJstDateTime(cashRefund!.requestedAt) })
  switch (standing.kind) {
    case 'notPaid':
      return t('creditNotPaid')
    case 'credited':
      return t('creditDone', { time: formatJstDateTime(standing.at) })
    case 'waiting':
      return standing.reason === 'retrying'
        ? t('creditRetrying', { time: formatJstDateTime(standing.expectedAt) })
        : standing.reason === 'blackout'
          ? t('creditWaitingWindow', { time: formatJstDateTime(standing.expectedAt) })
          : t('creditProcessing')
    case 'held':
      return t('creditHeld')
    case 'refunding':
      return t('creditRefunding')
    case 'refunded':
      return t('creditRefunded')
    case 'partlyRefunded':
      return t(standing.chargeback ? 'creditPartlyChargedBack' : 'creditPartlyRefunded', {
        amount: yen(tr, standing.refunded),
      })
    case 'reversed':
      return t(standing.chargeback ? 'creditReversedChargeback' : 'creditReversed', {
        time: formatJstDateTime(standing.at),
        amount: yen(tr, standing.refunded),
      })
    case 'error': {
      // A cause waiting cannot end is named (the mail names it alike); else a person looks.
      const refusal = creditRefusal(a)
      return refusal ? t(refusal.cause) : t('creditFailed')
    }
  }
}

/** Where the M.I.C. credit stands, in words a student (and the call centre) can act on. */
const CreditSection = ({
  a,
  now,
  fiscal,
  cashRefund,
}: {
  a: Application
  now: number
  fiscal: Parameters<typeof creditStanding>[2]
  cashRefund?: CashRefundShown
}) => {
  const tr = useC().get('tr')
  const { t } = tr
  const standing = creditStanding(a, now, fiscal)
  const text = creditText(tr, a, now, fiscal, cashRefund)
  return (
    <section class="card" aria-labelledby="credit-heading">
      <h2 id="credit-heading">{t('creditHeading')}</h2>
      <p class={`credit credit-${standing.kind}`}>{text}</p>
      <NextStep a={a} />
      <RefundOffer a={a} cashRefund={cashRefund} />
    </section>
  )
}

/** After a refusal's cause (creditText), the one thing the student can do about it. */
const NextStep = ({ a }: { a: Application }) => {
  const tr = useC().get('tr')
  const refusal = standingIsError(a) ? creditRefusal(a) : null
  if (!refusal) return null
  const amount = yen(tr, refusal.amount)
  return (
    <p>
      {tr.t(
        refusal.next === 'refund'
          ? 'creditNextRefund'
          : refusal.next === 'bank'
            ? 'creditNextRefundBank'
            : 'creditNextContact',
        { amount },
      )}
    </p>
  )
}

/** Whether 申請情報 詳細 shows the credit as stopped for a person (creditStanding's error). */
const standingIsError = (a: Application) =>
  a.status === 'paid' && (a.creditStatus === 'refused' || a.creditStatus === 'mismatch')

/**
 * 返金を申し込む, where the money may go back (a charge never applied, a certificate never
 * issued): through the gateway, or to a bank account for a コンビニ / Pay-easy payment.
 */
const RefundOffer = ({ a, cashRefund }: { a: Application; cashRefund?: CashRefundShown }) => {
  const tr = useC().get('tr')
  const { t } = tr
  const bankRejected =
    a.status === 'paid' &&
    a.creditStatus !== 'refunding' &&
    (cashRefund?.outcome === 'rejected' || cashRefund?.outcome === 'lost')
  return (
    <>
      {bankRejected && (
        <Message kind="error">
          <p>
            {t('cashRefundRejectedNotice', { time: formatJstDateTime(cashRefund!.requestedAt) })}
          </p>
        </Message>
      )}
      {refundableToBankAccount(a) && (
        <>
          <p>{t('refundBankConfirm', { amount: yen(tr, a.amount) })}</p>
          <p>
            <a class="button" href={`/applications/${a.id}/refund-account`}>
              {t('refundRequest')}
            </a>
          </p>
        </>
      )}
      {/* The question (…よろしいですか) is asked on its own page, once the button is pressed. */}
      {refundableByStudent(a) && (
        <p>
          <a class="button" href={`/applications/${a.id}/refund`}>
            {t('refundRequest')}
          </a>
        </p>
      )}
    </>
  )
}

/** 返金を申し込む's confirmation: what goes back and how, then 返金する or 戻る. */
export const RefundConfirmPage = ({ a }: { a: Application }) => {
  const tr = useC().get('tr')
  const { t } = tr
  return (
    <form method="post" action={`/applications/${a.id}/refund`} class="card">
      <CsrfField />
      <p>
        {t('applicationNumber')} {a.id}
      </p>
      <p>{t('refundConfirm', { amount: yen(tr, a.amount - a.gatewayRefunded) })}</p>
      <p class="actions">
        <a class="button" href={`/applications/${a.id}`}>
          {t('back')}
        </a>
        <button type="submit" class="button primary">
          {t('refundConfirmButton')}
        </button>
      </p>
    </form>
  )
}

/** 申請情報 詳細 (manual §4.1 順序11, §4.2). */
/** What 申請情報 詳細 shows of the latest refund request to a bank account. */
export interface CashRefundShown {
  requestedAt: number
  outcome: 'completed' | 'rejected' | 'lost' | null
}

export const ApplicationDetailPage = (p: {
  a: Application
  order: OrderView | null
  refund?: 'refunded' | 'unavailable' | 'notRefundable' | 'requested'
  cashRefund?: CashRefundShown
  now: number
  lastLoginAt: number | null
  fiscal: Parameters<typeof creditStanding>[2]
}) => {
  const tr = useC().get('tr')
  const { t } = tr
  const { a } = p
  return (
    <>
      <LastLogin at={p.lastLoginAt} />
      {p.refund && (
        <Message kind={p.refund === 'refunded' || p.refund === 'requested' ? 'success' : 'error'}>
          <p>
            {t(
              p.refund === 'refunded'
                ? 'refundDone'
                : p.refund === 'requested'
                  ? 'refundRequested'
                  : p.refund === 'unavailable'
                    ? 'refundUnavailable'
                    : 'refundNotPossible',
            )}
          </p>
        </Message>
      )}
      <section class="card" aria-labelledby="issue-heading">
        <h2 id="issue-heading">{t('issueInfo')}</h2>
        <dl class="summary">
          <dt>{t('applicationNumber')}</dt>
          <dd>{a.id}</dd>
          <dt>{t('issueDate')}</dt>
          <dd>{formatJstDate(a.createdAt)}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="payment-heading">
        <h2 id="payment-heading">{t('paymentInfo')}</h2>
        <dl class="summary">
          <dt>{t('paymentMethod')}</dt>
          <dd>{methodLabel(tr, a.paymentMethod)}</dd>
          <dt>{t('paymentStatus')}</dt>
          <dd class={`status status-${a.status}`}>{statusLabel(tr, a.status)}</dd>
          {a.paidAt !== null && (
            <>
              <dt>{t('paidAt')}</dt>
              <dd>{formatJstDateTime(a.paidAt)}</dd>
            </>
          )}
        </dl>
        {hasDeadline(a.paymentMethod) && a.status !== 'paid' && <DeadlineInfo a={a} />}
        {a.status === 'awaiting_payment' && !hasDeadline(a.paymentMethod) && a.paymentUrl && (
          <p>
            <a href={a.paymentUrl}>{t('toPaymentPage')}</a>
          </p>
        )}
      </section>
      <section class="card" aria-labelledby="detail-heading">
        <h2 id="detail-heading">{t('detailInfo')}</h2>
        {p.order ? (
          <BreakdownTable
            rows={breakdownOf(tr, p.order.lines, p.order.order.postage)}
            total={a.amount}
          />
        ) : (
          <ContentsTable amount={a.amount} quantity={a.quantity} detail />
        )}
      </section>
      {p.order ? (
        <>
          <CertificatesSection a={a} view={p.order} now={p.now} />
          <RefundOffer a={a} cashRefund={p.cashRefund} />
        </>
      ) : (
        <CreditSection a={a} now={p.now} fiscal={p.fiscal} cashRefund={p.cashRefund} />
      )}
      <p class="actions">
        <a
          class="button"
          href={`/applications?tab=${tabOf(
            {
              ...a,
              certificatesUntil: p.order
                ? Math.max(
                    0,
                    ...p.order.certificates
                      .filter((c) => c.revokedAt === null)
                      .map((c) => c.validUntil),
                  )
                : null,
            },
            p.now,
          )}`}
        >
          {t('back')}
        </a>
        <a class="button" href={`/applications/${a.id}`}>
          {t('reload')}
        </a>
      </p>
    </>
  )
}

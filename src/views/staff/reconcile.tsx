import { useRequestContext } from '../renderer'
import type { GatewayPaymentStatus } from '../../adapters/payments'
import type { AppEnv } from '../../context'
import type { CreditStatus, PaymentStatus } from '../../domain/application'
import { formatYen } from '../../domain/charge'
import type { University } from '../../domain/university'
import {
  isNightly,
  runErrorCode,
  type DifferenceDetail,
  type DifferenceKind,
  type ReconciliationRun,
  type RunError,
  type StoredDifference,
} from '../../flows/staff/reconcile'
import type { Translator, TextKey } from '../../i18n'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import { CsrfField, ErrorSummary, Message, type FieldErrors } from '../components'
import { TableWrap, When } from './components'

export const KIND_LABEL: Record<DifferenceKind, ConsoleKey> = {
  paid_not_credited: 'reconcileKindPaidNotCredited',
  credited_without_payment: 'reconcileKindCreditedWithoutPayment',
  amount_differs: 'reconcileKindAmountDiffers',
  refunded_but_credited: 'reconcileKindRefundedButCredited',
  reversed_after_credit: 'reconcileKindReversedAfterCredit',
  unknown_payment: 'reconcileKindUnknownPayment',
}

const ERROR_TEXT: Record<RunError, ConsoleKey> = {
  incomplete: 'reconcileErrorIncomplete',
  gateway_not_configured: 'reconcileErrorGatewayNotConfigured',
  gateway_unavailable: 'reconcileErrorGatewayUnavailable',
  mic_blackout: 'reconcileErrorMicBlackout',
  mic_unavailable: 'reconcileErrorMicUnavailable',
  internal: 'reconcileErrorInternal',
}

const GATEWAY_STATUS: Record<GatewayPaymentStatus | 'missing', ConsoleKey> = {
  pending: 'reconcileGwPending',
  authorized: 'reconcileGwAuthorized',
  captured: 'reconcileGwCaptured',
  refunded: 'reconcileGwRefunded',
  cancelled: 'reconcileGwCancelled',
  expired: 'reconcileGwExpired',
  failed: 'reconcileGwFailed',
  missing: 'reconcileGwMissing',
}

const CREDIT_STATUS: Record<CreditStatus, ConsoleKey> = {
  none: 'reconcileCreditNone',
  pending: 'reconcileCreditPending',
  deferred: 'reconcileCreditDeferred',
  retrying: 'reconcileCreditRetrying',
  held: 'reconcileCreditHeld',
  refused: 'reconcileCreditRefused',
  mismatch: 'reconcileCreditMismatch',
  stalled: 'reconcileCreditStalled',
  refunding: 'reconcileCreditRefunding',
  partly_refunded: 'reconcileCreditPartlyRefunded',
  fraud: 'reconcileCreditFraud',
  credited: 'reconcileCreditCredited',
  reversed: 'reconcileCreditReversed',
}

/** お支払いステータス in the student side's own words. */
const APPLICATION_STATUS: Record<PaymentStatus, TextKey> = {
  awaiting_payment: 'statusAwaiting',
  paid: 'statusPaid',
  unpaid: 'statusUnpaid',
  cancelled: 'statusCancelled',
  refunded: 'statusRefunded',
}

/** A difference's detail as one line of text, in the member's language (page and CSV). */
export const detailText = (ct: ConsoleText, tr: Translator, d: DifferenceDetail): string => {
  const parts: string[] = []
  if (d.paymentStatus)
    parts.push(ct('reconcileDetailPayment', { status: ct(GATEWAY_STATUS[d.paymentStatus]) }))
  if (d.amountRefunded)
    parts.push(ct('reconcileDetailRefunded', { amount: `¥${formatYen(d.amountRefunded)}` }))
  if (d.applicationStatus)
    parts.push(
      ct('reconcileDetailApplication', { status: tr.t(APPLICATION_STATUS[d.applicationStatus]) }),
    )
  if (d.creditStatus)
    parts.push(ct('reconcileDetailCredit', { status: ct(CREDIT_STATUS[d.creditStatus]) }))
  if (d.orderRef !== undefined)
    parts.push(
      d.orderRef ? ct('reconcileDetailOrder', { ref: d.orderRef }) : ct('reconcileDetailNoOrder'),
    )
  if (d.idempotencyKey) parts.push(ct('reconcileDetailKey', { key: d.idempotencyKey }))
  if (d.userId) parts.push(ct('reconcileDetailCard', { user: d.userId }))
  return parts.join(' / ')
}

/** "2026-11-25" → "2026/11/25", the console's way of writing a date. */
export const dayText = (day: string) => day.replaceAll('-', '/')

const yen = (v: number | null) => (v === null ? '—' : `¥${formatYen(v)}`)

const universityName = (run: ReconciliationRun, lang: 'ja' | 'en') =>
  lang === 'ja' ? run.universityName : run.universityNameEn

/** What a run came to, in a few words: no differences, how many, or that it compared nothing. */
const RunResult = ({ run }: { run: ReconciliationRun }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  if (run.error !== null) return <strong>{ct('reconcileFailed')}</strong>
  if (run.differenceCount === 0) return <span>{ct('reconcileOk')}</span>
  return <strong>{ct('reconcileFound', { count: run.differenceCount })}</strong>
}

export interface ReconcileFormValues {
  day: string
  university: string
}

/**
 * /staff/reconciliation: 突合を実行 (a day; the call centre also picks the university) and
 * the latest runs the member may see, newest first.
 */
export const ReconcilePage = ({
  runs,
  universities,
  showUniversity,
  values,
  errors,
}: {
  runs: ReconciliationRun[]
  /** The universities to choose from; one (the member's own) means no choice. */
  universities: University[]
  showUniversity: boolean
  values: ReconcileFormValues
  errors: FieldErrors
}) => {
  const c = useRequestContext<AppEnv>()
  const ct = c.get('ct')
  const lang = c.get('tr').lang
  const dayError = errors.day
  const universityError = errors.university
  return (
    <>
      <p>{ct('reconcileIntro')}</p>
      <ErrorSummary errors={errors} />
      <section aria-labelledby="run-heading">
        <h2 id="run-heading">{ct('reconcileRunHeading')}</h2>
        <form method="post" action="/staff/reconciliation" class="card console-form" novalidate>
          <CsrfField />
          <div class="inline">
            <div class={dayError ? 'field has-error' : 'field'}>
              <label for="day">{ct('reconcileDay')}</label>
              <p class="hint" id="day-hint">
                {ct('reconcileDayHint')}
              </p>
              {dayError && (
                <div class="field-error" id="day-error">
                  <p>{dayError.text}</p>
                </div>
              )}
              <input
                id="day"
                name="day"
                type="date"
                value={values.day}
                required
                aria-invalid={dayError ? 'true' : undefined}
                aria-describedby={dayError ? 'day-hint day-error' : 'day-hint'}
              />
            </div>
            {universities.length > 1 && (
              <div class={universityError ? 'field has-error' : 'field'}>
                <label for="university">{ct('university')}</label>
                {universityError && (
                  <div class="field-error" id="university-error">
                    <p>{universityError.text}</p>
                  </div>
                )}
                <select
                  id="university"
                  name="university"
                  required
                  aria-invalid={universityError ? 'true' : undefined}
                  aria-describedby={universityError ? 'university-error' : undefined}
                >
                  {universities.map((u) => (
                    <option value={u.id} selected={u.id === values.university}>
                      {lang === 'ja' ? u.name : u.nameEn}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
          <div class="actions">
            <button type="submit" class="button primary">
              {ct('reconcileRunButton')}
            </button>
          </div>
        </form>
      </section>
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">{ct('reconcileRunsHeading')}</h2>
        {runs.length === 0 ? (
          <p>{ct('reconcileNoRuns')}</p>
        ) : (
          <TableWrap label={ct('reconcileRunsLabel')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{ct('reconcileColDay')}</th>
                  {showUniversity && <th scope="col">{ct('university')}</th>}
                  <th scope="col">{ct('reconcileColRanAt')}</th>
                  <th scope="col">{ct('reconcileColRanBy')}</th>
                  <th scope="col">{ct('reconcileColResult')}</th>
                  <th scope="col">{ct('reconcileColGateway')}</th>
                  <th scope="col">{ct('reconcileColApplications')}</th>
                  <th scope="col">{ct('reconcileColMic')}</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr>
                    <td>
                      <a
                        href={`/staff/reconciliation/${run.id}`}
                        aria-label={ct('reconcileShow', { day: dayText(run.day) })}
                      >
                        {dayText(run.day)}
                      </a>
                    </td>
                    {showUniversity && <td>{universityName(run, lang)}</td>}
                    <td>
                      <When ms={run.ranAt} />
                    </td>
                    <td>{isNightly(run) ? ct('reconcileNightly') : (run.ranByName ?? '—')}</td>
                    <td>
                      <RunResult run={run} />
                    </td>
                    <td>{run.error === null ? run.gatewayCount : '—'}</td>
                    <td>{run.error === null ? run.applicationCount : '—'}</td>
                    <td>{run.error === null ? run.micCount : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  )
}

/** /staff/reconciliation/:id: one run, its differences with their kinds, and its CSV. */
export const ReconcileRunPage = ({
  run,
  differences,
  showUniversity,
}: {
  run: ReconciliationRun
  differences: StoredDifference[]
  showUniversity: boolean
}) => {
  const c = useRequestContext<AppEnv>()
  const ct = c.get('ct')
  const tr = c.get('tr')
  const error = runErrorCode(run.error)
  return (
    <>
      <dl class="facts">
        {showUniversity && (
          <>
            <dt>{ct('university')}</dt>
            <dd>{universityName(run, tr.lang)}</dd>
          </>
        )}
        <dt>{ct('reconcileColDay')}</dt>
        <dd>{dayText(run.day)}</dd>
        <dt>{ct('reconcileColRanAt')}</dt>
        <dd>
          <When ms={run.ranAt} />
        </dd>
        <dt>{ct('reconcileColRanBy')}</dt>
        <dd>{isNightly(run) ? ct('reconcileNightly') : (run.ranByName ?? '—')}</dd>
        <dt>{ct('reconcileColResult')}</dt>
        <dd>
          <RunResult run={run} />
          {error === null && (
            <>
              {' '}
              {ct('reconcileCounts', {
                gateway: run.gatewayCount,
                applications: run.applicationCount,
                mic: run.micCount,
              })}
            </>
          )}
        </dd>
      </dl>
      {error !== null ? (
        <Message kind="error">
          <p>{ct('reconcileErrorIntro')}</p>
          <p>{ct(ERROR_TEXT[error])}</p>
          {isNightly(run) && error !== 'gateway_not_configured' && (
            <p>{ct('reconcileErrorRetry')}</p>
          )}
          {run.error !== error && (
            <p>
              <code class="mono">{run.error}</code>
            </p>
          )}
        </Message>
      ) : (
        <section aria-labelledby="differences-heading">
          <h2 id="differences-heading">{ct('reconcileDifferencesHeading')}</h2>
          {differences.length === 0 ? (
            <Message kind="success">{ct('reconcileNoDifferences')}</Message>
          ) : (
            <>
              <p>
                <a href={`/staff/reconciliation/${run.id}.csv`} download>
                  {ct('csvDownload')}
                </a>
              </p>
              <TableWrap label={ct('reconcileDifferencesLabel')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{ct('reconcileKind')}</th>
                      <th scope="col">{ct('reconcileColApplication')}</th>
                      <th scope="col">{ct('reconcileColPayment')}</th>
                      <th scope="col">{ct('reconcileColCredit')}</th>
                      <th scope="col">{ct('reconcileColGatewayAmount')}</th>
                      <th scope="col">{ct('reconcileColApplicationAmount')}</th>
                      <th scope="col">{ct('reconcileColMicAmount')}</th>
                      <th scope="col">{ct('reconcileColDetail')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {differences.map((d) => (
                      <tr>
                        <td>{ct(KIND_LABEL[d.kind])}</td>
                        <td>
                          {d.applicationId === null ? (
                            '—'
                          ) : (
                            <a href={`/staff/applications/${d.applicationId}`}>{d.applicationId}</a>
                          )}
                        </td>
                        <td class="mono">{d.paymentId ?? '—'}</td>
                        <td class="mono">{d.micCreditId ?? '—'}</td>
                        <td>{yen(d.gatewayAmount)}</td>
                        <td>{yen(d.applicationAmount)}</td>
                        <td>{yen(d.micAmount)}</td>
                        <td class="wrap">{detailText(ct, tr, d.detail)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </>
          )}
        </section>
      )}
      <p>
        <a href="/staff/reconciliation">{ct('reconcileBackToList')}</a>
      </p>
    </>
  )
}

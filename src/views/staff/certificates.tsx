import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import type { CreditStatus, PaymentStatus } from '../../domain/application'
import { CERTIFICATE_NAMES, formatVerificationCode } from '../../domain/certificates'
import { can } from '../../domain/staff'
import { formatJstDateTime } from '../../domain/time'
import type {
  CertificateLine,
  CertificateOrderView,
  IssuedCertificate,
  PostAction,
  PostStep,
  QueueRow,
} from '../../flows/staff/certificates'
import { certificateStanding } from '../../domain/certificates'
import { POST_STEPS } from '../../flows/staff/certificates'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import type { Lang } from '../../i18n'
import { CsrfField, ErrorSummary, Message, type FieldErrors } from '../components'
import { ActionForm, CauseText, TableWrap, When } from './components'

const useC = () => useRequestContext<AppEnv>()

type Notice = { kind: 'info' | 'success' | 'error'; text: string }

export const STEP_LABEL: Record<PostStep, ConsoleKey> = {
  to_print: 'certStepToPrint',
  printed: 'certStepPrinted',
  enclosed: 'certStepEnclosed',
  shipped: 'certStepShipped',
}

/** 発行状況: the application's credit states, in the words of a certificate's issue. */
const ISSUE_LABEL: Record<CreditStatus, ConsoleKey> = {
  none: 'certIssueNone',
  pending: 'certIssuePending',
  deferred: 'certIssueDeferred',
  retrying: 'certIssueRetrying',
  held: 'certIssueHeld',
  refused: 'certIssueRefused',
  mismatch: 'certIssueMismatch',
  stalled: 'certIssueStalled',
  refunding: 'certIssueRefunding',
  partly_refunded: 'certIssuePartlyRefunded',
  fraud: 'certIssueFraud',
  credited: 'certIssueCredited',
  reversed: 'certIssueReversed',
}
export const issueLabel = (
  ct: ConsoleText,
  a: { status: PaymentStatus; creditStatus: CreditStatus },
) => ct(a.status === 'refunded' ? 'certIssueRefunded' : ISSUE_LABEL[a.creditStatus])

const yen = (n: number) => `¥${n.toLocaleString('en-US')}`

/** A certificate's name and language as the console says it: 成績証明書（英文）. */
export const certificateName = (
  ct: ConsoleText,
  lang: Lang,
  c: Pick<CertificateLine, 'type' | 'language'>,
) =>
  `${CERTIFICATE_NAMES[c.type][lang]}（${ct(c.language === 'ja' ? 'certLangJa' : 'certLangEn')}）`

/** The 内訳 in a few words, for a list: 在学証明書（和文）× 2、成績証明書（英文）× 1. */
export const linesSummary = (
  ct: ConsoleText,
  lang: Lang,
  lines: readonly Pick<CertificateLine, 'type' | 'language' | 'copies'>[],
) =>
  lines
    .map((l) => `${certificateName(ct, lang, l)} × ${l.copies}`)
    .join(lang === 'ja' ? '、' : ', ')

const Fact = (p: { label: string; children: unknown }) => (
  <>
    <dt>{p.label}</dt>
    <dd>{p.children}</dd>
  </>
)

/** A postal address as it goes on the envelope. */
const Address = ({ a }: { a: NonNullable<QueueRow['address']> }) => {
  const ct = useC().get('ct')
  return (
    <address class="cert-address">
      {a.country === 'JP' ? `〒${a.postalCode}` : ct('certAbroad')}
      <br />
      {a.address}
      <br />
      {a.name}
      {a.phone && (
        <>
          <br />
          {`TEL ${a.phone}`}
        </>
      )}
    </address>
  )
}

// ---- 郵送の作業 ------------------------------------------------------------------------------

/** What went wrong with one order's form, shown on its card. */
export interface RowProblem {
  applicationId: number
  errors: FieldErrors
  tracking: string
}

/** The work of one order at its step: the form that moves it on. */
const StepForm = ({
  row,
  step,
  problem,
  mayWork,
}: {
  row: QueueRow
  step: PostStep
  problem: RowProblem | null
  mayWork: boolean
}) => {
  const ct = useC().get('ct')
  const id = row.order.applicationId
  const action: PostAction | null =
    step === 'to_print'
      ? 'print'
      : step === 'printed'
        ? 'enclose'
        : step === 'enclosed'
          ? 'ship'
          : null
  if (!action || !mayWork) return null
  const errors = problem?.errors ?? {}
  const field = (name: string) => `${name}-${id}`
  return (
    <form
      method="post"
      action={`/staff/certificate-orders/${id}/${action}`}
      class="console-form cert-step"
      novalidate
    >
      <CsrfField />
      <input type="hidden" name="step" value={step} />
      {action === 'enclose' && row.order.sealed && (
        <div class={errors.sealed ? 'field has-error admin-checks' : 'field admin-checks'}>
          {errors.sealed && (
            <div class="field-error" id={`${field('sealed')}-error`}>
              <p>{errors.sealed.text}</p>
            </div>
          )}
          <ul>
            <li>
              <input
                type="checkbox"
                id={field('sealed')}
                name="sealed"
                value="1"
                required
                aria-invalid={errors.sealed ? 'true' : undefined}
                aria-describedby={errors.sealed ? `${field('sealed')}-error` : undefined}
              />
              <label for={field('sealed')}>{ct('certSealedConfirm')}</label>
            </li>
          </ul>
        </div>
      )}
      {action === 'ship' && (
        <div class={errors.tracking ? 'field has-error' : 'field'}>
          <label for={field('tracking')}>{ct('certTracking')}</label>
          <p class="hint" id={`${field('tracking')}-hint`}>
            {ct('certTrackingHint')}
          </p>
          {errors.tracking && (
            <div class="field-error" id={`${field('tracking')}-error`}>
              <p>{errors.tracking.text}</p>
            </div>
          )}
          <input
            type="text"
            id={field('tracking')}
            name="tracking"
            value={problem?.tracking ?? ''}
            required
            maxlength={40}
            autocomplete="off"
            spellcheck={false}
            autocapitalize="characters"
            aria-invalid={errors.tracking ? 'true' : undefined}
            aria-describedby={[
              `${field('tracking')}-hint`,
              errors.tracking ? `${field('tracking')}-error` : '',
            ]
              .filter(Boolean)
              .join(' ')}
          />
        </div>
      )}
      <button type="submit" class="button primary">
        {ct(
          action === 'print'
            ? 'certMarkPrinted'
            : action === 'enclose'
              ? 'certMarkEnclosed'
              : 'certMarkShipped',
        )}
      </button>
    </form>
  )
}

/** /staff/certificates: the 郵送 orders at one step, each with the work that moves it on. */
export const PostalQueuePage = (p: {
  step: PostStep
  rows: QueueRow[]
  pdfs: Map<number, Pick<IssuedCertificate, 'id' | 'issueNumber' | 'type' | 'language'>[]>
  counts: Record<PostStep, number>
  limited: boolean
  limit: number
  notice: Notice | null
  problem: RowProblem | null
  universityNames: Map<string, string> | null
}) => {
  const c = useC()
  const ct = c.get('ct')
  const lang = c.get('tr').lang
  const member = c.get('staff')!
  const mayWork = can(member, 'certificates')
  return (
    <>
      {p.notice && (
        <Message kind={p.notice.kind}>
          <p>{p.notice.text}</p>
        </Message>
      )}
      {p.problem && <ErrorSummary errors={prefixed(p.problem)} />}
      <p>{ct('certQueueIntro')}</p>
      <nav aria-label={ct('certSteps')}>
        <ul class="counts cert-steps">
          {POST_STEPS.map((s) => (
            <li class={p.counts[s] > 0 && s !== 'shipped' ? 'has-items' : undefined}>
              <a
                href={`/staff/certificates?step=${s}`}
                aria-current={s === p.step ? 'page' : undefined}
              >
                {ct('certStepCount', { step: ct(STEP_LABEL[s]), count: p.counts[s] })}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section aria-labelledby="queue-heading">
        <h2 id="queue-heading">{ct(STEP_LABEL[p.step])}</h2>
        {p.rows.length === 0 ? (
          <p role="status">{ct('certQueueEmpty')}</p>
        ) : (
          <>
            {p.limited && <p role="status">{ct('certQueueLimited', { limit: p.limit })}</p>}
            <ol class="cert-queue">
              {p.rows.map((row) => {
                const id = row.order.applicationId
                const pdfs = p.pdfs.get(id) ?? []
                return (
                  <li class="card" id={`order-${id}`}>
                    <h3>
                      <a href={`/staff/applications/${id}`}>
                        {ct('appNumber')} {id}
                      </a>
                    </h3>
                    <dl class="facts">
                      {p.universityNames && (
                        <Fact label={ct('university')}>
                          {p.universityNames.get(row.order.universityId) ?? row.order.universityId}
                        </Fact>
                      )}
                      <Fact label={ct('certColStudent')}>
                        {row.student.userId} {row.student.nameKana}
                      </Fact>
                      <Fact label={ct('certColLines')}>
                        <ul class="plain">
                          {row.lines.map((l) => (
                            <li>
                              {certificateName(ct, lang, l)} × {l.copies}
                            </li>
                          ))}
                        </ul>
                      </Fact>
                      <Fact label={ct('certColSealed')}>
                        {row.order.sealed ? (
                          <strong>{ct('certSealedYes')}</strong>
                        ) : (
                          ct('certSealedNo')
                        )}
                      </Fact>
                      <Fact label={ct('certColAddress')}>
                        {row.address ? <Address a={row.address} /> : ct('dash')}
                      </Fact>
                      {p.step === 'shipped' && (
                        <Fact label={ct('certTracking')}>
                          <span class="mono">{row.order.trackingNumber ?? ct('dash')}</span> (
                          <When ms={row.order.shippedAt} />)
                        </Fact>
                      )}
                      {p.step === 'to_print' && mayWork && (
                        <Fact label={ct('certSectionCertificates')}>
                          {pdfs.length === 0 ? (
                            ct('certNoPdf')
                          ) : (
                            <ul class="plain">
                              {pdfs.map((d) => (
                                <li>
                                  <a
                                    href={`/staff/certificates/${d.id}/pdf`}
                                    target="_blank"
                                    rel="noopener"
                                  >
                                    {ct('certOpenPdf', { issueNumber: d.issueNumber })}
                                  </a>{' '}
                                  {certificateName(ct, lang, d)}
                                </li>
                              ))}
                            </ul>
                          )}
                        </Fact>
                      )}
                    </dl>
                    <StepForm
                      row={row}
                      step={p.step}
                      mayWork={mayWork}
                      problem={p.problem?.applicationId === id ? p.problem : null}
                    />
                  </li>
                )
              })}
            </ol>
          </>
        )}
      </section>
    </>
  )
}

/** An order's field errors keyed by the ids their inputs have on the page (for the summary). */
const prefixed = (problem: RowProblem): FieldErrors =>
  Object.fromEntries(
    Object.entries(problem.errors).map(([k, v]) => [`${k}-${problem.applicationId}`, v]),
  )

// ---- 申請詳細 ---------------------------------------------------------------------------------

/** 証明書の発行: the issue's state where a charge shows M.I.C.'s credit. */
export const CertificateIssueSection = (p: {
  a: {
    status: PaymentStatus
    creditStatus: CreditStatus
    creditedAt: number | null
    creditAttempts: number
    nextCreditAt: number | null
    creditError: string | null
  }
  order: CertificateOrderView['order']
}) => {
  const ct = useC().get('ct')
  const { a } = p
  return (
    <section class="card" aria-labelledby="issue-heading">
      <h2 id="issue-heading">{ct('certSectionIssue')}</h2>
      <dl class="facts">
        <Fact label={ct('certIssueStatus')}>
          <span class={`credit credit-${a.creditStatus}`}>{issueLabel(ct, a)}</span>
        </Fact>
        <Fact label={ct('certColIssuedAt')}>
          <When ms={a.creditedAt} />
        </Fact>
        <Fact label={ct('appAttempts')}>{a.creditAttempts}</Fact>
        <Fact label={ct('appNextAttempt')}>
          <When ms={a.creditStatus === 'credited' ? null : a.nextCreditAt} />
        </Fact>
        <Fact label={ct('appCauseHeading')}>
          <CauseText creditError={a.creditError} creditStatus={a.creditStatus} />
        </Fact>
        <Fact label={ct('certIssuedMailAt')}>
          <When ms={p.order.issuedMailAt} />
        </Fact>
      </dl>
    </section>
  )
}

/** 内訳, delivery and the issued certificates of a certificate order (申請詳細). */
export const CertificateOrderSections = ({
  view,
  now,
}: {
  view: CertificateOrderView
  now: number
}) => {
  const c = useC()
  const ct = c.get('ct')
  const lang = c.get('tr').lang
  const member = c.get('staff')!
  const { order, lines, address, issued } = view
  const fees = lines.reduce((n, l) => n + l.unitFee * l.copies, 0)
  const post = order.delivery === 'post'
  return (
    <>
      <section class="card" aria-labelledby="order-heading">
        <h2 id="order-heading">{ct('certSectionOrder')}</h2>
        <TableWrap label={ct('certSectionOrder')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{ct('certColType')}</th>
                <th scope="col">{ct('certColLanguage')}</th>
                <th scope="col">{ct('certColCopies')}</th>
                <th scope="col">{ct('certColUnitFee')}</th>
                <th scope="col">{ct('certColAmount')}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr>
                  <td>{CERTIFICATE_NAMES[l.type][lang]}</td>
                  <td>{ct(l.language === 'ja' ? 'certLangJa' : 'certLangEn')}</td>
                  <td class="num">{l.copies}</td>
                  <td class="num">{yen(l.unitFee)}</td>
                  <td class="num">{yen(l.unitFee * l.copies)}</td>
                </tr>
              ))}
              {post && (
                <tr>
                  <td colspan={4}>{ct('certPostage')}</td>
                  <td class="num">{yen(order.postage)}</td>
                </tr>
              )}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colspan={4}>
                  {ct('certTotal')}
                </th>
                <td class="num">{yen(fees + order.postage)}</td>
              </tr>
            </tfoot>
          </table>
        </TableWrap>
        <dl class="facts">
          <Fact label={ct('certDelivery')}>
            {ct(post ? 'certDeliveryPost' : 'certDeliveryPdf')}
          </Fact>
          {(order.recipientName || order.recipientOrganisation) && (
            <Fact label={ct('certRecipient')}>
              {[order.recipientOrganisation, order.recipientName].filter(Boolean).join(' ')}
            </Fact>
          )}
          {order.recipientEmail && (
            <Fact label={ct('certRecipientEmail')}>{order.recipientEmail}</Fact>
          )}
          {post && (
            <>
              <Fact label={ct('certAddress')}>
                {address ? <Address a={address} /> : ct('dash')}
              </Fact>
              <Fact label={ct('certSealed')}>
                {ct(order.sealed ? 'certSealedYes' : 'certSealedNo')}
              </Fact>
              <Fact label={ct('certPostStatus')}>
                {order.postStatus ? (
                  <a
                    href={`/staff/certificates?step=${order.postStatus}#order-${order.applicationId}`}
                  >
                    {ct(STEP_LABEL[order.postStatus])}
                  </a>
                ) : (
                  ct('certPostNotYet')
                )}
              </Fact>
              <Fact label={ct('certPrintedAt')}>
                <When ms={order.printedAt} />
              </Fact>
              <Fact label={ct('certEnclosedAt')}>
                <When ms={order.enclosedAt} />
              </Fact>
              <Fact label={ct('certShippedAt')}>
                <When ms={order.shippedAt} />
              </Fact>
              <Fact label={ct('certTracking')}>
                <span class="mono">{order.trackingNumber ?? ct('dash')}</span>
              </Fact>
            </>
          )}
        </dl>
      </section>
      <section class="card" aria-labelledby="certificates-heading">
        <h2 id="certificates-heading">{ct('certSectionCertificates')}</h2>
        {issued.length === 0 ? (
          <p>{ct('certNoCertificates')}</p>
        ) : (
          <TableWrap label={ct('certSectionCertificates')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{ct('certColIssueNumber')}</th>
                  <th scope="col">{ct('certColType')}</th>
                  <th scope="col">{ct('certColCode')}</th>
                  <th scope="col">{ct('certColIssuedAt')}</th>
                  <th scope="col">{ct('certColValidUntil')}</th>
                  <th scope="col">{ct('certColState')}</th>
                  <th scope="col">{ct('certColAction')}</th>
                </tr>
              </thead>
              <tbody>
                {issued.map(({ certificate: x, revokedByName }) => {
                  const state = certificateStanding(x, now)
                  const replaced = x.replacesId
                    ? issued.find((i) => i.certificate.id === x.replacesId)?.certificate
                    : undefined
                  return (
                    <tr id={`certificate-${x.id}`}>
                      <td class="mono">
                        {x.issueNumber}
                        {replaced && (
                          <>
                            <br />
                            <small>
                              {ct('certReplaces', { issueNumber: replaced.issueNumber })}
                            </small>
                          </>
                        )}
                      </td>
                      <td>{certificateName(ct, lang, x)}</td>
                      <td class="mono">{formatVerificationCode(x.verificationCode)}</td>
                      <td>
                        <When ms={x.issuedAt} />
                      </td>
                      <td>
                        <When ms={x.validUntil} />
                      </td>
                      <td class="wrap">
                        <span class={`cert-state cert-state-${state}`}>
                          {ct(
                            state === 'valid'
                              ? 'certStateValid'
                              : state === 'revoked'
                                ? 'certStateRevoked'
                                : 'certStateExpired',
                          )}
                        </span>
                        {x.revokedAt !== null && (
                          <>
                            <br />
                            {ct('certRevokedBy', {
                              time: formatJstDateTime(x.revokedAt),
                              name: revokedByName ?? ct('dash'),
                              reason: x.revokeReason ?? ct('dash'),
                            })}
                          </>
                        )}
                      </td>
                      <td>
                        <ul class="plain cert-actions">
                          {can(member, 'certificates') && (
                            <li>
                              <a
                                href={`/staff/certificates/${x.id}/pdf`}
                                target="_blank"
                                rel="noopener"
                                aria-label={`${ct('certDownload')} ${x.issueNumber}`}
                              >
                                {ct('certDownload')}
                              </a>
                            </li>
                          )}
                          {can(member, 'revokeCertificate') && x.revokedAt === null && (
                            <>
                              <li>
                                <a
                                  href={`/staff/certificates/${x.id}/revoke`}
                                  aria-label={`${ct('certRevoke')} ${x.issueNumber}`}
                                >
                                  {ct('certRevoke')}
                                </a>
                              </li>
                              <li>
                                <a
                                  href={`/staff/certificates/${x.id}/reissue`}
                                  aria-label={`${ct('certReissue')} ${x.issueNumber}`}
                                >
                                  {ct('certReissue')}
                                </a>
                              </li>
                            </>
                          )}
                        </ul>
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  )
}

// ---- 失効 / 再発行 -----------------------------------------------------------------------------

/** The confirmation of 失効 or 再発行: what will happen, and the reason asked for. */
export const CertificateActionConfirm = (p: {
  kind: 'revoke' | 'reissue'
  certificate: IssuedCertificate
  errors: FieldErrors
  refusal: string | null
}) => {
  const c = useC()
  const ct = c.get('ct')
  const lang = c.get('tr').lang
  const x = p.certificate
  const back = `/staff/applications/${x.applicationId}#certificate-${x.id}`
  const params = { issueNumber: x.issueNumber, name: certificateName(ct, lang, x) }
  return (
    <>
      <ErrorSummary errors={p.errors} />
      <section class="card" aria-labelledby="certificate-heading">
        <h2 id="certificate-heading">
          {ct('certColIssueNumber')} {x.issueNumber}
        </h2>
        <dl class="facts">
          <Fact label={ct('appNumber')}>
            <a href={`/staff/applications/${x.applicationId}`}>{x.applicationId}</a>
          </Fact>
          <Fact label={ct('certColType')}>{params.name}</Fact>
          <Fact label={ct('certColCode')}>
            <span class="mono">{formatVerificationCode(x.verificationCode)}</span>
          </Fact>
          <Fact label={ct('certColIssuedAt')}>
            <When ms={x.issuedAt} />
          </Fact>
          <Fact label={ct('certColValidUntil')}>
            <When ms={x.validUntil} />
          </Fact>
        </dl>
      </section>
      {p.refusal ? (
        <Message kind="error">
          <p>{p.refusal}</p>
        </Message>
      ) : (
        <>
          <p>{ct(p.kind === 'revoke' ? 'certRevokeExplain' : 'certReissueExplain', params)}</p>
          <ActionForm
            action={`/staff/certificates/${x.id}/${p.kind}`}
            label={ct(p.kind === 'revoke' ? 'certRevoke' : 'certReissue')}
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

import { useRequestContext } from '../renderer'
import type { RegistrarFailure } from '../../adapters/registrar'
import type { AppEnv } from '../../context'
import type { CertificateContent } from '../../domain/certificateContent'
import {
  CERTIFICATE_NAMES,
  certificateStanding,
  enrolmentStatusName,
  formatVerificationCode,
  orderableFor,
  type CatalogueItem,
  type CertificateStanding,
  type CertificateSettings,
  type EligibilityProblem,
} from '../../domain/certificates'
import { formatYen } from '../../domain/charge'
import { hasDeadline, type PaymentMethod } from '../../domain/paymentMethods'
import type { RegistrarRecord } from '../../domain/registrar'
import { formatJstDateTime } from '../../domain/time'
import type { Certificate, CertificateOrder, OrderView } from '../../flows/certificates'
import { downloadable } from '../../flows/certificates'
import type { Application } from '../../flows/charge'
import { certificateLineName, type BreakdownRow } from '../../flows/mails'
import type { Translator } from '../../i18n'
import { CsrfField, ErrorSummary, Field, Message, type FieldErrors } from '../components'

/** What was typed in the order form, to fill it in again (never more than a form holds). */
export type OrderFormValues = Record<string, string>

/** The copies field of a catalogue item in a language. */
export const copiesField = (item: Pick<CatalogueItem, 'type'>, lang: string) =>
  `copies_${item.type}_${lang}`

/** The order as the confirm page carries it to 申請 (and back to the form): the fields again. */
const orderFormFields = (values: OrderFormValues) =>
  Object.entries(values).filter(([, v]) => v !== '')

const useTr = () => useRequestContext<AppEnv>().get('tr')
const methodLabel = (tr: Translator, m: PaymentMethod) => tr.t(`pm_${m}`)
const yen = (tr: Translator, n: number) => tr.t('yen', { amount: formatYen(n) })

/** The sentence for a registrar that cannot answer now. */
export const registrarFailureText = (tr: Translator, f: RegistrarFailure) =>
  f.error === 'maintenance'
    ? f.until
      ? tr.t('registrarMaintenanceUntil', { time: formatJstDateTime(f.until) })
      : tr.t('registrarMaintenance')
    : f.error === 'unknownStudent'
      ? tr.t('registrarUnknownStudent')
      : tr.t('registrarUnavailable')

/** Why an order cannot be placed, in the student's words. */
export const eligibilityText = (tr: Translator, p: EligibilityProblem) => {
  const name = (type: keyof typeof CERTIFICATE_NAMES) => CERTIFICATE_NAMES[type][tr.lang]
  switch (p.code) {
    case 'notOffered':
      return tr.t('eligNotOffered', { name: name(p.type) })
    case 'languageNotOffered':
      return tr.t('eligLanguage', { name: name(p.type) })
    case 'deliveryNotOffered':
      return tr.t('eligDelivery', { name: name(p.type) })
    case 'status':
      return tr.t('eligStatus', {
        name: name(p.type),
        status: enrolmentStatusName(p.status, tr.lang),
      })
    case 'hold':
      return tr.t('eligHold', { hold: p.description[tr.lang] })
    case 'yearlyLimit':
      return tr.t('eligYearlyLimit', {
        name: name(p.type),
        limit: p.limit,
        used: p.used,
        left: Math.max(0, p.limit - p.used),
      })
    case 'noData':
      return tr.t('eligNoData', { name: name(p.type) })
    case 'tooManyCopies':
      return tr.t('copiesTooMany', { max: p.max })
    case 'noLines':
      return tr.t('copiesNone')
  }
}

const statusesText = (tr: Translator, item: CatalogueItem) =>
  item.statuses.map((s) => enrolmentStatusName(s, tr.lang)).join(tr.lang === 'ja' ? '・' : ', ')

const OfficeContact = ({ settings }: { settings: CertificateSettings }) => {
  const tr = useTr()
  const o = settings.office
  if (!o.name.ja && !o.phone && !o.email) return null
  return (
    <p class="hint office">
      {tr.t('officeContact', { office: o.name[tr.lang] || o.name.ja })}{' '}
      {o.phone && <span class="nowrap">TEL {o.phone}</span>}{' '}
      {o.email && <a href={`mailto:${o.email}`}>{o.email}</a>}
    </p>
  )
}

const MethodChoice = (p: {
  methods: readonly PaymentMethod[]
  values: OrderFormValues
  errors: FieldErrors
}) => {
  const tr = useTr()
  const { t } = tr
  return (
    <fieldset
      id="method"
      class="card"
      aria-describedby={p.errors.method ? 'method-error' : undefined}
    >
      <legend>{t('paymentMethod')}</legend>
      {p.errors.method && (
        <p class="field-error" id="method-error">
          {p.errors.method.text}
        </p>
      )}
      <ul class="methods">
        {p.methods.map((m) => (
          <li>
            <input
              type="radio"
              name="method"
              id={`method-${m}`}
              value={m}
              checked={p.values.method === m}
              required
            />
            <label for={`method-${m}`}>{methodLabel(tr, m)}</label>
            {hasDeadline(m) && <small class="hint">{t('methodPaidLater')}</small>}{' '}
            <a
              href={`/howto/${m}`}
              class="howto"
              aria-label={t('howToFor', { method: methodLabel(tr, m) })}
            >
              {t('howTo')}
            </a>
          </li>
        ))}
      </ul>
      {p.methods.includes('payeasy') && (
        <Field
          name="phone"
          label={t('contactPhone')}
          type="tel"
          autocomplete="tel"
          inputmode="tel"
          value={p.values.phone}
          hint={t('contactPhoneHint')}
          error={p.errors.phone}
          maxlength={20}
        />
      )}
    </fieldset>
  )
}

/** 各種証明書のオンライン申請: the catalogue, copies, delivery and payment on one form. */
export const OrderPage = (p: {
  settings: CertificateSettings
  record: RegistrarRecord | null
  failure: RegistrarFailure | null
  problems: readonly EligibilityProblem[]
  methods: readonly PaymentMethod[]
  values: OrderFormValues
  errors: FieldErrors
  /** Why the order was refused when no field or rule says it. */
  notice?: string | null
}) => {
  const tr = useTr()
  const { t } = tr
  const { settings, record } = p
  const deliveries = (['pdf', 'post'] as const).filter((d) =>
    settings.catalogue.some((i) => i.deliveries.includes(d)),
  )
  const canOrder = record !== null && settings.catalogue.some((i) => orderableFor(i, record))
  return (
    <>
      <ErrorSummary errors={p.errors} />
      {p.problems.length > 0 && (
        <Message kind="error">
          <ul>
            {p.problems.map((pr) => (
              <li>{eligibilityText(tr, pr)}</li>
            ))}
          </ul>
        </Message>
      )}
      {p.failure && (
        <Message kind="error">
          <p>{registrarFailureText(tr, p.failure)}</p>
        </Message>
      )}
      {p.notice && (
        <Message kind="error">
          <p>{p.notice}</p>
        </Message>
      )}
      <p>{t('certIntro')}</p>
      {record && (
        <p>
          {t('certYourStatus', { status: enrolmentStatusName(record.status, tr.lang) })}
          {record.holds.length > 0 && (
            <> {t('eligHold', { hold: record.holds[0]!.description[tr.lang] })}</>
          )}
        </p>
      )}
      {settings.catalogue.length === 0 && <p>{t('certNoneOffered')}</p>}
      <form method="post" action="/certificates/confirm" novalidate>
        <CsrfField />
        <section class="card" aria-labelledby="catalogue-heading">
          <h2 id="catalogue-heading">{t('certCatalogue')}</h2>
          <p class="hint">{t('certCopiesHint', { max: 20 })}</p>
          <ul class="catalogue">
            {settings.catalogue.map((item) => {
              const ok = record !== null && orderableFor(item, record)
              return (
                <li class={ok ? 'catalogue-item' : 'catalogue-item unavailable'}>
                  <h3>{CERTIFICATE_NAMES[item.type][tr.lang]}</h3>
                  <dl class="summary">
                    <dt>{t('certFee')}</dt>
                    <dd>
                      {item.fee === 0
                        ? t('certFree')
                        : t('certFeePerCopy', { amount: yen(tr, item.fee) })}
                    </dd>
                    <dt>{t('certWho')}</dt>
                    <dd>{statusesText(tr, item)}</dd>
                    <dt>{t('certDelivery')}</dt>
                    <dd>
                      {item.deliveries
                        .map((d) => t(d === 'pdf' ? 'deliveryPdf' : 'deliveryPost'))
                        .join(' / ')}
                    </dd>
                    {item.yearlyLimit !== null && (
                      <>
                        <dt>{t('certLimit')}</dt>
                        <dd>{t('certLimitPerYear', { n: item.yearlyLimit })}</dd>
                      </>
                    )}
                  </dl>
                  {ok ? (
                    <div class="copies">
                      {item.languages.map((lang) => {
                        const name = copiesField(item, lang)
                        const error = p.errors[name]
                        return (
                          <div class={error ? 'field has-error' : 'field'}>
                            <label for={name}>
                              {t('certCopiesOf', {
                                language: t(lang === 'ja' ? 'languageJa' : 'languageEn'),
                              })}
                            </label>
                            {error && (
                              <p class="field-error" id={`${name}-error`}>
                                {error.text}
                              </p>
                            )}
                            <input
                              id={name}
                              name={name}
                              type="text"
                              inputmode="numeric"
                              class="copies-input"
                              value={p.values[name] ?? ''}
                              placeholder="0"
                              maxlength={2}
                              aria-invalid={error ? 'true' : undefined}
                              aria-describedby={error ? `${name}-error` : undefined}
                            />
                          </div>
                        )
                      })}
                    </div>
                  ) : (
                    <p class="hint">
                      {record === null
                        ? t('certCannotCheck')
                        : record.holds.length > 0
                          ? t('eligHold', { hold: record.holds[0]!.description[tr.lang] })
                          : item.statuses.includes(record.status)
                            ? t('eligNoData', { name: CERTIFICATE_NAMES[item.type][tr.lang] })
                            : t('eligStatusShort', { status: statusesText(tr, item) })}
                    </p>
                  )}
                </li>
              )
            })}
          </ul>
        </section>
        {canOrder && (
          <>
            <fieldset id="delivery" class="card">
              <legend>{t('certDelivery')}</legend>
              {p.errors.delivery && <p class="field-error">{p.errors.delivery.text}</p>}
              <ul class="methods">
                {deliveries.map((d) => (
                  <li>
                    <input
                      type="radio"
                      name="delivery"
                      id={`delivery-${d}`}
                      value={d}
                      checked={p.values.delivery === d}
                      required
                    />
                    <label for={`delivery-${d}`}>
                      {t(d === 'pdf' ? 'deliveryPdf' : 'deliveryPost')}
                    </label>
                    <small class="hint">
                      {d === 'pdf'
                        ? t('deliveryPdfHint', { days: settings.validityDays })
                        : t('deliveryPostHint', {
                            domestic: yen(tr, settings.postage.domestic),
                            international: yen(tr, settings.postage.international),
                          })}
                    </small>
                  </li>
                ))}
              </ul>
            </fieldset>
            {deliveries.includes('pdf') && (
              <fieldset class="card">
                <legend>{t('recipientHeading')}</legend>
                <p class="hint">{t('recipientHint')}</p>
                <Field
                  name="recipient_organisation"
                  label={t('recipientOrganisation')}
                  value={p.values.recipient_organisation}
                  error={p.errors.recipient_organisation}
                  maxlength={80}
                />
                <Field
                  name="recipient_name"
                  label={t('recipientName')}
                  value={p.values.recipient_name}
                  error={p.errors.recipient_name}
                  maxlength={60}
                />
                <Field
                  name="recipient_email"
                  label={t('recipientEmail')}
                  type="email"
                  autocomplete="off"
                  value={p.values.recipient_email}
                  error={p.errors.recipient_email}
                  hint={t('recipientEmailHint')}
                  maxlength={254}
                />
                <Field
                  name="recipient_email_confirm"
                  label={t('recipientEmailConfirm')}
                  type="email"
                  autocomplete="off"
                  value={p.values.recipient_email_confirm}
                  error={p.errors.recipient_email_confirm}
                  maxlength={254}
                />
              </fieldset>
            )}
            {deliveries.includes('post') && (
              <fieldset class="card">
                <legend>{t('postHeading')}</legend>
                <p class="hint">{t('postHint')}</p>
                <div class="field">
                  <label for="country">{t('postCountry')}</label>
                  <select id="country" name="country">
                    <option value="JP" selected={p.values.country !== 'abroad'}>
                      {t('postJapan')}
                    </option>
                    <option value="abroad" selected={p.values.country === 'abroad'}>
                      {t('postAbroad')}
                    </option>
                  </select>
                </div>
                <Field
                  name="post_name"
                  label={t('postName')}
                  autocomplete="name"
                  value={p.values.post_name}
                  error={p.errors.post_name}
                  maxlength={60}
                />
                <Field
                  name="postal_code"
                  label={t('postalCode')}
                  autocomplete="postal-code"
                  inputmode="numeric"
                  value={p.values.postal_code}
                  error={p.errors.postal_code}
                  hint={t('postalCodeHint')}
                  maxlength={20}
                />
                <Field
                  name="address"
                  label={t('postAddress')}
                  autocomplete="street-address"
                  value={p.values.address}
                  error={p.errors.address}
                  maxlength={200}
                />
                <Field
                  name="post_phone"
                  label={t('postPhone')}
                  type="tel"
                  autocomplete="tel"
                  inputmode="tel"
                  value={p.values.post_phone}
                  error={p.errors.post_phone}
                  maxlength={20}
                />
                <div class="field checkbox">
                  <input
                    type="checkbox"
                    id="sealed"
                    name="sealed"
                    checked={p.values.sealed === 'on'}
                  />
                  <label for="sealed">{t('sealed')}</label>
                  <p class="hint">{t('sealedHint')}</p>
                </div>
              </fieldset>
            )}
            <MethodChoice methods={p.methods} values={p.values} errors={p.errors} />
          </>
        )}
        <p class="actions">
          <a class="button" href="/menu">
            {t('back')}
          </a>
          {canOrder && (
            <button type="submit" class="button primary">
              {t('next')}
            </button>
          )}
        </p>
      </form>
    </>
  )
}

/** One certificate as it will be issued, drawn in HTML from the same content as the PDF. */
export const CertificateSample = ({ content }: { content: CertificateContent }) => (
  <figure
    class={`certificate-sample ${content.sample ? 'is-sample' : ''}`}
    lang={content.lang}
    data-watermark={content.sample ? content.labels.sample : undefined}
  >
    {/* 見本 said in words anyone can read (and hear); the faint watermark is decoration. */}
    {content.sample && <span class="sample-mark">{content.labels.sample}</span>}
    {content.recipient && (
      <p class="sample-recipient">
        {content.labels.recipient}: {content.recipient.organisation} {content.recipient.name}
      </p>
    )}
    <figcaption>
      <h3>{content.title}</h3>
    </figcaption>
    <dl class="summary">
      {content.fields.map((f) => (
        <>
          <dt>{f.label}</dt>
          <dd>{f.value}</dd>
        </>
      ))}
    </dl>
    {content.table && (
      // A transcript is wider than a phone: it scrolls, and so takes focus to scroll by keyboard.
      <div class="table-scroll" tabindex={0} role="region" aria-label={content.title}>
        <table class="grades">
          <thead>
            <tr>
              {content.table.columns.map((c, i) => (
                <th scope="col" class={content.table!.numeric[i] ? 'num' : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {content.table.rows.map((r) => (
              <tr>
                {r.map((v, i) => (
                  <td class={content.table!.numeric[i] ? 'num' : undefined}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <dl class="summary">
          {content.table.summary.map((f) => (
            <>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </>
          ))}
        </dl>
      </div>
    )}
    <p>{content.statement}</p>
    <p class="sample-issuer">
      {content.issuedOn}
      <br />
      {content.issuer.legalName} {content.issuer.universityName}
    </p>
  </figure>
)

/** The 内訳 table: each certificate line, 郵送料, 合計. */
export const BreakdownTable = ({
  rows,
  total,
}: {
  rows: readonly BreakdownRow[]
  total: number
}) => {
  const tr = useTr()
  const { t } = tr
  return (
    <div class="table-scroll">
      <table class="contents breakdown">
        <thead>
          <tr>
            <th scope="col">{t('kind')}</th>
            <th scope="col">{t('quantity')}</th>
            <th scope="col">{t('unitPrice')}</th>
            <th scope="col">{t('amountColumn')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              <td>{r.quantity}</td>
              <td>{yen(tr, r.unit)}</td>
              <td>{yen(tr, r.amount)}</td>
            </tr>
          ))}
          <tr class="total">
            <th scope="row">{t('total')}</th>
            <td></td>
            <td></td>
            <td>{yen(tr, total)}</td>
          </tr>
        </tbody>
      </table>
    </div>
  )
}

/** 申請内容確認 of a certificate order: each certificate's 見本, the total, then 申請. */
export const OrderConfirmPage = (p: {
  settings: CertificateSettings
  samples: readonly CertificateContent[]
  breakdown: readonly BreakdownRow[]
  total: number
  delivery: 'pdf' | 'post'
  deliverySummary: readonly string[]
  method: PaymentMethod
  values: OrderFormValues
  requestKey: string
  error?: string
}) => {
  const tr = useTr()
  const { t } = tr
  const hidden = orderFormFields(p.values).map(([k, v]) => (
    <input type="hidden" name={k} value={v} />
  ))
  return (
    <>
      {p.error && (
        <Message kind="error">
          <p>{p.error}</p>
        </Message>
      )}
      <section class="card" aria-labelledby="samples-heading">
        <h2 id="samples-heading">{t('certSamples')}</h2>
        <p>{t('certSamplesIntro')}</p>
        <OfficeContact settings={p.settings} />
        {p.samples.map((c) => (
          <CertificateSample content={c} />
        ))}
      </section>
      <section class="card" aria-labelledby="contents-heading">
        <h2 id="contents-heading">{t('applicationContents')}</h2>
        <BreakdownTable rows={p.breakdown} total={p.total} />
      </section>
      <section class="card" aria-labelledby="delivery-heading">
        <h2 id="delivery-heading">{t('certDelivery')}</h2>
        {p.deliverySummary.map((line) => (
          <p>{line}</p>
        ))}
      </section>
      <section class="card" aria-labelledby="method-heading">
        <h2 id="method-heading">{t('paymentMethod')}</h2>
        <p>{methodLabel(tr, p.method)}</p>
      </section>
      <div class="actions">
        <form method="post" action="/certificates/edit">
          <CsrfField />
          {hidden}
          <button type="submit" class="button">
            {t('back')}
          </button>
        </form>
        {!p.error && (
          <form method="post" action="/certificates/apply">
            <CsrfField />
            {hidden}
            <input type="hidden" name="request_key" value={p.requestKey} />
            <button type="submit" class="button primary">
              {t('apply')}
            </button>
          </form>
        )}
      </div>
    </>
  )
}

export const STANDING_KEYS: Record<
  CertificateStanding,
  'verifyValid' | 'verifyRevoked' | 'verifyExpired'
> = {
  valid: 'verifyValid',
  revoked: 'verifyRevoked',
  expired: 'verifyExpired',
}

/** The certificates of an order: each with its 照合番号 and a download while it is valid. */
export const IssuedCertificates = (p: {
  view: OrderView
  now: number
  /** Where each certificate downloads from: the student's page or the recipient's link. */
  href: (c: Certificate) => string
}) => {
  const tr = useTr()
  const { t } = tr
  const current = p.view.certificates.filter(
    (c) => !p.view.certificates.some((o) => o.replacesId === c.id),
  )
  if (current.length === 0) return null
  return (
    <ul class="issued">
      {current.map((c) => {
        const line = p.view.lines.find((l) => l.id === c.lineId)
        const standing = certificateStanding(c, p.now)
        return (
          <li>
            <p class="issued-name">
              {line ? certificateLineName(tr, line) : c.type}{' '}
              <span class="nowrap">({c.issueNumber})</span>
            </p>
            <dl class="summary">
              <dt>{t('verificationCode')}</dt>
              <dd class="code">{formatVerificationCode(c.verificationCode)}</dd>
              <dt>{t('validUntil')}</dt>
              <dd>{formatJstDateTime(c.validUntil)}</dd>
              <dt>{t('verifyStanding')}</dt>
              <dd>{t(STANDING_KEYS[standing])}</dd>
            </dl>
            {p.view.order.delivery === 'pdf' && downloadable(c, p.now) && (
              <p>
                <a class="button" href={p.href(c)} download>
                  {t('downloadPdf')}
                </a>
              </p>
            )}
          </li>
        )
      })}
    </ul>
  )
}

/**
 * Where a certificate order stands, in words: on 申請情報 詳細 and in the student's own data
 * download.
 */
export const certificateOrderText = (
  tr: Translator,
  a: Application,
  o: Pick<CertificateOrder, 'delivery' | 'postStatus' | 'trackingNumber'>,
  now: number,
): string => {
  const { t } = tr
  if (a.status === 'refunded') return t('certRefunded')
  if (a.status !== 'paid') return t('certNotPaid')
  switch (a.creditStatus) {
    case 'credited':
      return o.delivery === 'pdf'
        ? t('certIssuedPdf')
        : o.postStatus === 'shipped'
          ? t('certShipped', { tracking: o.trackingNumber ?? '' })
          : t('certIssuedPost')
    case 'pending':
    case 'retrying':
      return t('certIssuing')
    case 'deferred':
      return t('certIssuingLater', { time: formatJstDateTime(a.nextCreditAt ?? now) })
    case 'refused':
    case 'refunding':
      return t('certRefused')
    default:
      return t('certNeedsPerson')
  }
}

/** 申請情報 詳細 of a certificate order: where its certificates stand. */
export const CertificatesSection = (p: { a: Application; view: OrderView; now: number }) => {
  const tr = useTr()
  const { t } = tr
  const { a, view } = p
  const text = certificateOrderText(tr, a, view.order, p.now)
  return (
    <section class="card" aria-labelledby="cert-heading">
      <h2 id="cert-heading">{t('certHeading')}</h2>
      <p class={`credit credit-${a.creditStatus}`}>{text}</p>
      <IssuedCertificates
        view={view}
        now={p.now}
        href={(c) => `/applications/${a.id}/certificates/${c.id}`}
      />
    </section>
  )
}

/** The recipient's page: the certificates a student sent, no account needed. */
export const RecipientPage = (p: {
  view: OrderView
  token: string
  now: number
  universityName: string
}) => {
  const tr = useTr()
  const { t } = tr
  return (
    <>
      <p>
        {t('recipientPageIntro', {
          university: p.universityName,
          organisation: p.view.order.recipientOrganisation ?? '',
          name: p.view.order.recipientName ?? '',
        })}
      </p>
      <IssuedCertificates view={p.view} now={p.now} href={(c) => `/r/${p.token}/${c.id}`} />
      <p class="hint">{t('recipientPageVerify')}</p>
      <p>
        <a href="/verify">{t('verifyTitle')}</a>
      </p>
    </>
  )
}

/** /verify: a 照合番号 (or the QR code's link) shows what was issued; a PDF can be compared. */
export const VerifyPage = (p: {
  code: string
  error?: string
  result: null | {
    certificate: Certificate
    lineName: string
    standing: CertificateStanding
  }
  notFound: boolean
}) => {
  const tr = useTr()
  const { t } = tr
  const r = p.result
  return (
    <>
      <p>{t('verifyIntro')}</p>
      <form method="get" action="/verify" class="card">
        <Field
          name="code"
          label={t('verificationCode')}
          value={p.code}
          hint={t('verifyCodeHint')}
          error={p.error ? { text: p.error } : undefined}
          maxlength={40}
        />
        <p class="actions">
          <button type="submit" class="button primary">
            {t('verifyButton')}
          </button>
        </p>
      </form>
      {p.notFound && (
        <Message kind="error">
          <p>{t('verifyNotFound')}</p>
        </Message>
      )}
      {r && (
        <section class="card" aria-labelledby="verify-result">
          <h2 id="verify-result">{t('verifyResult')}</h2>
          <p class={`verify-standing verify-${r.standing}`}>
            <strong>{t(STANDING_KEYS[r.standing])}</strong>
            {r.standing === 'revoked' && r.certificate.revokedAt !== null && (
              <> {t('verifyRevokedAt', { time: formatJstDateTime(r.certificate.revokedAt) })}</>
            )}
          </p>
          <dl class="summary">
            <dt>{t('verifyType')}</dt>
            <dd>{r.lineName}</dd>
            <dt>{t('verifyHolder')}</dt>
            <dd>{r.certificate.holderName}</dd>
            <dt>{t('issueNumber')}</dt>
            <dd>{r.certificate.issueNumber}</dd>
            <dt>{t('verifyIssuedAt')}</dt>
            <dd>{formatJstDateTime(r.certificate.issuedAt)}</dd>
            <dt>{t('validUntil')}</dt>
            <dd>{formatJstDateTime(r.certificate.validUntil)}</dd>
            <dt>SHA-256</dt>
            <dd class="code hash">{r.certificate.sha256}</dd>
          </dl>
          <div
            class="dropzone"
            id="verify-drop"
            data-sha256={r.certificate.sha256}
            data-same={t('verifySame')}
            data-different={t('verifyDifferent')}
            data-reading={t('verifyReading')}
          >
            <label for="verify-file">{t('verifyDrop')}</label>
            <input type="file" id="verify-file" accept="application/pdf" />
            <p class="hint">{t('verifyDropHint')}</p>
            <p id="verify-outcome" role="status" aria-live="polite"></p>
          </div>
          <script src="/verify.js" defer></script>
        </section>
      )}
    </>
  )
}

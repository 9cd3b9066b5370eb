import type { PropsWithChildren } from 'hono/jsx'
import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import {
  CATALOGUE_LIMITS,
  catalogueField,
  CERTIFICATE_LANGS,
  type CatalogueForm,
} from '../../domain/certificateSettingsForm'
import { CERTIFICATE_NAMES, DELIVERIES, enrolmentStatusName } from '../../domain/certificates'
import { CERTIFICATE_TYPES, ENROLMENT_STATUSES, type CertificateType } from '../../domain/registrar'
import type { ConsoleKey } from '../../i18n/console'
import { CsrfField, ErrorSummary, Field, Message, type FieldErrors } from '../components'

type Notice = { kind: 'info' | 'success' | 'error'; text: string }

const useC = () => useRequestContext<AppEnv>()

const Section = ({ id, title, children }: PropsWithChildren<{ id: string; title: string }>) => (
  <section class="card" aria-labelledby={id}>
    <h2 id={id}>{title}</h2>
    {children}
  </section>
)

/** A group of checkboxes (言語, 学籍, 受け取り方法) with its error, as one fieldset. */
const Checks = ({
  name,
  legend,
  options,
  chosen,
  errors,
}: {
  name: string
  legend: string
  options: { value: string; label: string }[]
  chosen: readonly string[]
  errors: FieldErrors
}) => {
  const error = errors[name]
  return (
    <fieldset
      id={name}
      class={error ? 'field has-error admin-checks' : 'field admin-checks'}
      aria-describedby={error ? `${name}-error` : undefined}
    >
      <legend>{legend}</legend>
      {error && (
        <div class="field-error" id={`${name}-error`}>
          <p>{error.text}</p>
        </div>
      )}
      <ul>
        {options.map((o) => (
          <li>
            <input
              type="checkbox"
              id={`${name}-${o.value}`}
              name={name}
              value={o.value}
              checked={chosen.includes(o.value)}
            />
            <label for={`${name}-${o.value}`}>{o.label}</label>
          </li>
        ))}
      </ul>
    </fieldset>
  )
}

const DELIVERY_LABEL = { pdf: 'certDeliveryPdf', post: 'certDeliveryPost' } as const

/** One certificate type: offered or not, and if so, how. */
const CatalogueRow = ({
  type,
  form,
  errors,
}: {
  type: CertificateType
  form: CatalogueForm
  errors: FieldErrors
}) => {
  const c = useC()
  const ct = c.get('ct')
  const lang = c.get('tr').lang
  const row = form.rows[type]
  const name = CERTIFICATE_NAMES[type][lang]
  const f = (part: Parameters<typeof catalogueField>[1]) => catalogueField(type, part)
  return (
    <fieldset class="admin-window cert-item">
      <legend>{name}</legend>
      <div class="field admin-checks">
        <ul>
          <li>
            <input
              type="checkbox"
              id={f('offered')}
              name={f('offered')}
              value="1"
              checked={row.offered}
            />
            <label for={f('offered')}>{ct('certOffered', { name })}</label>
          </li>
        </ul>
      </div>
      <Checks
        name={f('languages')}
        legend={ct('certLanguages')}
        options={CERTIFICATE_LANGS.map((l) => ({
          value: l,
          label: ct(l === 'ja' ? 'certLangJa' : 'certLangEn'),
        }))}
        chosen={row.languages}
        errors={errors}
      />
      <div class="inline">
        <Field
          name={f('fee')}
          label={ct('certFee')}
          value={row.fee}
          error={errors[f('fee')]}
          inputmode="numeric"
          maxlength={9}
          autocomplete="off"
        />
        <Field
          name={f('limit')}
          label={ct('certLimit')}
          hint={ct('certLimitHint')}
          value={row.limit}
          error={errors[f('limit')]}
          inputmode="numeric"
          maxlength={4}
          autocomplete="off"
        />
      </div>
      <Checks
        name={f('statuses')}
        legend={ct('certStatuses')}
        options={ENROLMENT_STATUSES.map((s) => ({ value: s, label: enrolmentStatusName(s, lang) }))}
        chosen={row.statuses}
        errors={errors}
      />
      <Checks
        name={f('deliveries')}
        legend={ct('certDeliveries')}
        options={DELIVERIES.map((d) => ({ value: d, label: ct(DELIVERY_LABEL[d]) }))}
        chosen={row.deliveries}
        errors={errors}
      />
    </fieldset>
  )
}

/** /staff/settings/certificates: the university's certificate catalogue on one form. */
export const CatalogueSettingsPage = ({
  universityName,
  form,
  errors,
  notice,
  operator,
}: {
  universityName: string
  form: CatalogueForm
  errors: FieldErrors
  notice?: Notice
  /** The operator's page for a university (routes/staff/universities): where to post, and back. */
  operator?: { action: string; back: { href: string; label: string } }
}) => {
  const ct = useC().get('ct')
  const L = CATALOGUE_LIMITS
  const text = (
    name: keyof CatalogueForm & string,
    label: ConsoleKey,
    opts: {
      type?: 'text' | 'email' | 'tel'
      numeric?: boolean
      maxlength?: number
      hint?: string
    } = {},
  ) => (
    <Field
      name={name}
      label={ct(label)}
      type={opts.type}
      value={String(form[name] ?? '')}
      error={errors[name]}
      hint={opts.hint}
      maxlength={opts.maxlength ?? L.officeNameMax}
      inputmode={opts.numeric ? 'numeric' : undefined}
      autocomplete="off"
    />
  )
  return (
    <>
      {notice && <Message kind={notice.kind}>{notice.text}</Message>}
      <ErrorSummary errors={errors} />
      <p>{ct('certSettingsIntro', { university: universityName })}</p>
      <p>
        <a href={operator?.back.href ?? '/staff/settings'}>
          {operator?.back.label ?? ct('certSettingsBack')}
        </a>
      </p>
      <form
        method="post"
        action={operator?.action ?? '/staff/settings/certificates'}
        class="console-form admin-settings"
        novalidate
      >
        <CsrfField />
        <Section id="catalogue-items" title={ct('certSectionCatalogue')}>
          <p class="hint">{ct('certCatalogueHint')}</p>
          {CERTIFICATE_TYPES.map((type) => (
            <CatalogueRow type={type} form={form} errors={errors} />
          ))}
        </Section>
        <Section id="catalogue-postage" title={ct('certSectionPostage')}>
          <p class="hint">{ct('certPostageHint')}</p>
          <div class="inline">
            {text('postage_domestic', 'certPostageDomestic', { numeric: true, maxlength: 9 })}
            {text('postage_international', 'certPostageInternational', {
              numeric: true,
              maxlength: 9,
            })}
          </div>
        </Section>
        <Section id="catalogue-validity" title={ct('certSectionValidity')}>
          {text('validity_days', 'certValidityDays', {
            numeric: true,
            maxlength: 4,
            hint: ct('certValidityHint'),
          })}
        </Section>
        <Section id="catalogue-office" title={ct('certSectionOffice')}>
          <p class="hint">{ct('certOfficeHint')}</p>
          {text('office_name_ja', 'certOfficeNameJa')}
          {text('office_name_en', 'certOfficeNameEn')}
          {text('office_phone', 'certOfficePhone', { type: 'tel', maxlength: L.phoneMax })}
          {text('office_email', 'certOfficeEmail', { type: 'email', maxlength: 254 })}
        </Section>
        <div class="actions">
          <button type="submit" class="button primary">
            {ct('adminSave')}
          </button>
        </div>
      </form>
    </>
  )
}

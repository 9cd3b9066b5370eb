import type { Child, PropsWithChildren } from 'hono/jsx'
import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { PAYMENT_METHODS } from '../../domain/paymentMethods'
import { SETTINGS_LIMITS, windowField, type SettingsForm } from '../../domain/settings'
import {
  CsrfField,
  ErrorSummary,
  Field,
  Message,
  type FieldError,
  type FieldErrors,
} from '../components'

type Notice = { kind: 'info' | 'success' | 'error'; text: string }

const useCt = () => useRequestContext<AppEnv>().get('ct')

/** A field's error lines, with the id its input points at (aria-describedby). */
const ErrorText = ({ id, error }: { id: string; error?: FieldError }) =>
  error ? (
    <div class="field-error" id={`${id}-error`}>
      <p>{error.text}</p>
    </div>
  ) : null

const describedBy = (...ids: (string | false | undefined)[]) =>
  ids.filter(Boolean).join(' ') || undefined

const Section = ({ id, title, children }: PropsWithChildren<{ id: string; title: string }>) => (
  <section class="card" aria-labelledby={id}>
    <h2 id={id}>{title}</h2>
    {children}
  </section>
)

/** ホスト名: a textarea, one host name per line. */
const HostsField = ({ value, error }: { value: string; error?: FieldError }) => {
  const ct = useCt()
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for="hosts">{ct('adminHosts')}</label>
      <p class="hint" id="hosts-hint">
        {ct('adminHostsHint')}
      </p>
      <ErrorText id="hosts" error={error} />
      <textarea
        id="hosts"
        name="hosts"
        rows={4}
        required
        spellcheck={false}
        autocapitalize="off"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy('hosts-hint', error && 'hosts-error')}
      >
        {value}
      </textarea>
    </div>
  )
}

/** お支払い方法: one checkbox per method, in the manual's order. */
const MethodsField = ({ chosen, error }: { chosen: readonly string[]; error?: FieldError }) => {
  const c = useRequestContext<AppEnv>()
  const ct = c.get('ct')
  const { t } = c.get('tr')
  return (
    <fieldset
      id="methods"
      class={error ? 'field has-error admin-checks' : 'field admin-checks'}
      aria-describedby={describedBy('methods-hint', error && 'methods-error')}
    >
      <legend>{ct('adminPaymentMethods')}</legend>
      <p class="hint" id="methods-hint">
        {ct('adminPaymentMethodsHint')}
      </p>
      <ErrorText id="methods" error={error} />
      <ul>
        {PAYMENT_METHODS.map((m) => (
          <li>
            <input
              type="checkbox"
              id={`method-${m}`}
              name="methods"
              value={m}
              checked={chosen.includes(m)}
            />
            <label for={`method-${m}`}>{t(`pm_${m}`)}</label>
          </li>
        ))}
      </ul>
    </fieldset>
  )
}

/** One stop window: its start and end as datetime-local inputs, read as Japan time. */
const WindowRow = ({
  index,
  start,
  end,
  errors,
}: {
  index: number
  start: string
  end: string
  errors: FieldErrors
}) => {
  const ct = useCt()
  const n = index + 1
  const input = (side: 'start' | 'end', value: string) => {
    const name = windowField(index, side)
    const error = errors[name]
    return (
      <div class={error ? 'field has-error' : 'field'}>
        <label for={name}>
          {ct(side === 'start' ? 'adminWindowStart' : 'adminWindowEnd', { n })}
        </label>
        <ErrorText id={name} error={error} />
        <input
          type="datetime-local"
          id={name}
          name={name}
          value={value}
          step={60}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy('windows-hint', error && `${name}-error`)}
        />
      </div>
    )
  }
  return (
    <fieldset class="admin-window">
      <legend>{ct('adminWindowLegend', { n })}</legend>
      <div class="inline">
        {input('start', start)}
        {input('end', end)}
      </div>
    </fieldset>
  )
}

/** Leavers past the retention period whose removal waits for money still on its way. */
export interface PostponedLeaver {
  userId: string
  leftOn: string
}

const PostponedLeavers = ({ people }: { people: readonly PostponedLeaver[] }) => {
  const ct = useCt()
  if (people.length === 0) return null
  return (
    <section class="card" aria-labelledby="retention-postponed">
      <h2 id="retention-postponed">{ct('retentionPostponedHeading')}</h2>
      <p>{ct('retentionPostponedIntro')}</p>
      <div class="table-scroll">
        <table>
          <caption>{ct('retentionPostponedTable')}</caption>
          <thead>
            <tr>
              <th scope="col">{ct('retentionUserId')}</th>
              <th scope="col">{ct('retentionLeftOn')}</th>
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr>
                <td>{p.userId}</td>
                <td>{p.leftOn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

/** /staff/settings: every setting of the administrator's university on one form. */
export const SettingsPage = ({
  universityName,
  form,
  errors,
  notice,
  operator,
  postponed = [],
}: {
  universityName: string
  form: SettingsForm
  errors: FieldErrors
  notice?: Notice
  /**
   * The operator's form (routes/staff/universities): its own address, intro, button and
   * sections of its own before these.
   */
  operator?: { action: string; intro: string; submit: string; leading: Child }
  postponed?: readonly PostponedLeaver[]
}) => {
  const ct = useCt()
  const text = (
    name: keyof SettingsForm & string,
    label: Parameters<typeof ct>[0],
    opts: {
      type?: 'text' | 'email' | 'tel'
      hint?: string
      required?: boolean
      maxlength?: number
      numeric?: boolean
      autocomplete?: string
    } = {},
  ) => (
    <Field
      name={name}
      label={ct(label)}
      type={opts.type}
      value={String(form[name] ?? '')}
      error={errors[name]}
      hint={opts.hint}
      required={opts.required ?? true}
      maxlength={opts.maxlength ?? SETTINGS_LIMITS.textMax}
      inputmode={opts.numeric ? 'numeric' : undefined}
      autocomplete={opts.autocomplete ?? 'off'}
    />
  )
  return (
    <>
      {notice && <Message kind={notice.kind}>{notice.text}</Message>}
      <ErrorSummary errors={errors} />
      <p>{operator?.intro ?? ct('adminSettingsIntro', { university: universityName })}</p>
      {!operator && (
        <p>
          <a href="/staff/settings/certificates">{ct('certSettingsLink')}</a>
        </p>
      )}
      <form
        method="post"
        action={operator?.action ?? '/staff/settings'}
        class="console-form admin-settings"
        novalidate
      >
        <CsrfField />
        {operator?.leading}
        <Section id="settings-names" title={ct('adminSectionNames')}>
          <p class="hint">{ct('adminSectionEnglishHint')}</p>
          {text('name', 'adminName')}
          {text('name_en', 'adminNameEn')}
          {text('legal_name', 'adminLegalName', { hint: ct('adminLegalNameHint') })}
          {text('legal_name_en', 'adminLegalNameEn', { hint: ct('adminLegalNameEnHint') })}
        </Section>
        <Section id="settings-contact" title={ct('adminSectionContact')}>
          {text('call_centre_name', 'adminCallCentreName')}
          {text('call_centre_name_en', 'adminCallCentreNameEn')}
          {text('call_centre_phone', 'adminCallCentrePhone', {
            type: 'tel',
            maxlength: SETTINGS_LIMITS.phoneMax,
          })}
          {text('call_centre_hours', 'adminCallCentreHours')}
          {text('call_centre_hours_en', 'adminCallCentreHoursEn', {
            hint: ct('adminCallCentreHoursEnHint'),
          })}
        </Section>
        <Section id="settings-mail" title={ct('adminSectionMail')}>
          {text('mail_from', 'adminMailFrom', { type: 'email', maxlength: 254 })}
          {text('mail_from_name', 'adminMailFromName')}
          {text('mail_from_name_en', 'adminMailFromNameEn')}
        </Section>
        <Section id="settings-desk" title={ct('adminSectionCardMoneyDesk')}>
          <p class="hint">{ct('adminCardMoneyDeskHint')}</p>
          {text('card_money_desk', 'adminCardMoneyDesk', { maxlength: SETTINGS_LIMITS.deskMax })}
          {text('card_money_desk_en', 'adminCardMoneyDeskEn', {
            maxlength: SETTINGS_LIMITS.deskMax,
          })}
        </Section>
        <Section id="settings-hosts" title={ct('adminSectionHosts')}>
          <HostsField value={form.hosts} error={errors.hosts} />
        </Section>
        <Section id="settings-charge" title={ct('adminSectionCharge')}>
          <p class="hint">{ct('adminChargeHint')}</p>
          <div class="inline">
            {text('balance_cap', 'adminBalanceCap', { numeric: true, maxlength: 12 })}
            {text('min_charge', 'adminMinCharge', { numeric: true, maxlength: 12 })}
            {text('charge_step', 'adminChargeStep', { numeric: true, maxlength: 12 })}
          </div>
          {text('payment_deadline_days', 'adminPaymentDeadlineDays', {
            numeric: true,
            maxlength: 4,
            hint: ct('adminPaymentDeadlineHint'),
          })}
        </Section>
        <Section id="settings-methods" title={ct('adminSectionMethods')}>
          <MethodsField chosen={form.methods} error={errors.methods} />
        </Section>
        <Section id="settings-windows" title={ct('adminSectionWindows')}>
          <p class="hint" id="windows-hint">
            {ct('adminWindowsHint')}
          </p>
          {form.windows.map((w, i) => (
            <WindowRow index={i} start={w.start} end={w.end} errors={errors} />
          ))}
        </Section>
        <Section id="settings-alerts" title={ct('adminSectionAlerts')}>
          {text('staff_alert_email', 'adminStaffAlertEmail', {
            type: 'email',
            maxlength: 254,
            required: false,
            hint: ct('adminStaffAlertHint'),
          })}
        </Section>
        <Section id="settings-retention" title={ct('retentionSection')}>
          {text('retention_years', 'retentionYears', {
            numeric: true,
            maxlength: 2,
            hint: ct('retentionHint'),
          })}
        </Section>
        <div class="actions">
          <button type="submit" class="button primary">
            {operator?.submit ?? ct('adminSave')}
          </button>
        </div>
      </form>
      <PostponedLeavers people={postponed} />
    </>
  )
}

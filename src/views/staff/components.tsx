import { html } from 'hono/html'
import type { PropsWithChildren } from 'hono/jsx'
import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { formatJstDateTime } from '../../domain/time'
import type { StaffRole } from '../../domain/staff'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import { creditErrorSentence } from '../../flows/staff/words'
import { CsrfField, type FieldError } from '../components'

export const ROLE_LABEL: Record<StaffRole, ConsoleKey> = {
  staff: 'roleStaff',
  callcentre: 'roleCallcentre',
  admin: 'roleAdmin',
  operator: 'roleOperator',
}

export const RoleName = ({ role }: { role: StaffRole }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return <span class="role">{ct(ROLE_LABEL[role])}</span>
}

/**
 * A time in JST, or a dash, as markup: for rows built with hono's `html` template (which
 * escapes as JSX does, for less CPU per element), and for `When`.
 */
// prettier-ignore
export const whenMarkup = (ms: number | null | undefined) =>
  ms == null
    ? html`<span>—</span>`
    : html`<time datetime="${new Date(ms).toISOString()}">${formatJstDateTime(ms)}</time>`

/** A time in JST, or a dash. */
export const When = ({ ms }: { ms: number | null | undefined }) => whenMarkup(ms)

/** A table that scrolls sideways on a phone instead of overflowing the page. */
export const TableWrap = ({ label, children }: PropsWithChildren<{ label: string }>) => (
  <div class="table-wrap" role="region" aria-label={label} tabindex={0}>
    {children}
  </div>
)

/**
 * A console action behind a confirmation step: the first page shows what will happen and
 * asks for a reason; this is that form. Posting it does the action.
 */
export const ActionForm = ({
  action,
  label,
  reasonError,
  children,
}: PropsWithChildren<{ action: string; label: string; reasonError?: string }>) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <form method="post" action={action} class="card console-action" novalidate>
      <CsrfField />
      {children}
      <div class={reasonError ? 'field has-error' : 'field'}>
        <label for="reason">{ct('reason')}</label>
        {reasonError && (
          <div class="field-error" id="reason-error">
            <p>{reasonError}</p>
          </div>
        )}
        <textarea
          id="reason"
          name="reason"
          rows={3}
          maxlength={500}
          required
          aria-invalid={reasonError ? 'true' : undefined}
          aria-describedby={reasonError ? 'reason-error' : undefined}
        />
      </div>
      <div class="actions">
        <button type="submit" class="button primary">
          {label}
        </button>
      </div>
    </form>
  )
}

/**
 * A system's record beside the words that explain it: the sentence for the member, then the
 * raw record in small type inside a `<code>` for the technical staff.
 */
// prettier-ignore
export const codedMarkup = (ct: ConsoleText, words: string, code: string) =>
  html`${words} <small class="raw-code"><span class="raw-label">${ct('appCauseRecord')}</span> <code>${code}</code></small>`

/** Words with the raw record they explain (see codedMarkup). */
export const Coded = ({ words, code }: { words: string; code: string }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return codedMarkup(ct, words, code)
}

/**
 * Why a credit (or an issue) stopped, as a sentence that says what happened and what to tell
 * the student (flows/staff/words.ts), the desk's record following in small type; a dash when
 * there is no record.
 */
export const CauseText = ({
  creditError,
  creditStatus,
}: {
  creditError: string | null
  creditStatus?: string
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  const cause = creditErrorSentence(ct, creditError, creditStatus)
  return cause ? codedMarkup(ct, cause.sentence, cause.code) : html`${ct('dash')}`
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

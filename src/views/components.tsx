import type { PropsWithChildren } from 'hono/jsx'
import { useRequestContext } from './renderer'
import type { AppEnv } from '../context'
import type { ListKey } from '../i18n'
import { CSRF_FIELD } from '../middleware/csrf'

/** A message for one field: a sentence, optionally followed by the items it refers to. */
export interface FieldError {
  text: string
  items?: readonly string[]
}
export type FieldErrors = Partial<Record<string, FieldError>>

export const CsrfField = () => {
  const c = useRequestContext<AppEnv>()
  return <input type="hidden" name={CSRF_FIELD} value={c.get('csrfToken')} />
}

/** The 注意事項 box of the manual's screens. */
export const Notes = ({ items, children }: PropsWithChildren<{ items?: ListKey }>) => {
  const { t, list } = useRequestContext<AppEnv>().get('tr')
  return (
    <section class="notes" aria-labelledby="notes-heading">
      <h2 id="notes-heading">{t('notes')}</h2>
      <p class="must-read">{t('notesMustRead')}</p>
      {items && (
        <ul>
          {list(items).map((line) => (
            <li>{line}</li>
          ))}
        </ul>
      )}
      {children}
    </section>
  )
}

/** The list of problems at the top of a form, each linking to its field. */
export const ErrorSummary = ({ errors }: { errors: FieldErrors }) => {
  const { t } = useRequestContext<AppEnv>().get('tr')
  const entries = Object.entries(errors).filter((e): e is [string, FieldError] => Boolean(e[1]))
  if (entries.length === 0) return null
  return (
    <div class="error-summary" role="alert" tabindex={-1} id="error-summary">
      <p>{t('errorSummary')}</p>
      <ul>
        {entries.map(([field, error]) => (
          <li>
            <a href={`#${field}`}>{error.text}</a>
          </li>
        ))}
      </ul>
    </div>
  )
}

export const Field = (props: {
  name: string
  label: string
  type?: 'text' | 'password' | 'email' | 'tel'
  value?: string
  error?: FieldError
  autocomplete?: string
  required?: boolean
  hint?: string
  maxlength?: number
  inputmode?: 'numeric' | 'text' | 'tel'
}) => {
  const describedBy = [props.hint && `${props.name}-hint`, props.error && `${props.name}-error`]
    .filter(Boolean)
    .join(' ')
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.name}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${props.name}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <div class="field-error" id={`${props.name}-error`}>
          <p>{props.error.text}</p>
          {props.error.items && (
            <ul>
              {props.error.items.map((item) => (
                <li>{item}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <input
        id={props.name}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : props.value}
        autocomplete={props.autocomplete}
        required={props.required}
        maxlength={props.maxlength}
        inputmode={props.inputmode}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        spellcheck={false}
        autocapitalize="off"
      />
    </div>
  )
}

export const Message = ({
  kind,
  children,
}: PropsWithChildren<{ kind: 'info' | 'success' | 'error' }>) => (
  <div class={`message message-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </div>
)

/** The manual's small confirmation boxes: "変更完了 / 第2パスワードが設定されました / OK". */
export const DoneBox = ({
  heading,
  message,
  href,
  label,
}: {
  heading: string
  message: string
  href: string
  label: string
}) => (
  <section class="done-box" role="status" aria-labelledby="done-heading">
    <h2 id="done-heading">{heading}</h2>
    <p>{message}</p>
    <a class="button" href={href}>
      {label}
    </a>
  </section>
)

/** A page of a few sentences and links: sent, done, invalid URL. */
export const Paragraphs = ({ lines }: { lines: readonly string[] }) => (
  <>
    {lines.map((line) => (
      <p>{line}</p>
    ))}
  </>
)

export const RuleList = () => {
  const { t } = useRequestContext<AppEnv>().get('tr')
  return (
    <>
      <p>{t('secondPasswordRulesIntro')}</p>
      <ul>
        <li>{t('ruleMinLength')}</li>
        <li>{t('ruleUpper')}</li>
        <li>{t('ruleLower')}</li>
        <li>{t('ruleDigit')}</li>
        <li>{t('ruleOnlyAlnum')}</li>
      </ul>
      <p>{t('ruleNotUniversityPassword')}</p>
    </>
  )
}

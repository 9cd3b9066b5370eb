import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { EMAIL_MAX_LENGTH } from '../../domain/email'
import { SECRET_MAX_LENGTH } from '../../domain/secondPassword'
import {
  CsrfField,
  ErrorSummary,
  Field,
  Message,
  Notes,
  RuleList,
  type FieldErrors,
} from '../components'

const useTr = () => useRequestContext<AppEnv>().get('tr')

export type Values = Record<string, string>

/** 在学生ログイン (manual §2.3). */
export const LoginPage = (p: {
  values: Values
  errors: FieldErrors
  notice?: { kind: 'info' | 'error'; text: string }
}) => {
  const { t } = useTr()
  return (
    <>
      {p.notice && <Message kind={p.notice.kind}>{p.notice.text}</Message>}
      <ErrorSummary errors={p.errors} />
      <form method="post" action="/login" class="card" novalidate>
        <CsrfField />
        <Field
          name="user_id"
          label={t('userId')}
          value={p.values.user_id}
          error={p.errors.user_id}
          autocomplete="username"
          required
          maxlength={64}
        />
        <Field
          name="password"
          label={t('password')}
          type="password"
          error={p.errors.password}
          autocomplete="current-password"
          required
          maxlength={SECRET_MAX_LENGTH}
        />
        <Field
          name="second_password"
          label={t('secondPassword')}
          type="password"
          error={p.errors.second_password}
          autocomplete="off"
          maxlength={SECRET_MAX_LENGTH}
        />
        <Notes items="loginNotes" />
        <div class="actions">
          <button type="submit" class="button primary">
            {t('loginButton')}
          </button>
        </div>
      </form>
      <p class="links">
        <a href="/second-password/forgot">{t('forgotSecondPasswordLink')}</a>
        <a href="/manual">{t('manualLink')}</a>
      </p>
    </>
  )
}

/**
 * メールアドレス設定 (§2.1) and メールアドレス変更 (§2.4a): the same form, two labels; a change
 * also asks for the current second password.
 */
export const EmailForm = (p: {
  mode: 'setup' | 'change'
  values: Values
  errors: FieldErrors
  notice?: string
  currentEmail?: string | null
  allowListAddress: string
}) => {
  const { t, list } = useTr()
  const action = p.mode === 'setup' ? '/email/setup' : '/email/change'
  return (
    <>
      {p.notice && <Message kind="error">{p.notice}</Message>}
      <ErrorSummary errors={p.errors} />
      <form method="post" action={action} class="card" novalidate>
        <CsrfField />
        {p.mode === 'change' && p.currentEmail && (
          <p class="current">
            {t('currentEmailAddress')}: <span class="mono">{p.currentEmail}</span>
          </p>
        )}
        <Field
          name="email"
          type="email"
          label={p.mode === 'setup' ? t('emailAddress') : t('newEmailAddress')}
          value={p.values.email}
          error={p.errors.email}
          autocomplete="email"
          required
          maxlength={EMAIL_MAX_LENGTH}
        />
        <Field
          name="email_confirm"
          type="email"
          label={t('emailConfirm')}
          value={p.values.email_confirm}
          error={p.errors.email_confirm}
          autocomplete="email"
          required
          maxlength={EMAIL_MAX_LENGTH}
        />
        {p.mode === 'change' && (
          <Field
            name="current_second_password"
            type="password"
            label={t('currentSecondPassword')}
            hint={t('emailChangeSecondPasswordHint')}
            error={p.errors.current_second_password}
            autocomplete="current-password"
            required
            maxlength={SECRET_MAX_LENGTH}
          />
        )}
        <Notes items="emailNotes">
          <p>{t('emailAllowList')}</p>
          <p class="mono">{t('emailAllowListAddress', { address: p.allowListAddress })}</p>
          <p>{t('emailNotArrived')}</p>
          <ul>
            {list('emailNotArrivedChecks').map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        </Notes>
        <div class="actions">
          {p.mode === 'change' && (
            <a class="button" href="/menu">
              {t('back')}
            </a>
          )}
          <button type="submit" class="button primary">
            {t('confirmButton')}
          </button>
        </div>
      </form>
    </>
  )
}

/** The new second password and its confirmation, as 設定, 変更 and 再設定 ask for them. */
const NewSecondPasswordFields = ({ label, errors }: { label: string; errors: FieldErrors }) => {
  const { t } = useTr()
  return (
    <>
      <Field
        name="second_password"
        type="password"
        label={label}
        error={errors.second_password}
        autocomplete="new-password"
        required
        maxlength={SECRET_MAX_LENGTH}
      />
      <Field
        name="second_password_confirm"
        type="password"
        label={t('secondPasswordConfirm')}
        error={errors.second_password_confirm}
        autocomplete="new-password"
        required
        maxlength={SECRET_MAX_LENGTH}
      />
    </>
  )
}

/** 第2パスワード設定 (§2.2), and the reset form of §2.4c, which asks the same. */
export const SecondPasswordSetForm = (p: {
  action: string
  errors: FieldErrors
  forUserId?: string
}) => {
  const { t } = useTr()
  return (
    <>
      <ErrorSummary errors={p.errors} />
      <form method="post" action={p.action} class="card" novalidate>
        <CsrfField />
        {p.forUserId && <p class="current">{t('resetFor', { userId: p.forUserId })}</p>}
        <NewSecondPasswordFields label={t('secondPassword')} errors={p.errors} />
        <Notes items={p.forUserId ? undefined : 'secondPasswordSetupNotes'}>
          <RuleList />
        </Notes>
        <div class="actions">
          <button type="submit" class="button primary">
            {t('setButton')}
          </button>
        </div>
      </form>
    </>
  )
}

/** 第2パスワード変更 (§2.4b). */
export const SecondPasswordChangeForm = (p: { errors: FieldErrors; notice?: string }) => {
  const { t } = useTr()
  return (
    <>
      {p.notice && <Message kind="error">{p.notice}</Message>}
      <ErrorSummary errors={p.errors} />
      <form method="post" action="/second-password/change" class="card" novalidate>
        <CsrfField />
        <Field
          name="current_second_password"
          type="password"
          label={t('currentSecondPassword')}
          error={p.errors.current_second_password}
          autocomplete="current-password"
          required
          maxlength={SECRET_MAX_LENGTH}
        />
        <NewSecondPasswordFields label={t('newSecondPassword')} errors={p.errors} />
        <Notes>
          <RuleList />
        </Notes>
        <div class="actions">
          <a class="button" href="/menu">
            {t('back')}
          </a>
          <button type="submit" class="button primary">
            {t('changeButton')}
          </button>
        </div>
      </form>
    </>
  )
}

/** 第2パスワードを忘れた場合 (§2.4c). */
export const ForgotForm = (p: { values: Values; errors: FieldErrors }) => {
  const { t } = useTr()
  return (
    <>
      <p>{t('forgotIntro')}</p>
      <ErrorSummary errors={p.errors} />
      <form method="post" action="/second-password/forgot" class="card" novalidate>
        <CsrfField />
        <Field
          name="email"
          type="email"
          label={t('emailAddress')}
          value={p.values.email}
          error={p.errors.email}
          autocomplete="email"
          required
          maxlength={EMAIL_MAX_LENGTH}
        />
        <Notes items="forgotNotes" />
        <div class="actions">
          <a class="button" href="/login">
            {t('back')}
          </a>
          <button type="submit" class="button primary">
            {t('sendButton')}
          </button>
        </div>
      </form>
    </>
  )
}

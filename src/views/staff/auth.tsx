import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import type { StaffInvite } from '../../flows/staff/auth'
import { CsrfField, ErrorSummary, Field, Message, type FieldErrors } from '../components'
import { ROLE_LABEL } from './components'

type Notice = { kind: 'info' | 'error' | 'success'; text: string }

/** 確認コード: the six digits of the authenticator app, at login and when accepting an invitation. */
const CodeField = ({ error }: { error: FieldErrors[string] }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <Field
      name="code"
      label={ct('totpCode')}
      hint={ct('totpCodeHint')}
      error={error}
      autocomplete="one-time-code"
      inputmode="numeric"
      required
      maxlength={6}
    />
  )
}

/** /staff/login: メールアドレス, パスワード, 確認コード, ログイン. */
export const StaffLoginPage = ({
  values,
  errors,
  notice,
}: {
  values: { email?: string }
  errors: FieldErrors
  notice?: Notice
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <>
      {notice && <Message kind={notice.kind}>{notice.text}</Message>}
      <ErrorSummary errors={errors} />
      <form method="post" action="/staff/login" class="card" novalidate>
        <CsrfField />
        <Field
          name="email"
          label={ct('email')}
          type="email"
          value={values.email}
          error={errors.email}
          autocomplete="username"
          required
          maxlength={254}
        />
        <Field
          name="password"
          label={ct('password')}
          type="password"
          error={errors.password}
          autocomplete="current-password"
          required
          maxlength={256}
        />
        <CodeField error={errors.code} />
        <div class="actions">
          <button type="submit" class="button primary">
            {ct('loginButton')}
          </button>
        </div>
      </form>
    </>
  )
}

/** /staff/invite/:token: the secret as a QR code and as text, then password and a code. */
export const StaffInvitePage = ({
  invite,
  secret,
  action,
  qr,
  errors,
}: {
  invite: StaffInvite
  /** The TOTP secret, opened (the row keeps it sealed). */
  secret: string
  action: string
  qr: string
  errors: FieldErrors
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <>
      <ErrorSummary errors={errors} />
      <p>{ct('inviteIntro', { email: invite.email, role: ct(ROLE_LABEL[invite.role]) })}</p>
      <figure class="totp-qr">
        <img src={qr} alt={ct('inviteQrAlt')} width={200} height={200} />
        <figcaption>
          {ct('inviteSecret')}: <code class="mono">{secret}</code>
        </figcaption>
      </figure>
      <form method="post" action={action} class="card" novalidate>
        <CsrfField />
        <Field
          name="password"
          label={ct('password')}
          type="password"
          hint={ct('passwordRule')}
          error={errors.password}
          autocomplete="new-password"
          required
          maxlength={256}
        />
        <Field
          name="password_confirm"
          label={ct('passwordConfirm')}
          type="password"
          error={errors.password_confirm}
          autocomplete="new-password"
          required
          maxlength={256}
        />
        <CodeField error={errors.code} />
        <div class="actions">
          <button type="submit" class="button primary">
            {ct('inviteButton')}
          </button>
        </div>
      </form>
    </>
  )
}

/** A few sentences and a link: invitation used or expired, registered, logged out. */
export const ConsoleInfoPage = ({
  lines,
  link,
  role,
}: {
  lines: string[]
  link?: { href: string; label: string }
  role?: 'alert' | 'status'
}) => (
  <section class="card" role={role}>
    {lines.map((l) => (
      <p>{l}</p>
    ))}
    {link && (
      <p>
        <a href={link.href}>{link.label}</a>
      </p>
    )}
  </section>
)

export const ForbiddenPage = () => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <ConsoleInfoPage
      role="alert"
      lines={[ct('forbidden')]}
      link={{ href: '/staff', label: ct('navTriage') }}
    />
  )
}

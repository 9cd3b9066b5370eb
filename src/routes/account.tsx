import { and, eq, isNotNull, sql } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import * as z from 'zod'
import type { AppEnv, Student } from '../context'
import { students } from '../db/schema'
import { EMAIL_MAX_LENGTH, emailProblem, normalizeEmail } from '../domain/email'
import { SECRET_MAX_LENGTH } from '../domain/secondPassword'
import { ACCOUNT_POLICY, DEVICE_POLICY, type ThrottlePolicy } from '../domain/throttle'
import { formatJstDateTime } from '../domain/time'
import { attemptLogin } from '../flows/login'
import { emailChangedNotice, oneTimeUrlMail } from '../flows/mails'
import {
  consumeToken,
  inspectToken,
  issueToken,
  useToken,
  type TokenPurpose,
} from '../flows/oneTimeUrl'
import { newSecondPasswordErrors, storeSecondPassword } from '../flows/secondPassword'
import { accountKey, beginAttempt, clearAttempts, deviceKey, failAttempt } from '../flows/throttle'
import type { Translator } from '../i18n'
import { issueCsrfCookie } from '../middleware/csrf'
import { homeOf, requireRight, requireStage } from '../middleware/session'
import { verifySecret } from '../security/crypto'
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_MAX_AGE_SECONDS,
  verifyDeviceCookie,
} from '../security/device'
import { createSession, destroySession, SESSION_COOKIE } from '../security/session'
import { DoneBox, type FieldErrors } from '../views/components'
import {
  EmailForm,
  ForgotForm,
  LoginPage,
  SecondPasswordChangeForm,
  SecondPasswordSetForm,
  type Values,
} from '../views/pages/account'
import { InfoPage } from '../views/pages/general'
import { clientOf, refill, requiredSecret, requiredText, optionalSecret, validForm } from './forms'

type C = Context<AppEnv>

/** 在学生ログイン, onboarding (§2.1, §2.2) and changing login data (§2.4). */
export const account = new Hono<AppEnv>()

const tr = (c: C) => c.get('tr')
const deps = (c: C) => c.get('deps')
const current = (c: C) => c.get('session')!.student
const lockedText = (t: Translator, until: number) =>
  t.t('loginLocked', { time: formatJstDateTime(until) })

/** Opens a fresh session (never reusing an id the browser brought) and rotates the CSRF cookie. */
const startSession = async (c: C, student: Student) => {
  const old = c.get('session')
  if (old) await destroySession(c.env.SESSIONS, old.id)
  const record = {
    studentId: student.id,
    universityId: student.universityId,
    epoch: student.credentialEpoch,
    createdAt: deps(c).clock(),
  }
  const id = await createSession(c.env.SESSIONS, record)
  // The page goes on with the new session; loadSession refreshes only the one the browser
  // brought, which is gone.
  c.set(
    'session',
    old && {
      id,
      record: { ...record, refreshedAt: record.createdAt },
      student: { ...student, status: old.student.status },
    },
  )
  setCookie(c, SESSION_COOKIE, id, { prefix: 'host', httpOnly: true, sameSite: 'Lax' })
  c.set('csrfToken', issueCsrfCookie(c))
}

/** The device cookie this browser brought, if any (checked against a student before use). */
const deviceCookieOf = (c: C) => getCookie(c, DEVICE_COOKIE, 'host')

type SecondPasswordCheck =
  { kind: 'ok' } | { kind: 'locked'; until: number } | { kind: 'wrong'; lockedUntil: number | null }

/**
 * Checks the current second password a logged-in student typed (to change it, or the
 * e-mail address), throttled like a login: counted against this browser when it carries
 * the student's device cookie, as it does after logging in here, else against the
 * account's lock of untrusted clients. So someone failing logins as the student elsewhere
 * cannot lock the student out of these forms either.
 */
const checkCurrentSecondPassword = async (
  c: C,
  student: Student,
  given: string,
): Promise<SecondPasswordCheck> => {
  const { db, clock, pepper } = deps(c)
  const now = clock()
  const device = await verifyDeviceCookie(
    pepper,
    student.universityId,
    student.userId,
    deviceCookieOf(c),
    now,
  )
  const key = device
    ? deviceKey(student.universityId, student.userId, device)
    : accountKey(student.universityId, student.userId)
  const policy = device ? DEVICE_POLICY : ACCOUNT_POLICY
  const gate = await beginAttempt(db, key, now, policy)
  if (gate.locked !== null) return { kind: 'locked', until: gate.locked }
  if (!(await verifySecret(given, student.secondPasswordHash!, pepper))) {
    return { kind: 'wrong', lockedUntil: await failAttempt(db, key, gate.attempt, now, policy) }
  }
  await clearAttempts(db, key)
  return { kind: 'ok' }
}

// ---- 2.3 Login ---------------------------------------------------------------------------

const loginSchema = z.object({
  user_id: requiredText(64),
  password: requiredSecret(SECRET_MAX_LENGTH),
  second_password: optionalSecret(SECRET_MAX_LENGTH),
})
const loginLabels = {
  user_id: 'userId',
  password: 'password',
  second_password: 'secondPassword',
} as const

const renderLogin = (
  c: C,
  values: Values,
  errors: FieldErrors,
  notice?: { kind: 'info' | 'error'; text: string },
) =>
  c.render(<LoginPage values={values} errors={errors} notice={notice} />, {
    title: tr(c).t('loginTitle'),
  })

account.get('/login', (c) => {
  const session = c.get('session')
  if (session) return c.redirect(homeOf(session.student), 303)
  const q = c.req.query()
  const notice = q.expired ? tr(c).t('sessionExpired') : q.out ? tr(c).t('loggedOut') : null
  return renderLogin(c, {}, {}, notice ? { kind: 'info', text: notice } : undefined)
})

account.post(
  '/login',
  validForm(loginSchema, loginLabels, (c, errors, raw) =>
    renderLogin(c, refill(raw, ['user_id']), errors),
  ),
  async (c) => {
    const form = c.req.valid('form')
    const values = { user_id: form.user_id }
    const result = await attemptLogin(
      deps(c),
      c.get('university'),
      {
        userId: form.user_id,
        password: form.password,
        secondPassword: form.second_password,
        deviceCookie: deviceCookieOf(c),
      },
      clientOf(c),
    )
    if (result.kind === 'locked') {
      c.status(429)
      return renderLogin(c, values, {}, { kind: 'error', text: lockedText(tr(c), result.until) })
    }
    if (result.kind === 'failed') {
      c.status(401)
      const { t } = tr(c)
      return renderLogin(
        c,
        values,
        {},
        {
          kind: 'error',
          // How many tries are left before the lock: the same for an unknown ID (login.ts).
          text: `${t('loginFailed')} ${t('loginTriesLeft', { n: result.triesLeft, minutes: result.lockMinutes })}`,
        },
      )
    }
    await startSession(c, result.student)
    // Kept at logout: it is what lets this browser in while others are locked out.
    setCookie(c, DEVICE_COOKIE, result.deviceCookie, {
      prefix: 'host',
      httpOnly: true,
      sameSite: 'Strict',
      maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
    })
    return c.redirect(homeOf(result.student), 303)
  },
)

account.post('/logout', async (c) => {
  const session = c.get('session')
  if (session) await destroySession(c.env.SESSIONS, session.id)
  c.set('session', null)
  deleteCookie(c, SESSION_COOKIE, { prefix: 'host' })
  return c.redirect('/login?out=1', 303)
})

// ---- One-time URLs by mail ------------------------------------------------------------------

/** Issues a one-time URL for `purpose` and mails it; false when the mail was not accepted. */
const mailOneTimeUrl = async (
  c: C,
  purpose: TokenPurpose,
  student: Pick<Student, 'id' | 'userId'>,
  email: string,
  path: string,
) => {
  const university = c.get('university')
  const raw = await issueToken(deps(c).tokens, {
    purpose,
    universityId: university.id,
    studentId: student.id,
    email,
  })
  const url = `${new URL(c.req.url).origin}${path}/${raw}`
  return deps(c).mailer.send(oneTimeUrlMail(tr(c), university, purpose, email, url, student.userId))
}

// ---- 2.1 Email registration and 2.4(a) email change -----------------------------------------

const emailSchema = z.object({
  email: requiredText(EMAIL_MAX_LENGTH),
  email_confirm: requiredText(EMAIL_MAX_LENGTH),
})
const emailLabels = { email: 'emailAddress', email_confirm: 'emailConfirm' } as const
// Changing the address also asks for the current second password: whoever holds a session
// alone must not be able to point the forgotten-password mail at an address of their own.
const emailChangeSchema = emailSchema.extend({
  current_second_password: requiredSecret(SECRET_MAX_LENGTH),
})
const emailChangeLabels = {
  ...emailLabels,
  current_second_password: 'currentSecondPassword',
} as const

const emailErrors = (
  t: Translator,
  email: string,
  confirm: string,
  currentEmail: string | null,
): FieldErrors => {
  const problem = emailProblem(email)
  if (problem === 'notHalfWidth') return { email: { text: t.t('emailNotHalfWidth') } }
  if (problem) return { email: { text: t.t('emailInvalid') } }
  if (normalizeEmail(email) !== normalizeEmail(confirm))
    return { email_confirm: { text: t.t('emailMismatch') } }
  if (currentEmail && normalizeEmail(email) === currentEmail)
    return { email: { text: t.t('emailChangeSameAsCurrent') } }
  return {}
}

const allowListAddress = (c: C) => c.get('university').mailFrom

type EmailMode = 'setup' | 'change'

const renderEmailForm = (
  c: C,
  mode: EmailMode,
  values: Values,
  errors: FieldErrors,
  notice?: string,
) =>
  c.render(
    <EmailForm
      mode={mode}
      values={values}
      errors={errors}
      notice={notice}
      currentEmail={current(c).email}
      allowListAddress={allowListAddress(c)}
    />,
    { title: tr(c).t(mode === 'setup' ? 'emailSetupTitle' : 'emailChangeTitle') },
  )

const EMAIL_FIELDS = ['email', 'email_confirm'] as const

/** Mails the one-time URL that completes the registration or change to `email`. */
const mailEmailUrl = async (c: C, mode: EmailMode, email: string, confirm: string) => {
  const student = current(c)
  const values = { email, email_confirm: confirm }
  const sent = await mailOneTimeUrl(
    c,
    mode === 'setup' ? 'email-register' : 'email-change',
    student,
    normalizeEmail(email),
    '/email/verify',
  )
  if (!sent) {
    c.status(503)
    return renderEmailForm(c, mode, values, { email: { text: tr(c).t('emailSendFailed') } })
  }
  return c.redirect(`/email/${mode}/sent`, 303)
}

/** Changing the account's settings is a right of the student's status (domain/roster.ts). */
const settings = requireRight('account')
account.use('/email/change', requireStage('ready'), settings)
account.use('/email/change/*', requireStage('ready'), settings)
account.use('/second-password/change', requireStage('ready'), settings)

for (const mode of ['setup', 'change'] as const) {
  const stage = mode === 'setup' ? 'email' : 'ready'
  account.get(`/email/${mode}`, requireStage(stage), (c) => renderEmailForm(c, mode, {}, {}))
  account.get(`/email/${mode}/sent`, requireStage(stage), (c) =>
    c.render(
      <InfoPage
        role="status"
        lines={[tr(c).t(mode === 'setup' ? 'emailSent' : 'emailChangeSent')]}
        links={mode === 'change' ? [{ href: '/menu', label: tr(c).t('goToMenu') }] : []}
      />,
      { title: tr(c).t(mode === 'setup' ? 'emailSetupTitle' : 'emailChangeTitle') },
    ),
  )
}

account.post(
  '/email/setup',
  requireStage('email'),
  validForm(emailSchema, emailLabels, (c, errors, raw) =>
    renderEmailForm(c, 'setup', refill(raw, EMAIL_FIELDS), errors),
  ),
  async (c) => {
    const form = c.req.valid('form')
    const errors = emailErrors(tr(c), form.email, form.email_confirm, null)
    if (Object.keys(errors).length > 0) {
      c.status(422)
      return renderEmailForm(c, 'setup', form, errors)
    }
    return mailEmailUrl(c, 'setup', form.email, form.email_confirm)
  },
)

account.post(
  '/email/change',
  requireStage('ready'),
  validForm(emailChangeSchema, emailChangeLabels, (c, errors, raw) =>
    renderEmailForm(c, 'change', refill(raw, EMAIL_FIELDS), errors),
  ),
  async (c) => {
    const form = c.req.valid('form')
    const student = current(c)
    const t = tr(c)
    const values = { email: form.email, email_confirm: form.email_confirm }
    const check = await checkCurrentSecondPassword(c, student, form.current_second_password)
    if (check.kind === 'locked') {
      c.status(429)
      return renderEmailForm(c, 'change', values, {}, lockedText(t, check.until))
    }
    const errors = emailErrors(t, form.email, form.email_confirm, student.email)
    if (check.kind === 'wrong') {
      c.status(check.lockedUntil ? 429 : 422)
      return renderEmailForm(
        c,
        'change',
        values,
        { ...errors, current_second_password: { text: t.t('currentSecondPasswordWrong') } },
        check.lockedUntil ? lockedText(t, check.lockedUntil) : undefined,
      )
    }
    if (Object.keys(errors).length > 0) {
      c.status(422)
      return renderEmailForm(c, 'change', values, errors)
    }
    return mailEmailUrl(c, 'change', form.email, form.email_confirm)
  },
)

/** The page for a one-time URL that cannot be used, with a way to ask for a new one. */
const unusableLink = (
  c: C,
  status: 'used' | 'invalid',
  links: { href: string; label: string }[],
) => {
  c.status(status === 'used' ? 409 : 410)
  return c.render(
    <InfoPage
      role="alert"
      lines={[tr(c).t(status === 'used' ? 'linkUsed' : 'linkExpired')]}
      links={links}
    />,
    {
      title: tr(c).t('linkInvalidTitle'),
    },
  )
}

account.get('/email/verify/:token', async (c) => {
  const t = tr(c)
  const university = c.get('university')
  const use = await consumeToken(deps(c).tokens, c.req.param('token'), {
    purposes: ['email-register', 'email-change'],
    universityId: university.id,
  })
  if (use.status !== 'consumed') {
    return unusableLink(c, use.status, [
      {
        href: '/login',
        label: t.t(
          use.status === 'invalid' || use.payload.purpose === 'email-register'
            ? 'linkAskAgainLogin'
            : 'linkAskAgainEmailChange',
        ),
      },
    ])
  }
  const { payload } = use
  const where = and(
    eq(students.id, payload.studentId),
    eq(students.universityId, payload.universityId),
  )
  const before = await deps(c).db.select().from(students).where(where).get()
  const changing = payload.purpose === 'email-change'
  const after = await deps(c)
    .db.update(students)
    .set({
      email: payload.email,
      // A new address is a credential change: like a new second password, it ends every
      // session opened before.
      ...(changing ? { credentialEpoch: sql`${students.credentialEpoch} + 1` } : {}),
    })
    .where(where)
    .returning()
    .get()
  // The student's own session that confirms continues, under a new id.
  if (changing && after && c.get('session')?.student.id === after.id) await startSession(c, after)
  if (payload.purpose === 'email-register') {
    return c.render(
      <InfoPage
        role="status"
        lines={t.list('emailSetDone')}
        links={[{ href: '/login', label: t.t('goToLogin') }]}
      />,
      {
        title: t.t('emailSetDoneTitle'),
      },
    )
  }
  if (before?.email && before.email !== payload.email) {
    c.executionCtx.waitUntil(
      deps(c).mailer.send(emailChangedNotice(t, university, before.email, before.userId)),
    )
  }
  return c.render(
    <InfoPage
      role="status"
      lines={t.list('emailChanged')}
      links={[{ href: '/menu', label: t.t('goToMenu') }]}
    />,
    {
      title: t.t('emailChangedTitle'),
    },
  )
})

// ---- 2.2 Second password setup -------------------------------------------------------------

const newSecondPasswordSchema = z.object({
  second_password: requiredSecret(SECRET_MAX_LENGTH),
  second_password_confirm: requiredSecret(SECRET_MAX_LENGTH),
})
const newSecondPasswordLabels = {
  second_password: 'secondPassword',
  second_password_confirm: 'secondPasswordConfirm',
} as const

const renderSetup = (c: C, errors: FieldErrors) =>
  c.render(<SecondPasswordSetForm action="/second-password/setup" errors={errors} />, {
    title: tr(c).t('secondPasswordSetupTitle'),
  })

const done = (
  c: C,
  message: 'secondPasswordSet' | 'secondPasswordChanged',
  href: string,
  title: 'secondPasswordSetupTitle' | 'secondPasswordChangeTitle' | 'resetTitle',
) =>
  c.render(
    <DoneBox
      heading={tr(c).t('doneTitle')}
      message={tr(c).t(message)}
      href={href}
      label={tr(c).t('ok')}
    />,
    { title: tr(c).t(title) },
  )

account.get('/second-password/setup', requireStage('second-password'), (c) => renderSetup(c, {}))
account.post(
  '/second-password/setup',
  requireStage('second-password'),
  validForm(newSecondPasswordSchema, newSecondPasswordLabels, (c, errors) =>
    renderSetup(c, errors),
  ),
  async (c) => {
    const form = c.req.valid('form')
    const student = current(c)
    const errors = await newSecondPasswordErrors(deps(c), tr(c), student, form, 'secondPassword')
    if (Object.keys(errors).length > 0) {
      c.status(422)
      return renderSetup(c, errors)
    }
    await storeSecondPassword(deps(c), student.id, form.second_password, false)
    return done(c, 'secondPasswordSet', '/menu', 'secondPasswordSetupTitle')
  },
)

// ---- 2.4(b) Second password change ---------------------------------------------------------

const changeSchema = newSecondPasswordSchema.extend({
  current_second_password: requiredSecret(SECRET_MAX_LENGTH),
})
const changeLabels = {
  ...newSecondPasswordLabels,
  current_second_password: 'currentSecondPassword',
} as const

const renderChange = (c: C, errors: FieldErrors, notice?: string) =>
  c.render(<SecondPasswordChangeForm errors={errors} notice={notice} />, {
    title: tr(c).t('secondPasswordChangeTitle'),
  })

account.get('/second-password/change', requireStage('ready'), (c) => renderChange(c, {}))
account.post(
  '/second-password/change',
  requireStage('ready'),
  validForm(changeSchema, changeLabels, (c, errors) => renderChange(c, errors)),
  async (c) => {
    const form = c.req.valid('form')
    const student = current(c)
    const check = await checkCurrentSecondPassword(c, student, form.current_second_password)
    if (check.kind === 'locked') {
      c.status(429)
      return renderChange(c, {}, lockedText(tr(c), check.until))
    }
    if (check.kind === 'wrong') {
      c.status(check.lockedUntil ? 429 : 422)
      return renderChange(
        c,
        { current_second_password: { text: tr(c).t('currentSecondPasswordWrong') } },
        check.lockedUntil ? lockedText(tr(c), check.lockedUntil) : undefined,
      )
    }
    if (form.second_password === form.current_second_password) {
      c.status(422)
      return renderChange(c, { second_password: { text: tr(c).t('secondPasswordSameAsCurrent') } })
    }
    const errors = await newSecondPasswordErrors(deps(c), tr(c), student, form, 'newSecondPassword')
    if (Object.keys(errors).length > 0) {
      c.status(422)
      return renderChange(c, errors)
    }
    // Other sessions end with the old second password; this one continues under a new id.
    const updated = await storeSecondPassword(deps(c), student.id, form.second_password, true)
    await startSession(c, updated)
    return done(c, 'secondPasswordChanged', '/menu', 'secondPasswordChangeTitle')
  },
)

// ---- 2.4(c) Forgotten second password ------------------------------------------------------

/** At most this many reset mails per address per half hour, silently: the page says the same. */
const RESET_MAIL_POLICY: ThrottlePolicy = {
  maxFailures: 5,
  windowMs: 30 * 60_000,
  lockMs: 30 * 60_000,
}

const forgotSchema = z.object({ email: requiredText(EMAIL_MAX_LENGTH) })
const renderForgot = (c: C, values: Values, errors: FieldErrors) =>
  c.render(<ForgotForm values={values} errors={errors} />, { title: tr(c).t('forgotTitle') })

account.get('/second-password/forgot', (c) => renderForgot(c, {}, {}))
account.post(
  '/second-password/forgot',
  validForm(forgotSchema, { email: 'emailAddress' }, (c, errors, raw) =>
    renderForgot(c, refill(raw, ['email']), errors),
  ),
  async (c) => {
    const { email } = c.req.valid('form')
    const problem = emailProblem(email)
    if (problem) {
      c.status(422)
      return renderForgot(
        c,
        { email },
        {
          email: {
            text: tr(c).t(problem === 'notHalfWidth' ? 'emailNotHalfWidth' : 'emailInvalid'),
          },
        },
      )
    }
    const university = c.get('university')
    const address = normalizeEmail(email)
    // The same lookup happens either way; mailing (the slow part) happens after the response.
    const owners = await deps(c)
      .db.select({ id: students.id, userId: students.userId })
      .from(students)
      .where(
        and(
          eq(students.universityId, university.id),
          eq(students.email, address),
          isNotNull(students.email),
        ),
      )
      .all()
    c.executionCtx.waitUntil(
      (async () => {
        const gate = await beginAttempt(
          deps(c).db,
          `reset-mail:${university.id}:${address}`,
          deps(c).clock(),
          RESET_MAIL_POLICY,
        )
        if (gate.locked !== null) return
        for (const owner of owners)
          await mailOneTimeUrl(c, 'second-password-reset', owner, address, '/second-password/reset')
      })(),
    )
    return c.render(
      <InfoPage
        role="status"
        lines={[tr(c).t('forgotSent')]}
        links={[{ href: '/login', label: tr(c).t('goToLogin') }]}
      />,
      {
        title: tr(c).t('forgotTitle'),
      },
    )
  },
)

const resetExpectation = (c: C) => ({
  purposes: ['second-password-reset'] as const,
  universityId: c.get('university').id,
})
const forgotAgain = (c: C) => [
  { href: '/second-password/forgot', label: tr(c).t('linkAskAgainForgot') },
]
const resetOwnerUserId = async (c: C, studentId: number) =>
  (
    await deps(c)
      .db.select({ userId: students.userId })
      .from(students)
      .where(eq(students.id, studentId))
      .get()
  )?.userId ?? ''
const renderReset = (c: C, token: string, userId: string, errors: FieldErrors) =>
  c.render(
    <SecondPasswordSetForm
      action={`/second-password/reset/${token}`}
      errors={errors}
      forUserId={userId}
    />,
    {
      title: tr(c).t('resetTitle'),
    },
  )

account.get('/second-password/reset/:token', async (c) => {
  const token = c.req.param('token')
  const found = await inspectToken(deps(c).tokens, token, resetExpectation(c))
  if (found.status !== 'valid') return unusableLink(c, found.status, forgotAgain(c))
  return renderReset(c, token, await resetOwnerUserId(c, found.payload.studentId), {})
})

account.post(
  '/second-password/reset/:token',
  validForm(newSecondPasswordSchema, newSecondPasswordLabels, async (c, errors) => {
    const token = c.req.param('token') ?? ''
    const found = await inspectToken(deps(c).tokens, token, resetExpectation(c))
    if (found.status !== 'valid') return unusableLink(c, found.status, forgotAgain(c))
    return renderReset(c, token, await resetOwnerUserId(c, found.payload.studentId), errors)
  }),
  async (c) => {
    const token = c.req.param('token')
    const form = c.req.valid('form')
    const found = await inspectToken(deps(c).tokens, token, resetExpectation(c))
    if (found.status !== 'valid') return unusableLink(c, found.status, forgotAgain(c))
    const student = await deps(c)
      .db.select()
      .from(students)
      .where(eq(students.id, found.payload.studentId))
      .get()
    if (!student) return unusableLink(c, 'invalid', forgotAgain(c))
    const errors = await newSecondPasswordErrors(deps(c), tr(c), student, form, 'secondPassword')
    if (Object.keys(errors).length > 0) {
      c.status(422)
      return renderReset(c, token, student.userId, errors)
    }
    // Only now is the URL used up: a rule-breaking attempt leaves it valid for another try.
    const use = await useToken(deps(c).tokens, found)
    if (use.status !== 'consumed') return unusableLink(c, use.status, forgotAgain(c))
    await storeSecondPassword(deps(c), student.id, form.second_password, true)
    await clearAttempts(deps(c).db, accountKey(student.universityId, student.userId))
    return done(c, 'secondPasswordSet', '/login', 'resetTitle')
  },
)

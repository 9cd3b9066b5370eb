import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { formatJstDateTime, systemClock } from '../../domain/time'
import {
  acceptStaffInvite,
  attemptStaffLogin,
  createStaffSession,
  endStaffSession,
  inspectStaffInvite,
  principalOf,
  STAFF_SESSION_COOKIE,
} from '../../flows/staff/auth'
import { recordAudit } from '../../flows/staff/audit'
import { issueCsrfCookie } from '../../middleware/csrf'
import { DEVICE_COOKIE_MAX_AGE_SECONDS, STAFF_DEVICE_COOKIE } from '../../security/device'
import { totpQrDataUrl, totpUri } from '../../security/totp'
import { totpKeys } from '../../security/totpSeal'
import type { FieldErrors } from '../../views/components'
import { ConsoleInfoPage, StaffInvitePage, StaffLoginPage } from '../../views/staff/auth'
import { clientOf } from '../forms'
import { consoleForm, refill, requiredField, secretText } from './forms'

type C = Context<AppEnv>

/**
 * What the console's sign-in and invitations need beyond the request's dependencies: real
 * time for TOTP codes, and the keys the TOTP secrets are sealed under (TOTP_KEYS).
 */
export const staffAuthDeps = async (c: C) => ({
  ...c.get('deps'),
  wallClock: systemClock,
  totpKeys: await totpKeys(c.env.TOTP_KEYS),
})

/** Signing in and out of the console, and accepting an invitation. */
export const staffAuth = new Hono<AppEnv>()

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const CODE = /^\s*\d{3}\s?\d{3}\s*$/
export const STAFF_PASSWORD_MIN = 12

const loginSchema = z.object({
  email: requiredField(254).refine((v) => EMAIL.test(v), { error: 'invalidEmail' }),
  password: secretText(256),
  code: requiredField(7).refine((v) => CODE.test(v), { error: 'invalidCode' }),
})
const loginLabels = { email: 'email', password: 'password', code: 'totpCode' } as const

const renderLogin = (
  c: C,
  values: { email?: string },
  errors: FieldErrors,
  notice?: { kind: 'info' | 'error' | 'success'; text: string },
) =>
  c.render(<StaffLoginPage values={values} errors={errors} notice={notice} />, {
    title: c.get('ct')('loginTitle'),
  })

staffAuth.get('/login', (c) => {
  if (c.get('staff')) return c.redirect('/staff', 303)
  const ct = c.get('ct')
  const q = c.req.query()
  const notice = q.expired
    ? ct('sessionExpired')
    : q.out
      ? ct('loggedOut')
      : q.registered
        ? ct('inviteDone')
        : null
  return renderLogin(c, {}, {}, notice ? { kind: 'info', text: notice } : undefined)
})

staffAuth.post(
  '/login',
  consoleForm(loginSchema, loginLabels, (c, errors, raw) =>
    renderLogin(c, refill(raw, ['email']), errors),
  ),
  async (c) => {
    const form = c.req.valid('form')
    const deps = c.get('deps')
    const ct = c.get('ct')
    const result = await attemptStaffLogin(
      await staffAuthDeps(c),
      { ...form, deviceCookie: getCookie(c, STAFF_DEVICE_COOKIE, 'host') },
      clientOf(c),
    )
    if (result.kind !== 'ok') {
      c.status(result.kind === 'locked' ? 429 : 401)
      const text =
        result.kind === 'locked'
          ? ct('loginLocked', { until: formatJstDateTime(result.until) })
          : ct('loginFailed')
      return renderLogin(c, { email: form.email }, {}, { kind: 'error', text })
    }
    const old = c.get('staffSessionId')
    if (old) await endStaffSession(c.env.SESSIONS, old)
    // Ended: loadStaff must not refresh it after the response.
    c.set('staffSessionId', null)
    const now = deps.clock()
    const id = await createStaffSession(c.env.SESSIONS, result.member, now)
    setCookie(c, STAFF_SESSION_COOKIE, id, {
      prefix: 'host',
      httpOnly: true,
      sameSite: 'Strict',
    })
    // Kept at logout: it is what lets this browser in while strangers are locked out.
    setCookie(c, STAFF_DEVICE_COOKIE, result.deviceCookie, {
      prefix: 'host',
      httpOnly: true,
      sameSite: 'Strict',
      maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
    })
    issueCsrfCookie(c)
    await recordAudit(deps.db, principalOf(result.member), now, {
      action: 'login',
      universityId: result.member.universityId,
      targetType: 'staff',
      targetId: result.member.id,
    })
    return c.redirect('/staff', 303)
  },
)

staffAuth.post('/logout', async (c) => {
  await endStaffSession(c.env.SESSIONS, c.get('staffSessionId') ?? undefined)
  c.set('staffSessionId', null)
  deleteCookie(c, STAFF_SESSION_COOKIE, { prefix: 'host' })
  return c.redirect('/staff/login?out=1', 303)
})

// ---- Invitations -------------------------------------------------------------------------

const inviteSchema = z
  .object({
    password: secretText(256).refine((v) => v.length >= STAFF_PASSWORD_MIN, {
      error: 'passwordRule',
    }),
    password_confirm: secretText(256),
    code: requiredField(7).refine((v) => CODE.test(v), { error: 'invalidCode' }),
  })
  .refine((v) => v.password === v.password_confirm, {
    error: 'passwordMismatch',
    path: ['password_confirm'],
  })
const inviteLabels = {
  password: 'password',
  password_confirm: 'passwordConfirm',
  code: 'totpCode',
} as const

const renderInvite = async (c: C, token: string, errors: FieldErrors) => {
  const ct = c.get('ct')
  const found = await inspectStaffInvite(await staffAuthDeps(c), token)
  if (found.status !== 'valid') {
    c.status(found.status === 'used' ? 410 : 404)
    return c.render(
      <ConsoleInfoPage
        role="alert"
        lines={[ct(found.status === 'used' ? 'inviteUsed' : 'inviteInvalid')]}
        link={{ href: '/staff/login', label: ct('loginTitle') }}
      />,
      { title: ct('inviteTitle') },
    )
  }
  const qr = totpQrDataUrl(totpUri(found.secret, found.invite.email, ct('consoleName')))
  return c.render(
    <StaffInvitePage
      invite={found.invite}
      secret={found.secret}
      action={`/staff/invite/${token}`}
      qr={qr}
      errors={errors}
    />,
    { title: ct('inviteTitle') },
  )
}

staffAuth.get('/invite/:token', (c) => {
  // The token is in the path: the page must not pass it on in a Referer.
  c.header('Referrer-Policy', 'no-referrer')
  return renderInvite(c, c.req.param('token'), {})
})

staffAuth.post(
  '/invite/:token',
  consoleForm(inviteSchema, inviteLabels, (c, errors) =>
    renderInvite(c, c.req.param('token') ?? '', errors),
  ),
  async (c) => {
    const ct = c.get('ct')
    const token = c.req.param('token')
    const form = c.req.valid('form')
    const deps = c.get('deps')
    const result = await acceptStaffInvite(await staffAuthDeps(c), token, form)
    if (result.kind === 'badCode') {
      c.status(422)
      return renderInvite(c, token, { code: { text: ct('inviteBadCode') } })
    }
    if (result.kind !== 'ok') {
      c.status(result.kind === 'used' ? 410 : result.kind === 'emailTaken' ? 409 : 404)
      const key =
        result.kind === 'used'
          ? 'inviteUsed'
          : result.kind === 'emailTaken'
            ? 'inviteEmailTaken'
            : 'inviteInvalid'
      return c.render(
        <ConsoleInfoPage
          role="alert"
          lines={[ct(key)]}
          link={{ href: '/staff/login', label: ct('loginTitle') }}
        />,
        { title: ct('inviteTitle') },
      )
    }
    await recordAudit(deps.db, principalOf(result.member), deps.clock(), {
      action: 'invite.accept',
      universityId: result.member.universityId,
      targetType: 'staff',
      targetId: result.member.id,
      after: { email: result.member.email, role: result.member.role },
    })
    return c.redirect('/staff/login?registered=1', 303)
  },
)

import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { emailProblem } from '../../domain/email'
import { ASSIGNABLE_ROLES, type StaffPrincipal, type StaffRole } from '../../domain/staff'
import { loadUniversity } from '../../flows/charge'
import { staffInviteMail } from '../../flows/mails'
import { principalOf } from '../../flows/staff/auth'
import {
  changeRole,
  disableMember,
  enableMember,
  inviteMember,
  listMembers,
  memberOf,
  pendingInvites,
  unlockMember,
  type MemberChange,
} from '../../flows/staff/members'
import { consoleText, type ConsoleKey } from '../../i18n/console'
import { requireStaff } from '../../middleware/staff'
import { ROLE_LABEL } from '../../views/staff/components'
import { MembersPage, type CreatedInvite, type InviteFormState } from '../../views/staff/members'
import { staffAuthDeps } from './auth'
import { consoleForm, refill, requiredField } from './forms'
import { notFound as notFoundReply, forbidden } from './replies'

type C = Context<AppEnv>
type Admin = StaffPrincipal & { universityId: string }

/**
 * スタッフ (管理者 only): the members of the administrator's own university. A member of
 * another university, or of the call centre, is not found here (404), whatever the id.
 */
export const members = new Hono<AppEnv>()

members.use('/members', requireStaff('manageStaff'))
members.use('/members/*', requireStaff('manageStaff'))

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

const inviteSchema = z.object({
  email: requiredField(254).refine((v) => emailProblem(v) === null, { error: 'invalidEmail' }),
  name: requiredField(100).refine((v) => !CONTROL.test(v), { error: 'adminErrControl' }),
  role: z.enum(ASSIGNABLE_ROLES as [StaffRole, ...StaffRole[]], { error: 'adminErrRole' }),
})
const inviteLabels = {
  email: 'adminInviteEmail',
  name: 'adminInviteName',
  role: 'adminInviteRole',
} as const satisfies Record<string, ConsoleKey>

const roleSchema = z.object({
  role: z.enum(ASSIGNABLE_ROLES as [StaffRole, ...StaffRole[]], { error: 'adminErrRole' }),
})

/** The signed-in administrator, with the university they administer (an admin always has one). */
const adminOf = (c: C): Admin | null => {
  const p = principalOf(c.get('staff')!)
  return p.universityId ? (p as Admin) : null
}

const notFound = (c: C) => notFoundReply(c, { href: '/staff/members', label: 'adminMembersTitle' })

type Notice = { kind: 'info' | 'success' | 'error'; text: string }

const render = async (
  c: C,
  admin: Admin,
  opts: { notice?: Notice; created?: CreatedInvite; invite?: InviteFormState } = {},
) => {
  const { db, clock } = c.get('deps')
  const now = clock()
  const [u, list, pending] = await Promise.all([
    loadUniversity(db, admin.universityId),
    listMembers(db, admin.universityId, now),
    pendingInvites(db, admin.universityId, now),
  ])
  const ct = c.get('ct')
  return c.render(
    <MembersPage
      universityName={c.get('tr').lang === 'en' ? u.nameEn : u.name}
      members={list}
      pending={pending}
      selfId={admin.id}
      notice={opts.notice}
      created={opts.created}
      invite={opts.invite ?? { values: {}, errors: {} }}
    />,
    { title: ct('adminMembersTitle') },
  )
}

/** What a finished member action says, after the redirect that ends it (?done=…&member=…). */
const DONE: Record<string, ConsoleKey> = {
  role: 'adminRoleChanged',
  disabled: 'adminMemberDisabled',
  enabled: 'adminMemberEnabled',
  unlocked: 'adminMemberUnlocked',
}

members.get('/members', async (c) => {
  const admin = adminOf(c)
  if (!admin) return forbidden(c)
  const ct = c.get('ct')
  const { done, member: memberId } = c.req.query()
  let notice: Notice | undefined
  const key = done ? DONE[done] : undefined
  if (key) {
    // Named from D1, scoped to the administrator's university: a crafted link names no one else.
    const m = await memberOf(c.get('deps').db, admin, Number(memberId))
    if (m)
      notice = { kind: 'success', text: ct(key, { name: m.name, role: ct(ROLE_LABEL[m.role]) }) }
  }
  return render(c, admin, { notice })
})

// An invitation is made by posting to the members' list (not /members/invite: a static
// segment where /members/:id/… has a parameter keeps Hono's RegExpRouter from serving the app).
members.post(
  '/members',
  consoleForm(inviteSchema, inviteLabels, async (c, errors, data) => {
    const admin = adminOf(c)
    if (!admin) return forbidden(c)
    return render(c, admin, {
      invite: { values: refill(data, ['email', 'name', 'role']), errors },
    })
  }),
  async (c) => {
    const admin = adminOf(c)
    if (!admin) return forbidden(c)
    const form = c.req.valid('form')
    const ct = c.get('ct')
    const created = await inviteAndMail(c, admin, form, admin.universityId)
    if (!created) {
      c.status(409)
      return render(c, admin, {
        invite: {
          values: form,
          errors: { email: { text: ct('adminErrEmailTaken') } },
        },
      })
    }
    // Shown on this response only (no redirect): the token is kept nowhere but in the mail.
    return render(c, admin, { created })
  },
)

/**
 * Creates an invitation to `universityId` and mails its URL: the members page, and the
 * operator inviting a university's first 管理者 (routes/staff/universities). Null when the
 * address already has an account.
 */
export const inviteAndMail = async (
  c: C,
  actor: StaffPrincipal,
  form: { email: string; name: string; role: StaffRole },
  universityId: string,
): Promise<CreatedInvite | null> => {
  const deps = c.get('deps')
  const result = await inviteMember(await staffAuthDeps(c), actor, form, universityId)
  if (result.kind === 'emailTaken') return null
  // The URL on the host the member is using: the console is served on every host of the
  // service, and this one is known to reach it.
  const url = `${new URL(c.req.url).origin}/staff/invite/${result.token}`
  const u = await loadUniversity(deps.db, universityId)
  const mailed = await deps.mailer.send(
    staffInviteMail(u, form.email, {
      name: form.name,
      roleJa: consoleText('ja')(ROLE_LABEL[form.role]),
      roleEn: consoleText('en')(ROLE_LABEL[form.role]),
      url,
      expiresAt: result.expiresAt,
    }),
  )
  return { email: form.email, url, expiresAt: result.expiresAt, mailed }
}

/** The invitation form's checks, shared with the operator's invitation of a first 管理者. */
export { inviteLabels, inviteSchema }

/**
 * The end of a member action: on success a redirect (so a reload does not repeat it) to
 * the list with what was done; otherwise the list again with why not.
 */
const finish = async (c: C, admin: Admin, change: MemberChange, done: string) => {
  const ct = c.get('ct')
  switch (change.kind) {
    case 'notFound':
      return notFound(c)
    case 'done':
      return c.redirect(`/staff/members?done=${done}&member=${change.member.id}`, 303)
    case 'self':
      c.status(422)
      return render(c, admin, {
        notice: {
          kind: 'error',
          text: ct(done === 'role' ? 'adminErrSelfRole' : 'adminErrSelfDisable'),
        },
      })
    case 'conflict':
      c.status(409)
      return render(c, admin, { notice: { kind: 'error', text: ct('adminErrConflict') } })
    case 'unchanged': {
      const key: ConsoleKey =
        done === 'role'
          ? 'adminRoleUnchanged'
          : done === 'disabled'
            ? 'adminMemberAlreadyDisabled'
            : done === 'enabled'
              ? 'adminMemberAlreadyEnabled'
              : 'adminMemberNotLocked'
      const { name, role } = change.member
      return render(c, admin, {
        notice: { kind: 'info', text: ct(key, { name, role: ct(ROLE_LABEL[role]) }) },
      })
    }
  }
}

/** The member id in the path: digits only, else no such member. */
const idParam = (c: C) => {
  const raw = c.req.param('id') ?? ''
  return /^[0-9]{1,12}$/.test(raw) ? Number(raw) : null
}

members.post(
  '/members/:id/role',
  consoleForm(roleSchema, { role: 'adminInviteRole' }, async (c, errors) => {
    const admin = adminOf(c)
    if (!admin) return forbidden(c)
    // A bad role for a member of another university is still that university's secret.
    const id = idParam(c)
    if (id === null || !(await memberOf(c.get('deps').db, admin, id))) return notFound(c)
    return render(c, admin, { notice: { kind: 'error', text: errors.role?.text ?? '' } })
  }),
  async (c) => {
    const admin = adminOf(c)
    if (!admin) return forbidden(c)
    const id = idParam(c)
    if (id === null) return notFound(c)
    const change = await changeRole(c.get('deps'), admin, id, c.req.valid('form').role)
    return finish(c, admin, change, 'role')
  },
)

const simpleAction = (path: string, done: string, act: typeof disableMember) =>
  members.post(`/members/:id/${path}`, async (c) => {
    const admin = adminOf(c)
    if (!admin) return forbidden(c)
    const id = idParam(c)
    if (id === null) return notFound(c)
    return finish(c, admin, await act(c.get('deps'), admin, id), done)
  })

simpleAction('disable', 'disabled', disableMember)
simpleAction('enable', 'enabled', enableMember)
simpleAction('unlock', 'unlocked', unlockMember)

import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { ASSIGNABLE_ROLES, type StaffRole } from '../../domain/staff'
import { formatJstDateTime } from '../../domain/time'
import type { MemberListing } from '../../flows/staff/members'
import { CsrfField, ErrorSummary, Field, Message, type FieldErrors } from '../components'
import { ROLE_LABEL, RoleName, TableWrap, When } from './components'

type Notice = { kind: 'info' | 'success' | 'error'; text: string }

const useCt = () => useRequestContext<AppEnv>().get('ct')

export interface CreatedInvite {
  email: string
  url: string
  expiresAt: number
  mailed: boolean
}

export interface PendingInvite {
  email: string
  name: string
  role: StaffRole
  expiresAt: number
}

export interface InviteFormState {
  values: { email?: string; name?: string; role?: string }
  errors: FieldErrors
}

/** A one-button form posting to one of a member's actions. */
const ActionButton = ({ action, label }: { action: string; label: string }) => (
  <form method="post" action={action} class="inline">
    <CsrfField />
    <button type="submit" class="link-button">
      {label}
    </button>
  </form>
)

/** 役割を変更: a select of the roles an administrator may give, and its button. */
const RoleForm = ({ member }: { member: MemberListing }) => {
  const ct = useCt()
  const id = `role-${member.id}`
  return (
    <form method="post" action={`/staff/members/${member.id}/role`} class="admin-role-form">
      <CsrfField />
      <select id={id} name="role" aria-label={ct('adminRoleFor', { name: member.name })}>
        {ASSIGNABLE_ROLES.map((r) => (
          <option value={r} selected={r === member.role}>
            {ct(ROLE_LABEL[r])}
          </option>
        ))}
      </select>
      <button type="submit" class="link-button">
        {ct('adminChangeRole')}
      </button>
    </form>
  )
}

const MemberRow = ({ member, self }: { member: MemberListing; self: boolean }) => {
  const ct = useCt()
  const base = `/staff/members/${member.id}`
  return (
    <tr>
      <td>
        {member.name}
        {self && <span class="admin-you"> {ct('adminYou')}</span>}
      </td>
      <td class="mono">{member.email}</td>
      <td>
        <RoleName role={member.role} />
      </td>
      <td>
        {member.disabledAt !== null
          ? ct('adminDisabledSince', { at: formatJstDateTime(member.disabledAt) })
          : ct('adminActive')}
        {member.lockedUntil !== null && (
          <>
            <br />
            {ct('adminLockedUntil', { until: formatJstDateTime(member.lockedUntil) })}
          </>
        )}
      </td>
      <td>
        <When ms={member.lastLoginAt} />
      </td>
      <td class="admin-actions">
        {/* An administrator cannot demote or disable themselves: nobody could undo it. */}
        {!self && <RoleForm member={member} />}
        {!self &&
          (member.disabledAt === null ? (
            <ActionButton action={`${base}/disable`} label={ct('adminDisable')} />
          ) : (
            <ActionButton action={`${base}/enable`} label={ct('adminEnable')} />
          ))}
        {member.lockedUntil !== null && (
          <ActionButton action={`${base}/unlock`} label={ct('adminUnlock')} />
        )}
      </td>
    </tr>
  )
}

/** The invitation just created: its URL, shown on this page once and never again. */
export const Created = ({ invite }: { invite: CreatedInvite }) => {
  const ct = useCt()
  const expires = formatJstDateTime(invite.expiresAt)
  return (
    <section
      class={invite.mailed ? 'message message-success' : 'message message-error'}
      role={invite.mailed ? 'status' : 'alert'}
      aria-labelledby="invite-url-label"
    >
      <p>
        {invite.mailed
          ? ct('adminInviteCreated', { email: invite.email, expires })
          : ct('adminInviteMailFailed', { expires })}
      </p>
      <p>
        <span id="invite-url-label">{ct('adminInviteUrl')}</span>:{' '}
        <code class="mono invite-url">{invite.url}</code>
      </p>
    </section>
  )
}

const InviteForm = ({ state }: { state: InviteFormState }) => {
  const ct = useCt()
  const { values, errors } = state
  return (
    <section class="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">{ct('adminInviteHeading')}</h2>
      <p>{ct('adminInviteIntro')}</p>
      <form method="post" action="/staff/members" class="console-form" novalidate>
        <CsrfField />
        <Field
          name="email"
          label={ct('adminInviteEmail')}
          type="email"
          value={values.email}
          error={errors.email}
          autocomplete="off"
          required
          maxlength={254}
        />
        <Field
          name="name"
          label={ct('adminInviteName')}
          value={values.name}
          error={errors.name}
          autocomplete="off"
          required
          maxlength={100}
        />
        <div class={errors.role ? 'field has-error' : 'field'}>
          <label for="role">{ct('adminInviteRole')}</label>
          {errors.role && (
            <div class="field-error" id="role-error">
              <p>{errors.role.text}</p>
            </div>
          )}
          <select
            id="role"
            name="role"
            aria-invalid={errors.role ? 'true' : undefined}
            aria-describedby={errors.role ? 'role-error' : undefined}
          >
            {ASSIGNABLE_ROLES.map((r) => (
              <option value={r} selected={(values.role ?? 'staff') === r}>
                {ct(ROLE_LABEL[r])}
              </option>
            ))}
          </select>
        </div>
        <div class="actions">
          <button type="submit" class="button primary">
            {ct('adminInviteButton')}
          </button>
        </div>
      </form>
    </section>
  )
}

/** /staff/members: the university's members, its pending invitations and the invite form. */
export const MembersPage = ({
  universityName,
  members,
  pending,
  selfId,
  notice,
  created,
  invite,
}: {
  universityName: string
  members: MemberListing[]
  pending: PendingInvite[]
  selfId: number
  notice?: Notice
  created?: CreatedInvite
  invite: InviteFormState
}) => {
  const ct = useCt()
  return (
    <>
      {notice && <Message kind={notice.kind}>{notice.text}</Message>}
      {created && <Created invite={created} />}
      <ErrorSummary errors={invite.errors} />
      <p>{ct('adminMembersIntro', { university: universityName })}</p>
      <TableWrap label={ct('adminMembersTable')}>
        <table>
          <caption>{ct('adminMembersTable')}</caption>
          <thead>
            <tr>
              <th scope="col">{ct('adminMemberName')}</th>
              <th scope="col">{ct('adminMemberEmail')}</th>
              <th scope="col">{ct('adminMemberRole')}</th>
              <th scope="col">{ct('adminMemberStatus')}</th>
              <th scope="col">{ct('adminMemberLastLogin')}</th>
              <th scope="col">{ct('adminMemberActions')}</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <MemberRow member={m} self={m.id === selfId} />
            ))}
          </tbody>
        </table>
      </TableWrap>
      {pending.length > 0 && (
        <section aria-labelledby="pending-heading">
          <h2 id="pending-heading">{ct('adminPendingHeading')}</h2>
          <TableWrap label={ct('adminPendingTable')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{ct('adminMemberName')}</th>
                  <th scope="col">{ct('adminMemberEmail')}</th>
                  <th scope="col">{ct('adminMemberRole')}</th>
                  <th scope="col">{ct('adminPendingExpires')}</th>
                </tr>
              </thead>
              <tbody>
                {pending.map((p) => (
                  <tr>
                    <td>{p.name}</td>
                    <td class="mono">{p.email}</td>
                    <td>
                      <RoleName role={p.role} />
                    </td>
                    <td>
                      <When ms={p.expiresAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </section>
      )}
      <InviteForm state={invite} />
    </>
  )
}

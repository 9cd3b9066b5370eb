import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import type { SettingsForm } from '../../domain/settings'
import type { UniversityAccountForm } from '../../domain/universityAccount'
import { formatJstDateTime } from '../../domain/time'
import type { Connection, ConnectionCheck } from '../../flows/staff/connections'
import type { UniversityDetail, UniversityListing } from '../../flows/staff/universities'
import type { ConsoleKey } from '../../i18n/console'
import { CsrfField, ErrorSummary, Field, Message, type FieldErrors } from '../components'
import { Created, type CreatedInvite } from './members'
import { ActionForm, TableWrap } from './components'
import { SettingsPage } from './settings'

type Notice = { kind: 'info' | 'success' | 'error'; text: string }

const useC = () => useRequestContext<AppEnv>()

const nameIn = (lang: string, u: { name: string; nameEn: string }) =>
  lang === 'en' ? u.nameEn : u.name

/** /staff/universities: every university with its state, host names and administrators. */
export const UniversitiesPage = ({
  list,
  notice,
}: {
  list: UniversityListing[]
  notice?: Notice
}) => {
  const c = useC()
  const ct = c.get('ct')
  const lang = c.get('tr').lang
  return (
    <>
      {notice && <Message kind={notice.kind}>{notice.text}</Message>}
      <p>{ct('uniListIntro')}</p>
      <p>
        <a class="button" href="/staff/new-university">
          {ct('uniCreateLink')}
        </a>
      </p>
      {list.length === 0 ? (
        <p>{ct('uniNone')}</p>
      ) : (
        <TableWrap label={ct('uniListTable')}>
          <table>
            <caption>{ct('uniListTable')}</caption>
            <thead>
              <tr>
                <th scope="col">{ct('uniColName')}</th>
                <th scope="col">{ct('uniColId')}</th>
                <th scope="col">{ct('uniColHosts')}</th>
                <th scope="col">{ct('uniColState')}</th>
                <th scope="col">{ct('uniColAdmins')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr>
                  <td>
                    <a href={`/staff/universities/${encodeURIComponent(u.id)}`}>
                      {nameIn(lang, u)}
                    </a>
                  </td>
                  <td class="mono">{u.id}</td>
                  <td class="mono">
                    {u.hosts.map((h, i) => (
                      <>
                        {i > 0 && <br />}
                        {h}
                      </>
                    ))}
                  </td>
                  <td>
                    {u.suspendedAt === null
                      ? ct('uniActive')
                      : ct('uniSuspendedSince', { at: formatJstDateTime(u.suspendedAt) })}
                  </td>
                  <td>{u.admins > 0 ? ct('uniAdminsCount', { n: u.admins }) : ct('uniNoAdmin')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  )
}

/** The operator's own fields, before the 大学設定 sections of the same form. */
const AccountSection = ({
  account,
  errors,
  creating,
}: {
  account: UniversityAccountForm
  errors: FieldErrors
  creating: boolean
}) => {
  const ct = useC().get('ct')
  return (
    <section class="card" aria-labelledby="university-account">
      <h2 id="university-account">{ct('uniSectionAccount')}</h2>
      {creating ? (
        <Field
          name="id"
          label={ct('uniId')}
          value={account.id}
          error={errors.id}
          hint={ct('uniIdHint')}
          required
          maxlength={32}
          autocomplete="off"
        />
      ) : (
        <>
          <p>
            {ct('uniId')}: <span class="mono">{account.id}</span>
          </p>
          <input type="hidden" name="id" value={account.id} />
        </>
      )}
      <Field
        name="gateway_account"
        label={ct('uniGatewayAccount')}
        value={account.gateway_account}
        error={errors.gateway_account}
        hint={ct('uniGatewayAccountHint')}
        required
        maxlength={31}
        autocomplete="off"
      />
    </section>
  )
}

/** 大学の作成 and 編集: the operator's fields, then every 大学設定 field (the same form). */
export const UniversityFormPage = ({
  creating,
  name,
  account,
  form,
  errors,
  notice,
}: {
  creating: boolean
  name: string
  account: UniversityAccountForm
  form: SettingsForm
  errors: FieldErrors
  notice?: Notice
}) => {
  const ct = useC().get('ct')
  const path = `/staff/universities/${encodeURIComponent(account.id)}`
  return (
    <>
      {!creating && (
        <p>
          <a href={path}>{ct('uniBackToUniversity')}</a>
        </p>
      )}
      <SettingsPage
        universityName={name}
        form={form}
        errors={errors}
        notice={notice}
        operator={{
          action: creating ? '/staff/universities' : `${path}/edit`,
          intro: creating ? ct('uniCreateIntro') : ct('uniEditIntro', { name }),
          submit: creating ? ct('uniCreateButton') : ct('adminSave'),
          leading: <AccountSection account={account} errors={errors} creating={creating} />,
        }}
      />
    </>
  )
}

const CONNECTION_LABEL: Record<Connection, ConsoleKey> = {
  komoju: 'uniConnKomoju',
  mic: 'uniConnMic',
  registrar: 'uniConnRegistrar',
}

/** What a connection check found, in words: never a secret's value, only its name. */
const CheckResult = ({
  connection,
  check,
  secrets,
  id,
}: {
  connection: Connection
  check: ConnectionCheck
  secrets: string[]
  id: string
}) => {
  const ct = useC().get('ct')
  const name = ct(CONNECTION_LABEL[connection])
  const names = secrets.join(', ')
  const text = (() => {
    switch (check.status) {
      case 'ok':
        return ct(connection === 'komoju' ? 'uniCheckOkKomoju' : 'uniCheckOk', { name })
      case 'missing':
        return ct('uniCheckMissing', { name, names: check.names.join(', ') })
      case 'refused':
        return ct(connection === 'registrar' ? 'uniCheckRefusedRegistrar' : 'uniCheckRefused', {
          name,
          names,
        })
      case 'unknown':
        return ct('uniCheckUnknown', { name, id })
      case 'unreachable':
        return ct('uniCheckUnreachable', { name, detail: check.detail })
    }
  })()
  return (
    <Message kind={check.status === 'ok' ? 'success' : 'error'}>
      <span data-check={connection} data-status={check.status}>
        {text}
      </span>
    </Message>
  )
}

export interface InviteState {
  values: { email?: string; name?: string }
  errors: FieldErrors
}

/** /staff/universities/:id: its state, connection checks, first 管理者, suspension. */
export const UniversityPage = ({
  detail,
  connections,
  checked,
  notice,
  created,
  invite,
  reasonError,
}: {
  detail: UniversityDetail
  connections: { connection: Connection; secrets: string[] }[]
  checked?: { connection: Connection; check: ConnectionCheck }
  notice?: Notice
  created?: CreatedInvite
  invite: InviteState
  reasonError?: string
}) => {
  const c = useC()
  const ct = c.get('ct')
  const { account, settings } = detail
  const path = `/staff/universities/${encodeURIComponent(account.id)}`
  return (
    <>
      {notice && <Message kind={notice.kind}>{notice.text}</Message>}
      {created && <Created invite={created} />}
      <ErrorSummary errors={invite.errors} />
      <p class="university-facts">
        {ct('uniDetailIntro', { id: account.id, hosts: settings.hosts.join(', ') })}
      </p>
      <p role="status" class="university-facts">
        {detail.suspendedAt === null
          ? ct('uniStateActive')
          : ct('uniStateSuspended', {
              at: formatJstDateTime(detail.suspendedAt),
              reason: detail.suspendedReason ?? '',
            })}
      </p>
      <ul class="links-list">
        <li>
          <a href={`${path}/edit`}>{ct('uniEditLink')}</a>
        </li>
        <li>
          <a href={`${path}/certificates`}>{ct('uniCertificatesLink')}</a>
        </li>
        <li>
          <a href="/staff/universities">{ct('uniBackToList')}</a>
        </li>
      </ul>

      <section class="card" aria-labelledby="checks-heading">
        <h2 id="checks-heading">{ct('uniChecksHeading')}</h2>
        <p>{ct('uniChecksIntro')}</p>
        {connections.map(({ connection, secrets }) => (
          <div class="university-check">
            <h3>{ct(CONNECTION_LABEL[connection])}</h3>
            <p class="hint">
              {ct('uniSecretsUsed')}{' '}
              {secrets.map((s, i) => (
                <>
                  {i > 0 && ', '}
                  <code class="mono">{s}</code>
                </>
              ))}
            </p>
            {checked?.connection === connection && (
              <CheckResult
                connection={connection}
                check={checked.check}
                secrets={secrets}
                id={account.id}
              />
            )}
            <form method="post" action={`${path}/check/${connection}`}>
              <CsrfField />
              <button type="submit" class="button">
                {ct('uniCheckButton', { name: ct(CONNECTION_LABEL[connection]) })}
              </button>
            </form>
          </div>
        ))}
      </section>

      <section class="card" aria-labelledby="invite-heading">
        <h2 id="invite-heading">{ct('uniInviteHeading')}</h2>
        <p>{ct('uniInviteIntro')}</p>
        <form method="post" action={`${path}/invite`} class="console-form" novalidate>
          <CsrfField />
          <Field
            name="email"
            label={ct('adminInviteEmail')}
            type="email"
            value={invite.values.email}
            error={invite.errors.email}
            autocomplete="off"
            required
            maxlength={254}
          />
          <Field
            name="name"
            label={ct('adminInviteName')}
            value={invite.values.name}
            error={invite.errors.name}
            autocomplete="off"
            required
            maxlength={100}
          />
          <div class="actions">
            <button type="submit" class="button primary">
              {ct('uniInviteButton')}
            </button>
          </div>
        </form>
      </section>

      <section aria-labelledby="suspension-heading">
        <h2 id="suspension-heading">
          {detail.suspendedAt === null ? ct('uniSuspendHeading') : ct('uniResumeHeading')}
        </h2>
        <p>{detail.suspendedAt === null ? ct('uniSuspendIntro') : ct('uniResumeIntro')}</p>
        <ActionForm
          action={`${path}/${detail.suspendedAt === null ? 'suspend' : 'resume'}`}
          label={detail.suspendedAt === null ? ct('uniSuspendButton') : ct('uniResumeButton')}
          reasonError={reasonError}
        />
      </section>
    </>
  )
}

import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import {
  catalogueFormOf,
  readCatalogue,
  type CatalogueForm,
} from '../../domain/certificateSettingsForm'
import {
  formOf,
  readSettings,
  type SettingsForm,
  type SettingsProblems,
} from '../../domain/settings'
import { RETENTION_YEARS } from '../../domain/retention'
import {
  readUniversityAccount,
  UNIVERSITY_ACCOUNT_FIELDS,
  type UniversityAccountForm,
  type UniversityAccountProblem,
} from '../../domain/universityAccount'
import { principalOf } from '../../flows/staff/auth'
import { saveCertificateSettings } from '../../flows/staff/certificateSettings'
import { loadCertificateSettings } from '../../flows/staff/certificateSettings'
import {
  checkConnection,
  CONNECTIONS,
  connectionSecrets,
  isConnection,
  type Connection,
  type ConnectionCheck,
} from '../../flows/staff/connections'
import {
  auditConnectionCheck,
  createUniversity,
  listUniversities,
  loadUniversityDetail,
  setSuspension,
  updateUniversity,
  type UniversityDetail,
} from '../../flows/staff/universities'
import type { ConsoleKey } from '../../i18n/console'
import { requireStaff } from '../../middleware/staff'
import type { FieldErrors } from '../../views/components'
import { CatalogueSettingsPage } from '../../views/staff/certificateSettings'
import type { CreatedInvite } from '../../views/staff/members'
import {
  UniversitiesPage,
  UniversityFormPage,
  UniversityPage,
  type InviteState,
} from '../../views/staff/universities'
import {
  catalogueErrorsOf,
  catalogueFieldLabels,
  catalogueFormFromPost,
  catalogueShape,
} from './certificateSettings'
import { consoleForm, refill } from './forms'
import { inviteAndMail, inviteLabels, inviteSchema } from './members'
import { notFound as notFoundReply } from './replies'
import {
  settingsErrorsOf,
  settingsFieldLabels,
  settingsFormFromPost,
  settingsProblemText,
  settingsShape,
} from './settings'

type C = Context<AppEnv>

/**
 * 大学 (運用者 only): the service's universities, created, edited, checked, suspended and
 * resumed, and their first 管理者 invited. The 大学設定 and 証明書 parts of a university are
 * the administrator's forms, read by the same rules (domain/settings,
 * domain/certificateSettingsForm) and worded by the same functions (routes/staff/settings,
 * certificateSettings); the operator adds its own fields (domain/universityAccount). Mounted
 * before the console's `read` check (routes/staff/index.tsx): the operator reads no
 * university's students.
 */
export const universities = new Hono<AppEnv>()

// The operator's console starts at its list; everyone else's at 要対応 (routes/staff/triage).
universities.get('/', async (c, next) => {
  if (c.get('staff')?.role === 'operator') return c.redirect('/staff/universities', 303)
  await next()
})

universities.use('/universities', requireStaff('universities'))
universities.use('/universities/*', requireStaff('universities'))
universities.use('/new-university', requireStaff('universities'))

const notFound = (c: C) => notFoundReply(c, { href: '/staff/universities', label: 'uniListTitle' })

const nameOf = (c: C, u: { name: string; nameEn: string }) =>
  c.get('tr').lang === 'en' ? u.nameEn : u.name

// ---- 一覧 ------------------------------------------------------------------------------

universities.get('/universities', async (c) => {
  const ct = c.get('ct')
  const list = await listUniversities(c.get('deps').db)
  const q = c.req.query()
  const named = list.find((u) => u.id === q.created)
  const notice = named
    ? { kind: 'success' as const, text: ct('uniCreated', { name: nameOf(c, named) }) }
    : undefined
  return c.render(<UniversitiesPage list={list} notice={notice} />, { title: ct('uniListTitle') })
})

// ---- 作成 and 編集: the operator's fields, then 大学設定's ------------------------------

const accountShape = z.object(
  Object.fromEntries(
    UNIVERSITY_ACCOUNT_FIELDS.map((f) => [
      f,
      z.string({ error: 'adminErrForm' }).max(200, { error: 'adminErrForm' }).default(''),
    ]),
  ),
)
const universityShape = z.intersection(settingsShape, accountShape)

const ACCOUNT_LABELS: Record<(typeof UNIVERSITY_ACCOUNT_FIELDS)[number], ConsoleKey> = {
  id: 'uniId',
  gateway_account: 'uniGatewayAccount',
}
const UNIVERSITY_LABELS = { ...ACCOUNT_LABELS, ...settingsFieldLabels }

const accountFromPost = (data: unknown): UniversityAccountForm => {
  const record = (data ?? {}) as Record<string, unknown>
  const str = (k: string) => (typeof record[k] === 'string' ? (record[k] as string) : '')
  return {
    id: str('id'),
    gateway_account: str('gateway_account'),
  }
}

const accountProblemText = (
  c: C,
  field: (typeof UNIVERSITY_ACCOUNT_FIELDS)[number],
  p: UniversityAccountProblem,
  id: string,
): string => {
  const ct = c.get('ct')
  switch (p.code) {
    case 'idInvalid':
      return ct('uniErrId')
    case 'idTaken':
      return ct('uniErrIdTaken', { id })
    case 'gatewayAccountInvalid':
      return ct('uniErrGatewayAccount')
    default:
      // The rest are 大学設定's own problems (required, a number out of range), worded there.
      return settingsProblemText(ct, field, p, ct(ACCOUNT_LABELS[field]))
  }
}

/** Every problem of the form, the operator's fields first (the form's order). */
const formErrors = (
  c: C,
  account: UniversityAccountForm,
  accountProblems: Partial<
    Record<(typeof UNIVERSITY_ACCOUNT_FIELDS)[number], UniversityAccountProblem>
  >,
  settingsProblems: SettingsProblems,
): FieldErrors => {
  const errors: FieldErrors = {}
  for (const f of UNIVERSITY_ACCOUNT_FIELDS) {
    const p = accountProblems[f]
    if (p) errors[f] = { text: accountProblemText(c, f, p, account.id.trim().toLowerCase()) }
  }
  return { ...errors, ...settingsErrorsOf(c.get('ct'), settingsProblems) }
}

const renderForm = (
  c: C,
  creating: boolean,
  account: UniversityAccountForm,
  form: SettingsForm,
  errors: FieldErrors,
  name: string,
) => {
  const ct = c.get('ct')
  if (Object.keys(errors).length > 0) c.status(422)
  return c.render(
    <UniversityFormPage
      creating={creating}
      name={name}
      account={account}
      form={form}
      errors={errors}
    />,
    { title: creating ? ct('uniCreateTitle') : ct('uniEditTitle', { name }) },
  )
}

/** A new university's form: the default gateway account, 5 years' retention, one window row. */
const BLANK_ACCOUNT: UniversityAccountForm = { id: '', gateway_account: 'default' }
const BLANK_SETTINGS: SettingsForm = {
  ...settingsFormFromPost({}),
  retention_years: String(RETENTION_YEARS.default),
  min_charge: '1',
  charge_step: '1',
  payment_deadline_days: '3',
}

universities.get('/new-university', (c) =>
  renderForm(c, true, BLANK_ACCOUNT, BLANK_SETTINGS, {}, ''),
)

/**
 * Reads the whole form (shape, then every rule of both parts together, so every problem is
 * shown at once); a response when it is refused.
 */
const readForm = (c: C, creating: boolean, data: unknown, name: string) => {
  const account = accountFromPost(data)
  const form = settingsFormFromPost(data)
  const a = readUniversityAccount(account, { creating })
  const s = readSettings(form)
  if (!a.ok || !s.ok) {
    const errors = formErrors(c, account, a.ok ? {} : a.problems, s.ok ? {} : s.problems)
    return { refused: renderForm(c, creating, account, form, errors, name) } as const
  }
  return { account, form, value: { account: a.account, settings: s.settings } } as const
}

universities.post(
  '/universities',
  consoleForm(universityShape, UNIVERSITY_LABELS, (c, errors, data) =>
    renderForm(c, true, accountFromPost(data), settingsFormFromPost(data), errors, ''),
  ),
  async (c) => {
    const read = readForm(c, true, c.req.valid('form'), '')
    if ('refused' in read) return read.refused
    const { account, settings } = read.value
    const result = await createUniversity(
      c.get('deps'),
      principalOf(c.get('staff')!),
      account,
      settings,
    )
    switch (result.kind) {
      case 'idTaken':
        return renderForm(
          c,
          true,
          read.account,
          read.form,
          formErrors(c, read.account, { id: { code: 'idTaken' } }, {}),
          '',
        )
      case 'hostTaken':
        return renderForm(
          c,
          true,
          read.account,
          read.form,
          formErrors(c, read.account, {}, { hosts: { code: 'hostTaken', hosts: result.hosts } }),
          '',
        )
      case 'created':
        return c.redirect(`/staff/universities/${encodeURIComponent(account.id)}?created=1`, 303)
    }
  },
)

/** The university of the path, or null (an unknown id is not found). */
const detailOf = (c: C) => loadUniversityDetail(c.get('deps').db, c.req.param('id') ?? '')

universities.get('/universities/:id/edit', async (c) => {
  const detail = await detailOf(c)
  if (!detail) return notFound(c)
  const { account } = detail
  return renderForm(
    c,
    false,
    {
      id: account.id,
      gateway_account: account.gatewayAccount,
    },
    formOf(detail.settings),
    {},
    nameOf(c, detail.settings),
  )
})

universities.post(
  '/universities/:id/edit',
  consoleForm(universityShape, UNIVERSITY_LABELS, async (c, errors, data) => {
    const detail = await detailOf(c)
    if (!detail) return notFound(c)
    const account = { ...accountFromPost(data), id: detail.account.id }
    return renderForm(
      c,
      false,
      account,
      settingsFormFromPost(data),
      errors,
      nameOf(c, detail.settings),
    )
  }),
  async (c) => {
    const detail = await detailOf(c)
    if (!detail) return notFound(c)
    const name = nameOf(c, detail.settings)
    // The id is the path's: a posted id is ignored (an id never changes).
    const data = { ...c.req.valid('form'), id: detail.account.id }
    const read = readForm(c, false, data, name)
    if ('refused' in read) return read.refused
    const result = await updateUniversity(
      c.get('deps'),
      principalOf(c.get('staff')!),
      read.value.account,
      read.value.settings,
    )
    const path = `/staff/universities/${encodeURIComponent(detail.account.id)}`
    switch (result.kind) {
      case 'notFound':
        return notFound(c)
      case 'hostTaken':
        return renderForm(
          c,
          false,
          read.account,
          read.form,
          formErrors(c, read.account, {}, { hosts: { code: 'hostTaken', hosts: result.hosts } }),
          name,
        )
      case 'unchanged':
        return c.redirect(`${path}?unchanged=1`, 303)
      case 'saved':
        return c.redirect(`${path}?saved=1`, 303)
    }
  },
)

// ---- The university's page: checks, first 管理者, suspension ---------------------------

type Notice = { kind: 'info' | 'success' | 'error'; text: string }

const renderDetail = (
  c: C,
  detail: UniversityDetail,
  opts: {
    notice?: Notice
    checked?: { connection: Connection; check: ConnectionCheck }
    created?: CreatedInvite
    invite?: InviteState
    reasonError?: string
  } = {},
) => {
  const u = { id: detail.account.id, gatewayAccount: detail.account.gatewayAccount }
  return c.render(
    <UniversityPage
      detail={detail}
      connections={CONNECTIONS.map((connection) => ({
        connection,
        secrets: connectionSecrets(connection, u),
      }))}
      checked={opts.checked}
      notice={opts.notice}
      created={opts.created}
      invite={opts.invite ?? { values: {}, errors: {} }}
      reasonError={opts.reasonError}
    />,
    { title: nameOf(c, detail.settings) },
  )
}

const DONE: Record<string, ConsoleKey> = {
  created: 'uniCreated',
  saved: 'uniSaved',
  unchanged: 'uniUnchanged',
  suspended: 'uniSuspended',
  resumed: 'uniResumed',
  alreadySuspended: 'uniAlreadySuspended',
  alreadyActive: 'uniAlreadyActive',
}

universities.get('/universities/:id', async (c) => {
  const detail = await detailOf(c)
  if (!detail) return notFound(c)
  const ct = c.get('ct')
  const key = Object.keys(c.req.query()).find((k) => k in DONE)
  const notice = key
    ? {
        kind:
          key === 'unchanged' || key.startsWith('already')
            ? ('info' as const)
            : ('success' as const),
        text: ct(DONE[key]!, { name: nameOf(c, detail.settings) }),
      }
    : undefined
  return renderDetail(c, detail, { notice })
})

universities.post('/universities/:id/check/:connection', async (c) => {
  const detail = await detailOf(c)
  const connection = c.req.param('connection')
  if (!detail || !isConnection(connection)) return notFound(c)
  const deps = c.get('deps')
  const u = { id: detail.account.id, gatewayAccount: detail.account.gatewayAccount }
  const check = await checkConnection(c.env, u, connection, deps.clock())
  await auditConnectionCheck(deps, principalOf(c.get('staff')!), u.id, connection, {
    status: check.status,
    ...(check.status === 'missing' ? { names: check.names } : {}),
  })
  // Shown on this response only: a check's result is never stored.
  return renderDetail(c, detail, { checked: { connection, check } })
})

const firstAdminSchema = inviteSchema.pick({ email: true, name: true })

universities.post(
  '/universities/:id/invite',
  consoleForm(firstAdminSchema, inviteLabels, async (c, errors, data) => {
    const detail = await detailOf(c)
    if (!detail) return notFound(c)
    c.status(422)
    return renderDetail(c, detail, { invite: { values: refill(data, ['email', 'name']), errors } })
  }),
  async (c) => {
    const detail = await detailOf(c)
    if (!detail) return notFound(c)
    const form = c.req.valid('form')
    // Only a 管理者: the university's administrator then invites its own staff.
    const created = await inviteAndMail(
      c,
      principalOf(c.get('staff')!),
      { ...form, role: 'admin' },
      detail.account.id,
    )
    if (!created) {
      c.status(409)
      return renderDetail(c, detail, {
        invite: { values: form, errors: { email: { text: c.get('ct')('adminErrEmailTaken') } } },
      })
    }
    return renderDetail(c, detail, { created })
  },
)

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
const reasonSchema = z.object({
  reason: z
    .string({ error: 'uniErrReason' })
    .trim()
    .min(1, { error: 'uniErrReason' })
    .max(500, { error: 'uniErrReason' })
    .refine((v) => !CONTROL.test(v), { error: 'uniErrReason' }),
})

for (const [path, suspend] of [
  ['suspend', true],
  ['resume', false],
] as const) {
  universities.post(
    `/universities/:id/${path}`,
    consoleForm(reasonSchema, { reason: 'reason' }, async (c) => {
      const detail = await detailOf(c)
      if (!detail) return notFound(c)
      c.status(422)
      return renderDetail(c, detail, { reasonError: c.get('ct')('uniErrReason') })
    }),
    async (c) => {
      const id = c.req.param('id')
      const result = await setSuspension(c.get('deps'), principalOf(c.get('staff')!), id, {
        suspend,
        reason: c.req.valid('form').reason,
      })
      if (result.kind === 'notFound') return notFound(c)
      const done =
        result.kind === 'done'
          ? suspend
            ? 'suspended'
            : 'resumed'
          : suspend
            ? 'alreadySuspended'
            : 'alreadyActive'
      return c.redirect(`/staff/universities/${encodeURIComponent(id)}?${done}=1`, 303)
    },
  )
}

// ---- 証明書: the administrator's catalogue form, for the chosen university ----------------

const renderCatalogue = (
  c: C,
  detail: UniversityDetail,
  form: CatalogueForm,
  errors: FieldErrors,
) => {
  const ct = c.get('ct')
  const name = nameOf(c, detail.settings)
  if (Object.keys(errors).length > 0) c.status(422)
  const path = `/staff/universities/${encodeURIComponent(detail.account.id)}`
  return c.render(
    <CatalogueSettingsPage
      universityName={name}
      form={form}
      errors={errors}
      operator={{
        action: `${path}/certificates`,
        back: { href: path, label: ct('uniBackToUniversity') },
      }}
    />,
    { title: ct('uniCertificatesTitle', { name }) },
  )
}

universities.get('/universities/:id/certificates', async (c) => {
  const detail = await detailOf(c)
  const current = detail && (await loadCertificateSettings(c.get('deps').db, detail.account.id))
  if (!detail || !current) return notFound(c)
  return renderCatalogue(c, detail, catalogueFormOf(current), {})
})

universities.post(
  '/universities/:id/certificates',
  consoleForm(catalogueShape, catalogueFieldLabels, async (c, errors, data) => {
    const detail = await detailOf(c)
    if (!detail) return notFound(c)
    return renderCatalogue(c, detail, catalogueFormFromPost(data), errors)
  }),
  async (c) => {
    const detail = await detailOf(c)
    if (!detail) return notFound(c)
    const form = catalogueFormFromPost(c.req.valid('form'))
    const reading = readCatalogue(form)
    if (!reading.ok) return renderCatalogue(c, detail, form, catalogueErrorsOf(c, reading.problems))
    const result = await saveCertificateSettings(
      c.get('deps'),
      principalOf(c.get('staff')!),
      detail.account.id,
      reading.settings,
    )
    if (result.kind === 'notFound') return notFound(c)
    return c.redirect(
      `/staff/universities/${encodeURIComponent(detail.account.id)}?${result.kind === 'saved' ? 'saved' : 'unchanged'}=1`,
      303,
    )
  },
)

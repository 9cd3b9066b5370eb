import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { formatYen } from '../../domain/charge'
import {
  formOf,
  readSettings,
  SETTINGS_LIMITS,
  SETTINGS_TEXT_FIELDS,
  windowField,
  type SettingsForm,
  type SettingsProblem,
  type SettingsProblems,
  type UniversitySettings,
} from '../../domain/settings'
import { principalOf } from '../../flows/staff/auth'
import { loadSettings, saveSettings } from '../../flows/staff/settings'
import { postponedLeavers } from '../../flows/retention'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import { requireStaff } from '../../middleware/staff'
import type { FieldErrors } from '../../views/components'
import { SettingsPage } from '../../views/staff/settings'
import { consoleForm } from './forms'
import { forbidden } from './replies'

type C = Context<AppEnv>

/** 大学設定 (管理者 only): the administrator's own university, nothing else. */
export const settings = new Hono<AppEnv>()

settings.use('/settings', requireStaff('settings'))

// ---- The form's shape; its rules are domain/settings readSettings ------------------------

/**
 * Only the shape is checked here (strings, not absurdly long): a field that is a file or
 * sent twice is a broken form, not a setting. Every rule with a message of its own is in
 * readSettings, so all of a form's problems are shown together.
 */
const raw = z.string({ error: 'adminErrForm' }).max(6000, { error: 'adminErrForm' }).default('')
/**
 * A stop-window field: absent stays absent (no default), so the form comes back with the
 * rows it was sent with, no more (an error must not add an empty 停止期間 row).
 */
const windowRaw = z
  .string({ error: 'adminErrForm' })
  .max(6000, { error: 'adminErrForm' })
  .optional()

const method = z.string({ error: 'adminErrForm' }).max(40, { error: 'adminErrForm' })

const windowIndexes = Array.from({ length: SETTINGS_LIMITS.windowsMax }, (_, i) => i)

const settingsShape = z.object({
  ...Object.fromEntries(SETTINGS_TEXT_FIELDS.map((f) => [f, raw])),
  ...Object.fromEntries(
    windowIndexes.flatMap((i) => [
      [windowField(i, 'start'), windowRaw],
      [windowField(i, 'end'), windowRaw],
    ]),
  ),
  // Every check carries a console key as its message: consoleForm shows the message as one.
  methods: z
    .union([method, z.array(method).max(40, { error: 'adminErrForm' })], { error: 'adminErrForm' })
    .optional(),
}) as z.ZodType<Record<string, string> & { methods?: string | string[] }>

const FIELD_LABELS: Record<string, ConsoleKey> = {
  name: 'adminName',
  name_en: 'adminNameEn',
  legal_name: 'adminLegalName',
  legal_name_en: 'adminLegalNameEn',
  call_centre_name: 'adminCallCentreName',
  call_centre_name_en: 'adminCallCentreNameEn',
  call_centre_phone: 'adminCallCentrePhone',
  call_centre_hours: 'adminCallCentreHours',
  call_centre_hours_en: 'adminCallCentreHoursEn',
  mail_from: 'adminMailFrom',
  mail_from_name: 'adminMailFromName',
  mail_from_name_en: 'adminMailFromNameEn',
  card_money_desk: 'adminCardMoneyDesk',
  card_money_desk_en: 'adminCardMoneyDeskEn',
  hosts: 'adminHosts',
  balance_cap: 'adminBalanceCap',
  min_charge: 'adminMinCharge',
  charge_step: 'adminChargeStep',
  payment_deadline_days: 'adminPaymentDeadlineDays',
  staff_alert_email: 'adminStaffAlertEmail',
  methods: 'adminPaymentMethods',
  ...Object.fromEntries(
    windowIndexes.flatMap((i) => [
      [windowField(i, 'start'), 'adminSectionWindows' as const],
      [windowField(i, 'end'), 'adminSectionWindows' as const],
    ]),
  ),
  retention_years: 'retentionYears',
}

/**
 * What was posted as the settings form, to read and to show again: exactly the stop-window
 * rows sent, each as typed (row numbers stay those of the page, as the messages name them);
 * a form sent with no rows at all (a new university's) gets two blank rows after the last
 * one filled in.
 */
const formFromPost = (data: unknown): SettingsForm => {
  const record = (data ?? {}) as Record<string, unknown>
  const str = (k: string) => (typeof record[k] === 'string' ? (record[k] as string) : '')
  const methods = record.methods
  const filled = windowIndexes.filter(
    (i) => str(windowField(i, 'start')).trim() !== '' || str(windowField(i, 'end')).trim() !== '',
  )
  const sent = windowIndexes.filter(
    (i) =>
      typeof record[windowField(i, 'start')] === 'string' ||
      typeof record[windowField(i, 'end')] === 'string',
  )
  const rows =
    sent.length > 0
      ? Math.max(...sent) + 1
      : Math.min(SETTINGS_LIMITS.windowsMax, (filled.at(-1) ?? -1) + 3)
  return {
    ...(Object.fromEntries(SETTINGS_TEXT_FIELDS.map((f) => [f, str(f)])) as Record<
      (typeof SETTINGS_TEXT_FIELDS)[number],
      string
    >),
    methods: Array.isArray(methods)
      ? methods.filter((m): m is string => typeof m === 'string')
      : typeof methods === 'string'
        ? [methods]
        : [],
    windows: windowIndexes.slice(0, rows).map((i) => ({
      start: str(windowField(i, 'start')),
      end: str(windowField(i, 'end')),
    })),
  }
}

/** One problem of the form in the administrator's language. */
const problemText = (
  ct: ConsoleText,
  field: string,
  p: SettingsProblem,
  label = ct(FIELD_LABELS[field] ?? 'adminSettingsTitle'),
): string => {
  switch (p.code) {
    case 'required':
      return ct('required', { field: label })
    case 'englishRequired':
      return ct('adminErrEnglishRequired', { field: label })
    case 'notEnglish':
      return ct('adminErrNotEnglish', { field: label })
    case 'tooLong':
      return ct('tooLong', { field: label, max: p.max })
    case 'controlCharacters':
      return ct('adminErrControl', { field: label })
    case 'notWhole':
      return ct('adminErrWhole', { field: label })
    case 'outOfRange':
      return ct('adminErrRange', { field: label, min: formatYen(p.min), max: formatYen(p.max) })
    case 'emailHalfWidth':
      return ct('adminErrEmailHalfWidth', { field: label })
    case 'emailInvalid':
      return ct('adminErrEmail', { field: label })
    case 'phoneInvalid':
      return ct('adminErrPhone', { field: label })
    case 'hostInvalid':
      return ct('adminErrHost', { host: p.host })
    case 'noHost':
      return ct('adminErrNoHost')
    case 'tooManyHosts':
      return ct('adminErrTooManyHosts', { max: p.max })
    case 'hostTaken':
      return ct('adminErrHostTaken', { hosts: p.hosts.join('」「') })
    case 'capBelowMinimum':
      return ct('adminErrCapBelowMin', { min: formatYen(p.min) })
    case 'minNotStep':
      return ct('adminErrMinNotStep', { step: formatYen(p.step) })
    case 'stepOverCap':
      return ct('adminErrStepOverCap')
    case 'noPaymentMethod':
      return ct('adminErrNoMethod')
    case 'unknownPaymentMethod':
      return ct('adminErrUnknownMethod')
    case 'windowIncomplete':
      return ct('adminErrWindowIncomplete', { n: p.n })
    case 'dateTimeInvalid':
      return ct('adminErrDateTime', { n: p.n })
    case 'windowEndsBeforeStart':
      return ct('adminErrWindowOrder', { n: p.n })
    case 'windowTooLong':
      return ct('adminErrWindowTooLong', { n: p.n, days: p.days })
  }
}

/** The problems as the form shows them, in the order of the form's fields. */
const errorsOf = (ct: ConsoleText, problems: SettingsProblems): FieldErrors => {
  const errors: FieldErrors = {}
  for (const field of Object.keys(FIELD_LABELS)) {
    const p = problems[field]
    if (p) errors[field] = { text: problemText(ct, field, p) }
  }
  return errors
}

// ---- Pages ------------------------------------------------------------------------------

const render = async (
  c: C,
  form: SettingsForm,
  errors: FieldErrors,
  notice?: { kind: 'info' | 'success'; text: string },
  known?: UniversitySettings,
) => {
  const ct = c.get('ct')
  // The university as saved (not as typed into a form being refused), by its own name: the
  // console may be open on any of the service's hosts.
  const saved = known ?? (await loadSettings(c.get('deps').db, c.get('staff')!.universityId ?? ''))
  const name = saved ? (c.get('tr').lang === 'en' ? saved.nameEn : saved.name) : ''
  const { db, clock } = c.get('deps')
  const postponed = await postponedLeavers(db, c.get('staff')!.universityId ?? '', clock())
  return c.render(
    <SettingsPage
      universityName={name}
      form={form}
      errors={errors}
      notice={notice}
      postponed={postponed}
    />,
    { title: ct('adminSettingsTitle') },
  )
}

/** The administrator's university; an administrator always has one, the call centre none. */
const ownUniversity = (c: C) => c.get('staff')!.universityId

settings.get('/settings', async (c) => {
  const universityId = ownUniversity(c)
  if (!universityId) return forbidden(c)
  const current = await loadSettings(c.get('deps').db, universityId)
  if (!current) return forbidden(c)
  const ct = c.get('ct')
  const q = c.req.query()
  const notice = q.saved
    ? { kind: 'success' as const, text: ct('adminSaved') }
    : q.unchanged
      ? { kind: 'info' as const, text: ct('adminUnchanged') }
      : undefined
  return render(c, formOf(current), {}, notice, current)
})

settings.post(
  '/settings',
  consoleForm(settingsShape, FIELD_LABELS, (c, errors, data) =>
    render(c, formFromPost(data), errors),
  ),
  async (c) => {
    const universityId = ownUniversity(c)
    if (!universityId) return forbidden(c)
    const ct = c.get('ct')
    const form = formFromPost(c.req.valid('form'))
    const reading = readSettings(form)
    if (!reading.ok) {
      c.status(422)
      return render(c, form, errorsOf(ct, reading.problems))
    }
    const deps = c.get('deps')
    const member = c.get('staff')!
    const result = await saveSettings(deps, principalOf(member), universityId, reading.settings)
    switch (result.kind) {
      case 'hostTaken':
        c.status(422)
        return render(c, form, errorsOf(ct, { hosts: { code: 'hostTaken', hosts: result.hosts } }))
      case 'notFound':
        return forbidden(c)
      case 'unchanged':
        return c.redirect('/staff/settings?unchanged=1', 303)
      case 'saved':
        return c.redirect('/staff/settings?saved=1', 303)
    }
  },
)

/** The form's shape, reading and wording, shared with the operator's form (routes/staff/universities). */
export {
  errorsOf as settingsErrorsOf,
  problemText as settingsProblemText,
  FIELD_LABELS as settingsFieldLabels,
  formFromPost as settingsFormFromPost,
  settingsShape,
}

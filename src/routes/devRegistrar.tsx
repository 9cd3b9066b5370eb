import { Hono, type Context } from 'hono'
import type { AppEnv } from '../context'
import type { Notice } from '../views/pages/dev'
import { DevRegistrarPage } from '../views/pages/devRegistrar'
import type { Reply } from './devTwins'
import {
  REGISTRAR_FAULT_MODES,
  REGISTRAR_HOLDS,
  REGISTRAR_STATUSES,
  registrarTwin,
  type RegistrarFault,
  type RegistrarStatus,
} from './devRegistrarTwin'

/**
 * /_dev/registrar: the registrar twin through its admin API (mounted by routes/dev.tsx,
 * behind its development-only guard). The student is named by query and form fields, not
 * by path parameters, so the app keeps its one RegExpRouter.
 */
export const devRegistrar = new Hono<AppEnv>()

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '')
const STUDENT = /^[\w.-]{1,64}$/
const DAY = /^\d{4}-\d{2}-\d{2}$/
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

const formOf = (c: Context<AppEnv>) =>
  c.req.parseBody().catch(() => ({}) as Record<string, unknown>) as Promise<Record<string, unknown>>

const render = async (
  c: Context<AppEnv>,
  student: { university: string; user: string },
  notice?: Notice,
) => {
  const twin = registrarTwin(c.env)
  const lookup = STUDENT.test(student.university) && STUDENT.test(student.user)
  const [record, maintenance, fault, clock, issuances] = await Promise.all([
    lookup ? twin.record(student.university, student.user) : null,
    twin.maintenance(),
    twin.fault(),
    twin.clock(),
    twin.issuances(),
  ])
  const replies: Reply<unknown>[] = [maintenance, fault, clock, issuances]
  if (record) replies.push(record)
  const problems = [...new Set(replies.flatMap((r) => (r.ok ? [] : [r.error])))]
  return c.render(
    <DevRegistrarPage
      university={student.university}
      user={student.user}
      record={record?.ok ? record.value : null}
      maintenance={maintenance.ok ? maintenance.value : null}
      fault={fault.ok ? fault.value : null}
      clock={clock.ok ? clock.value : null}
      issuances={issuances.ok ? issuances.value : null}
      problems={problems}
      notice={notice}
    />,
    { title: 'Registrar twin' },
  )
}

devRegistrar.get('/', (c) =>
  render(c, {
    university: text(c.req.query('university')) || 'demo',
    user: text(c.req.query('user')),
  }),
)

/** Back to the page (on the same student) after a change, or the page with what went wrong. */
const after = async (
  c: Context<AppEnv>,
  student: { university: string; user: string },
  r: Reply<unknown> | string,
) => {
  if (typeof r !== 'string' && r.ok) {
    const q = student.user
      ? `?university=${encodeURIComponent(student.university)}&user=${encodeURIComponent(student.user)}`
      : ''
    return c.redirect(`/_dev/registrar${q}`, 303)
  }
  if (typeof r === 'string') c.status(422)
  else c.status(r.status !== null && r.status >= 400 && r.status < 500 ? 422 : 502)
  return render(c, student, { kind: 'error', text: typeof r === 'string' ? r : r.error })
}

const studentOf = (form: Record<string, unknown>) => ({
  university: text(form.university),
  user: text(form.user),
})
const BAD_STUDENT = 'Name the student (university and user, e.g. demo / demo0001).'

devRegistrar.post('/status', async (c) => {
  const form = await formOf(c)
  const s = studentOf(form)
  if (!STUDENT.test(s.university) || !STUDENT.test(s.user)) return after(c, s, BAD_STUDENT)
  const status = text(form.status) as RegistrarStatus
  if (!REGISTRAR_STATUSES.includes(status)) return after(c, s, 'Choose a status.')
  const on = text(form.on)
  if (on && !DAY.test(on)) return after(c, s, 'Write the date as YYYY-MM-DD.')
  const twin = registrarTwin(c.env)
  const current = await twin.record(s.university, s.user)
  if (!current.ok) return after(c, s, current)
  // What the office changes with a status: 卒業 fixes the graduation date, 休学 has a
  // period, 退学 ends the degree course; back to 在学 clears the leave.
  const today = new Date(c.get('deps').clock() + 9 * 3600_000).toISOString().slice(0, 10)
  const r = current.value
  const change: Record<string, unknown> = { status, leave: null }
  if (status === 'graduated')
    change.graduation = { on: on || r.graduation?.on || today, expected: false }
  if (status === 'on_leave') change.leave = { from: today, to: on || r.graduation?.on || today }
  if (status === 'withdrawn') Object.assign(change, { graduation: null, degree: null })
  return after(c, s, await twin.change(s.university, s.user, change))
})

devRegistrar.post('/hold', async (c) => {
  const form = await formOf(c)
  const s = studentOf(form)
  if (!STUDENT.test(s.university) || !STUDENT.test(s.user)) return after(c, s, BAD_STUDENT)
  const code = text(form.code)
  const twin = registrarTwin(c.env)
  if (form.action === 'remove' && /^[a-z][a-z0-9_]{1,40}$/.test(code))
    return after(c, s, await twin.removeHold(s.university, s.user, code))
  if (form.action === 'add' && (REGISTRAR_HOLDS as readonly string[]).includes(code))
    return after(c, s, await twin.addHold(s.university, s.user, code))
  return after(c, s, 'Choose a hold to add or lift.')
})

devRegistrar.post('/maintenance', async (c) => {
  const form = await formOf(c)
  const none = { university: 'demo', user: '' }
  const twin = registrarTwin(c.env)
  const current = await twin.maintenance()
  if (!current.ok) return after(c, none, current)
  const { daily, windows } = current.value
  const action = text(form.action)
  if (action === 'daily') {
    const from = text(form.from)
    const to = text(form.to)
    if (!HHMM.test(from) || !HHMM.test(to) || from === to)
      return after(c, none, 'Write the nightly window as two different times, HH:MM (JST).')
    return after(c, none, await twin.setMaintenance({ daily: { from, to }, windows }))
  }
  if (action === 'off') return after(c, none, await twin.setMaintenance({ daily: null, windows }))
  if (action === 'clear') return after(c, none, await twin.setMaintenance({ daily, windows: [] }))
  if (action === 'now') {
    const clock = await twin.clock()
    if (!clock.ok) return after(c, none, clock)
    const start = clock.value.now
    const window = { start, end: start + 30 * 60_000 }
    return after(c, none, await twin.setMaintenance({ daily, windows: [...windows, window] }))
  }
  return after(c, none, 'Choose what to do with the maintenance window.')
})

devRegistrar.post('/fault', async (c) => {
  const form = await formOf(c)
  const mode = text(form.mode) as RegistrarFault['mode']
  const rate = Number(text(form.rate) || 1)
  const remaining = text(form.remaining)
  const delay = text(form.delay_ms)
  const student = text(form.student)
  const none = { university: 'demo', user: '' }
  if (!REGISTRAR_FAULT_MODES.includes(mode)) return after(c, none, 'Choose a fault mode.')
  if (!(rate >= 0 && rate <= 1)) return after(c, none, 'The chance is a number from 0 to 1.')
  if (remaining && !/^\d{1,6}$/.test(remaining))
    return after(c, none, 'Write the number of calls as a whole number (or leave it empty).')
  if (delay && !/^\d{1,6}$/.test(delay))
    return after(c, none, 'Write the delay in whole milliseconds (at most 600000).')
  if (student && !/^[\w.-]+:[\w.-]+$/.test(student))
    return after(c, none, 'Name the student as university:user (e.g. demo:demo0001).')
  return after(
    c,
    none,
    await registrarTwin(c.env).setFault({
      mode,
      rate,
      // Zero calls is "until switched off" too: the twin counts only positive numbers.
      remaining: remaining && Number(remaining) > 0 ? Number(remaining) : null,
      delayMs: delay ? Math.min(Number(delay), 600_000) : 30_000,
      student: student || null,
    }),
  )
})

devRegistrar.post('/reset', async (c) =>
  after(c, { university: 'demo', user: '' }, await registrarTwin(c.env).reset()),
)

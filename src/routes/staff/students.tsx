import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { universityScope, type StaffAction } from '../../domain/staff'
import { readBalance } from '../../flows/charge'
import { principalOf } from '../../flows/staff/auth'
import {
  endAllSessions,
  loginLockOf,
  studentApplications,
  studentForStaff,
  unlockLogin,
} from '../../flows/staff/students'
import { universitiesInScope } from '../../flows/staff/triage'
import { requireStaff } from '../../middleware/staff'
import { StudentActionPage, StudentPage } from '../../views/staff/students'
import { consoleForm, requiredField } from './forms'
import { notFound as notFoundReply } from './replies'

type C = Context<AppEnv>

/** The console's students pages: 学生, ログインロック解除, 全セッション終了. */
export const students = new Hono<AppEnv>()

/**
 * The student the path names, if the member may see them: another university's student is
 * not found, exactly like one that does not exist.
 */
const visibleStudent = async (c: C) => {
  const id = c.req.param('id') ?? ''
  if (!/^\d{1,12}$/.test(id)) return null
  return studentForStaff(c.get('deps').db, c.get('staff')!, Number(id))
}

const notFound = (c: C) => notFoundReply(c, { href: '/staff', label: 'navTriage' })

students.get('/students/:id', requireStaff('read'), async (c) => {
  const student = await visibleStudent(c)
  if (!student) return notFound(c)
  const deps = c.get('deps')
  const member = c.get('staff')!
  // M.I.C. is asked now; when it cannot answer, the last balance it gave, with its time.
  const [reading, lock, applications, universities] = await Promise.all([
    readBalance(deps, student),
    loginLockOf(deps.db, student, deps.clock()),
    studentApplications(deps.db, student.id),
    universityScope(member) === null ? universitiesInScope(deps.db, student.universityId) : [],
  ])
  const u = universities[0]
  const done = c.req.query('done')
  return c.render(
    <StudentPage
      student={student}
      universityName={u ? (c.get('tr').lang === 'en' ? u.nameEn : u.name) : null}
      reading={reading}
      lock={lock}
      applications={applications}
      done={done === 'unlock' || done === 'sessions' ? done : null}
    />,
    { title: `${c.get('ct')('studentsTitle')} ${student.userId}` },
  )
})

const reasonSchema = z.object({ reason: requiredField(500) })
const reasonLabels = { reason: 'reason' } as const

/**
 * One action on the student's account: GET shows the confirmation step, POST (with its
 * reason) does it, writes the audit entry and goes back to the student.
 */
const studentAction = (
  path: string,
  action: 'unlock' | 'sessions',
  right: StaffAction,
  run: typeof unlockLogin | typeof endAllSessions,
) => {
  const title = (c: C) =>
    c.get('ct')(action === 'unlock' ? 'studentsUnlock' : 'studentsEndSessions')

  students.get(`/students/:id/${path}`, requireStaff(right), async (c) => {
    const student = await visibleStudent(c)
    if (!student) return notFound(c)
    return c.render(<StudentActionPage student={student} action={action} />, { title: title(c) })
  })

  students.post(
    `/students/:id/${path}`,
    requireStaff(right),
    consoleForm(reasonSchema, reasonLabels, async (c, errors) => {
      const student = await visibleStudent(c)
      if (!student) return notFound(c)
      return c.render(
        <StudentActionPage student={student} action={action} reasonError={errors.reason?.text} />,
        { title: title(c) },
      )
    }),
    async (c) => {
      const student = await visibleStudent(c)
      if (!student) return notFound(c)
      const { db, clock } = c.get('deps')
      await run(db, principalOf(c.get('staff')!), student, c.req.valid('form').reason, clock())
      return c.redirect(`/staff/students/${student.id}?done=${action}`, 303)
    },
  )
}

studentAction('unlock', 'unlock', 'unlockLogin', unlockLogin)
studentAction('end-sessions', 'sessions', 'endSessions', endAllSessions)

import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { universityScope, type StaffAction } from '../../domain/staff'
import { readBalance } from '../../flows/charge'
import { principalOf } from '../../flows/staff/auth'
import {
  endAllSessions,
  loginLocksOf,
  rosterPersonForStaff,
  studentApplications,
  studentForStaff,
  unlockLogin,
} from '../../flows/staff/students'
import { universitiesInScope } from '../../flows/staff/triage'
import { requireStaff } from '../../middleware/staff'
import {
  RosterPersonPage,
  StudentActionPage,
  StudentPage,
  studentPath,
} from '../../views/staff/students'
import { consoleForm, requiredField } from './forms'
import { notFound as notFoundReply } from './replies'

type C = Context<AppEnv>

/**
 * The console's students pages: 学生, ログインロック解除, 全セッション終了; and the page of a
 * roster person who has never logged in (no account yet), with ログインロック解除.
 */
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

/** The roster person the path names, if the member serves their university. */
const visibleRosterPerson = (c: C) =>
  rosterPersonForStaff(
    c.get('deps').db,
    c.get('staff')!,
    c.req.param('university') ?? '',
    c.req.param('userId') ?? '',
  )

/** The university's name for the call centre, which serves every university; else null. */
const universityNameFor = async (c: C, universityId: string) => {
  if (universityScope(c.get('staff')!) !== null) return null
  const u = (await universitiesInScope(c.get('deps').db, universityId))[0]
  return u ? (c.get('tr').lang === 'en' ? u.nameEn : u.name) : null
}

students.get('/students/:id', requireStaff('read'), async (c) => {
  const student = await visibleStudent(c)
  if (!student) return notFound(c)
  const deps = c.get('deps')
  // M.I.C. is asked now; when it cannot answer, the last balance it gave, with its time.
  const [reading, locks, applications, universityName] = await Promise.all([
    readBalance(deps, student),
    loginLocksOf(deps.db, student, deps.clock()),
    studentApplications(deps.db, student.id),
    universityNameFor(c, student.universityId),
  ])
  const done = c.req.query('done')
  return c.render(
    <StudentPage
      student={student}
      universityName={universityName}
      reading={reading}
      locks={locks}
      applications={applications}
      done={done === 'unlock' || done === 'sessions' ? done : null}
    />,
    { title: `${c.get('ct')('studentsTitle')} ${student.userId}` },
  )
})

students.get('/people/:university/:userId', requireStaff('read'), async (c) => {
  const person = await visibleRosterPerson(c)
  if (!person) return notFound(c)
  // They have logged in since the link was made: their page is now the account's.
  if (person.accountId !== null) return c.redirect(studentPath(person), 302)
  const { db, clock } = c.get('deps')
  const [locks, universityName] = await Promise.all([
    loginLocksOf(db, person, clock()),
    universityNameFor(c, person.universityId),
  ])
  return c.render(
    <RosterPersonPage
      person={person}
      universityName={universityName}
      locks={locks}
      done={c.req.query('done') === 'unlock'}
    />,
    { title: `${c.get('ct')('studentsTitle')} ${person.userId}` },
  )
})

const reasonSchema = z.object({ reason: requiredField(500) })
const reasonLabels = { reason: 'reason' } as const

/** Whose account an action is on: its page, the holder of the login, and the account's id. */
type ActionTarget = {
  base: string
  holder: { universityId: string; userId: string; nameKana: string; id?: number }
  student: Awaited<ReturnType<typeof visibleStudent>>
}

const accountTarget = async (c: C): Promise<ActionTarget | null> => {
  const student = await visibleStudent(c)
  return student && { base: studentPath({ accountId: student.id }), holder: student, student }
}

const rosterTarget = async (c: C): Promise<ActionTarget | null> => {
  const person = await visibleRosterPerson(c)
  if (!person) return null
  return {
    base: studentPath(person),
    holder: { ...person, id: person.accountId ?? undefined },
    student: null,
  }
}

/**
 * One action on the student's account: GET shows the confirmation step, POST (with its
 * reason) does it, writes the audit entry and goes back to the student.
 */
const studentAction = (
  path: string,
  action: 'unlock' | 'sessions',
  right: StaffAction,
  load: (c: C) => Promise<ActionTarget | null>,
  run: (c: C, target: ActionTarget, reason: string) => Promise<unknown>,
) => {
  const title = (c: C) =>
    c.get('ct')(action === 'unlock' ? 'studentsUnlock' : 'studentsEndSessions')

  students.get(path, requireStaff(right), async (c) => {
    const target = await load(c)
    if (!target) return notFound(c)
    return c.render(
      <StudentActionPage student={target.holder} base={target.base} action={action} />,
      { title: title(c) },
    )
  })

  students.post(
    path,
    requireStaff(right),
    consoleForm(reasonSchema, reasonLabels, async (c, errors) => {
      const target = await load(c)
      if (!target) return notFound(c)
      return c.render(
        <StudentActionPage
          student={target.holder}
          base={target.base}
          action={action}
          reasonError={errors.reason?.text}
        />,
        { title: title(c) },
      )
    }),
    async (c) => {
      const target = await load(c)
      if (!target) return notFound(c)
      await run(c, target, c.req.valid('form').reason)
      return c.redirect(`${target.base}?done=${action}`, 303)
    },
  )
}

const unlock = (c: C, target: ActionTarget, reason: string) => {
  const { db, clock } = c.get('deps')
  return unlockLogin(db, principalOf(c.get('staff')!), target.holder, reason, clock())
}

studentAction('/students/:id/unlock', 'unlock', 'unlockLogin', accountTarget, unlock)
studentAction('/people/:university/:userId/unlock', 'unlock', 'unlockLogin', rosterTarget, unlock)
studentAction(
  '/students/:id/end-sessions',
  'sessions',
  'endSessions',
  accountTarget,
  (c, t, reason) => {
    const { db, clock } = c.get('deps')
    return endAllSessions(db, principalOf(c.get('staff')!), t.student!, reason, clock())
  },
)

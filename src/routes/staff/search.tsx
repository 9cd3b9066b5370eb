import { Hono } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { universitiesFor } from '../../flows/staff/applications'
import { principalOf } from '../../flows/staff/auth'
import { linesOf } from '../../flows/staff/certificates'
import {
  jstDayStart,
  parseStateFilter,
  SEARCH_LIMIT,
  searchApplications,
  searchStudents,
  STATE_OPTIONS,
} from '../../flows/staff/search'
import type { ConsoleKey } from '../../i18n/console'
import type { FieldErrors } from '../../views/components'
import { SearchPage, type SearchValues } from '../../views/staff/search'
import { errorsFromConsoleIssues, optionalText } from './forms'

/**
 * 検索: students (by ユーザID, 氏名カナ, e-mail, whether or not they applied) and applications
 * (by number, student, payment reference, period and state).
 */
export const search = new Hono<AppEnv>()

// ---- 検索 ----------------------------------------------------------------------------------

const isDay = (v: string) => v === '' || jstDayStart(v) !== null

const searchSchema = z
  .object({
    // Full-width digits are read as digits: the number is often typed from a phone call.
    id: optionalText(12)
      .transform((v) => v.normalize('NFKC'))
      .refine((v) => v === '' || /^\d{1,12}$/.test(v), { error: 'appBadId' }),
    user: optionalText(64),
    name: optionalText(64),
    email: optionalText(254),
    ref: optionalText(100),
    from: optionalText(10).refine(isDay, { error: 'appBadDate' }),
    to: optionalText(10).refine(isDay, { error: 'appBadDate' }),
    state: optionalText(40).refine((v) => v === '' || STATE_OPTIONS.includes(v), {
      error: 'appBadChoice',
    }),
    university: optionalText(64),
  })
  .refine((v) => !v.from || !v.to || jstDayStart(v.to)! >= jstDayStart(v.from)!, {
    error: 'appBadRange',
    path: ['to'],
  })

const searchLabels: Record<keyof SearchValues, ConsoleKey> = {
  id: 'appNumber',
  user: 'appUserId',
  name: 'appNameKana',
  email: 'email',
  ref: 'appPaymentRef',
  from: 'appFrom',
  to: 'appTo',
  state: 'appState',
  university: 'university',
}

/** What was typed, to show again in the form (however long: the view escapes it). */
const searchValues = (q: Record<string, string>): SearchValues => {
  const v = (k: keyof SearchValues) => (typeof q[k] === 'string' ? q[k]!.slice(0, 300) : '')
  return {
    id: v('id'),
    user: v('user'),
    name: v('name'),
    email: v('email'),
    ref: v('ref'),
    from: v('from'),
    to: v('to'),
    state: v('state'),
    university: v('university'),
  }
}

search.get('/search', async (c) => {
  const ct = c.get('ct')
  const { db } = c.get('deps')
  const member = principalOf(c.get('staff')!)
  const values = searchValues(c.req.query())
  // Only the call centre serves several universities and so picks one.
  const universities = member.universityId === null ? await universitiesFor(db, member) : null
  const render = (errors: FieldErrors, results: Parameters<typeof SearchPage>[0]['results']) =>
    c.render(
      <SearchPage values={values} errors={errors} universities={universities} results={results} />,
      { title: ct('navSearch') },
    )
  const terms = (Object.keys(values) as (keyof SearchValues)[]).filter(
    (k) => values[k].trim() !== '' && (k !== 'university' || universities !== null),
  )
  if (terms.length === 0) return render({}, null)

  // 大学 is the call centre's alone: anyone else's is not read at all (their scope decides).
  const query = universities ? c.req.query() : { ...c.req.query(), university: '' }
  const parsed = searchSchema.safeParse(query)
  const errors = parsed.success
    ? {}
    : errorsFromConsoleIssues(parsed.error.issues, searchLabels, ct)
  if (
    parsed.success &&
    universities &&
    parsed.data.university &&
    !universities.some((u) => u.id === parsed.data.university)
  )
    errors.university = { text: ct('appBadChoice', { field: ct('university') }) }
  if (!parsed.success || Object.keys(errors).length > 0) {
    c.status(422)
    return render(errors, null)
  }
  const q = parsed.data
  const criteria = {
    applicationId: q.id ? Number(q.id) : null,
    userId: q.user || null,
    nameKana: q.name || null,
    email: q.email || null,
    paymentRef: q.ref || null,
    from: q.from ? jstDayStart(q.from) : null,
    to: q.to ? jstDayStart(q.to, true) : null,
    state: q.state ? parseStateFilter(q.state) : null,
    universityId: universities && q.university ? q.university : null,
  }
  // Students are looked for when only terms that name a person were given: a number, a
  // period or a state is about applications, and the students' list would not narrow.
  const aboutPeople = (q.user || q.name || q.email) && !(q.id || q.ref || q.from || q.to || q.state)
  const [found, people] = await Promise.all([
    searchApplications(db, member, criteria),
    aboutPeople ? searchStudents(db, member, criteria) : null,
  ])
  const lines = await linesOf(
    db,
    found.rows.filter((r) => r.kind === 'certificate').map((r) => r.id),
  )
  return render({}, { ...found, limit: SEARCH_LIMIT, lines, students: people })
})

import type { PropsWithChildren } from 'hono/jsx'
import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { CREDIT_STATUSES, PAYMENT_STATUSES } from '../../domain/application'
import type { SearchRow, StudentRow } from '../../flows/staff/search'
import type { ConsoleKey } from '../../i18n/console'
import type { CertificateLine } from '../../flows/staff/certificates'
import { methodLabel, statusLabel } from '../pages/charge'
import { ErrorSummary, Field, type FieldError, type FieldErrors } from '../components'
import { CREDIT_LABEL, creditShown, yen } from '../../flows/staff/words'
import { paymentShown } from './applications'
import { issueLabel, linesSummary } from './certificates'
import { DateField, FieldFrame, invalidity, TableWrap, When } from './components'
import { studentPath } from './students'

const useC = () => useRequestContext<AppEnv>()

// ---- 検索 ----------------------------------------------------------------------------------

export interface SearchValues {
  id: string
  user: string
  name: string
  email: string
  ref: string
  from: string
  to: string
  state: string
  university: string
}

export const SearchPage = (p: {
  values: SearchValues
  errors: FieldErrors
  universities: { id: string; name: string; nameEn: string }[] | null
  results: {
    rows: SearchRow[]
    limited: boolean
    limit: number
    lines: Map<number, CertificateLine[]>
    /** The students found; null when the terms were about applications. */
    students: { rows: StudentRow[]; limited: boolean } | null
  } | null
}) => {
  const c = useC()
  const ct = c.get('ct')
  const tr = c.get('tr')
  const v = p.values
  return (
    <>
      <ErrorSummary errors={p.errors} />
      <form method="get" action="/staff/search" class="card console-form" novalidate>
        <div class="inline">
          <Field
            name="id"
            label={ct('appNumber')}
            value={v.id}
            error={p.errors.id}
            inputmode="numeric"
            maxlength={12}
          />
          <Field
            name="user"
            label={ct('appUserId')}
            value={v.user}
            error={p.errors.user}
            maxlength={64}
          />
          <Field
            name="name"
            label={ct('appNameKana')}
            value={v.name}
            error={p.errors.name}
            maxlength={64}
          />
          <Field
            name="email"
            label={ct('email')}
            type="email"
            value={v.email}
            error={p.errors.email}
            maxlength={254}
          />
        </div>
        <Field
          name="ref"
          label={ct('appPaymentRef')}
          hint={ct('appPaymentRefHint')}
          value={v.ref}
          error={p.errors.ref}
          maxlength={100}
        />
        <fieldset class="inline">
          <legend>{ct('appPeriod')}</legend>
          <DateField name="from" label={ct('appFrom')} value={v.from} error={p.errors.from} />
          <DateField name="to" label={ct('appTo')} value={v.to} error={p.errors.to} />
        </fieldset>
        <div class="inline">
          <FieldFrame name="state" label={ct('appState')} error={p.errors.state}>
            <select id="state" name="state" {...invalidity('state', p.errors.state)}>
              <option value="">{ct('appStateAny')}</option>
              <optgroup label={ct('appPaymentStatus')}>
                {PAYMENT_STATUSES.map((s) => (
                  <option value={`payment:${s}`} selected={v.state === `payment:${s}`}>
                    {statusLabel(tr, s)}
                  </option>
                ))}
              </optgroup>
              <optgroup label={ct('appCreditStatus')}>
                {CREDIT_STATUSES.map((s) => (
                  <option value={`credit:${s}`} selected={v.state === `credit:${s}`}>
                    {ct(CREDIT_LABEL[s])}
                  </option>
                ))}
              </optgroup>
            </select>
          </FieldFrame>
          {p.universities && (
            <FieldFrame name="university" label={ct('university')} error={p.errors.university}>
              <select
                id="university"
                name="university"
                {...invalidity('university', p.errors.university)}
              >
                <option value="">{ct('allUniversities')}</option>
                {p.universities!.map((u) => (
                  <option value={u.id} selected={v.university === u.id}>
                    {tr.lang === 'en' ? u.nameEn : u.name}
                  </option>
                ))}
              </select>
            </FieldFrame>
          )}
        </div>
        <div class="actions">
          <button type="submit" class="button primary">
            {ct('appSearchButton')}
          </button>
        </div>
      </form>
      {p.results?.students && (
        <StudentResults
          {...p.results.students}
          limit={p.results.limit}
          showUniversity={p.universities !== null && p.universities.length > 1}
        />
      )}
      {p.results && (
        <SearchResults
          {...p.results}
          showUniversity={p.universities !== null && p.universities.length > 1}
          heading={p.results.students ? 'studentsSearchApplicationsHeading' : 'appResults'}
        />
      )}
    </>
  )
}

const SearchResults = (p: {
  rows: SearchRow[]
  limited: boolean
  limit: number
  showUniversity: boolean
  /** Each certificate order's 内訳 lines, to name what was ordered. */
  lines: Map<number, CertificateLine[]>
  /** 検索結果, or 申請 below the students found. */
  heading: ConsoleKey
}) => {
  const c = useC()
  const ct = c.get('ct')
  const tr = c.get('tr')
  return (
    <section aria-labelledby="results-heading">
      <h2 id="results-heading">{ct(p.heading)}</h2>
      <p role="status">
        {p.rows.length === 0 ? ct('appNoResults') : ct('appResultCount', { count: p.rows.length })}
        {p.limited && ` ${ct('appResultLimited', { limit: p.limit })}`}
      </p>
      {p.rows.length > 0 && (
        <TableWrap label={ct(p.heading)}>
          <table>
            <thead>
              <tr>
                <th scope="col">{ct('appNumber')}</th>
                {p.showUniversity && <th scope="col">{ct('university')}</th>}
                <th scope="col">{ct('certColKind')}</th>
                <th scope="col">{ct('appUserId')}</th>
                <th scope="col">{ct('appNameKana')}</th>
                <th scope="col">{ct('appAmount')}</th>
                <th scope="col">{ct('appMethod')}</th>
                <th scope="col">{ct('appPaymentStatus')}</th>
                <th scope="col">{ct('appCreditStatus')}</th>
                <th scope="col">{ct('appAppliedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/staff/applications/${r.id}`}>{r.id}</a>
                  </td>
                  {p.showUniversity && <td>{r.universityName}</td>}
                  <td class="wrap">
                    {r.kind === 'certificate'
                      ? linesSummary(ct, tr.lang, p.lines.get(r.id) ?? [])
                      : ct('certKindCharge')}
                  </td>
                  <td>
                    <a href={studentPath({ accountId: r.studentId })}>{r.userId}</a>
                  </td>
                  <td>{r.nameKana}</td>
                  <td class="num">{yen(r.amount)}</td>
                  <td>{methodLabel(tr, r.paymentMethod)}</td>
                  <td>{paymentShown(ct, tr, r)}</td>
                  <td>{r.kind === 'certificate' ? issueLabel(ct, r) : creditShown(ct, r)}</td>
                  <td>
                    <When ms={r.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  )
}

/** The students 検索 found, each a link to their page (a roster person's too). */
const StudentResults = (p: {
  rows: StudentRow[]
  limited: boolean
  limit: number
  showUniversity: boolean
}) => {
  const c = useC()
  const ct = c.get('ct')
  const lang = c.get('tr').lang
  return (
    <section aria-labelledby="students-heading">
      <h2 id="students-heading">{ct('studentsSearchHeading')}</h2>
      <p role="status">
        {p.rows.length === 0
          ? ct('studentsSearchNone')
          : ct('studentsSearchCount', { count: p.rows.length })}
        {p.limited && ` ${ct('studentsSearchLimited', { limit: p.limit })}`}
      </p>
      {p.rows.length > 0 && (
        <TableWrap label={ct('studentsSearchHeading')}>
          <table class="student-results">
            <thead>
              <tr>
                <th scope="col">{ct('appUserId')}</th>
                {p.showUniversity && <th scope="col">{ct('university')}</th>}
                <th scope="col">{ct('appNameKana')}</th>
                <th scope="col">{ct('email')}</th>
                <th scope="col">{ct('studentsSearchApplicationsCol')}</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <td>
                    <a href={studentPath(r)}>{r.userId}</a>
                  </td>
                  {p.showUniversity && (
                    <td>{lang === 'en' ? r.universityNameEn : r.universityName}</td>
                  )}
                  <td>{r.nameKana}</td>
                  <td class="wrap">
                    {r.accountId === null
                      ? ct('studentsSearchNeverLoggedIn')
                      : (r.email ?? ct('studentsNotRegistered'))}
                  </td>
                  <td class="num">{r.applications}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  )
}

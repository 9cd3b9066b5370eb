import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { ErrorSummary, Field, type FieldErrors } from '../components'
import { TableWrap, When } from './components'

const useCt = () => useRequestContext<AppEnv>().get('ct')

/** One audit entry as the page and the CSV show it. */
export interface AuditRow {
  id: number
  at: number
  staffEmail: string
  action: string
  targetType: string
  targetId: string | null
  applicationId: number | null
  reason: string | null
  before: string | null
  after: string | null
}

/** The search as typed, to fill the form again and to carry into the page links and the CSV. */
export type AuditQuery = Partial<Record<'email' | 'action' | 'target' | 'from' | 'to', string>>

/** `?email=…&…` of the non-empty filters (and a page), for links. */
export const auditQueryString = (q: AuditQuery, page?: number) => {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v) params.set(k, v)
  if (page && page > 1) params.set('page', String(page))
  const s = params.toString()
  return s ? `?${s}` : ''
}

const SearchForm = ({ query, errors }: { query: AuditQuery; errors: FieldErrors }) => {
  const ct = useCt()
  return (
    <form method="get" action="/staff/audit" class="card console-form" novalidate>
      <h2>{ct('adminAuditSearchHeading')}</h2>
      <div class="inline">
        <Field
          name="email"
          label={ct('adminAuditEmail')}
          hint={ct('adminAuditEmailHint')}
          value={query.email}
          error={errors.email}
          maxlength={254}
        />
        <Field
          name="action"
          label={ct('adminAuditAction')}
          hint={ct('adminAuditActionHint')}
          value={query.action}
          error={errors.action}
          maxlength={60}
        />
        <Field
          name="target"
          label={ct('adminAuditTarget')}
          value={query.target}
          error={errors.target}
          maxlength={100}
        />
      </div>
      <div class="inline">
        <Field
          name="from"
          label={ct('adminAuditFrom')}
          hint={ct('adminAuditDateHint')}
          value={query.from}
          error={errors.from}
          maxlength={10}
          inputmode="numeric"
        />
        <Field
          name="to"
          label={ct('adminAuditTo')}
          hint={ct('adminAuditDateHint')}
          value={query.to}
          error={errors.to}
          maxlength={10}
          inputmode="numeric"
        />
      </div>
      <div class="actions">
        <button type="submit" class="button primary">
          {ct('adminAuditSearch')}
        </button>
      </div>
    </form>
  )
}

/** A JSON column, as it was stored (compact): the log shows what was written, unretouched. */
const Json = ({ value }: { value: string | null }) =>
  value === null ? <span>—</span> : <code class="mono">{value}</code>

/** /staff/audit: the search, one page of entries (newest first) and the CSV link. */
export const AuditPage = ({
  universityName,
  query,
  errors,
  rows,
  page,
  pageSize,
  hasMore,
  csvMax,
}: {
  universityName: string
  query: AuditQuery
  errors: FieldErrors
  rows: AuditRow[] | null
  page: number
  pageSize: number
  hasMore: boolean
  csvMax: number
}) => {
  const ct = useCt()
  const first = (page - 1) * pageSize + 1
  return (
    <>
      <ErrorSummary errors={errors} />
      <p>{ct('adminAuditIntro', { university: universityName })}</p>
      <SearchForm query={query} errors={errors} />
      {rows && rows.length === 0 && <p role="status">{ct('adminAuditNone')}</p>}
      {rows && rows.length > 0 && (
        <>
          <p role="status">
            {ct('adminAuditShowing', { from: first, to: first + rows.length - 1 })}
          </p>
          <TableWrap label={ct('adminAuditTable')}>
            <table class="admin-audit">
              <thead>
                <tr>
                  <th scope="col">{ct('adminAuditAt')}</th>
                  <th scope="col">{ct('adminAuditWho')}</th>
                  <th scope="col">{ct('adminAuditAction')}</th>
                  <th scope="col">{ct('adminAuditTargetCol')}</th>
                  <th scope="col">{ct('adminAuditApplication')}</th>
                  <th scope="col">{ct('adminAuditReason')}</th>
                  <th scope="col">{ct('adminAuditBefore')}</th>
                  <th scope="col">{ct('adminAuditAfter')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td>
                      <When ms={r.at} />
                    </td>
                    <td class="mono">{r.staffEmail}</td>
                    <td class="mono audit-action">{r.action}</td>
                    <td>
                      {r.targetType}
                      {r.targetId !== null && (
                        <>
                          {' '}
                          <span class="mono">{r.targetId}</span>
                        </>
                      )}
                    </td>
                    <td>{r.applicationId ?? '—'}</td>
                    <td class="wrap">{r.reason ?? '—'}</td>
                    <td class="wrap">
                      <Json value={r.before} />
                    </td>
                    <td class="wrap">
                      <Json value={r.after} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <nav class="links" aria-label={ct('adminAuditPages')}>
            {page > 1 && (
              <a href={`/staff/audit${auditQueryString(query, page - 1)}`} rel="prev">
                {ct('adminAuditPrev')}
              </a>
            )}
            {hasMore && (
              <a href={`/staff/audit${auditQueryString(query, page + 1)}`} rel="next">
                {ct('adminAuditNext')}
              </a>
            )}
          </nav>
        </>
      )}
      {rows && (
        <p>
          <a href={`/staff/audit.csv${auditQueryString(query)}`} download>
            {ct('csvDownload')}
          </a>{' '}
          <span class="hint">
            {ct('adminAuditCsvNote', { max: csvMax.toLocaleString('en-US') })}
          </span>
        </p>
      )}
    </>
  )
}

import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { AUDIT_ACTION_GROUPS, AUDIT_ACTIONS, isAuditAction } from '../../flows/staff/audit'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'
import { ErrorSummary, Field, type FieldErrors } from '../components'
import { DateField, FieldFrame, invalidity } from './components'
import { readableFields, type ReadableField } from './auditFields'
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
  /** A student target's ユーザID, a member target's e-mail: how a caller names them. */
  targetUserId: string | null
  targetEmail: string | null
}

/** An action by its name in the console's language (a code the list lacks, as written). */
export const actionName = (ct: ConsoleText, action: string) =>
  isAuditAction(action) ? ct(AUDIT_ACTIONS[action]) : action

/** What each kind of target is called. */
const TARGET_LABEL: Record<string, ConsoleKey> = {
  student: 'adminTgtStudent',
  staff: 'adminTgtStaff',
  staff_invite: 'adminTgtInvite',
  application: 'adminTgtApplication',
  refund: 'adminTgtRefund',
  university: 'adminTgtUniversity',
  certificate: 'adminTgtCertificate',
  certificate_order: 'adminTgtCertOrder',
  roster_import: 'adminTgtRosterImport',
  reconciliation: 'adminTgtReconciliation',
  notification: 'adminTgtNotification',
}

type Target = Pick<AuditRow, 'targetType' | 'targetId' | 'targetUserId' | 'targetEmail'>

/** The target's kind in words and who or which it is (a student's ユーザID, a member's e-mail). */
const targetParts = (ct: ConsoleText, r: Target) => ({
  kind: TARGET_LABEL[r.targetType] ? ct(TARGET_LABEL[r.targetType]!) : r.targetType,
  name: r.targetUserId ?? r.targetEmail ?? r.targetId,
})

/** "学生 demo0001", "スタッフ a@example.jp": the target as one text (the CSV). */
export const targetText = (ct: ConsoleText, r: Target) => {
  const { kind, name } = targetParts(ct, r)
  return name === null ? kind : `${kind} ${name}`
}

/** Where a target's own page is, for those that have one. */
const targetHref = (r: Target) => {
  if (r.targetId === null || !/^[0-9]{1,15}$/.test(r.targetId)) return null
  switch (r.targetType) {
    case 'student':
      return `/staff/students/${r.targetId}`
    case 'application':
    case 'certificate_order':
      return `/staff/applications/${r.targetId}`
    case 'reconciliation':
      return `/staff/reconciliation/${r.targetId}`
  }
  return null
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
        <FieldFrame name="action" label={ct('adminAuditAction')} error={errors.action}>
          <select id="action" name="action" {...invalidity('action', errors.action)}>
            <option value="">{ct('adminAuditActionAny')}</option>
            {AUDIT_ACTION_GROUPS.map((g) => (
              <optgroup label={ct(g.label)}>
                {g.actions.map((a) => (
                  <option value={a} selected={query.action === a}>
                    {ct(AUDIT_ACTIONS[a])}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </FieldFrame>
        <Field
          name="target"
          label={ct('adminAuditTarget')}
          hint={ct('adminAuditTargetHint')}
          value={query.target}
          error={errors.target}
          maxlength={100}
        />
      </div>
      <fieldset class="inline">
        <legend>{ct('adminAuditPeriod')}</legend>
        <DateField
          name="from"
          label={ct('adminAuditFrom')}
          value={query.from ?? ''}
          error={errors.from}
        />
        <DateField name="to" label={ct('adminAuditTo')} value={query.to ?? ''} error={errors.to} />
      </fieldset>
      <div class="actions">
        <button type="submit" class="button primary">
          {ct('adminAuditSearch')}
        </button>
      </div>
    </form>
  )
}

/** Fields as label: value, nested where a value is itself an object (KOMOJU's answer). */
const FieldList = ({ fields }: { fields: ReadableField[] }) => (
  <dl class="audit-fields">
    {fields.map((f) => (
      <div>
        {f.label && <dt>{f.labelIsCode ? <code>{f.label}</code> : f.label}</dt>}
        <dd>
          {f.fields ? (
            <FieldList fields={f.fields} />
          ) : f.code ? (
            <code class="raw">{f.value}</code>
          ) : (
            f.value
          )}
        </dd>
      </div>
    ))}
  </dl>
)

/** A JSON column in words (auditFields.ts); the CSV keeps the JSON as it was written. */
const Fields = ({ json }: { json: string | null }) => {
  const c = useRequestContext<AppEnv>()
  const fields = readableFields(c.get('ct'), c.get('tr'), json)
  return fields === null || fields.length === 0 ? <span>—</span> : <FieldList fields={fields} />
}

/** The target in words, linked to its page where it has one. */
const TargetCell = ({ row }: { row: AuditRow }) => {
  const ct = useCt()
  const { kind, name } = targetParts(ct, row)
  const href = targetHref(row)
  return (
    <>
      {kind}
      {name !== null && (
        <>
          {' '}
          {href ? (
            <a href={href} class="mono">
              {name}
            </a>
          ) : (
            <span class="mono">{name}</span>
          )}
        </>
      )}
    </>
  )
}

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
                    <td class="audit-action" data-action={r.action}>
                      {actionName(ct, r.action)}
                    </td>
                    <td>
                      <TargetCell row={r} />
                    </td>
                    <td>
                      {r.applicationId === null ? (
                        '—'
                      ) : (
                        <a href={`/staff/applications/${r.applicationId}`}>{r.applicationId}</a>
                      )}
                    </td>
                    <td>{r.reason ?? '—'}</td>
                    <td>
                      <Fields json={r.before} />
                    </td>
                    <td>
                      <Fields json={r.after} />
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

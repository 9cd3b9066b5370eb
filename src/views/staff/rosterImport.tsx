import type { RosterImport } from '../../flows/roster/imports'
import { PREVIEW_PAGE_SIZE, type PreviewPage, type PreviewRow } from '../../flows/roster/preview'
import { formatJstDateTime } from '../../domain/time'
import { CsrfField, Message } from '../components'
import { TableWrap, When } from './components'
import {
  CHANGE_LABEL,
  counts,
  ENCODING_LABEL,
  SOURCE_LABEL,
  STATE_LABEL,
  STATUS_WORD,
  useCt,
  type Notice,
} from './roster'

// An import's own page (/staff/roster/:id): progress, counts, rejected rows, changes, apply.

const Pager = ({
  page,
  total,
  param,
  base,
}: {
  page: number
  total: number
  param: string
  base: URLSearchParams
}) => {
  const ct = useCt()
  if (total <= PREVIEW_PAGE_SIZE) return null
  const from = (page - 1) * PREVIEW_PAGE_SIZE + 1
  const to = Math.min(total, page * PREVIEW_PAGE_SIZE)
  const href = (p: number) => {
    const q = new URLSearchParams(base)
    q.set(param, String(p))
    return `?${q}`
  }
  return (
    <nav class="pager" aria-label={ct('rosterPage', { from, to, total })}>
      <p>{ct('rosterPage', { from, to, total })}</p>
      {page > 1 && <a href={href(page - 1)}>{ct('rosterPrev')}</a>}{' '}
      {to < total && <a href={href(page + 1)}>{ct('rosterNext')}</a>}
    </nav>
  )
}

const RejectedTable = ({ rows }: { rows: PreviewRow[] }) => {
  const ct = useCt()
  return (
    <TableWrap label={ct('rosterRejectedTable')}>
      <table>
        <thead>
          <tr>
            <th scope="col">{ct('rosterColLine')}</th>
            <th scope="col">{ct('rosterColUser')}</th>
            <th scope="col">{ct('rosterColReason')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td class="num">{r.line}</td>
              <td class="mono">{r.userId ?? '—'}</td>
              <td class="wrap text">{r.reason ? ct(r.reason.key, r.reason.params) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  )
}

const ChangesTable = ({ rows }: { rows: PreviewRow[] }) => {
  const ct = useCt()
  return (
    <TableWrap label={ct('rosterChangesTable')}>
      <table>
        <thead>
          <tr>
            <th scope="col">{ct('rosterColLine')}</th>
            <th scope="col">{ct('rosterColUser')}</th>
            <th scope="col">{ct('rosterColChange')}</th>
            <th scope="col">{ct('rosterColKana')}</th>
            <th scope="col">{ct('rosterColPersonName')}</th>
            <th scope="col">{ct('rosterColStatusShort')}</th>
            <th scope="col">{ct('rosterColLeftOnShort')}</th>
            <th scope="col">{ct('rosterColPassword')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td class="num">{r.line}</td>
              <td class="mono">{r.userId}</td>
              <td class="nowrap">{ct(CHANGE_LABEL[r.change])}</td>
              <td>{r.nameKana}</td>
              <td>{r.name ?? '—'}</td>
              <td class="nowrap">{r.status ? (STATUS_WORD[r.status] ?? r.status) : '—'}</td>
              <td class="nowrap">{r.leftOn ?? '—'}</td>
              <td class="text">
                {ct(r.setsPassword ? 'rosterPasswordSet' : 'rosterPasswordKeep')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  )
}

const ApplyForm = ({ imp, ackError }: { imp: RosterImport; ackError?: boolean }) => {
  const ct = useCt()
  const c = counts(imp)
  const toApply = c.new + c.changed + c.leaving
  return (
    <section class="card" aria-labelledby="apply-heading">
      <h2 id="apply-heading">{ct('rosterApplyHeading')}</h2>
      {toApply === 0 ? (
        <p>{ct('rosterNothingToApply')}</p>
      ) : (
        <form
          method="post"
          action={`/staff/roster/${imp.id}/apply`}
          class="console-form"
          novalidate
        >
          <CsrfField />
          <p>{ct('rosterApplyIntro', c)}</p>
          <p>{ct('rosterAbsent')}</p>
          {c.rejected > 0 && (
            <>
              <p>{ct('rosterApplyRejected', c)}</p>
              <div class={ackError ? 'field checkbox has-error' : 'field checkbox'}>
                {ackError && (
                  <div class="field-error" id="ack-error">
                    <p>{ct('rosterErrAckRequired')}</p>
                  </div>
                )}
                <input
                  type="checkbox"
                  id="skip_rejected"
                  name="skip_rejected"
                  value="1"
                  required
                  aria-invalid={ackError ? 'true' : undefined}
                  aria-describedby={ackError ? 'ack-error' : undefined}
                />
                <label for="skip_rejected">{ct('rosterApplyAck', c)}</label>
              </div>
            </>
          )}
          <div class="actions">
            <button type="submit" class="button primary">
              {ct('rosterApplyButton')}
            </button>
          </div>
        </form>
      )}
      <form method="post" action={`/staff/roster/${imp.id}/discard`} class="actions">
        <CsrfField />
        <button type="submit" class="button">
          {ct('rosterDiscardButton')}
        </button>
      </form>
    </section>
  )
}

/** /staff/roster/:id: an import's progress, counts, rejected rows and changes; apply or discard. */
export const ImportPage = ({
  imp,
  byName,
  rejected,
  changes,
  query,
  notice,
  ackError,
  canApply,
}: {
  imp: RosterImport
  /** Ready, or left applying by a request that died (flows/roster/imports.ts applicable). */
  canApply: boolean
  byName: string | null
  rejected: PreviewPage
  changes: PreviewPage
  query: URLSearchParams
  notice?: Notice
  ackError?: boolean
}) => {
  const ct = useCt()
  const c = counts(imp)
  const done = imp.state !== 'checking' && imp.state !== 'failed'
  return (
    <>
      {notice && <Message kind={notice.kind}>{notice.text}</Message>}
      <p>
        <a href="/staff/roster">{ct('rosterBack')}</a>
      </p>
      <p>
        {ct('rosterColState')}: <strong>{ct(STATE_LABEL[imp.state])}</strong>
      </p>
      <p class="roster-file">
        {ct('rosterDetails', {
          file: imp.fileName ?? ct(SOURCE_LABEL[imp.source]),
          encoding: imp.encoding ? ct(ENCODING_LABEL[imp.encoding] ?? 'rosterEncodingUtf8') : '—',
          total: imp.totalRows,
          by: byName ?? ct('rosterStaffCron'),
        })}{' '}
        (<When ms={imp.createdAt} />)
      </p>
      {imp.state === 'checking' && (
        <Message kind="info">
          <p>{ct('rosterCheckingNote', { checked: imp.checkedRows, total: imp.totalRows })}</p>
          <p>
            <a href={`/staff/roster/${imp.id}`}>{ct('rosterReload')}</a>
          </p>
        </Message>
      )}
      {imp.state === 'failed' && (
        <Message kind="error">
          <p>{ct('rosterFailedNote')}</p>
          {imp.error === 'checkFailed' && <p>{ct('rosterErrCheckFailed')}</p>}
        </Message>
      )}
      {imp.state === 'applied' && imp.appliedAt !== null && (
        <Message kind="success">
          <p>{ct('rosterAppliedNote', { at: formatJstDateTime(imp.appliedAt) })}</p>
        </Message>
      )}
      {imp.state === 'discarded' && (
        <Message kind="info">
          <p>{ct('rosterDiscardedNote')}</p>
        </Message>
      )}
      {done && (
        <section aria-labelledby="counts-heading">
          <h2 id="counts-heading">{ct('rosterCountsHeading')}</h2>
          <dl class="facts">
            <dt>{ct('rosterCountNew')}</dt>
            <dd>{c.new}</dd>
            <dt>{ct('rosterCountChanged')}</dt>
            <dd>{c.changed}</dd>
            <dt>{ct('rosterCountLeaving')}</dt>
            <dd>{c.leaving}</dd>
            <dt>{ct('rosterCountUnchanged')}</dt>
            <dd>{c.unchanged}</dd>
            <dt>{ct('rosterCountRejected')}</dt>
            <dd>{c.rejected}</dd>
          </dl>
          <p>{ct('rosterAbsent')}</p>
        </section>
      )}
      {canApply && <ApplyForm imp={imp} ackError={ackError} />}
      {imp.state === 'failed' && (
        <form method="post" action={`/staff/roster/${imp.id}/discard`} class="actions">
          <CsrfField />
          <button type="submit" class="button">
            {ct('rosterDiscardButton')}
          </button>
        </form>
      )}
      {done && rejected.total > 0 && (
        <section aria-labelledby="rejected-heading">
          <h2 id="rejected-heading">{ct('rosterRejectedHeading')}</h2>
          <RejectedTable rows={rejected.rows} />
          <Pager page={rejected.page} total={rejected.total} param="rpage" base={query} />
        </section>
      )}
      {done && (
        <section aria-labelledby="changes-heading">
          <h2 id="changes-heading">{ct('rosterChangesHeading')}</h2>
          {changes.total === 0 ? (
            <p>{ct('rosterNoChanges')}</p>
          ) : (
            <>
              <ChangesTable rows={changes.rows} />
              <Pager page={changes.page} total={changes.total} param="cpage" base={query} />
            </>
          )}
        </section>
      )}
    </>
  )
}

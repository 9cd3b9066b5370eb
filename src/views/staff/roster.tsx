import { useRequestContext } from 'hono/jsx-renderer'
import type { AppEnv } from '../../context'
import type { RosterChange, RosterImportState, RosterSource } from '../../domain/roster'
import {
  ROSTER_COLUMNS,
  REQUIRED_COLUMNS,
  STATUS_WORDS,
  type RosterColumn,
} from '../../domain/rosterCsv'
import { formatJstDateTime } from '../../domain/time'
import type { RosterImport } from '../../flows/roster/imports'
import { PREVIEW_PAGE_SIZE, type PreviewPage, type PreviewRow } from '../../flows/roster/preview'
import type { ConsoleKey } from '../../i18n/console'
import { CsrfField, Message } from '../components'
import { RosterSyncSection } from './rosterSync'
import { TableWrap, When } from './components'

export type Notice = { kind: 'info' | 'success' | 'error'; text: string }

const useCt = () => useRequestContext<AppEnv>().get('ct')

export const STATE_LABEL: Record<RosterImportState, ConsoleKey> = {
  checking: 'rosterStateChecking',
  ready: 'rosterStateReady',
  applying: 'rosterStateApplying',
  applied: 'rosterStateApplied',
  discarded: 'rosterStateDiscarded',
  failed: 'rosterStateFailed',
}

const SOURCE_LABEL: Record<RosterSource, ConsoleKey> = {
  upload: 'rosterSourceUpload',
  registrar: 'rosterSourceRegistrar',
  seed: 'rosterSourceSeed',
}

const CHANGE_LABEL: Record<RosterChange, ConsoleKey> = {
  new: 'rosterChangeNew',
  changed: 'rosterChangeChanged',
  leaving: 'rosterChangeLeaving',
  unchanged: 'rosterChangeUnchanged',
  rejected: 'rosterChangeRejected',
}

const ENCODING_LABEL: Record<string, ConsoleKey> = {
  'utf-8': 'rosterEncodingUtf8',
  'utf-8-bom': 'rosterEncodingUtf8Bom',
  cp932: 'rosterEncodingCp932',
}

const COLUMN_HELP: Record<RosterColumn, ConsoleKey> = {
  userId: 'rosterColUserId',
  nameKana: 'rosterColNameKana',
  name: 'rosterColName',
  status: 'rosterColStatus',
  leftOn: 'rosterColLeftOn',
  passwordHash: 'rosterColHash',
  initialPassword: 'rosterColInitial',
}

/** 在籍状況 as the office writes it (the file's own words, in both languages). */
const STATUS_WORD: Record<string, string> = Object.fromEntries(
  Object.entries(STATUS_WORDS).map(([word, code]) => [code, word]),
)

const counts = (imp: RosterImport) => ({
  new: imp.newCount,
  changed: imp.changedCount,
  leaving: imp.leavingCount,
  unchanged: imp.unchangedCount,
  rejected: imp.rejectedCount,
})

const Columns = () => {
  const ct = useCt()
  return (
    <section aria-labelledby="columns-heading">
      <h2 id="columns-heading">{ct('rosterColumnsHeading')}</h2>
      <p>{ct('rosterColumnsIntro')}</p>
      <TableWrap label={ct('rosterColumnsHeading')}>
        <table class="roster-columns">
          <thead>
            <tr>
              <th scope="col">{ct('rosterColumnName')}</th>
              <th scope="col">{ct('rosterColumnRequired')}</th>
              <th scope="col">{ct('rosterColumnMeaning')}</th>
            </tr>
          </thead>
          <tbody>
            {(Object.keys(ROSTER_COLUMNS) as RosterColumn[]).map((c) => (
              <tr>
                <th scope="row" class="nowrap">
                  {ROSTER_COLUMNS[c]}
                </th>
                <td class="nowrap">
                  {ct(REQUIRED_COLUMNS.includes(c) ? 'rosterYes' : 'rosterNo')}
                </td>
                <td>{ct(COLUMN_HELP[c])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <p>{ct('rosterPasswordRule')}</p>
    </section>
  )
}

const Progress = ({ imp }: { imp: RosterImport }) => {
  const ct = useCt()
  if (imp.state === 'checking')
    return <>{ct('rosterProgress', { checked: imp.checkedRows, total: imp.totalRows })}</>
  if (imp.state === 'failed') return <>—</>
  return <>{ct('rosterSummary', counts(imp))}</>
}

/** /staff/roster: the upload form, the columns explained, and the imports so far. */
export const RosterPage = ({
  imports,
  notice,
  uploadError,
  maxMb,
}: {
  imports: RosterImport[]
  notice?: Notice
  uploadError?: string
  maxMb: number
}) => {
  const ct = useCt()
  return (
    <>
      {notice && <Message kind={notice.kind}>{notice.text}</Message>}
      <p>{ct('rosterIntro')}</p>
      <p>
        <strong>{ct('rosterAbsent')}</strong>
      </p>
      <section class="card" aria-labelledby="upload-heading">
        <h2 id="upload-heading">{ct('rosterUploadHeading')}</h2>
        <form
          method="post"
          action="/staff/roster"
          enctype="multipart/form-data"
          class="console-form"
          novalidate
        >
          <CsrfField />
          <div class={uploadError ? 'field has-error' : 'field'}>
            <label for="file">{ct('rosterFile')}</label>
            <p class="hint" id="file-hint">
              {ct('rosterFileHint', { max: maxMb })}
            </p>
            {uploadError && (
              <div class="field-error" id="file-error">
                <p>{uploadError}</p>
              </div>
            )}
            <input
              type="file"
              id="file"
              name="file"
              accept=".csv,text/csv"
              required
              aria-invalid={uploadError ? 'true' : undefined}
              aria-describedby={uploadError ? 'file-hint file-error' : 'file-hint'}
            />
          </div>
          <div class="actions">
            <button type="submit" class="button primary">
              {ct('rosterUploadButton')}
            </button>
          </div>
        </form>
        <p>
          <a href="/staff/roster/template.csv" download>
            {ct('rosterTemplate')}
          </a>
        </p>
      </section>
      <RosterSyncSection />
      <Columns />
      <section aria-labelledby="imports-heading">
        <h2 id="imports-heading">{ct('rosterImportsHeading')}</h2>
        {imports.length === 0 ? (
          <p>{ct('rosterNoImports')}</p>
        ) : (
          <TableWrap label={ct('rosterImportsTable')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{ct('rosterColCreated')}</th>
                  <th scope="col">{ct('rosterColFile')}</th>
                  <th scope="col">{ct('rosterColState')}</th>
                  <th scope="col">{ct('rosterColSummary')}</th>
                </tr>
              </thead>
              <tbody>
                {imports.map((imp) => (
                  <tr>
                    <td>
                      <a href={`/staff/roster/${imp.id}`}>
                        {ct('rosterOpen')} #{imp.id}
                      </a>
                    </td>
                    <td class="nowrap">
                      <When ms={imp.createdAt} />
                    </td>
                    <td class="roster-file">{imp.fileName ?? ct(SOURCE_LABEL[imp.source])}</td>
                    <td class="nowrap">{ct(STATE_LABEL[imp.state])}</td>
                    <td>
                      <Progress imp={imp} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  )
}

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
              <td>{r.reason ? ct(r.reason.key, r.reason.params) : '—'}</td>
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
              <td class="nowrap">
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
              <div class={ackError ? 'field has-error' : 'field'}>
                {ackError && (
                  <div class="field-error" id="ack-error">
                    <p>{ct('rosterErrAckRequired')}</p>
                  </div>
                )}
                <label class="checkbox">
                  <input
                    type="checkbox"
                    name="skip_rejected"
                    value="1"
                    required
                    aria-invalid={ackError ? 'true' : undefined}
                    aria-describedby={ackError ? 'ack-error' : undefined}
                  />{' '}
                  {ct('rosterApplyAck', c)}
                </label>
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
}: {
  imp: RosterImport
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
          <dl class="roster-counts">
            <div>
              <dt>{ct('rosterCountNew')}</dt>
              <dd>{c.new}</dd>
            </div>
            <div>
              <dt>{ct('rosterCountChanged')}</dt>
              <dd>{c.changed}</dd>
            </div>
            <div>
              <dt>{ct('rosterCountLeaving')}</dt>
              <dd>{c.leaving}</dd>
            </div>
            <div>
              <dt>{ct('rosterCountUnchanged')}</dt>
              <dd>{c.unchanged}</dd>
            </div>
            <div>
              <dt>{ct('rosterCountRejected')}</dt>
              <dd>{c.rejected}</dd>
            </div>
          </dl>
          <p>{ct('rosterAbsent')}</p>
        </section>
      )}
      {imp.state === 'ready' && <ApplyForm imp={imp} ackError={ackError} />}
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

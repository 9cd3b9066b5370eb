import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import type { RosterChange, RosterImportState, RosterSource } from '../../domain/roster'
import {
  ROSTER_COLUMNS,
  REQUIRED_COLUMNS,
  STATUS_WORDS,
  type RosterColumn,
} from '../../domain/rosterCsv'
import type { RosterImport } from '../../flows/roster/imports'
import type { ConsoleKey } from '../../i18n/console'
import { CsrfField, Message } from '../components'
import { RosterSyncSection } from './rosterSync'
import { TableWrap, When } from './components'

export type Notice = { kind: 'info' | 'success' | 'error'; text: string }

export const useCt = () => useRequestContext<AppEnv>().get('ct')

export const STATE_LABEL: Record<RosterImportState, ConsoleKey> = {
  checking: 'rosterStateChecking',
  ready: 'rosterStateReady',
  applying: 'rosterStateApplying',
  applied: 'rosterStateApplied',
  discarded: 'rosterStateDiscarded',
  failed: 'rosterStateFailed',
}

export const SOURCE_LABEL: Record<RosterSource, ConsoleKey> = {
  upload: 'rosterSourceUpload',
  registrar: 'rosterSourceRegistrar',
  seed: 'rosterSourceSeed',
}

export const CHANGE_LABEL: Record<RosterChange, ConsoleKey> = {
  new: 'rosterChangeNew',
  changed: 'rosterChangeChanged',
  leaving: 'rosterChangeLeaving',
  unchanged: 'rosterChangeUnchanged',
  rejected: 'rosterChangeRejected',
}

export const ENCODING_LABEL: Record<string, ConsoleKey> = {
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
export const STATUS_WORD: Record<string, string> = Object.fromEntries(
  Object.entries(STATUS_WORDS).map(([word, code]) => [code, word]),
)

export const counts = (imp: RosterImport) => ({
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
                <td class="wrap text">{ct(COLUMN_HELP[c])}</td>
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
          <a href="/staff/roster-template.csv" download>
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
                    <td class="text">
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

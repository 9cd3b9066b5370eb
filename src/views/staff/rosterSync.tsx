import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import type { RosterImportState } from '../../domain/roster'
import { formatJstDateTime } from '../../domain/time'
import type { ConsoleText } from '../../i18n/console'
import { failureOf, type SyncFailure } from '../../flows/roster/sync'
import type { ConsoleKey } from '../../i18n/console'
import { CsrfField, Message } from '../components'
import { TableWrap, When } from './components'

/** Where an import's own page is (the roster's pages). */
export const importHref = (id: number) => `/staff/roster/${id}`

/** A sync from the registrar, as the list of recent ones shows it. */
export interface SyncRun {
  id: number
  state: RosterImportState
  createdAt: number
  byName: string | null
  /** Null: the nightly cron. */
  createdBy: number | null
  newCount: number
  changedCount: number
  leavingCount: number
  rejectedCount: number
  error: string | null
}

/** Why a sync did not apply, in words a university's office can act on. */
export const syncFailureText = (ct: ConsoleText, f: SyncFailure): string => {
  switch (f.error) {
    case 'maintenance':
      return f.until === null
        ? ct('rosterSyncErrMaintenanceNoTime')
        : ct('rosterSyncErrMaintenance', { until: formatJstDateTime(f.until) })
    case 'notConfigured':
      return ct('rosterSyncErrNotConfigured')
    case 'misconfigured':
      return f.status === 401
        ? ct('rosterSyncErrKeyRefused')
        : f.status === undefined
          ? ct('rosterSyncErrNotConfigured')
          : ct('rosterSyncErrRefused', { detail: f.detail })
    case 'notApplied':
      return ct('rosterSyncErrNotApplied')
    case 'unavailable':
    case 'unknownStudent':
    case 'notEligible':
      return ct('rosterSyncErrUnavailable')
  }
}

/** The kind of failure, in a few words (the list of recent syncs). */
const failureShort = (f: SyncFailure): ConsoleKey => {
  switch (f.error) {
    case 'maintenance':
      return 'rosterSyncShortMaintenance'
    case 'notConfigured':
      return 'rosterSyncShortNotConfigured'
    case 'misconfigured':
      return f.status === 401
        ? 'rosterSyncShortKeyRefused'
        : f.status === undefined
          ? 'rosterSyncShortNotConfigured'
          : 'rosterSyncShortRefused'
    case 'notApplied':
      return 'rosterSyncShortNotApplied'
    default:
      return 'rosterSyncShortUnavailable'
  }
}

/** The button with what it does not bring (passwords). */
const RosterSyncForm = ({ card = true }: { card?: boolean }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <form
      method="post"
      action="/staff/roster-sync"
      class={card ? 'card console-form' : 'console-form'}
      novalidate
    >
      <CsrfField />
      <p class="hint">{ct('rosterSyncNoPassword')}</p>
      <div class="actions">
        <button type="submit" class="button primary">
          {ct('rosterSyncButton')}
        </button>
      </div>
    </form>
  )
}

/** The button on the roster's page (名簿), with the way to the recent syncs. */
export const RosterSyncSection = () => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <section class="card" aria-labelledby="sync-heading">
      <h2 id="sync-heading">{ct('rosterSyncTitle')}</h2>
      <p>{ct('rosterSyncIntro')}</p>
      <RosterSyncForm card={false} />
      <p>
        <a href="/staff/roster-sync">{ct('rosterSyncRecent')}</a>
      </p>
    </section>
  )
}

const Result = ({ run }: { run: SyncRun }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  if (run.state === 'applied')
    return (
      <>
        {ct('rosterSyncResultApplied', {
          new: run.newCount,
          changed: run.changedCount,
          leaving: run.leavingCount,
          rejected: run.rejectedCount,
        })}
      </>
    )
  if (run.state === 'failed') return <>{ct('rosterSyncResultFailed', { error: run.error ?? '' })}</>
  return <>{ct('rosterSyncResultOther', { state: run.state })}</>
}

/** 学務システムから名簿を更新: where the roster stands, the button, the recent syncs. */
export const RosterSyncPage = ({
  syncedThrough,
  runs,
  error,
  failedImport,
}: {
  syncedThrough: number | null
  runs: readonly SyncRun[]
  /** Why the sync just asked for did not apply, in words. */
  error?: string
  failedImport?: number | null
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <>
      {error && (
        <Message kind="error">
          <p>{error}</p>
          {failedImport != null && (
            <p>
              <a href={importHref(failedImport)}>{ct('rosterSyncShow')}</a>
            </p>
          )}
        </Message>
      )}
      <p>{ct('rosterSyncIntro')}</p>
      <dl class="summary">
        <dt>{ct('rosterSyncThrough')}</dt>
        <dd data-synced-through={syncedThrough ?? ''}>
          {syncedThrough === null ? ct('rosterSyncNever') : <When ms={syncedThrough} />}
        </dd>
      </dl>
      <RosterSyncForm />
      <section aria-labelledby="sync-runs">
        <h2 id="sync-runs">{ct('rosterSyncRecent')}</h2>
        {runs.length === 0 ? (
          <p>{ct('rosterSyncNone')}</p>
        ) : (
          <TableWrap label={ct('rosterSyncTable')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{ct('rosterSyncColAt')}</th>
                  <th scope="col">{ct('rosterSyncColBy')}</th>
                  <th scope="col">{ct('rosterSyncColResult')}</th>
                  <th scope="col">{ct('rosterSyncColImport')}</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr data-import={run.id} data-state={run.state}>
                    <td>
                      <When ms={run.createdAt} />
                    </td>
                    <td>
                      {run.createdBy === null ? ct('rosterSyncNightly') : (run.byName ?? '—')}
                    </td>
                    <td class="wrap">
                      <Result run={run} />
                    </td>
                    <td>
                      <a href={importHref(run.id)}>{ct('rosterSyncImportNo', { id: run.id })}</a>
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

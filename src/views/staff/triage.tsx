import { html } from 'hono/html'
import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { Message } from '../components'
import {
  TRIAGE_KIND_LABEL,
  TRIAGE_KINDS,
  type Activity,
  type StopWindow,
  type TriageItem,
  type TriageKind,
} from '../../flows/staff/triage'
import type { ConsoleText } from '../../i18n/console'
import { ActivityChart } from './chart'
import { codedMarkup, TableWrap, whenMarkup } from './components'
import { creditErrorSentence, yen } from '../../flows/staff/words'

/** "2日3時間", "1時間5分", "12分": how long something has waited. */
export const waitedText = (ct: ConsoleText, ms: number) => {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  if (days > 0) return ct('triageDays', { d: days, h: hours })
  if (hours > 0) return ct('triageHours', { h: hours, m: minutes % 60 })
  return ct('triageMinutes', { m: minutes })
}

// One row per item, up to 300 on the page: built with hono's `html` template, which escapes
// every value as JSX does, for a fraction of JSX's CPU per element (bench/profile.ts). The
// markup is what the JSX made, byte for byte (prettier would add whitespace: prettier-ignore).

/** What the item is about: its application, its gateway event, or the payment. */
// prettier-ignore
const subject = (ct: ConsoleText, item: TriageItem) =>
  html`${item.applicationId === null ? null : html`<a href="/staff/applications/${item.applicationId}">${item.applicationId}</a>`}${item.eventId === null ? null : html`<span class="event-id">${item.applicationId === null ? null : ' '}${ct('triageEvent', { id: item.eventId })} <a href="/staff/events/${encodeURIComponent(item.eventId)}/resolve">${ct('triageResolve')}</a></span>`}${item.applicationId === null && item.paymentId !== null ? html`<span class="payment-id"> ${ct('triagePayment', { id: item.paymentId })}</span>` : null}`

/** Why a credit waits for a person, in words, with the desk's record in small type. */
// prettier-ignore
const causeLine = (ct: ConsoleText, item: TriageItem) => {
  const cause = creditErrorSentence(ct, item.creditError, item.kind)
  return cause ? html`<p class="cause">${codedMarkup(ct, cause.sentence, cause.code)}</p>` : null
}

// prettier-ignore
const itemRow = (
  ct: ConsoleText,
  item: TriageItem,
  now: number,
  universityNames: Map<string, string> | null,
  anchor: string | null = null,
) =>
  html`<tr data-kind="${item.kind}" data-since="${item.since}"><td${anchor === null ? null : html` id="${anchor}"`}>${ct(TRIAGE_KIND_LABEL[item.kind])}${item.kind === 'retrying' || item.kind === 'stalled' ? html`<span class="muted"> ${ct('triageAttempts', { n: item.attempts ?? 0 })}</span>` : null}${causeLine(ct, item)}</td>${universityNames ? html`<td>${item.universityId === null ? ct('dash') : (universityNames.get(item.universityId) ?? item.universityId)}</td>` : null}<td>${subject(ct, item)}</td><td class="num">${item.amount === null ? ct('dash') : yen(item.amount)}</td><td>${whenMarkup(item.since)}</td><td>${waitedText(ct, now - item.since)}</td><td>${whenMarkup(item.alertedAt)}</td></tr>`

export interface TriagePageProps {
  counts: Record<TriageKind, number>
  items: TriageItem[]
  now: number
  /** University names by id; shown in a column of their own for the call centre. */
  universityNames: Map<string, string> | null
  activity: Activity
  windows: StopWindow[]
}

/** 要対応: counts per kind, the items oldest first, and the last 48 hours as a chart. */
export const TriagePage = ({
  counts,
  items,
  now,
  universityNames,
  activity,
  windows,
  resolved,
}: TriagePageProps & { resolved?: string | null }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  const total = TRIAGE_KINDS.reduce((sum, k) => sum + counts[k], 0)
  // Each count links to the first row of its kind in the list (oldest first), where one is shown.
  const firstOfKind = new Map<TriageKind, TriageItem>()
  for (const item of items) if (!firstOfKind.has(item.kind)) firstOfKind.set(item.kind, item)
  const anchorOf = (k: TriageKind) => `triage-${k}`
  return (
    <>
      {resolved && <Message kind="success">{ct('triageResolveDone', { id: resolved })}</Message>}
      <p>{ct('triageIntro')}</p>
      <section aria-labelledby="triage-counts-heading">
        <h2 id="triage-counts-heading">{ct('triageCounts')}</h2>
        <ul class="counts">
          <li data-kind="total">
            <strong>{total}</strong>
            {total > 0 ? <a href="#triage-list-heading">{ct('triageTotal')}</a> : ct('triageTotal')}
          </li>
          {TRIAGE_KINDS.map((k) => (
            <li data-kind={k} class={counts[k] > 0 ? 'has-items' : undefined}>
              <strong>{counts[k]}</strong>
              {firstOfKind.has(k) ? (
                <a href={`#${anchorOf(k)}`}>{ct(TRIAGE_KIND_LABEL[k])}</a>
              ) : (
                ct(TRIAGE_KIND_LABEL[k])
              )}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="triage-list-heading">
        <h2 id="triage-list-heading">{ct('triageListHeading')}</h2>
        {items.length === 0 ? (
          <p>{ct('triageNone')}</p>
        ) : (
          <>
            {items.length < total && <p>{ct('triageTruncated', { shown: items.length, total })}</p>}
            <TableWrap label={ct('triageListHeading')}>
              <table class="triage-items">
                <thead>
                  <tr>
                    <th scope="col">{ct('triageColKind')}</th>
                    {universityNames && <th scope="col">{ct('university')}</th>}
                    <th scope="col">{ct('triageColSubject')}</th>
                    <th scope="col">{ct('triageColAmount')}</th>
                    <th scope="col">{ct('triageColSince')}</th>
                    <th scope="col">{ct('triageColWaited')}</th>
                    <th scope="col">{ct('triageColAlert')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) =>
                    itemRow(
                      ct,
                      item,
                      now,
                      universityNames,
                      firstOfKind.get(item.kind) === item ? anchorOf(item.kind) : null,
                    ),
                  )}
                </tbody>
              </table>
            </TableWrap>
          </>
        )}
      </section>

      <ActivityChart activity={activity} windows={windows} />
    </>
  )
}

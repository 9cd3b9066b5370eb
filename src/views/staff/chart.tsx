import { html } from 'hono/html'
import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { formatJstDate, formatJstDateTime, formatJstTime, jstParts } from '../../domain/time'
import type { Activity, HourActivity, StopWindow } from '../../flows/staff/triage'
import type { ConsoleKey, ConsoleText } from '../../i18n/console'

/**
 * The 要対応 chart: applications, payments and M.I.C. credits per hour as grouped bars,
 * the M.I.C. stop windows shaded behind them. Server-rendered SVG (JSX, and hono's escaping
 * `html` template for the repeated parts), readable without JavaScript or CSS: a <title> and <desc> that say
 * what it shows and its totals, axis labels, a legend, and the same numbers as a table in
 * a <details> below it. Colours are presentation attributes, which the CSP allows.
 */

const HOUR = 60 * 60_000
const WIDTH = 960
const HEIGHT = 340
const LEFT = 56
const RIGHT = 16
const TOP = 44
const BOTTOM = 64
const PLOT_W = WIDTH - LEFT - RIGHT
const PLOT_H = HEIGHT - TOP - BOTTOM
const TEXT = '#333333'
const GRID = '#d8dce2'

type SeriesKey = 'applications' | 'payments' | 'credits'
const SERIES: { key: SeriesKey; label: ConsoleKey; colour: string }[] = [
  { key: 'applications', label: 'triageSeriesApplications', colour: '#1f5f9e' },
  { key: 'payments', label: 'triageSeriesPayments', colour: '#d97706' },
  { key: 'credits', label: 'triageSeriesCredits', colour: '#2f7d32' },
]
const SERIES_COLOUR = Object.fromEntries(SERIES.map((s) => [s.key, s.colour])) as Record<
  SeriesKey,
  string
>
const STOP_FILL = '#7a808a'
const STOP_OPACITY = 0.22

/** A round step for the count axis: 1, 2, 5, 10, 20, 50 … so that about four steps reach `max`. */
const niceStep = (max: number) => {
  const rough = Math.max(1, Math.ceil(max / 4))
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)
  return step ?? 10 * magnitude
}

/** A span's two ends as shown: the end without its date when it is the same day. */
const spanParts = (start: number, end: number): [string, string] => [
  formatJstDateTime(start),
  formatJstDate(start) === formatJstDate(end - 1) ? formatJstTime(end) : formatJstDateTime(end),
]

/** "2026/11/30 12:00〜13:00", or with both dates when it spans days. */
export const spanText = (start: number, end: number) => spanParts(start, end).join('〜')

/** How a stop window is named: in its <title>, the chart's description and the table. */
export const stopWindowText = (ct: ConsoleText, w: StopWindow) => {
  const [start, end] = spanParts(w.start, w.end)
  if (w.kind === 'fiscalYearEnd')
    return ct('triageStopFiscal', {
      universities: w.universities.join(ct('triageSeparator')),
      start,
      end,
    })
  return ct(w.kind === 'daily' ? 'triageStopDaily' : 'triageStopMonthEnd', { start, end })
}

// The chart's repeated parts (a tick, a bar, a table row: hundreds per page) are built with
// hono's `html` template, which escapes every value exactly as JSX does, at a fraction of
// JSX's cost per element (bench/profile.ts). The markup is what the JSX made, byte for byte
// (prettier would add whitespace to it: hence prettier-ignore).

// prettier-ignore
const countTick = (y: number, v: number) =>
  html`<g><line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y}" y2="${y}" stroke="${GRID}"></line><text x="${LEFT - 6}" y="${y + 4}" text-anchor="end" fill="${TEXT}">${v}</text></g>`

// prettier-ignore
const bar = (key: SeriesKey, x: number, y: number, width: number, n: number, hour: string, title: string) =>
  html`<rect class="chart-bar chart-${key}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${(TOP + PLOT_H - y).toFixed(1)}" fill="${SERIES_COLOUR[key]}" data-hour="${hour}" data-count="${n}"><title>${title}</title></rect>`

// prettier-ignore
const hourTick = (x: string, label: string | null, date: string | null) =>
  html`<g><line x1="${x}" x2="${x}" y1="${TOP + PLOT_H}" y2="${TOP + PLOT_H + (label ? 6 : 3)}" stroke="${TEXT}"></line>${label === null ? null : html`<text x="${x}" y="${TOP + PLOT_H + 18}" text-anchor="middle" fill="${TEXT}">${label}</text>`}${date === null ? null : html`<text x="${x}" y="${TOP + PLOT_H + 32}" text-anchor="start" fill="${TEXT}">${date}</text>`}</g>`

// prettier-ignore
const tableRow = (hour: string, span: string, h: HourActivity, stops: string) =>
  // The series' cells in SERIES' order, written out: one template per row, not four.
  html`<tr data-hour="${hour}"><th scope="row">${span}</th><td class="num chart-applications">${h.applications}</td><td class="num chart-payments">${h.payments}</td><td class="num chart-credits">${h.credits}</td><td class="wrap">${stops}</td></tr>`

const windowsDuring = (windows: readonly StopWindow[], h: HourActivity) =>
  windows.filter((w) => w.start < h.start + HOUR && w.end > h.start)

export const ActivityChart = ({
  activity,
  windows,
}: {
  activity: Activity
  windows: readonly StopWindow[]
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  const { from, to, hours } = activity
  const slot = PLOT_W / hours.length
  const barWidth = (slot - 2) / SERIES.length
  const xAt = (t: number) => LEFT + ((t - from) / HOUR) * slot
  const max = Math.max(0, ...hours.flatMap((h) => SERIES.map((s) => h[s.key])))
  const step = niceStep(max)
  const top = step * Math.max(1, Math.ceil(max / step))
  const yAt = (v: number) => TOP + PLOT_H * (1 - v / top)
  const ticks = Array.from({ length: top / step + 1 }, (_, i) => i * step)
  const totals = Object.fromEntries(
    SERIES.map((s) => [s.key, hours.reduce((sum, h) => sum + h[s.key], 0)]),
  ) as Record<SeriesKey, number>
  // Each hour's span, ISO time and the series' names, once: the bars and the table use them.
  const spans = hours.map((h) => spanText(h.start, h.start + HOUR))
  const isoOf = hours.map((h) => new Date(h.start).toISOString())
  const labels = SERIES.map((s) => ct(s.label))
  const description = ct('triageChartDesc', {
    from: formatJstDateTime(from),
    to: formatJstDateTime(to),
    ...totals,
    windows: windows.length
      ? windows.map((w) => stopWindowText(ct, w)).join(ct('triageSeparator'))
      : ct('triageChartNoWindows'),
  })

  return (
    <section class="triage-chart" aria-labelledby="triage-chart-heading">
      <h2 id="triage-chart-heading">{ct('triageChartHeading')}</h2>
      <svg
        class="chart"
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-labelledby="triage-chart-title triage-chart-desc"
        font-family="system-ui, sans-serif"
        font-size="12"
      >
        <title id="triage-chart-title">{ct('triageChartTitle')}</title>
        <desc id="triage-chart-desc">{description}</desc>

        {/* Legend along the top. */}
        <g class="chart-legend">
          {[
            ...SERIES.map((s) => ({ label: ct(s.label), fill: s.colour, opacity: 1 })),
            { label: ct('triageStopWindow'), fill: STOP_FILL, opacity: STOP_OPACITY * 2 },
          ].map((item, i) => (
            <g transform={`translate(${LEFT + i * 170}, 14)`}>
              <rect width="14" height="14" fill={item.fill} fill-opacity={item.opacity} />
              <text x="20" y="11.5" fill={TEXT}>
                {item.label}
              </text>
            </g>
          ))}
        </g>

        {/* Stop windows, behind everything else. */}
        <g class="chart-stop-windows">
          {windows.map((w) => (
            <rect
              class={`chart-stop chart-stop-${w.kind}`}
              x={xAt(w.start).toFixed(1)}
              y={TOP}
              width={(xAt(w.end) - xAt(w.start)).toFixed(1)}
              height={PLOT_H}
              fill={STOP_FILL}
              fill-opacity={STOP_OPACITY}
              data-start={new Date(w.start).toISOString()}
              data-end={new Date(w.end).toISOString()}
            >
              <title>{stopWindowText(ct, w)}</title>
            </rect>
          ))}
        </g>

        {/* Count axis with grid lines. */}
        <g class="chart-y-axis">
          {ticks.map((v) => countTick(yAt(v), v))}
          <text
            transform={`translate(14, ${TOP + PLOT_H / 2}) rotate(-90)`}
            text-anchor="middle"
            fill={TEXT}
          >
            {ct('triageAxisCount')}
          </text>
        </g>

        {/* Bars: one group per hour. */}
        <g class="chart-bars">
          {hours.map((h, i) =>
            SERIES.map((s, j) => {
              const n = h[s.key]
              if (n <= 0) return null
              const y = yAt(n)
              const x = LEFT + i * slot + 1 + j * barWidth
              return bar(s.key, x, y, barWidth, n, isoOf[i]!, `${spans[i]} ${labels[j]} ${n}`)
            }),
          )}
        </g>

        {/* Hour axis: a tick each hour, a label every six JST hours, the date at midnight. */}
        <g class="chart-x-axis">
          <line x1={LEFT} x2={WIDTH - RIGHT} y1={TOP + PLOT_H} y2={TOP + PLOT_H} stroke={TEXT} />
          {hours.map((h, i) => {
            const { hour, month, day } = jstParts(h.start)
            return hourTick(
              (LEFT + i * slot).toFixed(1),
              hour % 6 === 0 ? `${hour}:00` : null,
              hour === 0 || i === 0 ? `${month}/${day}` : null,
            )
          })}
          <text x={LEFT + PLOT_W / 2} y={HEIGHT - 8} text-anchor="middle" fill={TEXT}>
            {ct('triageAxisHour')}
          </text>
        </g>
      </svg>

      <details class="chart-data">
        <summary>{ct('triageChartTable')}</summary>
        <div class="table-wrap" role="region" aria-label={ct('triageChartTitle')} tabindex={0}>
          <table class="chart-table">
            <caption>{ct('triageChartTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{ct('triageColHour')}</th>
                {SERIES.map((s) => (
                  <th scope="col">{ct(s.label)}</th>
                ))}
                <th scope="col">{ct('triageColStop')}</th>
              </tr>
            </thead>
            <tbody>
              {hours.map((h, i) =>
                tableRow(
                  isoOf[i]!,
                  spans[i]!,
                  h,
                  windowsDuring(windows, h)
                    .map((w) => stopWindowText(ct, w))
                    .join(ct('triageSeparator')),
                ),
              )}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  )
}

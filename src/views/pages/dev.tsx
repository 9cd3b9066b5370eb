import { FAULT_MODES, type CardRow, type Fault } from '../../adapters/mic/localMic'
import type { GatewaySettings, SandboxPayment } from '../../adapters/payments/sandboxGateway'
import type { mailLog } from '../../db/schema'
import { hasDeadline } from '../../domain/paymentMethods'
import { CsrfField } from '../components'
import { formatJstDateTime } from '../../domain/time'

type MailRow = typeof mailLog.$inferSelect

const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g

/** A mail body with its URLs as links; everything else stays text (escaped by JSX). */
const Linked = ({ text }: { text: string }) => (
  <>{text.split(URL_PATTERN).map((part, i) => (i % 2 === 1 ? <a href={part}>{part}</a> : part))}</>
)

/** Development only: every mail the service has sent, newest first. */
export const DevMailPage = ({ mails }: { mails: MailRow[] }) => (
  <>
    <p>
      Development outbox: {mails.length} mail(s), newest first. <a href="/_dev/mail">Reload</a>
    </p>
    {mails.map((m) => (
      <article class="card mail" data-mail-id={m.id} data-to={m.toAddress} data-kind={m.kind}>
        <h2>{m.subject}</h2>
        <dl>
          <dt>To</dt>
          <dd class="mono">{m.toAddress}</dd>
          <dt>Time</dt>
          <dd>{formatJstDateTime(m.createdAt)}</dd>
          <dt>Kind / transport / result</dt>
          <dd>
            {m.kind} / {m.transport} / {m.result}
            {m.error ? ` (${m.error})` : ''}
          </dd>
        </dl>
        <pre class="mail-body">
          {m.body === null ? '(body not kept)' : <Linked text={m.body} />}
        </pre>
      </article>
    ))}
  </>
)

/** Development only: the sandbox gateway's open payments, its switches, and recent payments. */
export const DevPaymentsPage = (p: {
  pending: SandboxPayment[]
  recent: SandboxPayment[]
  settings: GatewaySettings
  undelivered: number
}) => (
  <>
    <p>
      Sandbox gateway: pay a コンビニ / Pay-easy payment “at the store”, or let a payment expire.
      Notifications not yet delivered:{' '}
      <strong data-undelivered={p.undelivered}>{p.undelivered}</strong>.{' '}
      <a href="/_dev/payments">Reload</a>
    </p>
    <h2>Open payments</h2>
    {p.pending.length === 0 ? (
      <p>No open payments.</p>
    ) : (
      <ul class="dev-list">
        {p.pending.map((x) => (
          <li data-merchant-ref={x.merchantRef}>
            <span class="mono">#{x.merchantRef}</span> {x.method} ¥{x.amount}{' '}
            {x.paymentNumber && <span class="mono">No. {x.paymentNumber}</span>} — deadline{' '}
            {formatJstDateTime(x.deadline)}
            <form method="post" action={`/_dev/payments/${x.id}`} class="inline">
              <CsrfField />
              {hasDeadline(x.method) && (
                <button type="submit" name="action" value="pay">
                  Pay at the store #{x.merchantRef}
                </button>
              )}
              <button type="submit" name="action" value="expire">
                Let #{x.merchantRef} expire
              </button>
            </form>
          </li>
        ))}
      </ul>
    )}
    <h2>Gateway behaviour</h2>
    <form method="post" action="/_dev/payments/settings" class="card">
      <CsrfField />
      <p>
        <input
          type="checkbox"
          id="decline_next"
          name="decline_next"
          value="1"
          checked={p.settings.declineNext}
        />{' '}
        <label for="decline_next">Decline the next 支払う (sends a “failed” notification)</label>
      </p>
      <p>
        <label for="duplicate_rate">Chance a notification is delivered twice (0–1)</label>
        <input
          id="duplicate_rate"
          name="duplicate_rate"
          value={String(p.settings.duplicateRate)}
          inputmode="decimal"
        />
      </p>
      <p>
        <label for="max_delay_ms">Delay before delivery, up to (ms)</label>
        <input
          id="max_delay_ms"
          name="max_delay_ms"
          value={String(p.settings.maxDelayMs)}
          inputmode="numeric"
        />
      </p>
      <button type="submit">Save</button>
    </form>
    <h2>Recent payments</h2>
    <table>
      <thead>
        <tr>
          <th scope="col">Ref</th>
          <th scope="col">Method</th>
          <th scope="col">Amount</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {p.recent.map((x) => (
          <tr>
            <td>{x.merchantRef}</td>
            <td>{x.method}</td>
            <td>¥{x.amount}</td>
            <td>{x.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </>
)

/** Development only: the local M.I.C.'s cards and its fault switch. */
export const DevMicPage = (p: { cards: CardRow[]; fault: Fault }) => (
  <>
    <p>
      Local M.I.C. twin. Every card starts at ¥1,000. <a href="/_dev/mic">Reload</a>
    </p>
    <h2>Fault</h2>
    <form method="post" action="/_dev/mic/fault" class="card">
      <CsrfField />
      <p>
        <label for="mode">Mode</label>
        <select id="mode" name="mode">
          {FAULT_MODES.map((m) => (
            <option value={m} selected={p.fault.mode === m}>
              {m}
            </option>
          ))}
        </select>
      </p>
      <p>
        <label for="rate">Chance per call (0–1)</label>
        <input id="rate" name="rate" value={String(p.fault.rate)} inputmode="decimal" />
      </p>
      <p>
        <label for="remaining">For the next N calls (empty: until switched off)</label>
        <input
          id="remaining"
          name="remaining"
          value={p.fault.remaining === null ? '' : String(p.fault.remaining)}
          inputmode="numeric"
        />
      </p>
      <p>
        <label for="fault_card">Only for card (e.g. demo:demo0001; empty: every card)</label>
        <input id="fault_card" name="card" value={p.fault.card ?? ''} />
      </p>
      <p>
        <label for="hang_ms">Hang for (ms)</label>
        <input id="hang_ms" name="hang_ms" value={String(p.fault.hangMs)} inputmode="numeric" />
      </p>
      <button type="submit">Switch</button>
    </form>
    <h2>Cards</h2>
    <table>
      <thead>
        <tr>
          <th scope="col">Card</th>
          <th scope="col">Balance</th>
          <th scope="col">Credits</th>
          <th scope="col">Set balance</th>
        </tr>
      </thead>
      <tbody>
        {p.cards.map((card) => (
          <tr data-card={card.cardId}>
            <td class="mono">{card.cardId}</td>
            <td class="balance">¥{card.balance.toLocaleString('en-US')}</td>
            <td>{card.credits}</td>
            <td>
              <form method="post" action="/_dev/mic/balance" class="inline">
                <CsrfField />
                <input type="hidden" name="card" value={card.cardId} />
                <input
                  name="balance"
                  aria-label={`New balance of ${card.cardId}`}
                  inputmode="numeric"
                  size={8}
                />
                <button type="submit">Set</button>
              </form>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </>
)

/** Development only: the service clock and its override. */
export const DevClockPage = (p: { now: number; offsetMs: number; cronRan?: string }) => (
  <>
    {p.cronRan && <p role="status">{p.cronRan}</p>}
    <p>
      Service time (JST): <strong id="service-time">{formatJstDateTime(p.now)}</strong>
      {p.offsetMs !== 0 ? ` — moved by ${Math.round(p.offsetMs / 60_000)} min` : ' — real time'}
    </p>
    <form method="post" action="/_dev/clock" class="card">
      <CsrfField />
      <label for="at">Set the service time to (JST, YYYY-MM-DD HH:MM)</label>
      <input id="at" name="at" placeholder="2026-11-25 02:30" />
      <button type="submit">Set</button>
      <button type="submit" name="reset" value="1">
        Back to real time
      </button>
    </form>
    <form method="post" action="/_dev/cron" class="card">
      <CsrfField />
      <p>The cron runs every minute in production. Run it now:</p>
      <button type="submit">Run cron now</button>
    </form>
  </>
)

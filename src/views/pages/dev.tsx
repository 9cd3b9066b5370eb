import type { mailLog } from '../../db/schema'
import { formatJstDateTime } from '../../domain/time'
import {
  deliveryDone,
  FAULT_MODES,
  INITIAL_BALANCE,
  type CardRow,
  type Delivery,
  type Fault,
  type KomojuSettings,
  type TwinClock,
  type TwinPayment,
  type TwinRefundRequest,
} from '../../routes/devTwins'
import { CsrfField } from '../components'

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

/** A sentence for the top of a development page: what a change did or why it did not. */
export interface Notice {
  kind: 'error' | 'success'
  text: string
}

/** What went wrong reaching a twin, and the outcome of the last change, if any (every dev page). */
export const Messages = (p: { problems?: string[]; notice?: Notice | null }) => (
  <>
    {p.notice && (
      <p
        class={`message message-${p.notice.kind}`}
        role={p.notice.kind === 'error' ? 'alert' : 'status'}
      >
        {p.notice.text}
      </p>
    )}
    {(p.problems ?? []).map((problem) => (
      <p class="message message-error" role="alert" data-twin-problem="">
        {problem}
      </p>
    ))}
  </>
)

export const Unavailable = () => <p>Not available: the twin did not answer (see above).</p>

const when = (ms: number | null) => (ms === null ? '—' : formatJstDateTime(ms))
const yen = (n: number) => `¥${n.toLocaleString('en-US')}`
export const TwinTime = ({ clock }: { clock: TwinClock }) => (
  <>
    {formatJstDateTime(clock.now)}
    {clock.offsetMs !== 0
      ? ` — moved by ${Math.round(clock.offsetMs / 60_000)} min`
      : ' — real time'}
  </>
)

/** A payment's reference on the pages: the service's application id, else KOMOJU's id. */
const refOf = (p: TwinPayment) => p.orderRef ?? p.id
const methodOf = (p: TwinPayment) => (p.store ? `${p.type} (${p.store})` : p.type)

/** The fields a delivery shows first, when the twin has them; any others follow. */
const DELIVERY_FIRST = [
  'id',
  'eventId',
  'event_id',
  'type',
  'paymentId',
  'payment_id',
  'merchant',
  'attempts',
  'nextAttemptAt',
  'next_attempt_at',
  'lastStatus',
  'last_status',
  'lastError',
  'last_error',
  'done',
]
const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v.length > 120 ? `${v.slice(0, 117)}…` : v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  const json = JSON.stringify(v) ?? ''
  return json.length > 120 ? `${json.slice(0, 117)}…` : json
}

/** Webhook deliveries as the twin keeps them: one row each, a column per field it has. */
const DeliveriesTable = ({ deliveries }: { deliveries: Delivery[] }) => {
  const seen = new Set(deliveries.flatMap((d) => Object.keys(d)))
  const columns = [
    ...DELIVERY_FIRST.filter((k) => seen.has(k)),
    ...[...seen].filter((k) => !DELIVERY_FIRST.includes(k)),
  ]
  return deliveries.length === 0 ? (
    <p>No webhook deliveries.</p>
  ) : (
    <div class="table-scroll">
      <table class="deliveries">
        <thead>
          <tr>
            {columns.map((k) => (
              <th scope="col">{k}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr data-done={String(deliveryDone(d) ?? '')}>
              {columns.map((k) => (
                <td class={typeof d[k] === 'string' ? 'mono' : undefined}>{cell(d[k])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * Development only: the KOMOJU twin's open store payments (pay them at the store, or let
 * them expire), its switches, its recent payments and its webhook deliveries.
 */
export const DevPaymentsPage = (p: {
  /** Konbini / Pay-easy refunds to a bank account waiting for KOMOJU's staff. */
  refundRequests?: TwinRefundRequest[] | null
  open: TwinPayment[] | null
  recent: TwinPayment[] | null
  settings: KomojuSettings | null
  deliveries: Delivery[] | null
  clock: TwinClock | null
  problems: string[]
  notice?: Notice
}) => {
  const undelivered = p.deliveries?.filter((d) => deliveryDone(d) === false).length ?? null
  return (
    <>
      <Messages problems={p.problems} notice={p.notice} />
      <p>
        KOMOJU twin: pay a コンビニ / Pay-easy payment “at the store”, or let a payment expire.
        {undelivered !== null && (
          <>
            {' '}
            Webhooks not yet delivered:{' '}
            <strong data-undelivered={undelivered}>{undelivered}</strong>.
          </>
        )}{' '}
        <a href="/_dev/payments">Reload</a>
      </p>
      {p.clock && (
        <p>
          Twin time (JST):{' '}
          <strong id="komoju-time">
            <TwinTime clock={p.clock} />
          </strong>{' '}
          (<a href="/_dev/clock">clocks</a>)
        </p>
      )}
      <h2>Open payments</h2>
      {p.open === null ? (
        <Unavailable />
      ) : p.open.length === 0 ? (
        <p>No open payments.</p>
      ) : (
        <ul class="dev-list">
          {p.open.map((x) => (
            <li data-merchant-ref={refOf(x)} data-payment-id={x.id}>
              <span class="mono">#{refOf(x)}</span> {methodOf(x)} {yen(x.amount)}{' '}
              {x.number && <span class="mono">No. {x.number}</span>}
              {x.confirmation && <span class="mono"> / {x.confirmation}</span>} — deadline{' '}
              {when(x.deadline)}
              {x.merchant && ` — ${x.merchant}`}
              <form method="post" action="/_dev/payments" class="inline">
                <CsrfField />
                <input type="hidden" name="id" value={x.id} />
                <button type="submit" name="action" value="pay">
                  Pay at the store #{refOf(x)}
                </button>
                <button type="submit" name="action" value="expire">
                  Let #{refOf(x)} expire
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <h2>Refund requests</h2>
      {p.refundRequests === null ? (
        <Unavailable />
      ) : !p.refundRequests || p.refundRequests.length === 0 ? (
        <p>No refund request waits for KOMOJU.</p>
      ) : (
        <ul class="dev-list">
          {p.refundRequests.map((r) => (
            <li data-payment-id={r.paymentId} data-refund-request={r.id}>
              <span class="mono">{r.paymentId}</span> {yen(r.amount)} to the customer’s bank account
              — requested {when(r.createdAt)}
              {r.merchant && ` — ${r.merchant}`}
              <form method="post" action="/_dev/payments" class="inline">
                <CsrfField />
                <input type="hidden" name="id" value={r.paymentId} />
                <input type="hidden" name="request" value={r.id} />
                <button type="submit" name="action" value="refund-complete">
                  Transfer it (payment.refunded)
                </button>
                <button type="submit" name="action" value="refund-reject">
                  Reject it (payment.updated)
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <h2>Twin behaviour</h2>
      {p.settings === null ? (
        <Unavailable />
      ) : (
        <form method="post" action="/_dev/payments/settings" class="card">
          <CsrfField />
          <p>
            <input
              type="checkbox"
              id="decline_next"
              name="decline_next"
              value="1"
              checked={p.settings.declineNextCard}
            />{' '}
            <label for="decline_next">Decline the next card payment (a “failed” payment)</label>
          </p>
          <p>
            <label for="duplicate_rate">Chance a webhook is delivered twice (0–1)</label>
            <input
              id="duplicate_rate"
              name="duplicate_rate"
              value={String(p.settings.duplicateRate)}
              inputmode="decimal"
            />
          </p>
          <p>
            <label for="max_delay_ms">Delay before a webhook is delivered, up to (ms)</label>
            <input
              id="max_delay_ms"
              name="max_delay_ms"
              value={String(p.settings.maxDelayMs)}
              inputmode="numeric"
            />
          </p>
          <p>
            <input
              type="checkbox"
              id="paused"
              name="paused"
              value="1"
              checked={p.settings.paused}
            />{' '}
            <label for="paused">Pause webhook deliveries (they wait in the outbox)</label>
          </p>
          <button type="submit">Save</button>
        </form>
      )}
      <h2>Webhook deliveries</h2>
      <form method="post" action="/_dev/payments/deliveries/flush" class="card">
        <CsrfField />
        <p>
          Deliveries wait for their delay (or for the pause to end). Send every waiting one now:
        </p>
        <button type="submit">Deliver now (flush)</button>
      </form>
      {p.deliveries === null ? <Unavailable /> : <DeliveriesTable deliveries={p.deliveries} />}
      <h2>Recent payments</h2>
      {p.recent === null ? (
        <Unavailable />
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Ref</th>
                <th scope="col">Method</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Payment</th>
              </tr>
            </thead>
            <tbody>
              {p.recent.map((x) => (
                <tr data-payment-id={x.id} data-status={x.status}>
                  <td>{refOf(x)}</td>
                  <td>{methodOf(x)}</td>
                  <td>{yen(x.amount)}</td>
                  <td>{x.status}</td>
                  <td>{when(x.createdAt)}</td>
                  <td class="mono">
                    {x.id}
                    {x.merchant && ` (${x.merchant})`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

/** The twin's fault switch. */
const FaultForm = ({ fault }: { fault: Fault }) => (
  <form method="post" action="/_dev/mic/fault" class="card">
    <CsrfField />
    <p>
      <label for="mode">Mode</label>
      <select id="mode" name="mode">
        {FAULT_MODES.map((m) => (
          <option value={m} selected={fault.mode === m}>
            {m}
          </option>
        ))}
      </select>
    </p>
    <p>
      <label for="rate">Chance per call (0–1)</label>
      <input id="rate" name="rate" value={String(fault.rate)} inputmode="decimal" />
    </p>
    <p>
      <label for="remaining">For the next N calls (empty: until switched off)</label>
      <input
        id="remaining"
        name="remaining"
        value={fault.remaining === null ? '' : String(fault.remaining)}
        inputmode="numeric"
      />
    </p>
    <p>
      <label for="fault_card">Only for card (e.g. demo:demo0001; empty: every card)</label>
      <input id="fault_card" name="card" value={fault.card ?? ''} />
    </p>
    <p>
      <label for="hang_ms">Hang for (ms)</label>
      <input id="hang_ms" name="hang_ms" value={String(fault.hangMs)} inputmode="numeric" />
    </p>
    <button type="submit">Switch</button>
  </form>
)

/** Campus events for one card: cash in at a machine, or a purchase. */
const CampusForm = ({ card, id }: { card?: string; id: string }) => (
  <form method="post" action="/_dev/mic/campus" class="inline">
    <CsrfField />
    {card === undefined ? (
      <>
        <label for={`${id}-card`}>Card</label>{' '}
        <input id={`${id}-card`} name="card" placeholder="demo:demo0001" size={16} />{' '}
      </>
    ) : (
      <input type="hidden" name="card" value={card} />
    )}
    <input
      name="amount"
      aria-label={card === undefined ? 'Amount' : `Amount for ${card}`}
      inputmode="numeric"
      size={6}
    />{' '}
    <button type="submit" name="action" value="cash">
      Campus cash charge
    </button>{' '}
    <button type="submit" name="action" value="purchase">
      Purchase
    </button>
  </form>
)

/** Development only: the M.I.C. twin's cards, campus events on them, and its fault switch. */
export const DevMicPage = (p: {
  cards: CardRow[] | null
  fault: Fault | null
  clock: TwinClock | null
  problems: string[]
  notice?: Notice
}) => (
  <>
    <Messages problems={p.problems} notice={p.notice} />
    <p>
      M.I.C. twin. Every card starts at {yen(INITIAL_BALANCE)}. <a href="/_dev/mic">Reload</a>
    </p>
    {p.clock && (
      <p>
        Twin time (JST):{' '}
        <strong id="mic-time">
          <TwinTime clock={p.clock} />
        </strong>{' '}
        (<a href="/_dev/clock">clocks</a>)
      </p>
    )}
    <h2>Fault</h2>
    {p.fault === null ? <Unavailable /> : <FaultForm fault={p.fault} />}
    <h2>Cards</h2>
    {p.cards === null ? (
      <Unavailable />
    ) : (
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Card</th>
              <th scope="col">Balance</th>
              <th scope="col">Credits</th>
              <th scope="col">State</th>
              <th scope="col">Set balance</th>
              <th scope="col">On campus</th>
            </tr>
          </thead>
          <tbody>
            {p.cards.map((card) => (
              <tr data-card={card.cardId} data-suspended={String(card.suspended)}>
                <td class="mono">{card.cardId}</td>
                <td class="balance">{yen(card.balance)}</td>
                <td>{card.credits}</td>
                <td>
                  {card.suspended ? 'suspended' : 'active'}
                  <form method="post" action="/_dev/mic/suspend" class="inline">
                    <CsrfField />
                    <input type="hidden" name="card" value={card.cardId} />
                    <button type="submit" name="suspended" value={card.suspended ? '0' : '1'}>
                      {card.suspended ? `Unsuspend ${card.cardId}` : `Suspend ${card.cardId}`}
                    </button>
                  </form>
                </td>
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
                <td>
                  <CampusForm card={card.cardId} id={card.cardId} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
    <h2>Another card</h2>
    <p>A card the twin has not seen yet starts at {yen(INITIAL_BALANCE)}.</p>
    <form method="post" action="/_dev/mic/balance" class="card">
      <CsrfField />
      <p>
        <label for="any-card">Card (university:user)</label>
        <input id="any-card" name="card" placeholder="demo:demo0001" />
      </p>
      <p>
        <label for="any-balance">New balance (yen)</label>
        <input id="any-balance" name="balance" inputmode="numeric" />
      </p>
      <button type="submit">Set balance</button>
    </form>
    <div class="card">
      <CampusForm id="any-campus" />
    </div>
    <h2>Reset</h2>
    <form method="post" action="/_dev/mic/reset" class="card">
      <CsrfField />
      <p>Forget every card, credit and fault (the twin's clock stays where it is).</p>
      <button type="submit">Reset the M.I.C. twin</button>
    </form>
  </>
)

/** A twin's clock as the clock page shows it. */
export interface TwinClockView {
  name: string
  id: string
  clock: TwinClock | null
  error?: string
}

/** Development only: the service clock and the twins', moved together, and the cron. */
export const DevClockPage = (p: {
  now: number
  offsetMs: number
  twins: TwinClockView[]
  cronRan?: string
  notice?: Notice
}) => (
  <>
    {p.cronRan && <p role="status">{p.cronRan}</p>}
    <Messages notice={p.notice} />
    <p>
      Service time (JST): <strong id="service-time">{formatJstDateTime(p.now)}</strong>
      {p.offsetMs !== 0 ? ` — moved by ${Math.round(p.offsetMs / 60_000)} min` : ' — real time'}
    </p>
    <ul class="dev-list">
      {p.twins.map((t) => (
        <li data-twin={t.id}>
          {t.name} time (JST):{' '}
          {t.clock ? (
            <>
              <strong id={`${t.id}-time`}>
                <TwinTime clock={t.clock} />
              </strong>
              {Math.abs(t.clock.offsetMs - p.offsetMs) > 1000 && (
                <strong> — not the service’s time: set the clock again</strong>
              )}
            </>
          ) : (
            <span class="message-error">{t.error ?? 'unknown'}</span>
          )}
        </li>
      ))}
    </ul>
    <form method="post" action="/_dev/clock" class="card">
      <CsrfField />
      <label for="at">Set the service time to (JST, YYYY-MM-DD HH:MM)</label>
      <input id="at" name="at" placeholder="2026-11-25 02:30" />
      <button type="submit">Set</button>
      <button type="submit" name="reset" value="1">
        Back to real time
      </button>
      <p class="hint">The twins’ clocks are moved with the service’s.</p>
    </form>
    <form method="post" action="/_dev/cron" class="card">
      <CsrfField />
      <p>The cron runs every minute in production. Run it now:</p>
      <button type="submit">Run cron now</button>
    </form>
  </>
)

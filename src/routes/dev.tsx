import { count, desc, eq } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../context'
import { applications, mailLog, paymentNotifications, students } from '../db/schema'
import { AppError } from '../errors'
import { devClockOffset, setDevClockOffset } from '../flows/clock'
import { creditKey } from '../flows/crediting'
import { scheduled } from '../scheduled'
import { devCertificate } from './devCertificate'
import { devRegistrar } from './devRegistrar'
import { registrarTwin } from './devRegistrarTwin'
import {
  DevClockPage,
  DevMailPage,
  DevMicPage,
  DevPaymentsPage,
  type Notice,
  type TwinClockView,
} from '../views/pages/dev'
import {
  CARD_PATTERN,
  FAULT_MODES,
  INITIAL_BALANCE,
  isPayLater,
  komojuTwin,
  micTwin,
  type FaultMode,
  type KomojuSettings,
  type Reply,
} from './devTwins'

/**
 * Development tools. Everything here is a 404 unless the service runs in development mode.
 * The stand-ins for KOMOJU, M.I.C. and the registrar are workers of their own (twins/…):
 * these pages drive them through their admin APIs (./devTwins), and say so when one is down.
 */
export const dev = new Hono<AppEnv>()

dev.use('*', async function developmentOnly(c, next) {
  if (!c.get('deps').devMode) throw new AppError('notFound', 404)
  await next()
})

const TOOLS = [
  ['/_dev/mail', 'outbox'],
  [
    '/_dev/payments',
    'KOMOJU twin: pay at the store, let expire, decline next card, duplication and delay, webhook deliveries',
  ],
  ['/_dev/mic', 'M.I.C. twin: balances, faults, suspend, campus cash charge and purchase'],
  [
    '/_dev/registrar',
    'registrar twin (学務システム): student records, status, holds, maintenance window, faults, the ledger',
  ],
  [
    '/_dev/certificate?user=demo0001&type=enrolment&lang=ja',
    'one certificate drawn and signed as issued, stored nowhere (the benchmark times it)',
  ],
  ['/_dev/clock', 'service clock (and the twins’ clocks) and cron'],
  ['/_dev/ledger', 'where applications and credits stand, as JSON (?detail=1: everything)'],
] as const

dev.get('/', (c) =>
  c.render(
    <ul>
      {TOOLS.map(([href, what]) => (
        <li>
          <a href={href}>{href}</a> — {what}
        </li>
      ))}
    </ul>,
    { title: 'Development tools' },
  ),
)

dev.route('/registrar', devRegistrar)
dev.route('/certificate', devCertificate)

dev.get('/mail', async (c) => {
  const mails = await c
    .get('deps')
    .db.select()
    .from(mailLog)
    .orderBy(desc(mailLog.id))
    .limit(200)
    .all()
  return c.render(<DevMailPage mails={mails} />, { title: 'Mail outbox' })
})

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '')
const fraction = (v: unknown, fallback: number) => {
  const n = Number(text(v))
  return text(v) !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : fallback
}
const whole = (v: unknown, fallback: number | null, max = 10_000_000) => {
  const n = Number(text(v))
  return /^\d{1,9}$/.test(text(v)) && n <= max ? n : fallback
}
/** The posted form; a body that cannot be read is an empty form, never a 500. */
const formOf = (c: Context<AppEnv>) =>
  c.req.parseBody().catch(() => ({}) as Record<string, unknown>) as Promise<Record<string, unknown>>

/** Every failed call's sentence, once each (a twin that is down fails every call alike). */
const problemsOf = (...replies: Reply<unknown>[]) => [
  ...new Set(replies.flatMap((r) => (r.ok ? [] : [r.error]))),
]
const valueOf = <T,>(r: Reply<T>) => (r.ok ? r.value : null)

/** After a change: back to the page, or the page again with what went wrong. */
const failed = (r: Reply<unknown>): Notice | null =>
  r.ok ? null : { kind: 'error', text: r.error }
/** The twin refused (4xx): the request was wrong, 422; it failed or is down: 502. */
const statusFor = (r: Reply<unknown>) =>
  r.ok ? 200 : r.status !== null && r.status >= 400 && r.status < 500 ? 422 : 502

// ---- KOMOJU twin ----

const renderPayments = async (c: Context<AppEnv>, notice?: Notice) => {
  const komoju = komojuTwin(c.env)
  const [open, recent, settings, deliveries, clock, refundRequests] = await Promise.all([
    komoju.payments('authorized'),
    komoju.payments(),
    komoju.settings(),
    komoju.deliveries(),
    komoju.clock(),
    komoju.refundRequests(),
  ])
  return c.render(
    <DevPaymentsPage
      refundRequests={valueOf(refundRequests)}
      open={open.ok ? open.value.filter(isPayLater) : null}
      recent={valueOf(recent)?.slice(0, 100) ?? null}
      settings={valueOf(settings)}
      deliveries={valueOf(deliveries)}
      clock={valueOf(clock)}
      problems={problemsOf(open, recent, settings, deliveries, clock, refundRequests)}
      notice={notice}
    />,
    { title: 'KOMOJU twin' },
  )
}

dev.get('/payments', (c) => renderPayments(c))

const DEFAULT_SETTINGS: KomojuSettings = {
  declineNextCard: false,
  duplicateRate: 0,
  maxDelayMs: 0,
  paused: false,
}

dev.post('/payments/settings', async (c) => {
  const form = await formOf(c)
  const komoju = komojuTwin(c.env)
  const current = valueOf(await komoju.settings()) ?? DEFAULT_SETTINGS
  const saved = await komoju.saveSettings({
    declineNextCard: form.decline_next === '1',
    duplicateRate: fraction(form.duplicate_rate, current.duplicateRate),
    maxDelayMs: whole(form.max_delay_ms, current.maxDelayMs, 60_000) ?? current.maxDelayMs,
    paused: form.paused === '1',
  })
  if (saved.ok) return c.redirect('/_dev/payments', 303)
  c.status(statusFor(saved))
  return renderPayments(c, failed(saved) ?? undefined)
})

dev.post('/payments/deliveries/flush', async (c) => {
  const flushed = await komojuTwin(c.env).flushDeliveries()
  if (flushed.ok) return c.redirect('/_dev/payments', 303)
  c.status(statusFor(flushed))
  return renderPayments(c, failed(flushed) ?? undefined)
})

// The payment's id is a form field: a parameter here, beside /payments/settings, would keep
// the app from its RegExpRouter (app.ts).
dev.post('/payments', async (c) => {
  const form = await formOf(c)
  const komoju = komojuTwin(c.env)
  const id = String(form.id ?? '')
  const request = String(form.request ?? '')
  const done =
    form.action === 'pay'
      ? await komoju.payAtStore(id)
      : form.action === 'expire'
        ? await komoju.expire(id)
        : form.action === 'refund-complete' || form.action === 'refund-reject'
          ? await komoju.decideRefundRequest(
              id,
              request,
              form.action === 'refund-complete' ? 'complete' : 'reject',
            )
          : null
  if (!done || done.ok) return c.redirect('/_dev/payments', 303)
  // Paid after its deadline: the twin expires the payment and says so; the page shows it.
  c.status(statusFor(done))
  return renderPayments(c, failed(done) ?? undefined)
})

// ---- M.I.C. twin ----

const renderMic = async (c: Context<AppEnv>, notice?: Notice) => {
  const mic = micTwin(c.env)
  const [cards, fault, clock] = await Promise.all([mic.cards(), mic.fault(), mic.clock()])
  return c.render(
    <DevMicPage
      cards={valueOf(cards)}
      fault={valueOf(fault)}
      clock={valueOf(clock)}
      problems={problemsOf(cards, fault, clock)}
      notice={notice}
    />,
    { title: 'M.I.C. twin' },
  )
}

dev.get('/mic', (c) => renderMic(c))

/** Back to the page after a change, or the page with the twin's refusal or a bad field named. */
const afterMic = async (c: Context<AppEnv>, r: Reply<unknown> | string) => {
  if (typeof r === 'string') {
    c.status(422)
    return renderMic(c, { kind: 'error', text: r })
  }
  if (r.ok) return c.redirect('/_dev/mic', 303)
  c.status(statusFor(r))
  return renderMic(c, failed(r) ?? undefined)
}

const cardOf = (v: unknown) => (CARD_PATTERN.test(text(v)) ? text(v) : null)
const BAD_CARD = 'Name the card as university:user (e.g. demo:demo0001).'

dev.post('/mic/fault', async (c) => {
  const form = await formOf(c)
  const mode = (FAULT_MODES as readonly string[]).includes(text(form.mode))
    ? (text(form.mode) as FaultMode)
    : 'none'
  const remaining = whole(form.remaining, null)
  return afterMic(
    c,
    await micTwin(c.env).setFault({
      mode,
      rate: fraction(form.rate, 1),
      // Zero calls is "until switched off" too: the twin counts only positive numbers.
      remaining: remaining === 0 ? null : remaining,
      hangMs: whole(form.hang_ms, 30_000, 120_000) ?? 30_000,
      card: cardOf(form.card),
    }),
  )
})

dev.post('/mic/balance', async (c) => {
  const form = await formOf(c)
  const balance = whole(form.balance, null)
  const card = cardOf(form.card)
  if (!card) return afterMic(c, BAD_CARD)
  if (balance === null) return afterMic(c, 'Write the balance as a whole number of yen.')
  return afterMic(c, await micTwin(c.env).setCard(card, { balance }))
})

dev.post('/mic/suspend', async (c) => {
  const form = await formOf(c)
  const card = cardOf(form.card)
  if (!card) return afterMic(c, BAD_CARD)
  return afterMic(c, await micTwin(c.env).setCard(card, { suspended: form.suspended === '1' }))
})

/** Campus events the service never sees: cash in at a machine, or a purchase. */
dev.post('/mic/campus', async (c) => {
  const form = await formOf(c)
  const card = cardOf(form.card)
  const amount = whole(form.amount, null)
  const kind = form.action === 'cash' ? 'cash' : form.action === 'purchase' ? 'purchase' : null
  if (!card) return afterMic(c, BAD_CARD)
  if (!kind) return afterMic(c, 'Choose a campus cash charge or a purchase.')
  if (!amount) return afterMic(c, 'Write the amount as a whole number of yen, more than 0.')
  return afterMic(c, await micTwin(c.env).campus(card, kind, amount))
})

dev.post('/mic/reset', async (c) => afterMic(c, await micTwin(c.env).reset()))

/**
 * Where every application and notification stands, as JSON, for scripts that drive the
 * service (the benchmark): counts by default; `?detail=1` adds each application with
 * its M.I.C. card and credit key, and the M.I.C. twin's whole ledger.
 */
dev.get('/ledger', async (c) => {
  const { db, clock } = c.get('deps')
  const [byStatus, notes] = await Promise.all([
    db
      .select({ status: applications.status, credit: applications.creditStatus, n: count() })
      .from(applications)
      .groupBy(applications.status, applications.creditStatus),
    db
      .select({
        received: count(),
        applied: count(paymentNotifications.appliedAt),
      })
      .from(paymentNotifications)
      .get(),
  ])
  const summary = {
    now: clock(),
    applications: byStatus,
    credited: byStatus.filter((r) => r.credit === 'credited').reduce((n, r) => n + r.n, 0),
    notifications: notes ?? { received: 0, applied: 0 },
  }
  if (!c.req.query('detail')) return c.json(summary)
  const [rows, ledger] = await Promise.all([
    db
      .select({
        id: applications.id,
        universityId: applications.universityId,
        userId: students.userId,
        method: applications.paymentMethod,
        amount: applications.amount,
        status: applications.status,
        creditStatus: applications.creditStatus,
        providerPaymentId: applications.providerPaymentId,
      })
      .from(applications)
      .innerJoin(students, eq(students.id, applications.studentId)),
    micTwin(c.env).ledger(),
  ])
  const body = {
    ...summary,
    detail: rows.map((a) => ({
      ...a,
      card: `${a.universityId}:${a.userId}`,
      creditKey: creditKey(a),
    })),
  }
  // Without the twin's ledger the audit cannot be made: say why, with what there is.
  if (!ledger.ok)
    return c.json(
      { ...body, mic: { initialBalance: INITIAL_BALANCE, cards: null, error: ledger.error } },
      502,
    )
  return c.json({
    ...body,
    mic: { initialBalance: ledger.value.initialBalance, cards: ledger.value.cards },
  })
})

// ---- Clocks: the service's and both twins', moved together ----

const renderClock = async (c: Context<AppEnv>, cronRan?: string, notice?: Notice) => {
  const { db } = c.get('deps')
  const komoju = komojuTwin(c.env)
  const mic = micTwin(c.env)
  const registrar = registrarTwin(c.env)
  const [offsetMs, komojuClock, micClock, registrarClock] = await Promise.all([
    devClockOffset(db),
    komoju.clock(),
    mic.clock(),
    registrar.clock(),
  ])
  const twins: TwinClockView[] = [
    {
      name: komoju.name,
      id: 'komoju',
      clock: valueOf(komojuClock),
      error: failed(komojuClock)?.text,
    },
    { name: mic.name, id: 'mic', clock: valueOf(micClock), error: failed(micClock)?.text },
    {
      name: registrar.name,
      id: 'registrar',
      clock: valueOf(registrarClock),
      error: failed(registrarClock)?.text,
    },
  ]
  return c.render(
    <DevClockPage
      now={Date.now() + offsetMs}
      offsetMs={offsetMs}
      twins={twins}
      cronRan={cronRan}
      notice={notice}
    />,
    { title: 'Clocks' },
  )
}

dev.get('/clock', (c) => renderClock(c))

/** "2026-11-25 02:30" (or with a T) in JST, as an instant. */
const parseJst = (value: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(value)
  if (!m) return null
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number]
  const at = Date.UTC(y, mo - 1, d, h - 9, mi)
  return Number.isFinite(at) ? at : null
}

dev.post('/clock', async (c) => {
  const form = await formOf(c)
  const { db } = c.get('deps')
  let offsetMs = 0
  if (form.reset !== '1') {
    const at = parseJst(text(form.at))
    if (at === null) {
      c.status(422)
      return renderClock(c, 'Write the time as YYYY-MM-DD HH:MM (JST).')
    }
    offsetMs = at - Date.now()
  }
  // One offset for all, so that deadlines and stop windows agree everywhere.
  await setDevClockOffset(db, offsetMs)
  const moved = await Promise.all([
    komojuTwin(c.env).setClock(offsetMs),
    micTwin(c.env).setClock(offsetMs),
    registrarTwin(c.env).setClock(offsetMs),
  ])
  const problems = problemsOf(...moved)
  if (problems.length === 0) return c.redirect('/_dev/clock', 303)
  c.status(502)
  return renderClock(c, undefined, {
    kind: 'error',
    text: `The service clock moved, but not every twin's: ${problems.join(' ')}`,
  })
})

dev.post('/cron', async (c) => {
  await scheduled({ scheduledTime: Date.now(), cron: '* * * * *', noRetry() {} }, c.env)
  return renderClock(c, 'Cron ran.')
})

import { count, desc, eq } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import { INITIAL_BALANCE, localMicFor, FAULT_MODES, type FaultMode } from '../adapters/mic/localMic'
import { sandboxGatewayFor } from '../adapters/payments/sandboxGateway'
import type { AppEnv } from '../context'
import { applications, mailLog, paymentNotifications, students } from '../db/schema'
import { AppError } from '../errors'
import { devClockOffset, setDevClockOffset } from '../flows/clock'
import { creditKey } from '../flows/crediting'
import { scheduled } from '../scheduled'
import { DevClockPage, DevMailPage, DevMicPage, DevPaymentsPage } from '../views/pages/dev'

/** Development tools. Everything here is a 404 unless the service runs in development mode. */
export const dev = new Hono<AppEnv>()

dev.use('*', async function developmentOnly(c, next) {
  if (!c.get('deps').devMode) throw new AppError('notFound', 404)
  await next()
})

const TOOLS = [
  ['/_dev/mail', 'outbox'],
  ['/_dev/payments', 'sandbox gateway: pay at the store, expire, decline'],
  ['/_dev/mic', 'local M.I.C.: balances and faults'],
  ['/_dev/clock', 'service clock and cron'],
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

dev.get('/payments', async (c) => {
  const gateway = sandboxGatewayFor(c.env.SANDBOX_GATEWAY)
  const [pending, recent, settings, undelivered] = await Promise.all([
    gateway.pending(),
    gateway.recent(),
    gateway.settings(),
    gateway.undelivered(),
  ])
  return c.render(
    <DevPaymentsPage
      pending={pending}
      recent={recent}
      settings={settings}
      undelivered={undelivered}
    />,
    { title: 'Sandbox payments' },
  )
})

dev.post('/payments/settings', async (c) => {
  const form = await c.req.parseBody()
  const gateway = sandboxGatewayFor(c.env.SANDBOX_GATEWAY)
  const current = await gateway.settings()
  await gateway.saveSettings({
    declineNext: form.decline_next === '1',
    duplicateRate: fraction(form.duplicate_rate, current.duplicateRate),
    maxDelayMs: whole(form.max_delay_ms, current.maxDelayMs, 60_000) ?? current.maxDelayMs,
  })
  return c.redirect('/_dev/payments', 303)
})

dev.post('/payments/:id', async (c) => {
  const form = await c.req.parseBody()
  const gateway = sandboxGatewayFor(c.env.SANDBOX_GATEWAY)
  const id = c.req.param('id')
  if (form.action === 'pay') await gateway.payAtStore(id)
  else if (form.action === 'expire') await gateway.expire(id)
  return c.redirect('/_dev/payments', 303)
})

dev.get('/mic', async (c) => {
  const twin = localMicFor(c.env.LOCAL_MIC)
  const [cards, fault] = await Promise.all([twin.cards(), twin.fault()])
  return c.render(<DevMicPage cards={cards} fault={fault} />, { title: 'Local M.I.C.' })
})

dev.post('/mic/fault', async (c) => {
  const form = await c.req.parseBody()
  const mode = (FAULT_MODES as readonly string[]).includes(text(form.mode))
    ? (text(form.mode) as FaultMode)
    : 'none'
  await localMicFor(c.env.LOCAL_MIC).setFault({
    mode,
    rate: fraction(form.rate, 1),
    remaining: whole(form.remaining, null),
    hangMs: whole(form.hang_ms, 30_000, 120_000) ?? 30_000,
    card: /^[\w.-]+:[\w.-]+$/.test(text(form.card)) ? text(form.card) : null,
  })
  return c.redirect('/_dev/mic', 303)
})

dev.post('/mic/balance', async (c) => {
  const form = await c.req.parseBody()
  const balance = whole(form.balance, null)
  const card = text(form.card)
  if (balance !== null && /^[\w.-]+:[\w.-]+$/.test(card))
    await localMicFor(c.env.LOCAL_MIC).setBalance(card, balance)
  return c.redirect('/_dev/mic', 303)
})

/**
 * Where every application and notification stands, as JSON, for scripts that drive the
 * service (the benchmark): counts by default; `?detail=1` adds each application with
 * its M.I.C. card and credit key, and the local M.I.C.'s whole ledger.
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
  const [rows, cards] = await Promise.all([
    db
      .select({
        id: applications.id,
        universityId: applications.universityId,
        userId: students.userId,
        amount: applications.amount,
        status: applications.status,
        creditStatus: applications.creditStatus,
      })
      .from(applications)
      .innerJoin(students, eq(students.id, applications.studentId)),
    localMicFor(c.env.LOCAL_MIC).ledger(),
  ])
  return c.json({
    ...summary,
    detail: rows.map((a) => ({
      ...a,
      card: `${a.universityId}:${a.userId}`,
      creditKey: creditKey(a),
    })),
    mic: { initialBalance: INITIAL_BALANCE, cards },
  })
})

const renderClock = async (c: Context<AppEnv>, cronRan?: string) => {
  const { db, clock } = c.get('deps')
  return c.render(
    <DevClockPage now={clock()} offsetMs={await devClockOffset(db)} cronRan={cronRan} />,
    { title: 'Service clock' },
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
  const form = await c.req.parseBody()
  const { db } = c.get('deps')
  if (form.reset === '1') await setDevClockOffset(db, 0)
  else {
    const at = parseJst(text(form.at))
    if (at === null) {
      c.status(422)
      return renderClock(c, 'Write the time as YYYY-MM-DD HH:MM (JST).')
    }
    await setDevClockOffset(db, at - Date.now())
  }
  return c.redirect('/_dev/clock', 303)
})

dev.post('/cron', async (c) => {
  await scheduled({ scheduledTime: Date.now(), cron: '* * * * *', noRetry() {} }, c.env)
  return renderClock(c, 'Cron ran.')
})

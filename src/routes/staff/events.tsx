import { and, eq, isNull } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { paymentNotifications } from '../../db/schema'
import { seesUniversity } from '../../domain/staff'
import { principalOf } from '../../flows/staff/auth'
import { recordAudit } from '../../flows/staff/audit'
import { requireStaff } from '../../middleware/staff'
import { Message } from '../../views/components'
import { ActionForm, Coded, When } from '../../views/staff/components'
import { webhookOutcomeText, webhookTypeText } from '../../flows/staff/words'
import type { FieldErrors } from '../../views/components'
import { consoleForm, requiredField } from './forms'
import { notFound } from './replies'

type C = Context<AppEnv>

/**
 * The way out for a gateway event no application took (unmatched) or whose delivery was
 * given up (dead-lettered): a member looks into it at the gateway, deals with it there, and
 * marks it 対応済み with what was done as the reason. It leaves 要対応; the audit log keeps
 * who, when and why.
 */
export const events = new Hono<AppEnv>()

type Notification = typeof paymentNotifications.$inferSelect

const needsPerson = (n: Notification) =>
  n.resolvedAt === null &&
  (n.outcome === 'unmatched' || (n.deadLetteredAt !== null && n.appliedAt === null))

/** The event, if the member may see its university (else the same 404 as a missing one). */
const visibleEvent = async (c: C) => {
  const id = c.req.param('eventId') ?? ''
  if (id.length === 0 || id.length > 200) return null
  const n = await c
    .get('deps')
    .db.select()
    .from(paymentNotifications)
    .where(eq(paymentNotifications.eventId, id))
    .get()
  if (!n || !n.universityId || !seesUniversity(c.get('staff')!, n.universityId)) return null
  return n
}

const back = { href: '/staff', label: 'navTriage' } as const

const ResolvePage = ({ c, n, errors }: { c: C; n: Notification; errors: FieldErrors }) => {
  const ct = c.get('ct')
  return (
    <>
      <section class="card" aria-labelledby="event-facts">
        <h2 id="event-facts">{ct('triageResolveFacts')}</h2>
        <dl class="facts">
          <dt>{ct('triageResolveType')}</dt>
          <dd>
            <Coded words={webhookTypeText(ct, n.type)} code={n.type} />
          </dd>
          <dt>{ct('triageResolvePayment')}</dt>
          <dd class="mono">{n.paymentId ?? ct('dash')}</dd>
          <dt>{ct('triageResolveReceived')}</dt>
          <dd>
            <When ms={n.receivedAt} />
          </dd>
          <dt>{ct('triageResolveOutcome')}</dt>
          <dd>{webhookOutcomeText(ct, n.outcome)}</dd>
        </dl>
      </section>
      {needsPerson(n) ? (
        <>
          <p>{ct('triageResolveIntro')}</p>
          <ActionForm
            action={`/staff/events/${encodeURIComponent(n.eventId)}/resolve`}
            label={ct('triageResolve')}
            reasonError={errors.reason?.text}
          />
        </>
      ) : (
        <Message kind="info">{ct('triageResolveAlready')}</Message>
      )}
      <p class="actions">
        <a class="button" href="/staff">
          {ct('navTriage')}
        </a>
      </p>
    </>
  )
}

const render = (c: C, n: Notification, errors: FieldErrors) =>
  c.render(<ResolvePage c={c} n={n} errors={errors} />, {
    title: c.get('ct')('triageResolveTitle', { id: n.eventId }),
  })

events.get('/events/:eventId/resolve', requireStaff('resolveEvent'), async (c) => {
  const n = await visibleEvent(c)
  return n ? render(c, n, {}) : notFound(c, back)
})

events.post(
  '/events/:eventId/resolve',
  requireStaff('resolveEvent'),
  consoleForm(z.object({ reason: requiredField(500) }), { reason: 'reason' }, async (c, errors) => {
    const n = await visibleEvent(c)
    return n ? render(c, n, errors) : notFound(c, back)
  }),
  async (c) => {
    const n = await visibleEvent(c)
    if (!n) return notFound(c, back)
    if (!needsPerson(n)) {
      c.status(409)
      return render(c, n, {})
    }
    const { db, clock } = c.get('deps')
    const member = c.get('staff')!
    const now = clock()
    // The mark and its audit entry in one batch; the mark only if nobody made it meanwhile.
    await db.batch([
      db
        .update(paymentNotifications)
        .set({ resolvedAt: now, resolvedBy: member.id })
        .where(
          and(eq(paymentNotifications.eventId, n.eventId), isNull(paymentNotifications.resolvedAt)),
        ),
      recordAudit(db, principalOf(member), now, {
        action: 'event.resolve',
        universityId: n.universityId,
        targetType: 'notification',
        targetId: n.eventId,
        applicationId: n.applicationId,
        reason: c.req.valid('form').reason,
        before: { outcome: n.outcome, deadLetteredAt: n.deadLetteredAt, resolvedAt: null },
        after: { resolvedAt: now },
      }),
    ])
    return c.redirect(`/staff?resolved=${encodeURIComponent(n.eventId)}`, 303)
  },
)

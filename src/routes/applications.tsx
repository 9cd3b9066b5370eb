import { and, eq } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import { PaymentProviderError } from '../adapters/payments'
import type { AppEnv } from '../context'
import { selectColumns } from '../db/columns'
import { applications } from '../db/schema'
import { refundableByStudent, tabOf, type ApplicationTab } from '../domain/application'
import { studentMay } from '../domain/roster'
import { hasDeadline } from '../domain/paymentMethods'
import { deskFor } from '../flows/desks'
import { latestCashRefundRead } from '../flows/cashRefunds'
import { loadOrder, orderOf, orderReads } from '../flows/certificates'
import { startPayment } from '../flows/charge'
import { handToDesk, settleReturnedSession } from '../flows/payments'
import { requireStage } from '../middleware/session'
import { AppError } from '../errors'
import {
  ApplicationDetailPage,
  ApplicationListPage,
  AppliedPage,
  RefundConfirmPage,
  ReturnPage,
} from '../views/pages/charge'

type C = Context<AppEnv>

/** 申請一覧 and 申請情報 詳細 (manual §4.2), and the steps around the provider's page. */
export const applicationPages = new Hono<AppEnv>()
applicationPages.use('/applications', requireStage('ready'))
applicationPages.use('/applications/*', requireStage('ready'))

/** Only the student's own applications: anyone else's number is simply not found. */
export const ownApplication = async (c: C) => {
  const a = await ownApplicationRead(c, applicationIdOf(c)).get()
  if (!a) throw new AppError('notFound', 404)
  return a
}

/** The application number in the path; anything else is simply not found. */
const applicationIdOf = (c: C) => {
  const id = c.req.param('id') ?? ''
  if (!/^\d{1,12}$/.test(id)) throw new AppError('notFound', 404)
  return Number(id)
}

/** The application `id` if it is the student's own (a query: to await or to batch). */
const ownApplicationRead = (c: C, id: number) =>
  c
    .get('deps')
    .db.select()
    .from(applications)
    .where(and(eq(applications.id, id), eq(applications.studentId, c.get('session')!.student.id)))
    .limit(1)

/** The most 申請一覧 lists; a student reaching it has years of history. */
const LIST_LIMIT = 500
/**
 * Plain SQL, columns from the schema: drizzle's mapping of every column of every row was
 * ~1 ms of CPU for 100 rows (bench/profile.ts), more than the query. No column of
 * `applications` needs a decoder (integers and texts as stored).
 */
const LIST_QUERY = `SELECT ${selectColumns(applications, 'a')}, (SELECT group_concat(l.type || ':' || l.language, ',') FROM certificate_lines l WHERE l.application_id = a.id) AS certificate_lines, (SELECT max(c.valid_until) FROM certificates c WHERE c.application_id = a.id AND c.revoked_at IS NULL) AS certificates_until FROM applications a WHERE a.student_id = ? ORDER BY a.id DESC LIMIT ?`
type Application = typeof applications.$inferSelect
export type ListedApplication = Application & { certificateLines: string | null }

applicationPages.get('/applications', async (c) => {
  const tab: ApplicationTab = c.req.query('tab') === 'history' ? 'history' : 'printable'
  const { db, clock } = c.get('deps')
  const student = c.get('session')!.student
  const now = clock()
  const { results: all } = await db.$client
    .prepare(LIST_QUERY)
    .bind(student.id, LIST_LIMIT)
    .all<Application & { certificate_lines: string | null; certificates_until: number | null }>()
  const rows = all
    .map(({ certificate_lines, certificates_until, ...a }) => ({
      ...a,
      certificateLines: certificate_lines,
      certificatesUntil: certificates_until,
    }))
    .filter((a) => tabOf(a, now) === tab)
  // 退学 / 除籍: this page is what is left to them (middleware/session.ts), and it says why.
  const leaver = studentMay(student.status, 'menu')
    ? undefined
    : {
        status: student.status === 'expelled' ? ('expelled' as const) : ('withdrawn' as const),
        closed: c.req.query('closed') === '1',
      }
  return c.render(
    <ApplicationListPage rows={rows} tab={tab} lastLoginAt={student.lastLoginAt} leaver={leaver} />,
    { title: c.get('tr').t('applicationsTitle') },
  )
})

applicationPages.get('/applications/:id', async (c) => {
  const id = applicationIdOf(c)
  const { clock, db } = c.get('deps')
  // One batch: the application (only the student's own), its latest bank-account refund
  // request and its certificate order; what does not apply to it comes back empty.
  const [found, refunds, ...order] = await db.batch([
    ownApplicationRead(c, id),
    latestCashRefundRead(db, id),
    ...orderReads(db, id),
  ])
  const a = found[0]
  if (!a) throw new AppError('notFound', 404)
  const refund = c.req.query('refund')
  // A コンビニ / Pay-easy refund goes to a bank account: where the latest request stands.
  const cashRefund = hasDeadline(a.paymentMethod) ? refunds[0] : undefined
  const orderView = a.kind === 'certificate' ? orderOf(order) : null
  return c.render(
    <ApplicationDetailPage
      order={orderView}
      cashRefund={cashRefund}
      refund={
        refund === 'refunded' ||
        refund === 'unavailable' ||
        refund === 'notRefundable' ||
        refund === 'requested'
          ? refund
          : undefined
      }
      a={a}
      now={clock()}
      lastLoginAt={c.get('session')!.student.lastLoginAt}
      fiscal={c.get('university').fiscalYearEndBlackouts}
    />,
    { title: c.get('tr').t('detailTitle') },
  )
})

/**
 * 返金を申し込む's confirmation page: the detail page's button leads here, and only here is
 * the student asked whether to refund. Nothing to refund: back to the detail page, saying so.
 */
applicationPages.get('/applications/:id/refund', async (c) => {
  const a = await ownApplication(c)
  if (hasDeadline(a.paymentMethod)) return c.redirect(`/applications/${a.id}/refund-account`, 303)
  if (!refundableByStudent(a)) return c.redirect(`/applications/${a.id}?refund=notRefundable`, 303)
  return c.render(<RefundConfirmPage a={a} />, { title: c.get('tr').t('refundConfirmTitle') })
})

/**
 * 返金を申し込む: a paid charge that cannot be credited (held over the cap, refused by
 * M.I.C., an amount mismatch) goes back to the student through the gateway, by the desk.
 */
applicationPages.post('/applications/:id/refund', async (c) => {
  const a = await ownApplication(c)
  // KOMOJU refunds a コンビニ / Pay-easy payment only to a bank account: the student gives it.
  if (hasDeadline(a.paymentMethod)) return c.redirect(`/applications/${a.id}/refund-account`, 303)
  const { desks } = c.get('deps')
  const outcome = await deskFor(desks, a.universityId, a.studentId).refund(a.id)
  return c.redirect(`/applications/${a.id}?refund=${outcome}`, 303)
})

/** 申請完了 — お支払いページに移動します. */
applicationPages.get('/applications/:id/pay', async (c) => {
  const a = await ownApplication(c)
  if (a.status !== 'awaiting_payment') return c.redirect(`/applications/${a.id}`, 303)
  const order = a.kind === 'certificate' ? await loadOrder(c.get('deps').db, a.id) : null
  return c.render(<AppliedPage a={a} order={order} />, { title: c.get('tr').t('appliedTitle') })
})

/** Opens the payment page again when the gateway did not answer the first time. */
applicationPages.post('/applications/:id/pay', async (c) => {
  const a = await ownApplication(c)
  const deps = c.get('deps')
  const provider = deps.payments(c.get('university'))
  if (a.status === 'awaiting_payment' && provider) {
    try {
      await startPayment(
        deps,
        provider,
        c.get('university'),
        c.get('session')!.student,
        a,
        new URL(c.req.url).origin,
      )
    } catch (e) {
      if (!(e instanceof PaymentProviderError)) throw e
      console.error('payment could not be started', { application: a.id, error: e.message })
    }
  }
  return c.redirect(`/applications/${a.id}/pay`, 303)
})

/**
 * Back from the gateway's page (KOMOJU adds `session_id`). The gateway is asked what
 * happened to the session, so お支払い完了 shows at once; if it cannot be asked, the page
 * says the payment is being confirmed and reloads itself until the webhook has done it.
 */
applicationPages.get('/applications/:id/return', async (c) => {
  let a = await ownApplication(c)
  const deps = c.get('deps')
  const provider = deps.payments(c.get('university'))
  if (provider && a.status === 'awaiting_payment' && a.providerSessionId) {
    try {
      const sentBack = c.req.query('session_id') === a.providerSessionId
      const outcome = await settleReturnedSession(deps, provider, a, sentBack)
      if (outcome && outcome.kind !== 'unmatched') a = outcome.application
      c.executionCtx.waitUntil(handToDesk(deps.desks, outcome))
    } catch (e) {
      if (!(e instanceof PaymentProviderError)) throw e
      console.error('gateway session could not be read', { application: a.id, error: e.message })
    }
  }
  const waiting = a.status === 'awaiting_payment' && !hasDeadline(a.paymentMethod)
  const { t } = c.get('tr')
  const title =
    a.status === 'paid'
      ? t('paymentDoneTitle')
      : a.status === 'awaiting_payment'
        ? t('appliedTitle')
        : t('notPaidHeading')
  return c.render(
    <ReturnPage a={a} now={deps.clock()} fiscal={c.get('university').fiscalYearEndBlackouts} />,
    { title, refreshSeconds: waiting ? 3 : undefined },
  )
})

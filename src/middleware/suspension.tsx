import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../context'
import { SuspendedPage } from '../views/pages/suspended'

/** Paths a suspension leaves open (/_dev exists only in development, for its tools). */
const STILL_OPEN = ['/lang/', '/verify', '/r/', '/_dev']

/**
 * A university the operator suspended: every student page (a login, a charge, an
 * application, a page already open in a session) answers the suspension page, 503, and
 * nothing behind it runs. What stays: the language switch (the page can be read in
 * English), and what third parties hold of certificates already paid for and issued (the
 * recipient's link /r/… and /verify): a suspension takes nothing paid away. The payment
 * webhooks are mounted before this (app.ts) and the queue never passes here: payments of a
 * suspended university are still accepted and credited.
 */
export const refuseWhenSuspended = () =>
  createMiddleware<AppEnv>(async function refuseWhenSuspended(c, next) {
    const u = c.get('university')
    if (u.suspendedAt == null || STILL_OPEN.some((p) => c.req.path.startsWith(p))) return next()
    c.status(503)
    c.header('Retry-After', '3600')
    return c.render(<SuspendedPage />, { title: c.get('tr').t('suspendedTitle') })
  })

import { Hono } from 'hono'
import { RegExpRouter } from 'hono/router/reg-exp-router'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from './context'
import { language, resolveUniversity, withDeps } from './middleware/context'
import { csrfProtection } from './middleware/csrf'
import { loadSession } from './middleware/session'
import { refuseWhenSuspended } from './middleware/suspension'
import { account } from './routes/account'
import { applicationPages } from './routes/applications'
import { cashRefundPages } from './routes/cashRefund'
import { certificatePages } from './routes/certificates'
import { charge } from './routes/charge'
import { myDataPages } from './routes/myData'
import { notFound, onError } from './routes/errors'
import { notifications } from './routes/notifications'
import { pages } from './routes/pages'
import { staffConsole } from './routes/staff'
import { layout } from './views/layout'

/**
 * The service's Hono app: middleware and every production route. The entries wire it up:
 * index.ts for production, index.dev.ts adds the development tools. Routed by one regular
 * expression (RegExpRouter): Hono's default would fall back to its TrieRouter, which the
 * profile showed costing ~0.5 ms a request, if any two routes could not share one.
 */
export const app = new Hono<AppEnv>({ router: new RegExpRouter() })

app.use(requestId())
app.use(
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'self'"],
      scriptSrc: ["'self'"],
      connectSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
    strictTransportSecurity: 'max-age=63072000; includeSubDomains',
    // same-origin: one-time URLs never leak to other sites, and forms keep a real Origin.
    referrerPolicy: 'same-origin',
    xFrameOptions: 'DENY',
  }),
)
app.use(async function noStore(c, next) {
  await next()
  // Pages carry personal data and one-time state: never cache them.
  c.header('Cache-Control', 'no-store')
})
app.use(language())
app.use(withDeps())
// Gateway webhooks carry a signature, not a session or a CSRF token.
app.route('/payments', notifications)
app.use(resolveUniversity())
// The operations console has its own layout, session and CSRF check (routes/staff).
app.route('/staff', staffConsole)
// The layout comes before CSRF and session checks so their error pages are full pages.
app.use(layout())
// A suspended university's students see one page, whatever they open (the console above and
// the webhooks before are not stopped).
app.use(refuseWhenSuspended())
app.use(csrfProtection())
app.use(loadSession())

app.route('/', pages)
app.route('/', account)
app.route('/', charge)
app.route('/', applicationPages)
app.route('/', cashRefundPages)
app.route('/', certificatePages)
app.route('/', myDataPages)

app.notFound(notFound)
app.onError(onError)

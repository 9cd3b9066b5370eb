import type { PropsWithChildren } from 'hono/jsx'
import { pageRenderer, useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { can, type StaffAction } from '../../domain/staff'
import type { ConsoleKey } from '../../i18n/console'
import { CsrfField } from '../components'
import { ROLE_LABEL } from './components'

const NAV: { href: string; label: ConsoleKey; action: StaffAction }[] = [
  { href: '/staff', label: 'navTriage', action: 'read' },
  { href: '/staff/search', label: 'navSearch', action: 'read' },
  { href: '/staff/certificates', label: 'certNav', action: 'read' },
  { href: '/staff/reconciliation', label: 'navReconcile', action: 'reconcile' },
  { href: '/staff/settings', label: 'navSettings', action: 'settings' },
  { href: '/staff/members', label: 'navStaff', action: 'manageStaff' },
  { href: '/staff/audit', label: 'navAudit', action: 'audit' },
  { href: '/staff/universities', label: 'uniNav', action: 'universities' },
  { href: '/staff/roster', label: 'rosterNav', action: 'roster' },
]

/** The console's menu: only what the member's role may open. */
const ConsoleNav = () => {
  const c = useRequestContext<AppEnv>()
  const ct = c.get('ct')
  const member = c.get('staff')
  if (!member) return null
  const path = c.req.path
  return (
    <nav class="console-nav" aria-label={ct('consoleNav')}>
      <ul>
        {NAV.filter((n) => can(member, n.action)).map((n) => {
          const current = n.href === '/staff' ? path === '/staff' : path.startsWith(n.href)
          return (
            <li>
              <a href={n.href} aria-current={current ? 'page' : undefined}>
                {ct(n.label)}
              </a>
            </li>
          )
        })}
      </ul>
      {/* Who is signed in and ログアウト stay together: on a phone they wrap as one. */}
      <div class="console-account">
        <p class="console-who">
          {ct('signedInAs', { name: member.name, role: ct(ROLE_LABEL[member.role]) })}
        </p>
        <form method="post" action="/staff/logout">
          <CsrfField />
          <button type="submit" class="link-button">
            {ct('logout')}
          </button>
        </form>
      </div>
    </nav>
  )
}

/** The console's frame: its own header and menu, no student footer; the same CSP and styles. */
export const consoleLayout = () =>
  pageRenderer(function ConsoleLayout({
    children,
    title,
    refreshSeconds,
  }: PropsWithChildren<{ title: string; refreshSeconds?: number }>) {
    const c = useRequestContext<AppEnv>()
    const ct = c.get('ct')
    const lang = c.get('tr').lang
    const other = lang === 'ja' ? 'en' : 'ja'
    const here = new URL(c.req.url)
    const next = c.req.method === 'GET' ? here.pathname + here.search : here.pathname
    return (
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{`${title} | ${ct('consoleName')}`}</title>
          <link rel="stylesheet" href="/app.css" />
          <link rel="stylesheet" href="/console.css" />
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <link rel="icon" href="/favicon.ico" sizes="32x32" />
          {/* A page that waits (a roster being checked) keeps itself current (refresh.js). */}
          {refreshSeconds ? <script src="/refresh.js" defer /> : null}
        </head>
        <body class="console">
          <a class="skip-link" href="#main">
            {ct('skipToContent')}
          </a>
          <header class="site-header">
            <p class="brand">
              <span class="service">{ct('consoleName')}</span>
            </p>
            <nav class="header-tools" aria-label={ct('switchLanguage')}>
              <a
                href={`/lang/${other}?next=${encodeURIComponent(next)}`}
                lang={other}
                hreflang={other}
              >
                {ct('switchLanguage')}
              </a>
            </nav>
          </header>
          <ConsoleNav />
          <main id="main">
            <h1>{title}</h1>
            {refreshSeconds ? (
              <div id="live" aria-live="polite" data-refresh-every={String(refreshSeconds)}>
                {children}
              </div>
            ) : (
              children
            )}
          </main>
        </body>
      </html>
    )
  })

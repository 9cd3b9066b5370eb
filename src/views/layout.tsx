import type { PropsWithChildren } from 'hono/jsx'
import { pageRenderer, useRequestContext } from './renderer'
import { stageOf, type AppEnv } from '../context'
import { studentMay } from '../domain/roster'
import { universityIn } from '../domain/university'
import { CsrfField } from './components'

declare module 'hono' {
  interface ContextRenderer {
    (
      content: string | Promise<string>,
      props: { title: string; refreshSeconds?: number },
    ): Response | Promise<Response>
  }
}

/** The top-right menu of manual §2.4 and §3, as a <details> so it needs no JavaScript. */
const AccountMenu = () => {
  const c = useRequestContext<AppEnv>()
  const { t } = c.get('tr')
  const session = c.get('session')
  if (!session || stageOf(session.student) !== 'ready') return null
  // A 退学 / 除籍 student has only 申請一覧 left (domain/roster.ts): no menu, no settings.
  const { status } = session.student
  return (
    <details class="account-menu">
      <summary>
        <span aria-hidden="true">☰</span> {t('menu')}
      </summary>
      <ul>
        <li>
          {studentMay(status, 'menu') ? (
            <a href="/menu">{t('menuTitle')}</a>
          ) : (
            <a href="/applications">{t('menuApplications')}</a>
          )}
        </li>
        {studentMay(status, 'account') && (
          <>
            <li>
              <a href="/email/change">{t('menuEmailChange')}</a>
            </li>
            <li>
              <a href="/second-password/change">{t('menuSecondPasswordChange')}</a>
            </li>
          </>
        )}
        <li>
          <a href="/account/data">{t('menuMyData')}</a>
        </li>
        <li>
          <a href="/manual">{t('menuManual')}</a>
        </li>
        <li>
          <form method="post" action="/logout">
            <CsrfField />
            <button type="submit" class="link-button">
              {t('logout')}
            </button>
          </form>
        </li>
      </ul>
    </details>
  )
}

const Contact = () => {
  const c = useRequestContext<AppEnv>()
  const { t, lang } = c.get('tr')
  // The university's values in the page's language (an English one not yet filled: Japanese).
  const u = universityIn(c.get('university'), lang)
  return (
    <footer class="site-footer">
      <h2>{t('contactHeading')}</h2>
      <p>
        {u.callCentreName}
        <br />
        TEL <a href={`tel:${u.callCentrePhone.replace(/[^0-9+]/g, '')}`}>{u.callCentrePhone}</a>
        <br />
        {t('contactHours', { hours: u.callCentreHours })}
      </p>
    </footer>
  )
}

export const layout = () =>
  pageRenderer(function Layout({
    children,
    title,
    refreshSeconds,
  }: PropsWithChildren<{ title: string; refreshSeconds?: number }>) {
    const c = useRequestContext<AppEnv>()
    const tr = c.get('tr')
    const university = c.get('university')
    const universityName = tr.lang === 'en' ? university.nameEn : university.name
    const other = tr.lang === 'ja' ? 'en' : 'ja'
    const here = new URL(c.req.url)
    const next = c.req.method === 'GET' ? here.pathname + here.search : here.pathname
    const content = (
      <>
        <h1>{title}</h1>
        {children}
      </>
    )
    return (
      <html lang={tr.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {/* Waiting for a provider's confirmation: the page keeps itself current (refresh.js). */}
          {refreshSeconds && <script src="/refresh.js" defer />}
          <title>{`${title} | ${universityName}`}</title>
          <link rel="stylesheet" href="/app.css" />
          {/* A static asset: without it every page's visit asked for /favicon.ico and got 404. */}
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <link rel="icon" href="/favicon.ico" sizes="32x32" />
        </head>
        <body>
          <a class="skip-link" href="#main">
            {tr.t('skipToContent')}
          </a>
          <header class="site-header">
            <p class="brand">
              <span class="university">{universityName}</span>
              <span class="service">{tr.t('serviceName')}</span>
            </p>
            <nav class="header-tools" aria-label={tr.t('menu')}>
              <a
                class="lang-switch"
                href={`/lang/${other}?next=${encodeURIComponent(next)}`}
                lang={other}
                hreflang={other}
              >
                {tr.t('switchLanguage')}
              </a>
              <AccountMenu />
            </nav>
          </header>
          <main id="main">
            {refreshSeconds ? (
              <div id="live" aria-live="polite" data-refresh-every={String(refreshSeconds)}>
                {content}
              </div>
            ) : (
              content
            )}
          </main>
          <Contact />
        </body>
      </html>
    )
  })

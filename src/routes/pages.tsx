import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import type { AppEnv } from '../context'
import { hasDeadline, isPaymentMethod } from '../domain/paymentMethods'
import { AppError } from '../errors'
import { isLang } from '../i18n'
import { LANG_COOKIE } from '../middleware/context'
import { homeOf, requireStage } from '../middleware/session'
import { sameOriginPath } from '../security/redirect'
import { HowToPage, ManualPage, MenuPage } from '../views/pages/general'

/** The menu (メニュー選択), the manual (§3), and the language switch. */
export const pages = new Hono<AppEnv>()

pages.get('/', (c) => {
  const session = c.get('session')
  return c.redirect(session ? homeOf(session.student) : '/login', 303)
})

pages.get('/menu', requireStage('ready'), (c) =>
  c.render(<MenuPage student={c.get('session')!.student} />, { title: c.get('tr').t('menuTitle') }),
)

// Readable before login too: a student stuck at the login page needs it most.
pages.get('/manual', (c) => c.render(<ManualPage />, { title: c.get('tr').t('manualTitle') }))

/** お支払い方法選択's 操作手順 for each method (manual §4.1 順序3); readable by anyone. */
pages.get('/howto/:method', (c) => {
  const method = c.req.param('method')
  if (!isPaymentMethod(method)) throw new AppError('notFound', 404)
  const { t } = c.get('tr')
  return c.render(<HowToPage method={method} later={hasDeadline(method)} />, {
    title: t('howToTitle', { method: t(`pm_${method}`) }),
  })
})

pages.get('/lang/:lang', (c) => {
  const lang = c.req.param('lang')
  if (isLang(lang)) {
    setCookie(c, LANG_COOKIE, lang, {
      path: '/',
      secure: true,
      sameSite: 'Lax',
      maxAge: 365 * 24 * 60 * 60,
    })
  }
  // Only a path on this origin, as the browser will read it: never an open redirect.
  return c.redirect(sameOriginPath(c.req.query('next'), c.req.url), 303)
})

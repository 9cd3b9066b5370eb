import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import { STAGE_HOME, stageOf, type AppEnv } from '../context'
import { isLang } from '../i18n'
import { LANG_COOKIE } from '../middleware/context'
import { requireStage } from '../middleware/session'
import { ManualPage, MenuPage } from '../views/pages/general'

/** The menu (メニュー選択), the manual (§3), and the language switch. */
export const pages = new Hono<AppEnv>()

pages.get('/', (c) => {
  const session = c.get('session')
  return c.redirect(session ? STAGE_HOME[stageOf(session.student)] : '/login', 303)
})

pages.get('/menu', requireStage('ready'), (c) =>
  c.render(<MenuPage student={c.get('session')!.student} />, { title: c.get('tr').t('menuTitle') }),
)

// Readable before login too: a student stuck at the login page needs it most.
pages.get('/manual', (c) => c.render(<ManualPage />, { title: c.get('tr').t('manualTitle') }))

/** Only same-site paths: never an open redirect. */
const safeNext = (next: string | undefined) =>
  next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/'

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
  return c.redirect(safeNext(c.req.query('next')), 303)
})

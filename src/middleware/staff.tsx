import { deleteCookie, getCookie } from 'hono/cookie'
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../context'
import { can, type StaffAction } from '../domain/staff'
import { resumeStaffSession, STAFF_SESSION_COOKIE } from '../flows/staff/auth'
import { consoleText } from '../i18n/console'
import { ForbiddenPage } from '../views/staff/auth'

/** 権限がありません (403): the role may not do this. Routes answer it too (routes/staff/replies). */
export const forbidden = (c: Context<AppEnv>) => {
  c.status(403)
  return c.render(<ForbiddenPage />, { title: c.get('ct')('forbiddenTitle') })
}

/** The console's wording, in the language the lang cookie chose. */
export const consoleLanguage = () =>
  createMiddleware<AppEnv>(async function consoleLanguage(c, next) {
    c.set('ct', consoleText(c.get('tr').lang))
    await next()
  })

/** Loads the signed-in console member, if any; a stale or superseded session is ended. */
export const loadStaff = () =>
  createMiddleware<AppEnv>(async function loadStaff(c, next) {
    c.set('staff', null)
    c.set('staffSessionId', null)
    const id = getCookie(c, STAFF_SESSION_COOKIE, 'host')
    if (id) {
      const { db, clock } = c.get('deps')
      const member = await resumeStaffSession({ db, kv: c.env.SESSIONS }, id, clock())
      if (member) {
        c.set('staff', member)
        c.set('staffSessionId', id)
      } else {
        deleteCookie(c, STAFF_SESSION_COOKIE, { prefix: 'host' })
      }
    }
    await next()
  })

/**
 * Lets through a signed-in member whose role may do `action`; anyone else is sent to the
 * login (no session) or shown 権限がありません (403).
 */
export const requireStaff = (action: StaffAction = 'read') =>
  createMiddleware<AppEnv>(async function requireStaff(c, next) {
    const member = c.get('staff')
    if (!member) {
      const expired = Boolean(getCookie(c, STAFF_SESSION_COOKIE, 'host'))
      return c.redirect(expired ? '/staff/login?expired=1' : '/staff/login', 303)
    }
    if (!can(member, action)) return forbidden(c)
    await next()
  })

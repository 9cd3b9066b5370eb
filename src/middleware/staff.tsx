import { deleteCookie, getCookie } from 'hono/cookie'
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../context'
import { can, type StaffAction } from '../domain/staff'
import {
  endStaffSession,
  refreshStaffSession,
  STAFF_SESSION_COOKIE,
  staffSessionAlive,
} from '../flows/staff/auth'
import { inBackground } from './context'
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

/**
 * The signed-in console member, as the request's first wave read them (flows/firstReads.ts);
 * a stale or superseded session is ended. A live one's idle timer restarts after the response,
 * unless the page ended it (logout, a new sign-in: they clear `staffSessionId`).
 */
export const loadStaff = () =>
  createMiddleware<AppEnv>(async function loadStaff(c, next) {
    c.set('staff', null)
    c.set('staffSessionId', null)
    const id = getCookie(c, STAFF_SESSION_COOKIE, 'host')
    const read = c.get('firstReads').staff
    if (id && read?.record && staffSessionAlive(read.record, read.member, c.get('deps').clock())) {
      c.set('staff', read.member)
      c.set('staffSessionId', id)
    } else if (id) {
      if (read?.record) inBackground(c, endStaffSession(c.env.SESSIONS, id))
      deleteCookie(c, STAFF_SESSION_COOKIE, { prefix: 'host' })
    }
    await next()
    if (id && read?.record && c.get('staffSessionId') === id)
      inBackground(c, refreshStaffSession(c.env.SESSIONS, id, read.record, c.get('deps').clock()))
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

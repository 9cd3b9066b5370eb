import { deleteCookie, getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { Context } from 'hono'
import { studentMay, type StudentRight } from '../domain/roster'
import { STAGE_HOME, stageOf, type AppEnv, type SessionStudent, type Stage } from '../context'
import { inBackground } from './context'
import {
  destroySession,
  SESSION_COOKIE,
  SESSION_IDLE_SECONDS,
  touchSession,
} from '../security/session'

/**
 * The session and its student, as the request's first wave read them (flows/firstReads.ts):
 * a session stands when KV holds it for this cookie's student, it was used in the last 30
 * minutes and the student's credentials have not changed since. A dead session is removed.
 * A live one's idle timer restarts after the response, unless the page ended it (logout,
 * a new login: they clear `session`).
 */
export const loadSession = () =>
  createMiddleware<AppEnv>(async function loadSession(c, next) {
    c.set('session', null)
    const read = c.get('firstReads').student
    const id = getCookie(c, SESSION_COOKIE, 'host')
    if (id && read) {
      const { record, row } = read
      const now = c.get('deps').clock()
      if (
        record &&
        row &&
        now - record.refreshedAt <= SESSION_IDLE_SECONDS * 1000 &&
        row.credentialEpoch === record.epoch
      ) {
        c.set('session', { id, record, student: row })
      } else {
        if (record) inBackground(c, destroySession(c.env.SESSIONS, id))
        deleteCookie(c, SESSION_COOKIE, { prefix: 'host' })
      }
    } else if (id) {
      // Not shaped like a session of ours (an older format, a forged value): none.
      deleteCookie(c, SESSION_COOKIE, { prefix: 'host' })
    }
    await next()
    const live = c.get('session')
    if (live && live.id === id)
      inBackground(c, touchSession(c.env.SESSIONS, live.id, live.record, c.get('deps').clock()))
  })

/**
 * Lets through only a logged-in student at `stage`; anyone else is sent where they belong:
 * to login, or to the onboarding step they have not finished, or past the one they have.
 */
export const requireStage = (stage: Stage) =>
  createMiddleware<AppEnv>(async function requireStage(c, next) {
    const session = c.get('session')
    if (!session) {
      const expired = Boolean(getCookie(c, SESSION_COOKIE, 'host'))
      return c.redirect(expired ? '/login?expired=1' : '/login', 303)
    }
    const actual = stageOf(session.student)
    if (actual !== stage) return c.redirect(homeOf(session.student), 303)
    if (stage === 'ready' && !studentMay(session.student.status, 'menu')) {
      const path = new URL(c.req.url).pathname
      // The menu is where a login leads: no need to say it is closed.
      if (path === '/menu') return c.redirect(homeOf(session.student), 303)
      if (!LEAVER_PAGES.some((page) => page.test(path))) return toLeaverHome(c)
    }
    await next()
  })

/**
 * Where a logged-in student belongs: the onboarding step they have not finished, else the
 * menu, or 申請一覧 for a 退学 / 除籍 student, who has only that left.
 */
export const homeOf = (s: SessionStudent): string => {
  const stage = stageOf(s)
  return stage === 'ready' && !studentMay(s.status, 'menu') ? '/applications' : STAGE_HOME[stage]
}

/**
 * What a 退学 / 除籍 student still sees (domain/roster.ts, the `menu` right): 申請一覧 and an
 * application's 詳細, a payment still on its way (申請完了, the gateway's return), a refund
 * (by the gateway or to a bank account), a certificate already issued, their own data. Everything else sends them to
 * 申請一覧, which says why.
 */
const LEAVER_PAGES: readonly RegExp[] = [
  /^\/applications\/?$/,
  /^\/applications\/\d{1,12}$/,
  /^\/applications\/\d{1,12}\/(pay|return|refund|refund-account)$/,
  // A certificate already issued and paid for stays theirs to download while it is valid.
  /^\/applications\/\d{1,12}\/certificates\/\d{1,12}$/,
  /^\/account\/data(\.json|\.csv)?$/,
]

/** 申請一覧, saying that the page asked for is closed to this student, and why. */
export const LEAVER_HOME = '/applications?closed=1'
const toLeaverHome = (c: Context<AppEnv>) => c.redirect(LEAVER_HOME, 303)

/**
 * Lets through only a student whose status gives them `right` (domain/roster.ts). Anyone
 * else who still has the menu gets `explain`'s page, saying why (a 卒業 student at the
 * チャージ); one who has only 申請一覧 left, or a page without its own explanation, is sent to
 * 申請一覧. Mount after requireStage('ready').
 */
export const requireRight = (
  right: StudentRight,
  explain?: (c: Context<AppEnv>) => Response | Promise<Response>,
) =>
  createMiddleware<AppEnv>(async function requireRight(c, next) {
    const { status } = c.get('session')!.student
    if (studentMay(status, right)) return next()
    if (explain && studentMay(status, 'menu')) return explain(c)
    return toLeaverHome(c)
  })

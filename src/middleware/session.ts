import { deleteCookie, getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { Context } from 'hono'
import { selectColumns } from '../db/columns'
import { students } from '../db/schema'
import { studentMay, type StudentRight } from '../domain/roster'
import { STAGE_HOME, stageOf, type AppEnv, type SessionStudent, type Stage } from '../context'
import {
  destroySession,
  readSession,
  SESSION_COOKIE,
  SESSION_IDLE_SECONDS,
  touchSession,
} from '../security/session'

/**
 * The account and the person's status in the directory, in one query. A person the directory
 * no longer lists keeps only what a leaver keeps (their applications, money on its way).
 */
const STUDENT_BY_ID = `SELECT ${selectColumns(students, 's')}, COALESCE(d.status, 'withdrawn') AS status FROM students s LEFT JOIN directory_people d ON d.university_id = s.university_id AND d.user_id = s.user_id WHERE s.id = ? AND s.university_id = ?`

/** Loads the session and its student, if any; ends sessions that are stale or superseded. */
export const loadSession = () =>
  createMiddleware<AppEnv>(async function loadSession(c, next) {
    c.set('session', null)
    const id = getCookie(c, SESSION_COOKIE, 'host')
    const record = await readSession(c.env.SESSIONS, id)
    if (id && record) {
      const { db, clock } = c.get('deps')
      const now = clock()
      // Plain SQL: every page runs it, and drizzle's query builder costs more CPU than the
      // query (bench/profile.ts).
      const student = await db.$client
        .prepare(STUDENT_BY_ID)
        .bind(record.studentId, c.get('university').id)
        .first<SessionStudent>()
      const fresh = now - record.refreshedAt <= SESSION_IDLE_SECONDS * 1000
      if (student && fresh && student.credentialEpoch === record.epoch) {
        await touchSession(c.env.SESSIONS, id, record, now)
        c.set('session', { id, record, student })
      } else {
        await destroySession(c.env.SESSIONS, id)
        deleteCookie(c, SESSION_COOKIE, { prefix: 'host' })
      }
    }
    await next()
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

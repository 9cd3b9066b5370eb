import { and, eq } from 'drizzle-orm'
import { deleteCookie, getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { STAGE_HOME, stageOf, type AppEnv, type Stage } from '../context'
import { students } from '../db/schema'
import {
  destroySession,
  readSession,
  SESSION_COOKIE,
  SESSION_IDLE_SECONDS,
  touchSession,
} from '../security/session'

/** Loads the session and its student, if any; ends sessions that are stale or superseded. */
export const loadSession = () =>
  createMiddleware<AppEnv>(async function loadSession(c, next) {
    c.set('session', null)
    const id = getCookie(c, SESSION_COOKIE, 'host')
    const record = await readSession(c.env.SESSIONS, id)
    if (id && record) {
      const { db, clock } = c.get('deps')
      const now = clock()
      const student = await db
        .select()
        .from(students)
        .where(
          and(eq(students.id, record.studentId), eq(students.universityId, c.get('university').id)),
        )
        .get()
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
    if (actual !== stage) return c.redirect(STAGE_HOME[actual], 303)
    await next()
  })

import { deleteCookie, getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { selectColumns } from '../db/columns'
import { students } from '../db/schema'
import { STAGE_HOME, stageOf, type AppEnv, type Stage, type Student } from '../context'
import {
  destroySession,
  readSession,
  SESSION_COOKIE,
  SESSION_IDLE_SECONDS,
  touchSession,
} from '../security/session'

const STUDENT_BY_ID = `SELECT ${selectColumns(students, 's')} FROM students s WHERE s.id = ? AND s.university_id = ?`

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
        .first<Student>()
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

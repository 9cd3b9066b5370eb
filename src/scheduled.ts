import { and, isNotNull, lt } from 'drizzle-orm'
import { database } from './db'
import { mailLog } from './db/schema'
import { purgeStaleThrottles } from './flows/throttle'

const DAY = 24 * 60 * 60_000

/**
 * Every minute: housekeeping that keeps D1 small. (Retrying deferred M.I.C. credits joins
 * this when the charge flow lands.)
 */
export async function scheduled(controller: ScheduledController, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const db = database(env.DB)
  const now = controller.scheduledTime
  await purgeStaleThrottles(db, now, DAY)
  // Mail bodies (kept in development only) can carry one-time URLs: drop them after a week.
  await db.update(mailLog).set({ body: null }).where(and(isNotNull(mailLog.body), lt(mailLog.createdAt, now - 7 * DAY)))
}

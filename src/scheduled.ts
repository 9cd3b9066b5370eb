import { and, isNotNull, lt } from 'drizzle-orm'
import { mailLog, notificationRejections } from './db/schema'
import { creditDueApplications, expireOverdueApplications } from './flows/crediting'
import { purgeStaleThrottles } from './flows/throttle'
import { servicesFor } from './services'

const DAY = 24 * 60 * 60_000

/**
 * Every minute: credit what is due (a stop window has ended, a failed credit's retry
 * time has come, a paid application the queue did not finish), turn applications past
 * their payment deadline into 未払い / キャンセル, and keep D1 small.
 */
export async function scheduled(
  _controller: ScheduledController,
  env: Env,
  _ctx?: ExecutionContext,
): Promise<void> {
  const s = await servicesFor(env)
  const now = s.clock()
  await expireOverdueApplications(s, now)
  const credits = await creditDueApplications(s, now)
  if (credits.due > 0) console.log('cron credits', credits)
  await purgeStaleThrottles(s.db, now, DAY)
  // Mail bodies (kept in development only) can carry one-time URLs: drop them after a week.
  await s.db
    .update(mailLog)
    .set({ body: null })
    .where(and(isNotNull(mailLog.body), lt(mailLog.createdAt, now - 7 * DAY)))
  // Refused webhooks are kept a month, for the gateway's support.
  await s.db
    .delete(notificationRejections)
    .where(lt(notificationRejections.receivedAt, now - 30 * DAY))
}

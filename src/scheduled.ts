import { and, isNotNull, lt } from 'drizzle-orm'
import { mailLog } from './db/schema'
import { creditDueApplications } from './flows/cron'
import { reconcileOverdueApplications, reconcileWaitingCredits } from './flows/payments'
import { syncRostersNightly } from './flows/roster/sync'
import { resealTotpSecrets } from './flows/staff/auth'
import { reconcileNightly } from './flows/staff/reconcile'
import { retentionNightly } from './flows/retention'
import { purgeStaleThrottles } from './flows/throttle'
import { purgeWebhookRefusals } from './flows/webhookRefusals'
import { totpKeys } from './security/totpSeal'
import { servicesFor } from './services'

const DAY = 24 * 60 * 60_000

/**
 * Every minute: ask the gateway about applications past their payment deadline (paid at
 * the last minute: credit; never paid: 未払い / キャンセル), credit what is due (a stop
 * window has ended, a retry's time has come, a held credit may fit now, a paid application
 * the queue did not finish), and keep D1 small.
 */
export async function scheduled(
  _controller: ScheduledController,
  env: Env,
  _ctx?: ExecutionContext,
): Promise<void> {
  const s = await servicesFor(env)
  const now = s.clock()
  const overdue = await reconcileOverdueApplications(s, now)
  if (overdue.paid + overdue.swept > 0) console.log('cron reconciled overdue applications', overdue)
  const waiting = await reconcileWaitingCredits(s, now)
  if (waiting.refunded > 0) console.log('cron found refunds at the gateway', waiting)
  const credits = await creditDueApplications(s, now)
  if (credits.due > 0) console.log('cron credits', credits)
  // 突合: yesterday, once per university, after the night's M.I.C. stop window.
  await reconcileNightly(s, now)
  // 保存期間: leavers' personal data, in the night's retention hour (flows/retention.ts).
  const retention = await retentionNightly(s, now)
  if (retention && retention.pseudonymised + retention.postponed + retention.studentsChecked > 0)
    console.log('cron retention', retention)
  await purgeStaleThrottles(s.db, now, DAY)
  // Mail bodies (kept in development only) can carry one-time URLs: drop them after a week.
  await s.db
    .update(mailLog)
    .set({ body: null })
    .where(and(isNotNull(mailLog.body), lt(mailLog.createdAt, now - 7 * DAY)))
  // Counts of refused webhooks are kept a month, for the gateway's support.
  await purgeWebhookRefusals(s.db, now - 30 * DAY)
  // 名簿: each university's directory brought up to date from its registrar, once a night
  // from 03:00 JST (after the registrar's own maintenance window).
  const rosters = await syncRostersNightly(s, now)
  if (rosters.ran > 0) console.log('cron synced rosters from the registrar', rosters)
  // The console's TOTP secrets: plain text from before encryption, or under a key being
  // rotated out, sealed under the current key (nothing to do on almost every run). Last, so
  // a missing TOTP_KEYS holds up nothing above.
  try {
    const resealed = await resealTotpSecrets({ db: s.db, totpKeys: await totpKeys(env.TOTP_KEYS) })
    if (resealed.sealed + resealed.unreadable > 0) console.log('cron sealed TOTP secrets', resealed)
  } catch (e) {
    console.error('cron could not seal TOTP secrets', e instanceof Error ? e.message : e)
  }
}

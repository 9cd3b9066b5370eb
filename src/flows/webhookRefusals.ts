import { lt, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { webhookRefusals } from '../db/schema'

const HOUR_MS = 60 * 60_000

/** The start of the UTC hour `at` falls in: refusals are counted per hour. */
export const hourStartOf = (at: number) => at - (at % HOUR_MS)

/**
 * Counts one refused webhook for its university, reason and hour, in one statement: a flood
 * of forged webhooks adds to a count instead of adding rows.
 */
export const countWebhookRefusal = (
  db: Db,
  refusal: { universityId: string; reason: string; detail: string | null; at: number },
) =>
  db
    .insert(webhookRefusals)
    .values({
      universityId: refusal.universityId,
      reason: refusal.reason,
      hourStart: hourStartOf(refusal.at),
      count: 1,
      lastAt: refusal.at,
      lastDetail: refusal.detail,
    })
    .onConflictDoUpdate({
      target: [webhookRefusals.universityId, webhookRefusals.reason, webhookRefusals.hourStart],
      set: {
        count: sql`${webhookRefusals.count} + 1`,
        lastAt: refusal.at,
        lastDetail: refusal.detail,
      },
    })

/** Housekeeping: forgets the counts of hours that began before `before`. */
export const purgeWebhookRefusals = (db: Db, before: number) =>
  db.delete(webhookRefusals).where(lt(webhookRefusals.hourStart, before))

import { and, eq, isNull } from 'drizzle-orm'
import { applications, paymentNotifications, refundRequests } from '../../db/schema'
import { NEEDS_PERSON_ALERT_MS } from '../../domain/staff'
import type { University } from '../../domain/university'
import { consoleText } from '../../i18n/console'
import type { Services } from '../../services'
import { loadUniversity } from '../charge'
import { needsPersonAlertMail } from '../mails'
import { needsPerson, TRIAGE_KIND_LABEL, type TriageItem, type TriageKind } from './triage'

/**
 * What the 30-minute alert covers: everything on 要対応 except a credit still retrying by
 * itself. That one alerts when it reaches the retry bound (`stalled`, flows/desk/credit.ts),
 * and since an application has one staff_alert_at, alerting it earlier would swallow the
 * alert that says the retries have stopped. A stalled, refused or mismatched credit is
 * alerted the moment it happens (alertStaffOnce); it is listed here too so that one whose
 * university had no staff address then still gets its alert once an address is set, and
 * the shared staff_alert_at keeps it to one mail either way.
 */
export const ALERTED_KINDS: readonly TriageKind[] = [
  'stalled',
  'refused',
  'mismatch',
  'held',
  'refund',
  'unmatched',
  'deadLettered',
]

/** At most this many alerts per cron pass; the rest go out a minute later. */
const ALERTS_PER_PASS = 100

/**
 * Claims the item's alert: true for exactly one caller (overlapping crons), and only while
 * the item still needs a person in the way it was found (a held credit credited meanwhile,
 * a refund decided meanwhile, an event applied meanwhile is not alerted).
 */
const claimAlert = async (s: Pick<Services, 'db'>, item: TriageItem, now: number) => {
  if (item.refundRequestId !== null) {
    const row = await s.db
      .update(refundRequests)
      .set({ staffAlertAt: now })
      .where(
        and(
          eq(refundRequests.id, item.refundRequestId),
          isNull(refundRequests.staffAlertAt),
          isNull(refundRequests.decidedAt),
        ),
      )
      .returning({ id: refundRequests.id })
      .get()
    return row !== undefined
  }
  if (item.eventId !== null) {
    const row = await s.db
      .update(paymentNotifications)
      .set({ staffAlertAt: now })
      .where(
        and(
          eq(paymentNotifications.eventId, item.eventId),
          isNull(paymentNotifications.staffAlertAt),
          item.kind === 'deadLettered' ? isNull(paymentNotifications.appliedAt) : undefined,
        ),
      )
      .returning({ id: paymentNotifications.eventId })
      .get()
    return row !== undefined
  }
  if (item.applicationId === null) return false
  const row = await s.db
    .update(applications)
    .set({ staffAlertAt: now })
    .where(
      and(
        eq(applications.id, item.applicationId),
        isNull(applications.staffAlertAt),
        eq(applications.status, 'paid'),
        eq(applications.creditStatus, item.kind as 'held'),
      ),
    )
    .returning({ id: applications.id })
    .get()
  return row !== undefined
}

/**
 * Cron: mails the university's staff address once about each item that has needed a
 * person for 30 minutes (NEEDS_PERSON_ALERT_MS) and has not been alerted, marking the
 * item's staff_alert_at first so no item is mailed twice. Universities without a staff
 * address are left out (their items stay unmarked, so they alert once an address is set).
 */
export const alertNeedsPerson = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  now: number,
): Promise<{ due: number; sent: number }> => {
  const due = await needsPerson(s.db, {
    scope: null,
    kinds: ALERTED_KINDS,
    sinceAtMost: now - NEEDS_PERSON_ALERT_MS,
    alertable: true,
    limit: ALERTS_PER_PASS,
  })
  const label = consoleText('ja')
  const universities = new Map<string, University>()
  let sent = 0
  for (const item of due) {
    if (item.universityId === null) continue
    let u = universities.get(item.universityId)
    if (!u) {
      u = await loadUniversity(s.db, item.universityId)
      universities.set(u.id, u)
    }
    if (!u.staffAlertEmail || !(await claimAlert(s, item, now))) continue
    await s.mailer.send(
      needsPersonAlertMail(u, {
        kindLabel: label(TRIAGE_KIND_LABEL[item.kind]),
        applicationId: item.applicationId,
        eventId: item.eventId,
        paymentId: item.paymentId,
        amount: item.amount,
        since: item.since,
      }),
    )
    sent++
  }
  return { due: due.length, sent }
}

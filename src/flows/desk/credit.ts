import { and, desc, eq, isNotNull, ne } from 'drizzle-orm'
import { applicationEvents, applications, students } from '../../db/schema'
import { PaymentProviderError } from '../../adapters/payments'
import {
  CREDIT_IN_PROGRESS,
  creditAmountOf,
  netCaptured,
  creditRetryDelayMs,
  HELD_RECHECK_MS,
  MAX_CREDIT_ATTEMPTS,
  RECREDITABLE,
  type CreditStatus,
} from '../../domain/application'
import { blackoutAt, linkOpensAt } from '../../domain/blackout'
import { translator } from '../../i18n'
import type { Services } from '../../services'
import {
  claimMail,
  loadUniversity,
  rememberBalance,
  sumOfAmounts,
  type Application,
} from '../charge'
import {
  alertStaffOnce,
  creditKey,
  sendChargeCompletedMailOnce,
  sendCreditErrorMailOnce,
} from '../crediting'
import { creditHeldMail } from '../mails'
import { GATEWAY_FRESH_MS, settleWithGateway } from './gateway'
import { issueOrder } from './issue'

/** KOMOJU could not be asked before a credit that waited: asked again this much later. */
const GATEWAY_UNDECIDED_RETRY_MS = 5 * 60_000
const verdictStatus: Record<'partlyRefunded' | 'reversed', CreditStatus> = {
  partlyRefunded: 'partly_refunded',
  reversed: 'reversed',
}

/**
 * Credits one paid application to M.I.C., or records why not yet. Must run inside the
 * student's StudentDesk (only the desk calls it), so no two credits of one student are in
 * flight at once. Safe to repeat: M.I.C. applies a key once, a credit already recorded is
 * left alone, and one waiting for its backoff is not tried early.
 *
 * The cap is decided here, against the balance M.I.C. reports now: a credit that would
 * take the card over its 残高上限額 is not sent but held (上限超過のため保留) and looked at
 * again by the cron. Once a request may have reached M.I.C. (`creditSentAt`), only M.I.C.'s
 * idempotent answer decides: it answers an applied key with its record.
 */
export const creditApplication = async (
  s: Services,
  id: number,
  /** A person asked for this attempt (再チャージ): it counts even where a re-check would not. */
  byPerson = false,
): Promise<CreditStatus | null> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a) return null
  // A certificate order's "credit" is its issue: the registrar, not M.I.C.
  if (a.kind === 'certificate') return issueOrder(s, id)
  const status = await creditCharge(s, a, byPerson)
  // チャージ完了 waits for the first attempt (credited, a stop window, …) so that its
  // words fit what happened; a decision with a mail of its own sent it first already.
  if (a.status === 'paid' && a.completionMailAt === null) await receiptOnce(s, a.id)
  return status
}

/**
 * チャージ完了 for a paid charge, once, with the application as it stands now (see
 * sendChargeCompletedMailOnce). Sent before the mail of a decision (held, refused, a
 * retry), never after it.
 */
const receiptOnce = async (
  s: Services,
  id: number,
  known?: { student: typeof students.$inferSelect; u: Awaited<ReturnType<typeof loadUniversity>> },
) => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a || a.completionMailAt !== null) return
  const student =
    known?.student ?? (await s.db.select().from(students).where(eq(students.id, a.studentId)).get())
  if (!student) return
  await sendChargeCompletedMailOnce(
    s,
    a,
    student,
    known?.u ?? (await loadUniversity(s.db, a.universityId)),
  )
}

const creditCharge = async (
  s: Services,
  a: Application,
  byPerson: boolean,
): Promise<CreditStatus | null> => {
  if (a.status !== 'paid' || !CREDIT_IN_PROGRESS.includes(a.creditStatus)) return a.creditStatus
  const now = s.clock()
  // A credit waiting for its retry, a stop window or room on the card waits its time,
  // whoever asks (a duplicate webhook, a student's return): the cron takes it when due.
  if (a.creditStatus !== 'pending' && a.nextCreditAt !== null && a.nextCreditAt > now)
    return a.creditStatus
  const u = await loadUniversity(s.db, a.universityId)
  const set = (values: Partial<Application>) =>
    s.db
      .update(applications)
      .set({ ...values, updatedAt: s.clock() })
      .where(eq(applications.id, a.id))
  const defer = async (until: number) => {
    await set({
      creditStatus: 'deferred',
      nextCreditAt: linkOpensAt(until, u.fiscalYearEndBlackouts),
    })
    return 'deferred' as const
  }
  if (blackoutAt(now, u.fiscalYearEndBlackouts)) return defer(now)
  // A credit that waited (a stop window, a retry, a hold) asks KOMOJU once more right before
  // it is sent: money refunded or charged back meanwhile is never credited.
  if (a.gatewayCheckedAt === null || now - a.gatewayCheckedAt > GATEWAY_FRESH_MS) {
    const verdict = await settleWithGateway(s, a.id)
    if (verdict === 'undecided') {
      await set({ nextCreditAt: now + GATEWAY_UNDECIDED_RETRY_MS })
      return a.creditStatus
    }
    if (verdict !== 'holds') return verdict === 'refunded' ? a.creditStatus : verdictStatus[verdict]
  }
  const student = await s.db.select().from(students).where(eq(students.id, a.studentId)).get()
  if (!student) throw new Error(`application ${a.id} has no student`)
  const card = { universityId: a.universityId, userId: student.userId }
  const receiptFirst = () =>
    a.completionMailAt === null ? receiptOnce(s, a.id, { student, u }) : Promise.resolve()
  const amount = creditAmountOf(a)
  // creditAttempts counts every attempt to credit (試行回数 in the console): each answer
  // M.I.C. gave to a credit, each time the card had no room for it, each 再チャージ. Not
  // counted: a deferral to a stop window, and the cron's re-checks of a held credit that
  // still finds no room (looking, not trying). The backoff and the retry bound count only
  // the failures in a row (failuresInARow).
  const attempts = a.creditAttempts + 1
  const failed = async (detail: string) => {
    const failures = (await failuresInARow(s, a.id)) + 1
    const stalled = failures >= MAX_CREDIT_ATTEMPTS
    console.error('M.I.C. credit failed', {
      application: a.id,
      attempts,
      failures,
      stalled,
      detail,
    })
    await set({
      creditStatus: stalled ? 'stalled' : 'retrying',
      creditAttempts: attempts,
      creditError: detail.slice(0, 500),
      nextCreditAt: stalled
        ? null
        : linkOpensAt(now + creditRetryDelayMs(failures), u.fiscalYearEndBlackouts),
    })
    await receiptFirst()
    await sendCreditErrorMailOnce(s, a, student.email, u)
    if (stalled) await alertStaffOnce(s, a, u, 'stalled')
    return stalled ? ('stalled' as const) : ('retrying' as const)
  }
  // M.I.C. answers a key it applied with its record, whatever the card's state now (even a
  // suspended or full card): a refusal of this key proves that no request with it, earlier
  // ones whose answer was lost included, was applied. The credit counts as never sent.
  const hold = async (reason: string, sentAndRefused = false) => {
    // A held credit's re-check that finds no room is not an attempt; entering the hold,
    // M.I.C.'s own refusal over the cap and a person's 再チャージ are.
    const counts = sentAndRefused || byPerson || a.creditStatus !== 'held'
    await set({
      creditStatus: 'held',
      ...(counts ? { creditAttempts: attempts } : {}),
      creditError: reason.slice(0, 500),
      nextCreditAt: now + HELD_RECHECK_MS,
      ...(sentAndRefused ? { creditSentAt: null } : {}),
    })
    await receiptFirst()
    if (student.email && (await claimMail(s, a.id, 'heldMailAt')))
      await s.mailer.send(creditHeldMail(translator(a.lang), u, student.email, a))
    return 'held' as const
  }

  if (a.creditSentAt === null) {
    // Never sent: the card must have room for it now, by M.I.C.'s own count.
    const reading = await s.mic.balance(card)
    if (!reading.ok) {
      if (reading.error === 'blackout') return defer(Math.max(reading.until ?? now + 60_000, now))
      return failed(reading.error === 'rejected' ? reading.detail : `balance: ${reading.detail}`)
    }
    await rememberBalance(s.db, student.id, reading.balance, reading.asOf)
    // Credits of this student sent earlier whose answer never came may be on the card
    // already, or may land yet: count them as landed (the hold is re-checked later).
    const uncertain = await sentNotConfirmed(s, a)
    if (reading.balance + uncertain + amount > u.balanceCap)
      return hold(
        `over_cap: balance ${reading.balance}${uncertain ? ` + unconfirmed ${uncertain}` : ''} + ${amount} > cap ${u.balanceCap}`,
      )
    await set({ creditSentAt: now })
  }
  const r = await s.mic.credit(card, amount, creditKey(a))
  if (r.ok) {
    await set({
      creditStatus: 'credited',
      creditAttempts: attempts,
      creditedAt: s.clock(),
      micCreditId: r.creditId,
      creditError: null,
      nextCreditAt: null,
    })
    // The balance M.I.C. gave with the credit is as of when it applied it: a replay's is old.
    await rememberBalance(s.db, student.id, r.balance, r.appliedAt)
    return 'credited'
  }
  if (r.error === 'blackout') return defer(Math.max(r.until ?? now + 60_000, now))
  // M.I.C. refused (and so did not apply it): the card filled up meanwhile (a cash charge
  // on campus), or the card cannot take credits at all.
  if (r.error === 'overCap') return hold(`over_cap (M.I.C.): ${r.detail}`, true)
  if (r.error === 'rejected') {
    await set({
      creditStatus: 'refused',
      creditAttempts: attempts,
      creditError: r.detail.slice(0, 500),
      nextCreditAt: null,
      creditSentAt: null,
    })
    await receiptFirst()
    // The mail reads the refusal's cause (creditRefusal), so it is given the record as set.
    await sendCreditErrorMailOnce(
      s,
      { ...a, creditStatus: 'refused', creditError: r.detail.slice(0, 500), creditSentAt: null },
      student.email,
      u,
    )
    await alertStaffOnce(s, a, u, 'refused')
    return 'refused'
  }
  return failed(r.detail)
}

/**
 * How many attempts in a row failed before this one (M.I.C. did not answer or failed), from
 * the credit's events (written by the trigger on every change of its state or count): the
 * failures since it last became anything but retrying, a deferral to a stop window not
 * breaking the row. A 再チャージ of a stalled credit puts it back to pending, so it starts a
 * fresh round of retries.
 */
const failuresInARow = async (s: Pick<Services, 'db'>, applicationId: number) => {
  const events = await s.db
    .select({ detail: applicationEvents.detail })
    .from(applicationEvents)
    .where(
      and(eq(applicationEvents.applicationId, applicationId), eq(applicationEvents.kind, 'credit')),
    )
    .orderBy(desc(applicationEvents.id))
    .limit(MAX_CREDIT_ATTEMPTS * 3)
    .all()
  let failures = 0
  for (const e of events) {
    const to = (JSON.parse(e.detail) as { to?: string }).to
    if (to === 'retrying') failures++
    else if (to !== 'deferred') break
  }
  return failures
}

/** The student's other credits sent to M.I.C. and not confirmed: they may be on the card. */
const sentNotConfirmed = (s: Pick<Services, 'db'>, a: Application) =>
  sumOfAmounts(
    s.db,
    and(
      eq(applications.studentId, a.studentId),
      ne(applications.id, a.id),
      eq(applications.status, 'paid'),
      isNotNull(applications.creditSentAt),
      ne(applications.creditStatus, 'credited'),
    ),
  )

/**
 * 差額をチャージ: staff chose to credit what KOMOJU still holds of a partly refunded payment
 * (its net). Must run inside the student's StudentDesk. KOMOJU is asked now, and the net it
 * holds now is what is credited, on the desk's own path (stop windows, the cap, M.I.C.'s
 * answer decide as always). Returns the credit status after the attempt.
 */
export const creditTheNet = async (s: Services, id: number): Promise<CreditStatus | null> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a) return null
  if (a.kind === 'certificate') return a.creditStatus
  if (a.status !== 'paid' || a.creditStatus !== 'partly_refunded' || !a.providerPaymentId)
    return a.creditStatus
  const provider = s.payments(await loadUniversity(s.db, a.universityId))
  if (!provider) return a.creditStatus
  let p
  try {
    p = await provider.payment(a.providerPaymentId)
  } catch (e) {
    if (!(e instanceof PaymentProviderError)) throw e
    return a.creditStatus
  }
  if (!p) return a.creditStatus
  const net = netCaptured(p)
  if (net === 0) {
    await settleWithGateway(s, a.id, p) // all of it went back meanwhile: 返金済み
    return a.creditStatus
  }
  const now = s.clock()
  await s.db
    .update(applications)
    .set({
      creditStatus: 'pending',
      creditAmount: net,
      gatewayRefunded: p.amount - net,
      gatewayChargeback: p.chargedBack,
      gatewayCheckedAt: now,
      nextCreditAt: now,
      updatedAt: now,
    })
    .where(and(eq(applications.id, a.id), eq(applications.creditStatus, 'partly_refunded')))
  return creditApplication(s, id, true)
}

/**
 * 再チャージ: a person asks for the credit to be tried now rather than at its retry time,
 * or again after M.I.C. refused the card or kept failing. Must run inside the student's
 * StudentDesk (only the desk calls it), in the same line as every other credit of the
 * student. It only puts the application back on the desk's own path, due now, and runs
 * it: the same idempotency key as every earlier attempt (creditKey), so a credit M.I.C.
 * applied but whose answer was lost is answered with its record and never applied twice;
 * the stop windows, the cap check for a credit never sent and M.I.C.'s answer decide as
 * they always do. Returns the credit status after the attempt, or null when there is no
 * such application.
 */
export const retryCreditNow = async (s: Services, id: number): Promise<CreditStatus | null> => {
  const a = await s.db.select().from(applications).where(eq(applications.id, id)).get()
  if (!a) return null
  if (a.status !== 'paid' || !RECREDITABLE.includes(a.creditStatus)) return a.creditStatus
  const now = s.clock()
  const handedOver = a.creditStatus === 'refused' || a.creditStatus === 'stalled'
  await s.db
    .update(applications)
    .set({
      // Refused and stalled credits are no longer the desk's to try: back to pending.
      creditStatus: handedOver ? 'pending' : a.creditStatus,
      // Due now (not null: if this attempt dies half-way the cron still finds it).
      nextCreditAt: now,
      // A stalled charge gets a fresh round of retries by going back to pending (its
      // attempts stay counted: failuresInARow starts over). A certificate's issue counts its
      // registrar retries in creditAttempts itself (desk/issue.ts): its round starts over here.
      ...(a.kind === 'certificate' && a.creditStatus === 'stalled'
        ? { creditAttempts: a.creditSentAt === null ? 0 : 1 }
        : {}),
      updatedAt: now,
    })
    .where(
      and(
        eq(applications.id, a.id),
        eq(applications.status, 'paid'),
        eq(applications.creditStatus, a.creditStatus),
      ),
    )
  return creditApplication(s, id, true)
}

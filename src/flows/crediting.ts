import { creditStanding } from '../domain/application'
import type { University } from '../domain/university'
import { translator } from '../i18n'
import type { Services } from '../services'
import { claimMail, type Application } from './charge'
import { chargeCompletedMail, creditErrorMail, staffAlertMail } from './mails'

/** The key M.I.C. deduplicates a credit by: one per application, forever. */
export const creditKey = (a: Pick<Application, 'universityId' | 'id'>) =>
  `${a.universityId}:application:${a.id}`

/**
 * チャージ完了 (manual §4.1 順序10) for a paid M.I.C. charge, once per application. The desk
 * sends it once its first credit attempt has decided something (credited, a stop window,
 * held, refused, a retry), before any mail about that decision, so that it never promises
 * "a few minutes" for a credit already refused or waiting for 05:00 (chargeCompletedMail
 * picks its notes by where the credit stands). `a` is the application as it stands now.
 */
export const sendChargeCompletedMailOnce = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  a: Application,
  student: { email: string | null; nameKana: string },
  u: University,
) => {
  if (a.kind !== 'mic_charge' || a.status !== 'paid' || a.completionMailAt !== null) return
  if (!student.email || !(await claimMail(s, a.id, 'completionMailAt'))) return
  const credit = creditStanding(a, s.clock(), u.fiscalYearEndBlackouts)
  await s.mailer.send(
    chargeCompletedMail(translator(a.lang), u, student.email, student.nameKana, a, null, credit),
  )
}

/** The manual's error mail (§4.3), once per application. */
export const sendCreditErrorMailOnce = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  a: Application,
  email: string | null,
  u: University,
) => {
  if (email && (await claimMail(s, a.id, 'errorMailAt')))
    await s.mailer.send(creditErrorMail(translator(a.lang), u, email, a))
}

/** One alert to the university's staff that this application's credit needs a person. */
export const alertStaffOnce = async (
  s: Pick<Services, 'db' | 'clock' | 'mailer'>,
  a: Application,
  u: University,
  reason: 'stalled' | 'refused' | 'mismatch',
) => {
  if (u.staffAlertEmail && (await claimMail(s, a.id, 'staffAlertAt')))
    await s.mailer.send(staffAlertMail(u, a, reason))
}

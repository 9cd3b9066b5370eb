import type { University } from '../domain/university'
import { translator } from '../i18n'
import type { Services } from '../services'
import { claimMail, type Application } from './charge'
import { creditErrorMail, staffAlertMail } from './mails'

/** The key M.I.C. deduplicates a credit by: one per application, forever. */
export const creditKey = (a: Pick<Application, 'universityId' | 'id'>) =>
  `${a.universityId}:application:${a.id}`

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

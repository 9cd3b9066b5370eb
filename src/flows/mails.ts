import type { Mail } from '../adapters/mail'
import type { University } from '../domain/university'
import type { TextKey, Translator } from '../i18n'

export type OutgoingMail = Mail & { kind: string; universityId: string }

/** The closing lines of every mail: the manual's notes and the university's contact. */
const footer = (tr: Translator, u: University, withIgnoreNote: boolean) =>
  [
    '',
    ...(withIgnoreNote ? [tr.t('mailFooterIgnore')] : []),
    tr.t('mailFooterNoReply'),
    tr.t('mailFooterContact'),
    '',
    u.callCentre.name,
    `TEL ${u.callCentre.phone}`,
    tr.t('contactHours', { hours: u.callCentre.hours }),
  ].join('\n')

const envelope = (u: University, tr: Translator, to: string, kind: string, subject: TextKey) => ({
  from: { address: u.mailFrom, name: u.mailFromName },
  to,
  kind,
  universityId: u.id,
  subject: tr.t(subject, { university: tr.lang === 'en' ? u.nameEn : u.name }),
})

const TOKEN_MAILS = {
  'email-register': { subject: 'mailEmailRegisterSubject', body: 'mailEmailRegisterBody' },
  'email-change': { subject: 'mailEmailChangeSubject', body: 'mailEmailChangeBody' },
  'second-password-reset': { subject: 'mailResetSubject', body: 'mailResetBody' },
} as const satisfies Record<string, { subject: TextKey; body: TextKey }>

/** A mail carrying a one-time URL (manual §2.1 "メール文面"). */
export const oneTimeUrlMail = (
  tr: Translator,
  u: University,
  kind: keyof typeof TOKEN_MAILS,
  to: string,
  url: string,
  userId: string,
): OutgoingMail => ({
  ...envelope(u, tr, to, kind, TOKEN_MAILS[kind].subject),
  text: [tr.t(TOKEN_MAILS[kind].body, { userId }), '', url, '', tr.t('mailUrlExpiry'), footer(tr, u, true)].join('\n'),
})

/** Tells the old address that the email address was changed. */
export const emailChangedNotice = (tr: Translator, u: University, to: string, userId: string): OutgoingMail => ({
  ...envelope(u, tr, to, 'email-changed', 'mailEmailChangedSubject'),
  text: [tr.t('mailEmailChangedBody', { userId }), footer(tr, u, false)].join('\n'),
})

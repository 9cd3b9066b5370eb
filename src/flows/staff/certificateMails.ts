import {
  CERTIFICATE_NAMES,
  certificateSettingsOf,
  type PostalAddress,
} from '../../domain/certificates'
import { universityIn, type University } from '../../domain/university'
import { translator, type Lang } from '../../i18n'
import { consoleText } from '../../i18n/console'
import type { OutgoingMail } from '../mails'

type CertificateLine = typeof certificateLines.$inferSelect
type CertificateOrder = typeof certificateOrders.$inferSelect
import type { certificateLines, certificateOrders } from '../../db/schema'

/** Japan Post's tracking page for a number (郵送 goes by post: its postage is what was paid). */
export const trackingUrl = (trackingNumber: string, lang: Lang) =>
  `https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=${encodeURIComponent(trackingNumber)}&locale=${lang}`

const STEP_MAILS = {
  printed: { subject: 'certMailPrintedSubject', body: 'certMailPrintedBody' },
  enclosed: { subject: 'certMailEnclosedSubject', body: 'certMailEnclosedBody' },
  shipped: { subject: 'certMailShippedSubject', body: 'certMailShippedBody' },
} as const

/** The 内訳 as a mail lists it: 在学証明書（和文）× 2. */
export const lineText = (lang: Lang, l: Pick<CertificateLine, 'type' | 'language' | 'copies'>) =>
  consoleText(lang)('certLineText', {
    name: CERTIFICATE_NAMES[l.type][lang],
    language: consoleText(lang)(l.language === 'ja' ? 'certLangJa' : 'certLangEn'),
    copies: l.copies,
  })

/**
 * To the student, about their 郵送 order, at each step: 印刷 (the office has started on it),
 * 封入 (in its envelope, sealed if asked: sent soon) and 発送 (with the tracking number and
 * where to follow it). In the language the student applied in; the closing names the office
 * that issues certificates.
 */
export const certificatePostMail = (
  u: University,
  lang: Lang,
  to: string,
  nameKana: string,
  p: {
    order: Pick<CertificateOrder, 'applicationId' | 'sealed' | 'trackingNumber'>
    address: PostalAddress | null
    lines: readonly Pick<CertificateLine, 'type' | 'language' | 'copies'>[]
    step: 'printed' | 'enclosed' | 'shipped'
  },
): OutgoingMail => {
  const ct = consoleText(lang)
  const tr = translator(lang)
  const office = certificateSettingsOf(u).office
  // The university's values in the student's language (an English one not yet filled: Japanese).
  const names = universityIn(u, lang)
  const university = names.name
  const shipped = p.step === 'shipped'
  const a = p.address
  return {
    from: { address: u.mailFrom, name: names.mailFromName },
    to,
    kind: `certificate-${p.step}`,
    universityId: u.id,
    applicationId: p.order.applicationId,
    subject: ct(STEP_MAILS[p.step].subject, { university }),
    text: [
      tr.t('mailTo', { name: nameKana }),
      '',
      ct(STEP_MAILS[p.step].body),
      tr.t('mailApplicationNumber', { id: p.order.applicationId }),
      '',
      // ・ is Japanese punctuation: an English mail lists with a hyphen.
      ...p.lines.map((l) => `${lang === 'en' ? '- ' : '・'}${lineText(lang, l)}`),
      ...(p.order.sealed ? [ct('certMailSealed')] : []),
      ...(a
        ? [
            '',
            ct('certMailAddress'),
            ...(a.country === 'JP' ? [`〒${a.postalCode}`] : []),
            a.address,
            a.name,
          ]
        : []),
      ...(shipped && p.order.trackingNumber
        ? [
            '',
            ct('certMailTracking', { number: p.order.trackingNumber }),
            trackingUrl(p.order.trackingNumber, lang),
          ]
        : []),
      '',
      tr.t('mailFooterNoReply'),
      ct('certMailOffice'),
      lang === 'en' ? office.name.en || office.name.ja : office.name.ja,
      ...(office.phone ? [`TEL ${office.phone}`] : []),
      ...(office.email ? [office.email] : []),
    ].join('\n'),
  }
}

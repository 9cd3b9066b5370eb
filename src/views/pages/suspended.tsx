import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'

/**
 * What a student of a suspended university sees on every page: that the service is
 * stopped, that nothing paid is lost, and whom to ask (the footer's contact, repeated here
 * so it is read with the message).
 */
export const SuspendedPage = () => {
  const c = useRequestContext<AppEnv>()
  const { t, lang } = c.get('tr')
  const u = c.get('university')
  const { callCentre } = u
  return (
    <section class="card" role="alert">
      <p>{t('suspendedLead', { university: lang === 'en' ? u.nameEn : u.name })}</p>
      <p>{t('suspendedPaid')}</p>
      <p>{t('suspendedContact')}</p>
      <p>
        {callCentre.name}
        <br />
        TEL <a href={`tel:${callCentre.phone.replace(/[^0-9+]/g, '')}`}>{callCentre.phone}</a>
        <br />
        {t('contactHours', { hours: callCentre.hours })}
      </p>
    </section>
  )
}

import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { universityIn } from '../../domain/university'

/**
 * What a student of a suspended university sees on every page: that the service is
 * stopped, that nothing paid is lost, and whom to ask (the footer's contact, repeated here
 * so it is read with the message).
 */
export const SuspendedPage = () => {
  const c = useRequestContext<AppEnv>()
  const { t, lang } = c.get('tr')
  const u = universityIn(c.get('university'), lang)
  return (
    <section class="card" role="alert">
      <p>{t('suspendedLead', { university: u.name })}</p>
      <p>{t('suspendedPaid')}</p>
      <p>{t('suspendedContact')}</p>
      <p>
        {u.callCentreName}
        <br />
        TEL <a href={`tel:${u.callCentrePhone.replace(/[^0-9+]/g, '')}`}>{u.callCentrePhone}</a>
        <br />
        {t('contactHours', { hours: u.callCentreHours })}
      </p>
    </section>
  )
}

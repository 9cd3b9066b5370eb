import { useRequestContext } from '../renderer'
import type { AppEnv, SessionStudent, Student } from '../../context'
import { studentMay } from '../../domain/roster'
import type { PaymentMethod } from '../../domain/paymentMethods'
import { formatJstDateTime } from '../../domain/time'
import { format } from '../../i18n'
import { Paragraphs } from '../components'

const useTr = () => useRequestContext<AppEnv>().get('tr')

/** A page that says something and offers where to go next. */
export const InfoPage = (p: {
  lines: readonly string[]
  links: { href: string; label: string }[]
  role?: 'status' | 'alert'
}) => (
  <section class="card" role={p.role}>
    <Paragraphs lines={p.lines} />
    <p class="links">
      {p.links.map((l) => (
        <a class="button" href={l.href}>
          {l.label}
        </a>
      ))}
    </p>
  </section>
)

/** 前回ログイン日時, as on every logged-in screen of the manual. */
export const LastLogin = ({ at }: { at: number | null }) => {
  const { t } = useTr()
  return (
    <p class="last-login">
      {t('lastLogin')}{' '}
      <time datetime={at ? new Date(at).toISOString() : undefined}>
        {at ? formatJstDateTime(at) : t('lastLoginNone')}
      </time>
    </p>
  )
}

/** メニュー選択. */
export const MenuPage = ({ student }: { student: SessionStudent }) => {
  const { t } = useTr()
  return (
    <>
      <LastLogin at={student.lastLoginAt} />
      <p>{t('loggedInAs', { name: student.nameKana, userId: student.userId })}</p>
      <ul class="menu-tiles">
        <li>
          {studentMay(student.status, 'charge') ? (
            <a class="tile" href="/charge">
              {t('menuCharge')}
            </a>
          ) : (
            // Shown, not hidden: the manual's menu has it, and the student learns why.
            <span class="tile disabled">
              {t('menuCharge')}
              <small>{t('menuChargeClosed')}</small>
            </span>
          )}
        </li>
        <li>
          <a class="tile" href="/certificates">
            {t('menuCertificates')}
          </a>
        </li>
        <li>
          <a class="tile" href="/applications">
            {t('menuApplications')}
          </a>
        </li>
        <li>
          <a class="tile" href="/manual">
            {t('menuManual')}
          </a>
        </li>
      </ul>
    </>
  )
}

/** マニュアル (§3): this service's own operation manual. */
export const ManualPage = () => {
  const { t, sections } = useTr()
  return (
    <article class="manual">
      <p>{t('manualIntro')}</p>
      <nav aria-label={t('manualTitle')}>
        <ol>
          {sections('manualSections').map(([heading], i) => (
            <li>
              <a href={`#s${i + 1}`}>{heading}</a>
            </li>
          ))}
        </ol>
      </nav>
      {sections('manualSections').map(([heading, ...paragraphs], i) => (
        <section id={`s${i + 1}`}>
          <h2>{heading}</h2>
          <Paragraphs lines={paragraphs} />
        </section>
      ))}
    </article>
  )
}

/** 操作手順: how paying with one method goes, from 申請 to the charge on the card. */
export const HowToPage = ({ method, later }: { method: PaymentMethod; later: boolean }) => {
  const { t, list } = useTr()
  const place = t(method === 'payeasy' ? 'howToPlacePayEasy' : 'howToPlaceStore')
  return (
    <>
      <ol class="card">
        {list(later ? 'howToLater' : 'howToNow').map((step) => (
          <li>{format(step, { place })}</li>
        ))}
      </ol>
      <p class="actions">
        <a class="button" href="/charge">
          {t('back')}
        </a>
      </p>
    </>
  )
}

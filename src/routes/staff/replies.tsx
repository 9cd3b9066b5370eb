import type { Context } from 'hono'
import type { AppEnv } from '../../context'
import type { ConsoleKey } from '../../i18n/console'
import { ConsoleInfoPage } from '../../views/staff/auth'

type C = Context<AppEnv>

/** 権限がありません (403), as requireStaff answers it. */
export { forbidden } from '../../middleware/staff'

/**
 * Not found (404), with a way back to `back`. Missing and another university's look the
 * same: the page never says which.
 */
export const notFound = (c: C, back: { href: string; label: ConsoleKey }) => {
  const ct = c.get('ct')
  c.status(404)
  return c.render(
    <ConsoleInfoPage
      role="alert"
      lines={[ct('notFound')]}
      link={{ href: back.href, label: ct(back.label) }}
    />,
    { title: ct('notFoundTitle') },
  )
}

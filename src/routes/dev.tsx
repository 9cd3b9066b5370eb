import { desc } from 'drizzle-orm'
import { Hono } from 'hono'
import type { AppEnv } from '../context'
import { mailLog } from '../db/schema'
import { AppError } from '../errors'
import { DevMailPage } from '../views/pages/dev'

/** Development tools. Everything here is a 404 unless the service runs in development mode. */
export const dev = new Hono<AppEnv>()

dev.use('*', async function developmentOnly(c, next) {
  if (!c.get('deps').devMode) throw new AppError('notFound', 404)
  await next()
})

dev.get('/', (c) =>
  c.render(
    <ul>
      <li>
        <a href="/_dev/mail">/_dev/mail</a> — outbox
      </li>
    </ul>,
    { title: 'Development tools' },
  ),
)

dev.get('/mail', async (c) => {
  const mails = await c.get('deps').db.select().from(mailLog).orderBy(desc(mailLog.id)).limit(200).all()
  return c.render(<DevMailPage mails={mails} />, { title: 'Mail outbox' })
})

import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../context'
import { AppError, ERROR_TEXT } from '../errors'
import { translator } from '../i18n'
import { InfoPage } from '../views/pages/general'

/** A page of its own for errors raised before the university (and so the layout) is known. */
const bare = (c: Context<AppEnv>, status: 404 | 500, title: string, message: string) =>
  c.html(
    `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/app.css"></head><body><main id="main"><h1>${title}</h1><p>${message}</p></main></body></html>`,
    status,
  )

const page = (c: Context<AppEnv>, status: number, title: string, message: string) => {
  c.status(status as 404)
  return c.render(
    <InfoPage
      role="alert"
      lines={[message]}
      links={[{ href: '/', label: c.get('tr').t('toTop') }]}
    />,
    { title },
  )
}

export const notFound = (c: Context<AppEnv>) => {
  const tr = c.get('tr') ?? translator('ja')
  if (!c.get('university')) return bare(c, 404, tr.t('notFoundTitle'), tr.t('notFound'))
  return page(c, 404, tr.t('notFoundTitle'), tr.t('notFound'))
}

/** The one error handler: known errors get their page, the rest a logged 500 with the request id. */
export const onError = (err: Error, c: Context<AppEnv>) => {
  const tr = c.get('tr') ?? translator('ja')
  if (err instanceof AppError) {
    const text = ERROR_TEXT[err.code]
    if (!c.get('university')) return bare(c, 404, tr.t(text.title), tr.t(text.message))
    return page(c, err.status, tr.t(text.title), tr.t(text.message))
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own 4xx (an unreadable body, say): the same friendly page as a bad link.
    if (!c.get('university')) return bare(c, 404, tr.t('notFoundTitle'), tr.t('notFound'))
    return page(c, err.status, tr.t('forbiddenTitle'), tr.t('csrfFailed'))
  }
  const requestId = c.get('requestId') ?? 'unknown'
  console.error('unexpected error', {
    requestId,
    path: c.req.path,
    error: err.stack ?? String(err),
  })
  const message = tr.t('serverError', { requestId })
  if (!c.get('university')) return bare(c, 500, tr.t('serverErrorTitle'), message)
  return page(c, 500, tr.t('serverErrorTitle'), message)
}

import { getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../context'
import { AppError } from '../errors'
import { randomToken, timingSafeEqualText } from '../security/crypto'

export const CSRF_COOKIE = 'csrf'
export const CSRF_FIELD = '_csrf'
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

export const issueCsrfCookie = (c: Parameters<typeof setCookie>[0]) => {
  const token = randomToken(32)
  setCookie(c, CSRF_COOKIE, token, { prefix: 'host', httpOnly: true, sameSite: 'Lax' })
  return token
}

/**
 * Double-submit CSRF protection for every form: a `__Host-` cookie (which another site
 * can neither read nor plant) must match the form's hidden field, and a cross-site
 * Origin or Sec-Fetch-Site is refused outright. Paths in `exempt` (machine-to-machine,
 * signed) are skipped.
 */
export const csrfProtection = (options: { exempt?: string[] } = {}) =>
  createMiddleware<AppEnv>(async function csrfProtection(c, next) {
    let token = getCookie(c, CSRF_COOKIE, 'host')
    if (!token || !TOKEN_SHAPE.test(token)) token = issueCsrfCookie(c)
    c.set('csrfToken', token)

    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)
    if (unsafe && !options.exempt?.some((p) => c.req.path.startsWith(p))) {
      const origin = c.req.header('origin')
      // "null" is what privacy modes send; the token below still decides.
      if (origin && origin !== 'null' && origin !== new URL(c.req.url).origin)
        throw new AppError('csrf', 403)
      if (c.req.header('sec-fetch-site') === 'cross-site') throw new AppError('csrf', 403)
      const type = c.req.header('content-type') ?? ''
      if (
        !type.startsWith('application/x-www-form-urlencoded') &&
        !type.startsWith('multipart/form-data')
      ) {
        throw new AppError('csrf', 403)
      }
      // A body that is not a readable form (broken multipart, say) is the sender's fault.
      const body = await c.req.parseBody().catch(() => {
        throw new AppError('badRequest', 400)
      })
      const sent = body[CSRF_FIELD]
      if (typeof sent !== 'string' || !timingSafeEqualText(sent, token))
        throw new AppError('csrf', 403)
    }
    await next()
  })

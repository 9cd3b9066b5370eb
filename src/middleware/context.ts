import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { D1Directory } from '../adapters/directory'
import type { AppEnv } from '../context'
import { requestClock } from '../flows/clock'
import { firstReads } from '../flows/firstReads'
import { STAFF_SESSION_COOKIE } from '../flows/staff/auth'
import { SESSION_COOKIE } from '../security/session'
import { AppError } from '../errors'
import { isLang, translator } from '../i18n'
import { servicesWith } from '../services'

export const LANG_COOKIE = 'lang'

/** Builds the request's dependencies from the bindings: the only place that reads them. */
export const withDeps = () =>
  createMiddleware<AppEnv>(async function withDeps(c, next) {
    const env = c.env
    // The development clock's offset is learnt in the first batch (resolveUniversity).
    const { clock, learnOffset } = requestClock(env.APP_ENV === 'development')
    const services = servicesWith(env, clock)
    c.set('learnClockOffset', learnOffset)
    c.set('deps', {
      ...services,
      pepper: env.PEPPER,
      directory: new D1Directory(services.db, env.PEPPER),
      tokens: { kv: env.TOKENS, desks: env.STUDENT_DESK, clock: services.clock },
    })
    await next()
  })

/** Japanese unless the student chose English (a cookie set by /lang/:lang). */
export const language = () =>
  createMiddleware<AppEnv>(async function language(c, next) {
    const chosen = getCookie(c, LANG_COOKIE)
    c.set('tr', translator(isLang(chosen) ? chosen : 'ja'))
    await next()
  })

/**
 * The hostname of a request's URL, which the runtime has already parsed and normalised
 * (lower case, punycode, a path of at least "/"): cut out of the string, without the cost of
 * a URL object on every request.
 */
export const hostnameOf = (url: string) => {
  const start = url.indexOf('//') + 2
  const slash = url.indexOf('/', start)
  const authority = url.slice(start, slash === -1 ? url.length : slash)
  const host = authority.slice(authority.lastIndexOf('@') + 1)
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.indexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/**
 * The request's first wave of storage (flows/firstReads.ts): the university of its host name,
 * the development clock, and the session's student or console member, read in one D1 batch
 * beside the session's KV record. Mounted before every page and on the webhook endpoint; an
 * unknown host is 404. The session middleware (loadSession, loadStaff) judges what it read.
 * `nearest`: from the nearest replica (D1's Sessions API), where a read a moment old does no
 * harm (the webhook endpoint: a university's id and gateway account).
 */
export const resolveUniversity = (from: 'primary' | 'nearest' = 'primary') =>
  createMiddleware<AppEnv>(async function resolveUniversity(c, next) {
    const path = c.req.path
    const console = path === '/staff' || path.startsWith('/staff/')
    const reads = await firstReads({
      d1: from === 'nearest' ? c.env.DB.withSession('first-unconstrained') : c.env.DB,
      kv: c.env.SESSIONS,
      hostname: hostnameOf(c.req.url),
      development:
        c.env.APP_ENV === 'development' ? { defaultUniversity: c.env.DEFAULT_UNIVERSITY } : null,
      studentCookie: console ? undefined : getCookie(c, SESSION_COOKIE, 'host'),
      staffCookie: console ? getCookie(c, STAFF_SESSION_COOKIE, 'host') : undefined,
    })
    c.get('learnClockOffset')(reads.clockOffsetMs)
    if (!reads.university) throw new AppError('unknownHost', 404)
    c.set('university', reads.university)
    c.set('firstReads', reads)
    await next()
  })

/**
 * Lets `work` finish after the response (a session's TTL refresh, the removal of a dead
 * session): nothing the student sees waits for it.
 */
export const inBackground = (c: Context<AppEnv>, work: Promise<unknown>) =>
  c.executionCtx.waitUntil(
    work.catch((e: unknown) => console.warn('background work failed', { error: String(e) })),
  )

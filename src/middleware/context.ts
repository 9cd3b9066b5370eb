import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { D1Directory } from '../adapters/directory'
import type { AppEnv } from '../context'
import { selectColumns } from '../db/columns'
import { universities } from '../db/schema'
import { universityFromRow, type UniversityRow } from '../domain/university'
import { AppError } from '../errors'
import { isLang, translator } from '../i18n'
import { servicesFor } from '../services'

export const LANG_COOKIE = 'lang'

/** Builds the request's dependencies from the bindings: the only place that reads them. */
export const withDeps = () =>
  createMiddleware<AppEnv>(async function withDeps(c, next) {
    const env = c.env
    const services = await servicesFor(env)
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

const UNIVERSITY_COLUMNS = selectColumns(universities, 'u')

/**
 * The university a host name serves, read on every request (a settings change holds at
 * once on every isolate). Plain SQL: it runs on every request, and drizzle's query builder
 * costs more CPU than the query (bench/profile.ts).
 */
const loadByHost = async (c: Context<AppEnv>, hostname: string) => {
  const d1 = c.get('deps').db.$client
  const row = await d1
    .prepare(
      `SELECT ${UNIVERSITY_COLUMNS} FROM university_hosts h JOIN universities u ON u.id = h.university_id WHERE h.hostname = ?`,
    )
    .bind(hostname)
    .first<UniversityRow>()
  if (row) return universityFromRow(row)
  // Local development serves the default university on any host (localhost, 127.0.0.1, …).
  if (c.env.APP_ENV !== 'development') return null
  const fallback = await d1
    .prepare(`SELECT ${UNIVERSITY_COLUMNS} FROM universities u WHERE u.id = ?`)
    .bind(c.env.DEFAULT_UNIVERSITY)
    .first<UniversityRow>()
  return fallback ? universityFromRow(fallback) : null
}

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
 * Chooses the university by the request's hostname, read from D1 on every request: one
 * query on the hostname's primary key joined to the university's. No per-isolate copy is
 * kept, because a 管理者's change in 大学設定 (its name, cap, methods, stop windows) must
 * hold on the next request in every isolate, and an isolate cannot hear of another's write.
 */
export const resolveUniversity = () =>
  createMiddleware<AppEnv>(async function resolveUniversity(c, next) {
    const hostname = hostnameOf(c.req.url)
    const university = await loadByHost(c, hostname)
    if (!university) throw new AppError('unknownHost', 404)
    c.set('university', university)
    await next()
  })

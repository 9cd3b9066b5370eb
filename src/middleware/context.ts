import { eq } from 'drizzle-orm'
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { D1Directory } from '../adapters/directory'
import type { AppEnv } from '../context'
import { universities, universityHosts } from '../db/schema'
import { universityFromRow } from '../domain/university'
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

const loadByHost = async (c: Context<AppEnv>, hostname: string) => {
  const { db } = c.get('deps')
  const row = await db
    .select({ u: universities })
    .from(universityHosts)
    .innerJoin(universities, eq(universityHosts.universityId, universities.id))
    .where(eq(universityHosts.hostname, hostname))
    .get()
  if (row) return universityFromRow(row.u)
  // Local development serves the default university on any host (localhost, 127.0.0.1, …).
  if (c.env.APP_ENV !== 'development') return null
  const fallback = await db
    .select()
    .from(universities)
    .where(eq(universities.id, c.env.DEFAULT_UNIVERSITY))
    .get()
  return fallback ? universityFromRow(fallback) : null
}

/**
 * Chooses the university by the request's hostname, read from D1 on every request: one
 * query on the hostname's primary key joined to the university's. No per-isolate copy is
 * kept, because a 管理者's change in 大学設定 (its name, cap, methods, stop windows) must
 * hold on the next request in every isolate, and an isolate cannot hear of another's write.
 */
export const resolveUniversity = () =>
  createMiddleware<AppEnv>(async function resolveUniversity(c, next) {
    const hostname = new URL(c.req.url).hostname.toLowerCase()
    const university = await loadByHost(c, hostname)
    if (!university) throw new AppError('unknownHost', 404)
    c.set('university', university)
    await next()
  })

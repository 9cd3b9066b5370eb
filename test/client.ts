import { env, exports } from 'cloudflare:workers'
import { expect } from 'vitest'

/**
 * A browser-like client for the worker: keeps cookies, does not follow redirects, and
 * fills in the CSRF field from its own cookie unless told otherwise.
 */
export class Client {
  readonly cookies = new Map<string, string>()
  constructor(
    readonly origin = 'https://example.com',
    private readonly fetcher: (req: Request) => Promise<Response> = (req) =>
      exports.default.fetch(req),
  ) {}

  async request(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const res = await this.fetcher(
      new Request(new URL(path, this.origin), { ...init, headers, redirect: 'manual' }),
    )
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      if (value === '' || attrs.some((a) => /max-age=0/i.test(a.trim())))
        this.cookies.delete(name!.trim())
      else this.cookies.set(name!.trim(), value)
    }
    return res
  }

  async get(path: string) {
    const res = await this.request(path)
    return { res, html: await res.text() }
  }

  get csrf() {
    return this.cookies.get('__Host-csrf') ?? ''
  }

  async post(
    path: string,
    fields: Record<string, string>,
    opts: { csrf?: string | null; headers?: Record<string, string> } = {},
  ) {
    const body = new URLSearchParams(fields)
    if (opts.csrf !== null) {
      if (!this.cookies.has('__Host-csrf')) await this.get('/login')
      body.set('_csrf', opts.csrf ?? this.csrf)
    }
    const res = await this.request(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers },
    })
    return { res, html: await res.text() }
  }

  get session() {
    return this.cookies.get('__Host-session')
  }
}

export const expectRedirect = (res: Response, to: string) => {
  expect(res.status).toBe(303)
  const location = new URL(res.headers.get('location')!, 'https://example.com')
  expect(location.pathname + location.search).toBe(to)
}

/** The text between <main> and </main>, tags removed: what a person reads. */
export const mainText = (html: string) =>
  (html.match(/<main[^>]*>([\s\S]*)<\/main>/)?.[1] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()

/** The newest mail to `to`, waiting briefly for mail sent after the response (waitUntil). */
export const latestMail = async (to: string, since = 0, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const row = await env.DB.prepare(
      'SELECT * FROM mail_log WHERE to_address = ? AND id > ? ORDER BY id DESC LIMIT 1',
    )
      .bind(to, since)
      .first<{ id: number; subject: string; body: string; kind: string; result: string }>()
    if (row || Date.now() > deadline) return row
    await new Promise((r) => setTimeout(r, 50))
  }
}

export const lastMailId = async () =>
  (await env.DB.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM mail_log').first<{ id: number }>())!
    .id

export const urlIn = (body: string | undefined) => body?.match(/https?:\/\/\S+/)?.[0] ?? ''

/** Logs in; returns the response of the login POST. */
export const login = (client: Client, userId: string, password: string, secondPassword = '') =>
  client.post('/login', { user_id: userId, password, second_password: secondPassword })

/** Takes a demo student through first login, email registration and second password. */
export const onboard = async (
  client: Client,
  userId: string,
  email: string,
  secondPassword: string,
  password = 'univpass',
) => {
  await login(client, userId, password)
  const since = await lastMailId()
  await client.post('/email/setup', { email, email_confirm: email })
  const mail = await latestMail(email, since)
  await client.get(new URL(urlIn(mail?.body)).pathname)
  await client.post('/second-password/setup', {
    second_password: secondPassword,
    second_password_confirm: secondPassword,
  })
}

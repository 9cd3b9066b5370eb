import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { sameOriginPath } from '../../src/security/redirect'
import { Client, expectRedirect, login, mainText } from '../client'
import { PASSWORD } from '../fixtures'

/** The same worker, run with other settings (production mode, say). */
const withEnv = (overrides: Partial<Env>) => async (req: Request) => {
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    req as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...overrides },
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return res
}

describe('CSRF', () => {
  it('refuses a form without the token and changes nothing', async () => {
    const client = new Client()
    await login(client, 'test0070', PASSWORD)
    const { res, html } = await client.post(
      '/email/setup',
      { email: 'x@example.ac.jp', email_confirm: 'x@example.ac.jp' },
      { csrf: null },
    )
    expect(res.status).toBe(403)
    expect(mainText(html)).toContain('フォームの有効期限が切れたか')
    const count = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM mail_log WHERE to_address = 'x@example.ac.jp'",
    ).first<{ n: number }>()
    expect(count!.n).toBe(0)
  })

  it('refuses a wrong token', async () => {
    const { res } = await new Client().post(
      '/login',
      { user_id: 'test0070', password: PASSWORD },
      { csrf: 'A'.repeat(43) },
    )
    expect(res.status).toBe(403)
  })

  it('refuses a cross-site Origin even with a valid token', async () => {
    const { res } = await new Client().post(
      '/login',
      { user_id: 'test0070', password: PASSWORD },
      { headers: { origin: 'https://evil.example' } },
    )
    expect(res.status).toBe(403)
  })

  it('refuses a request the browser marks as cross-site', async () => {
    const { res } = await new Client().post(
      '/login',
      { user_id: 'test0070', password: PASSWORD },
      { headers: { 'sec-fetch-site': 'cross-site' } },
    )
    expect(res.status).toBe(403)
  })

  it('refuses a logout without the token (no forced logout)', async () => {
    const client = new Client()
    await login(client, 'test0071', PASSWORD)
    expect((await client.post('/logout', {}, { csrf: null })).res.status).toBe(403)
    expectRedirect((await client.get('/menu')).res, '/email/setup')
  })

  it('refuses a JSON body posted to a form endpoint', async () => {
    const client = new Client()
    await client.get('/login')
    const res = await client.request('/login', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(403)
  })
})

describe('security headers', () => {
  it('sends a CSP with object-src, base-uri and frame-ancestors none, and a year of HSTS', async () => {
    const { res } = await new Client().get('/login')
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("base-uri 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    const maxAge = Number(res.headers.get('strict-transport-security')!.match(/max-age=(\d+)/)![1])
    expect(maxAge).toBeGreaterThanOrEqual(31_536_000)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('escapes what a user typed', async () => {
    const { html } = await new Client().post('/login', {
      user_id: '<script>alert(1)</script>',
      password: 'x',
    })
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).toContain('&lt;script&gt;')
  })
})

describe('/_dev', () => {
  it('lists mails newest first in development', async () => {
    const { res, html } = await new Client().get('/_dev/mail')
    expect(res.status).toBe(200)
    expect(html).toContain('Development outbox')
  })

  it('answers 404 for everything under /_dev/ outside development', async () => {
    const prod = new Client('https://example.com', withEnv({ APP_ENV: 'production' }))
    // Production serves only known hosts: register this one for the test.
    await env.DB.prepare(
      "INSERT OR IGNORE INTO university_hosts (hostname, university_id) VALUES ('example.com', 'demo')",
    ).run()
    for (const path of ['/_dev', '/_dev/', '/_dev/mail', '/_dev/anything']) {
      const { res } = await prod.get(path)
      expect(res.status).toBe(404)
    }
    expect((await prod.get('/login')).res.status).toBe(200)
    await env.DB.prepare("DELETE FROM university_hosts WHERE hostname = 'example.com'").run()
  })

  it('keeps mail bodies (and their one-time URLs) out of the log outside development', async () => {
    const prod = new Client(
      'https://second.example',
      withEnv({ APP_ENV: 'production', MAIL_TRANSPORT: 'outbox' }),
    )
    await login(prod, 'test0001', PASSWORD)
    await prod.post('/email/setup', {
      email: 'prod0001@example.ac.jp',
      email_confirm: 'prod0001@example.ac.jp',
    })
    const row = await env.DB.prepare(
      "SELECT body, result FROM mail_log WHERE to_address = 'prod0001@example.ac.jp'",
    ).first<{ body: string | null; result: string }>()
    expect(row!.result).toBe('sent')
    expect(row!.body).toBeNull()
  })
})

describe('universities by hostname', () => {
  it('serves each university its own name and contact', async () => {
    const { html } = await new Client('https://second.example').get('/login')
    expect(html).toContain('セカンド大学')
    expect(html).toContain('03-0000-0000')
    const demo = await new Client('https://localhost').get('/login')
    expect(demo.html).toContain('デモ大学')
  })

  it('keeps students apart: a session of one university is nothing on another', async () => {
    const client = new Client('https://second.example')
    await login(client, 'test0001', PASSWORD)
    const session = client.session!
    const elsewhere = new Client('https://example.com')
    elsewhere.cookies.set('__Host-session', session)
    expectRedirect((await elsewhere.get('/email/setup')).res, '/login?expired=1')
  })

  it('answers an unknown host with 404 in production', async () => {
    const prod = new Client('https://unknown.example', withEnv({ APP_ENV: 'production' }))
    const { res, html } = await prod.get('/login')
    expect(res.status).toBe(404)
    expect(html).toContain('サービスが見つかりません')
  })
})

describe('language', () => {
  it('switches to English and back, only to local paths', async () => {
    const client = new Client()
    expectRedirect((await client.get('/lang/en?next=%2Flogin')).res, '/login')
    const { html } = await client.get('/login')
    expect(html).toContain('Student Login')
    expect(html).toContain('lang="en"')
    expectRedirect((await client.get('/lang/ja?next=%2F%2Fevil.example')).res, '/')
    expect((await client.get('/login')).html).toContain('在学生ログイン')
  })

  it('never leaves the site for a path a browser reads as another host', async () => {
    const client = new Client()
    // Browsers drop tabs and newlines inside a URL: "/\t/evil.example" is "//evil.example".
    for (const next of ['/%09/evil.example', '/%0a/evil.example', '/%0d%0a/evil.example'])
      expectRedirect((await client.get(`/lang/en?next=${next}`)).res, '/')
    // A newline must never reach the Location header (it was a 500).
    expectRedirect((await client.get('/lang/en?next=/%0a/x')).res, '/')
    expectRedirect((await client.get('/lang/en?next=/.//evil.example')).res, '/')
    expectRedirect((await client.get('/lang/ja?next=%2Fstaff%3Fq%3D1')).res, '/staff?q=1')
  })

  it('sends the browser where WHATWG URL parsing of next leads, and only on this origin', async () => {
    const ORIGIN = 'https://example.com'
    const parse = (s: string) => {
      try {
        const url = new URL(s, `${ORIGIN}/`)
        url.username = url.password = ''
        return url
      } catch {
        return null
      }
    }
    // Pieces browsers and the URL parser treat specially, joined in any order.
    // prettier-ignore
    const tricky = fc.constantFrom(
      '/', '\\', '\t', '\n', '\r', ' ', '.', '..', ':', '@', '?', '#', '%', '%09', '%0a', '%2f',
      '%5c', '%2e', 'evil.example', 'example.com', 'https:', 'javascript:', 'a', '\u0000',
      '\u3000', '\u00a0', 'ｅ', '／',
    )
    const next = fc.oneof(
      fc.array(tricky, { maxLength: 8 }).map((parts) => parts.join('')),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.webUrl(),
      fc.webPath(),
    )
    const holds = (s: string, location: string) => {
      // Printable ASCII only, one leading slash: nothing a browser could read as a host.
      expect(location).toMatch(/^\/(?![\/\\])[\x21-\x7e]*$/)
      const landed = new URL(location, ORIGIN)
      expect(landed.origin).toBe(ORIGIN)
      const meant = parse(s)
      if (meant?.origin === ORIGIN && !meant.pathname.startsWith('//'))
        expect(landed.href).toBe(meant.href)
      else expect(location).toBe('/')
    }
    // The function itself, over many strings; then the route, over fewer (each a request).
    fc.assert(
      fc.property(next, (s) => holds(s, sameOriginPath(s, `${ORIGIN}/lang/en`))),
      { numRuns: 1000 },
    )
    const client = new Client(ORIGIN)
    await fc.assert(
      fc.asyncProperty(next, async (s) => {
        const { res } = await client.get(`/lang/en?next=${encodeURIComponent(s)}`)
        expect(res.status).toBe(303)
        holds(s, res.headers.get('location')!)
      }),
      { numRuns: 60 },
    )
  })
})

describe('errors', () => {
  it('shows a friendly 404 page', async () => {
    const { res, html } = await new Client().get('/no-such-page')
    expect(res.status).toBe(404)
    expect(html).toContain('ページが見つかりません')
  })
})

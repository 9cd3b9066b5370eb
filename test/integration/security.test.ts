import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
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
})

describe('errors', () => {
  it('shows a friendly 404 page', async () => {
    const { res, html } = await new Client().get('/no-such-page')
    expect(res.status).toBe(404)
    expect(html).toContain('ページが見つかりません')
  })
})

import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET } from '../../src/db/demo'
import { totpCode } from '../../src/security/totp'
import { setClock, testNow } from '../charge'
import { Client, mainText } from '../client'
import { codeFor, newStaff, STAFF_PASSWORD, staffLogin } from '../staff'

const post = (client: Client, fields: Record<string, string>) => client.post('/staff/login', fields)

describe('staff login with MFA', () => {
  it('signs a member in with password and the current code, into a session of its own', async () => {
    const member = await newStaff('staff')
    const client = await staffLogin(member)
    expect(client.cookies.get('__Host-staff')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(client.session).toBeUndefined()
    const { res, html } = await client.get('/staff')
    expect(res.status).toBe(200)
    expect(html).toContain('要対応')
    // The student side does not know this session.
    expect((await client.get('/menu')).res.headers.get('location')).toBe('/login')
  })

  it('refuses a wrong code, a code used before, and an expired code, all alike', async () => {
    const member = await newStaff('staff')
    const now = Date.now()
    const client = new Client()
    await client.get('/staff/login')
    const wrong = await post(client, {
      email: member.email,
      password: STAFF_PASSWORD,
      code: codeFor(member, now) === '000000' ? '111111' : '000000',
    })
    expect(wrong.res.status).toBe(401)
    expect(mainText(wrong.html)).toContain(
      'メールアドレス、パスワードまたは確認コードが正しくありません',
    )

    const expired = await post(client, {
      email: member.email,
      password: STAFF_PASSWORD,
      code: codeFor(member, now - 5 * 60_000),
    })
    expect(expired.res.status).toBe(401)

    await staffLogin(member)
    // The same code again, from another browser: refused.
    const reused = await post(new Client(), {
      email: member.email,
      password: STAFF_PASSWORD,
      code: codeFor(member, now),
    })
    expect(reused.res.status).toBe(401)
    expect(reused.res.headers.get('set-cookie') ?? '').not.toContain('__Host-staff=')
  })

  it('refuses a wrong password with a right code, and an unknown address', async () => {
    const member = await newStaff('admin')
    const client = new Client()
    await client.get('/staff/login')
    const bad = await post(client, {
      email: member.email,
      password: 'not-the-password',
      code: codeFor(member),
    })
    expect(bad.res.status).toBe(401)
    const unknown = await post(client, {
      email: 'nobody@staff.example',
      password: STAFF_PASSWORD,
      code: '123456',
    })
    expect(unknown.res.status).toBe(401)
    expect(mainText(unknown.html)).toBe(
      mainText(bad.html).replace(member.email, 'nobody@staff.example'),
    )
  })

  it('names each bad field on the page and keeps the address typed', async () => {
    const client = new Client()
    await client.get('/staff/login')
    const { res, html } = await post(client, {
      email: 'not-an-address',
      password: '',
      code: '12ab',
    })
    expect(res.status).toBe(422)
    const text = mainText(html)
    expect(text).toContain('メールアドレスの形式が正しくありません')
    expect(text).toContain('パスワードを入力してください')
    expect(text).toContain('確認コードは6桁の数字で入力してください')
    expect(html).toContain('value="not-an-address"')
  })

  it('locks an account after repeated failures, even with the right code afterwards', async () => {
    const member = await newStaff('staff')
    const client = new Client()
    await client.get('/staff/login')
    for (let i = 0; i < 5; i++)
      await post(client, { email: member.email, password: 'wrong-password', code: '000000' })
    const locked = await post(client, {
      email: member.email,
      password: STAFF_PASSWORD,
      code: codeFor(member),
    })
    expect(locked.res.status).toBe(429)
    expect(mainText(locked.html)).toContain('までログインできません')
  })

  it('refuses a disabled member', async () => {
    const member = await newStaff('staff', 'demo', { disabled: true })
    const client = new Client()
    await client.get('/staff/login')
    const { res } = await post(client, {
      email: member.email,
      password: STAFF_PASSWORD,
      code: codeFor(member),
    })
    expect(res.status).toBe(401)
  })

  it('logs the seeded demo accounts in with the README password and TOTP secret', async () => {
    // Each seeded account is used once in this suite: its code is then spent.
    const client = new Client()
    await client.get('/staff/login')
    const { res } = await post(client, {
      email: 'callcenter@demo.example',
      password: DEMO_STAFF_PASSWORD,
      code: totpCode(DEMO_TOTP_SECRET, Date.now()),
    })
    expect(res.status).toBe(303)
  })

  it('refuses a login form without the CSRF token or from another site', async () => {
    const member = await newStaff('staff')
    const client = new Client()
    await client.get('/staff/login')
    const fields = { email: member.email, password: STAFF_PASSWORD, code: codeFor(member) }
    expect((await client.post('/staff/login', fields, { csrf: null })).res.status).toBe(403)
    expect(
      (await client.post('/staff/login', fields, { headers: { origin: 'https://evil.example' } }))
        .res.status,
    ).toBe(403)
  })
})

describe('staff sessions', () => {
  it('sends a visitor without a session to the login, for every console page', async () => {
    for (const path of ['/staff', '/staff/search', '/staff/settings', '/staff/audit']) {
      const { res } = await new Client().get(path)
      expect(res.status, path).toBe(303)
      expect(res.headers.get('location')).toBe('/staff/login')
    }
  })

  it('ends after 15 idle minutes, and after 8 hours however busy', async ({ onTestFinished }) => {
    const start = testNow()
    onTestFinished(() => setClock(start))
    const member = await newStaff('staff')
    const client = await staffLogin(member)
    await setClock(start + 14 * 60_000)
    expect((await client.get('/staff')).res.status).toBe(200)
    await setClock(start + 14 * 60_000 + 15 * 60_000 + 1000)
    const idle = await client.get('/staff')
    expect(idle.res.headers.get('location')).toBe('/staff/login?expired=1')

    await setClock(start + 30 * 60_000)
    const busy = await staffLogin(await newStaff('staff'))
    for (let t = 10; t < 8 * 60; t += 10) {
      await setClock(start + 30 * 60_000 + t * 60_000)
      expect((await busy.get('/staff')).res.status, `after ${t} minutes`).toBe(200)
    }
    await setClock(start + 30 * 60_000 + 8 * 60 * 60_000 + 1000)
    expect((await busy.get('/staff')).res.headers.get('location')).toBe('/staff/login?expired=1')
    await setClock(start)
  })

  it('ends the session on the server at logout: the old cookie opens nothing', async () => {
    const client = await staffLogin(await newStaff('staff'))
    const cookie = client.cookies.get('__Host-staff')!
    const { res } = await client.post('/staff/logout', {})
    expect(res.headers.get('location')).toBe('/staff/login?out=1')
    const replay = new Client()
    replay.cookies.set('__Host-staff', cookie)
    expect((await replay.get('/staff')).res.status).toBe(303)
  })

  it("ends a disabled member's sessions at once", async () => {
    const member = await newStaff('staff')
    const client = await staffLogin(member)
    await env.DB.prepare(
      'UPDATE staff_members SET disabled_at = ?, credential_epoch = credential_epoch + 1 WHERE id = ?',
    )
      .bind(testNow(), member.id)
      .run()
    expect((await client.get('/staff')).res.status).toBe(303)
  })
})

import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET } from '../../src/db/demo'
import { totpCode } from '../../src/security/totp'
import { setClock, testNow } from '../charge'
import { Client, login, mainText } from '../client'
import { PASSWORD } from '../fixtures'
import { codeFor, newStaff, STAFF_PASSWORD, staffLogin, type TestStaff } from '../staff'

const post = (client: Client, fields: Record<string, string>) => client.post('/staff/login', fields)

describe('staff login with MFA', () => {
  it('signs a member in with password and the current code, into a session of its own', async () => {
    const member = await newStaff('staff')
    const client = await staffLogin(member)
    expect(client.cookies.get('__Host-staff')).toMatch(/^[1-9]\d*\.[A-Za-z0-9_-]{43}$/)
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
      code: (await codeFor(member, now)) === '000000' ? '111111' : '000000',
    })
    expect(wrong.res.status).toBe(401)
    expect(mainText(wrong.html)).toContain(
      'メールアドレス、パスワードまたは確認コードが正しくありません',
    )

    const expired = await post(client, {
      email: member.email,
      password: STAFF_PASSWORD,
      code: await codeFor(member, now - 5 * 60_000),
    })
    expect(expired.res.status).toBe(401)

    await staffLogin(member)
    // The same code again, from another browser: refused.
    const reused = await post(new Client(), {
      email: member.email,
      password: STAFF_PASSWORD,
      code: await codeFor(member, now),
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
      code: await codeFor(member),
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
      code: await codeFor(member),
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
      code: await codeFor(member),
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
      code: await totpCode(DEMO_TOTP_SECRET, Date.now()),
    })
    expect(res.status).toBe(303)
  })

  it('refuses a login form without the CSRF token or from another site', async () => {
    const member = await newStaff('staff')
    const client = new Client()
    await client.get('/staff/login')
    const fields = { email: member.email, password: STAFF_PASSWORD, code: await codeFor(member) }
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

describe('staff login — device cookies (nobody can lock a member out)', () => {
  const DEVICE = '__Host-staff-device'
  /** Each code works once: lets the member's next login use the current code again. */
  const forgetCode = (member: TestStaff) =>
    env.DB.prepare('UPDATE staff_members SET totp_last_step = NULL WHERE id = ?')
      .bind(member.id)
      .run()
  /** Someone else failing, from machines of their own, as often as they like. */
  const attack = async (email: string, times: number, ip = '198.51.100.66') => {
    const statuses: number[] = []
    const client = new Client()
    await client.get('/staff/login')
    for (let i = 0; i < times; i++) {
      const { res } = await client.post(
        '/staff/login',
        { email, password: `Guess-${i}-password`, code: '000000' },
        { headers: { 'cf-connecting-ip': ip } },
      )
      statuses.push(res.status)
    }
    return statuses
  }
  /** A browser the member has signed in from before (and logged out of). */
  const knownBrowser = async (member: TestStaff) => {
    const browser = await staffLogin(member)
    expect(browser.cookies.get(DEVICE)).toBeTruthy()
    await browser.post('/staff/logout', {})
    await forgetCode(member)
    return browser
  }
  const signIn = async (client: Client, member: TestStaff, password = STAFF_PASSWORD) =>
    post(client, { email: member.email, password, code: await codeFor(member) })

  it('sets a __Host- device cookie at sign-in that names nobody, and keeps it at logout', async () => {
    const member = await newStaff('admin')
    const client = new Client()
    await client.get('/staff/login')
    const { res } = await signIn(client, member)
    expect(res.status).toBe(303)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${DEVICE}=`))!
    expect(cookie).toMatch(/; Secure/)
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).toMatch(/; Max-Age=\d+/)
    expect(cookie).not.toContain(member.email.split('@')[0]!)
    await client.post('/staff/logout', {})
    expect(client.cookies.get(DEVICE)).toBeTruthy()
  })

  it('lets an administrator in from a known browser while strangers keep failing; a fresh browser stays locked', async () => {
    const member = await newStaff('admin')
    const browser = await knownBrowser(member)
    const statuses = await attack(member.email, 7)
    expect(statuses.slice(0, 4).every((s) => s === 401)).toBe(true)
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true)
    const fresh = new Client()
    await fresh.get('/staff/login')
    expect((await signIn(fresh, member)).res.status).toBe(429)
    const { res } = await signIn(browser, member)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/staff')
    // …and the strangers are still locked out: the member's sign-in lifted nothing.
    expect(await attack(member.email, 1)).toEqual([429])
  })

  it("counts a known browser's own failures against that browser only", async () => {
    const member = await newStaff('staff')
    const browser = await knownBrowser(member)
    for (let i = 0; i < 4; i++)
      expect((await signIn(browser, member, 'wrong-password')).res.status).toBe(401)
    expect((await signIn(browser, member, 'wrong-password')).res.status).toBe(429)
    expect((await signIn(browser, member)).res.status).toBe(429)
    // The account itself is not locked: another browser gets in.
    const other = new Client()
    await other.get('/staff/login')
    expect((await signIn(other, member)).res.status).toBe(303)
  })

  it("gives no exemption for a forged device cookie, one of another member's, or a student's", async () => {
    const member = await newStaff('staff')
    const own = await knownBrowser(member)
    const someoneElses = await knownBrowser(await newStaff('staff'))
    const student = new Client()
    await login(student, 'test0037', PASSWORD)
    await attack(member.email, 5)
    const genuine = own.cookies.get(DEVICE)!
    const [nonce, issued, signature] = genuine.split('.')
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1)
    for (const forged of [
      someoneElses.cookies.get(DEVICE)!,
      student.cookies.get('__Host-device')!,
      `${flip(nonce!)}.${issued}.${signature}`,
      `${nonce}.${Number(issued) + 1}.${signature}`,
      `${nonce}.${issued}.${flip(signature!)}`,
      'not-a-device-cookie',
    ]) {
      const client = new Client()
      await client.get('/staff/login')
      client.cookies.set(DEVICE, forged)
      expect((await signIn(client, member)).res.status, forged).toBe(429)
    }
    expect((await signIn(own, member)).res.status).toBe(303)
  })

  it('still locks a client that fails across many addresses', async () => {
    const ip = '198.51.100.77'
    const client = new Client()
    await client.get('/staff/login')
    const statuses: number[] = []
    for (let i = 0; i < 51; i++) {
      const { res } = await client.post(
        '/staff/login',
        { email: `nobody-${i}@staff.example`, password: 'x', code: '000000' },
        { headers: { 'cf-connecting-ip': ip } },
      )
      statuses.push(res.status)
    }
    expect(statuses.slice(0, 49).every((s) => s === 401)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
    // Another client is not held up by it.
    expect(await attack('nobody-else@staff.example', 1, '198.51.100.78')).toEqual([401])
  })
})

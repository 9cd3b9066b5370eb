import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { serviceClockNow } from '../charge'
import { Client, expectRedirect, login, mainText, onboard } from '../client'
import { PASSWORD } from '../fixtures'

describe('在学生ログイン — happy', () => {
  it('shows the manual labels on the login page', async () => {
    const { res, html } = await new Client().get('/login')
    expect(res.status).toBe(200)
    for (const label of [
      '在学生ログイン',
      'ユーザID',
      'パスワード',
      '第2パスワード',
      'ログイン',
      '第2パスワードを忘れた場合',
      '注意事項',
    ]) {
      expect(html).toContain(label)
    }
    expect(html).toContain('06-6809-4327')
  })

  it('sends a first-time student (no email) to メールアドレス設定', async () => {
    const client = new Client()
    const { res } = await login(client, 'test0001', PASSWORD)
    expectRedirect(res, '/email/setup')
    const page = await client.get('/email/setup')
    expect(page.html).toContain('メールアドレス設定')
  })

  it('opens the menu with 前回ログイン日時 for an onboarded student', async () => {
    const client = new Client()
    await onboard(client, 'test0002', 'test0002@example.ac.jp', 'Secret2nd')
    const first = await client.get('/menu')
    expect(mainText(first.html)).toContain('前回ログイン日時 なし（初回ログイン）')

    const again = new Client()
    const { res } = await login(again, 'test0002', PASSWORD, 'Secret2nd')
    expectRedirect(res, '/menu')
    const menu = await again.get('/menu')
    expect(mainText(menu.html)).toMatch(/前回ログイン日時 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/)
    for (const label of [
      'メニュー選択',
      'M.I.C.チャージ',
      '申請一覧',
      'メールアドレス変更',
      '第2パスワード変更',
      'マニュアル',
      'ログアウト',
    ]) {
      expect(menu.html).toContain(label)
    }
  })

  it('sets a __Host- session cookie that is Secure, HttpOnly and SameSite=Lax', async () => {
    const client = new Client()
    const { res } = await login(client, 'test0003', PASSWORD)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-session='))!
    expect(cookie).toMatch(/; Secure/)
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Lax/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).not.toMatch(/Domain=/i)
  })

  it('issues a fresh session id at each login', async () => {
    const client = new Client()
    await login(client, 'test0003', PASSWORD)
    const first = client.session
    await client.post('/logout', {})
    await login(client, 'test0003', PASSWORD)
    expect(client.session).toBeDefined()
    expect(client.session).not.toBe(first)
  })
})

describe('在学生ログイン — errors', () => {
  it('names a missing user ID', async () => {
    const { res, html } = await new Client().post('/login', {
      user_id: '',
      password: 'x',
      second_password: '',
    })
    expect(res.status).toBe(422)
    expect(html).toContain('ユーザIDを入力してください。')
  })

  it('says the same thing whichever field was wrong and whether the ID exists', async () => {
    const onboarded = new Client()
    await onboard(onboarded, 'test0004', 'test0004@example.ac.jp', 'Secret2nd')
    const wrongPassword = await login(new Client(), 'test0004', 'nope', 'Secret2nd')
    const wrongSecond = await login(new Client(), 'test0004', PASSWORD, 'Wrong2nd00')
    const missingSecond = await login(new Client(), 'test0004', PASSWORD, '')
    const unknownId = await login(new Client(), 'nobody999', PASSWORD, 'Secret2nd')
    const texts = [wrongPassword, wrongSecond, missingSecond, unknownId].map((r) => {
      expect(r.res.status).toBe(401)
      return mainText(r.html).replace(/value="[^"]*"/g, '')
    })
    expect(texts[0]).toContain('ユーザID、パスワード、または第2パスワードが正しくありません。')
    // The tries left count the attempts on each ID typed (student-words.test.ts compares
    // a real and an unknown ID at the same count); apart from that number, one text.
    expect(
      new Set(
        texts.map((t) => t.replace(/test0004|nobody999/g, 'ID').replace(/あと\d回/, 'あとN回')),
      ).size,
    ).toBe(1)
  })
})

describe('在学生ログイン — security', () => {
  it('locks an account after five failures and tells when to retry, even for the right password', async () => {
    const client = new Client()
    for (let i = 0; i < 4; i++)
      expect((await login(client, 'test0005', 'wrong')).res.status).toBe(401)
    const fifth = await login(client, 'test0005', 'wrong')
    expect(fifth.res.status).toBe(429)
    expect(mainText(fifth.html)).toMatch(
      /一時的にログインを制限しています。\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} 以降/,
    )
    const right = await login(new Client(), 'test0005', PASSWORD)
    expect(right.res.status).toBe(429)
  })

  it('locks an unknown ID exactly like a real one', async () => {
    for (let i = 0; i < 5; i++) await login(new Client(), 'ghost0001', 'wrong')
    const { res, html } = await login(new Client(), 'ghost0001', 'wrong')
    expect(res.status).toBe(429)
    expect(html).toContain('一時的にログインを制限しています')
  })

  it('gives a parallel burst of guesses no more than five checks', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => login(new Client(), 'test0006', 'wrong')),
    )
    expect(results.filter((r) => r.res.status === 401).length).toBeLessThanOrEqual(5)
    expect(results.some((r) => r.res.status === 429)).toBe(true)
  })

  it('locks a client that fails across many IDs', async () => {
    const headers = { 'cf-connecting-ip': '203.0.113.9' }
    const statuses: number[] = []
    for (let i = 0; i < 51; i++) {
      const { res } = await new Client().post(
        '/login',
        { user_id: `spray${i}`, password: 'x', second_password: '' },
        { headers },
      )
      statuses.push(res.status)
    }
    expect(statuses.slice(0, 49).every((s) => s === 401)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
  })

  it('sends logged-out visitors of the menu to the login page', async () => {
    const { res } = await new Client().get('/menu')
    expectRedirect(res, '/login')
  })

  it('ends the session on the server at logout: the old cookie no longer works', async () => {
    const client = new Client()
    await login(client, 'test0007', PASSWORD)
    const stolen = client.session!
    const out = await client.post('/logout', {})
    expectRedirect(out.res, '/login?out=1')
    const replay = new Client()
    replay.cookies.set('__Host-session', stolen)
    const { res } = await replay.get('/email/setup')
    expectRedirect(res, '/login?expired=1')
  })

  it('ends a session idle for more than 30 minutes', async () => {
    const client = new Client()
    await login(client, 'test0008', PASSWORD)
    // Idle by the service's clock, which a pinned clock may put days away from real time.
    const now = await serviceClockNow()
    const { keys } = await env.SESSIONS.list({ prefix: 'session:' })
    for (const { name } of keys) {
      const record = await env.SESSIONS.get<{ refreshedAt: number }>(name, 'json')
      await env.SESSIONS.put(name, JSON.stringify({ ...record, refreshedAt: now - 31 * 60_000 }))
    }
    const { res } = await client.get('/email/setup')
    expectRedirect(res, '/login?expired=1')
    const page = await client.get('/login?expired=1')
    expect(page.html).toContain('一定時間操作がなかったため')
  })

  it('keeps session ids out of KV keys: only their hashes are stored', async () => {
    const client = new Client()
    await login(client, 'test0009', PASSWORD)
    const { keys } = await env.SESSIONS.list()
    expect(keys.some((k) => k.name.includes(client.session!))).toBe(false)
    expect(keys.length).toBeGreaterThan(0)
  })
})

describe('在学生ログイン — device cookies (nobody can lock a student out)', () => {
  const SECOND = 'Secret2nd'
  const DEVICE = '__Host-device'
  /** Someone else failing, from their own machine, as often as they like. */
  const attack = async (userId: string, times: number, ip = '203.0.113.66') => {
    const statuses: number[] = []
    for (let i = 0; i < times; i++) {
      const { res } = await new Client().post(
        '/login',
        { user_id: userId, password: PASSWORD, second_password: `Guess${i}nd0` },
        { headers: { 'cf-connecting-ip': ip } },
      )
      statuses.push(res.status)
    }
    return statuses
  }
  /** A browser the student has logged in from before (and logged out of). */
  const knownBrowser = async (userId: string) => {
    const browser = new Client()
    await onboard(browser, userId, `${userId}@example.ac.jp`, SECOND)
    expect(browser.cookies.get(DEVICE)).toBeTruthy()
    await browser.post('/logout', {})
    return browser
  }

  it('sets a __Host- device cookie at login that is Secure and HttpOnly, and keeps it at logout', async () => {
    const client = new Client()
    const { res } = await login(client, 'test0030', PASSWORD)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${DEVICE}=`))!
    expect(cookie).toMatch(/; Secure/)
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).not.toMatch(/Domain=/i)
    expect(cookie).toMatch(/; Max-Age=\d+/)
    // Nothing in it names the student.
    expect(cookie).not.toContain('test0030')
    await client.post('/logout', {})
    expect(client.cookies.get(DEVICE)).toBeTruthy()
  })

  it('lets the student in from a browser they used before while an attacker keeps failing; a fresh browser stays locked', async () => {
    const browser = await knownBrowser('test0031')
    const statuses = await attack('test0031', 7)
    expect(statuses.slice(0, 4).every((s) => s === 401)).toBe(true)
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true)
    expect((await login(new Client(), 'test0031', PASSWORD, SECOND)).res.status).toBe(429)
    expectRedirect((await login(browser, 'test0031', PASSWORD, SECOND)).res, '/menu')
    // …and the attacker is still locked out afterwards: the student's login lifted nothing.
    expect(await attack('test0031', 1)).toEqual([429])
  })

  it('counts a known browser’s own failures against that browser only', async () => {
    const browser = await knownBrowser('test0032')
    for (let i = 0; i < 4; i++)
      expect((await login(browser, 'test0032', PASSWORD, 'Wrong2nd0')).res.status).toBe(401)
    expect((await login(browser, 'test0032', PASSWORD, 'Wrong2nd0')).res.status).toBe(429)
    expect((await login(browser, 'test0032', PASSWORD, SECOND)).res.status).toBe(429)
    // The account itself is not locked: another browser gets in.
    expectRedirect((await login(new Client(), 'test0032', PASSWORD, SECOND)).res, '/menu')
  })

  it('gives no exemption for a forged device cookie or one issued to another student', async () => {
    const own = await knownBrowser('test0033')
    const someoneElses = await knownBrowser('test0034')
    await attack('test0033', 5)
    const genuine = own.cookies.get(DEVICE)!
    const [nonce, issued, signature] = genuine.split('.')
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1)
    for (const forged of [
      someoneElses.cookies.get(DEVICE)!,
      `${flip(nonce!)}.${issued}.${signature}`,
      `${nonce}.${Number(issued) + 1}.${signature}`,
      `${nonce}.${issued}.${flip(signature!)}`,
      'A'.repeat(22) + '.1.' + 'A'.repeat(43),
      'not-a-device-cookie',
    ]) {
      const client = new Client()
      client.cookies.set(DEVICE, forged)
      expect((await login(client, 'test0033', PASSWORD, SECOND)).res.status, forged).toBe(429)
    }
    // The genuine one still works, for its own student only.
    expectRedirect((await login(own, 'test0033', PASSWORD, SECOND)).res, '/menu')
  })

  it('does not let failures with another student’s device cookie escape the account lock', async () => {
    const someoneElses = await knownBrowser('test0035')
    await knownBrowser('test0036')
    const cookie = someoneElses.cookies.get(DEVICE)!
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const client = new Client()
      client.cookies.set(DEVICE, cookie)
      statuses.push((await login(client, 'test0036', PASSWORD, 'Wrong2nd0')).res.status)
    }
    expect(statuses.at(-1)).toBe(429)
    expect((await login(new Client(), 'test0036', PASSWORD, SECOND)).res.status).toBe(429)
  })
})

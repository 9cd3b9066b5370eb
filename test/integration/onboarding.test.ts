import { runDurableObjectAlarm } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { deskFor } from '../../src/flows/desks'
import { serviceClockNow, setClock } from '../charge'
import { Client, expectRedirect, lastMailId, latestMail, login, mainText, urlIn } from '../client'
import { PASSWORD, STRONG_UNIVERSITY_PASSWORD } from '../fixtures'

const startEmail = async (userId: string, email: string) => {
  const client = new Client()
  await login(client, userId, PASSWORD)
  const since = await lastMailId()
  const sent = await client.post('/email/setup', { email, email_confirm: email })
  const mail = await latestMail(email.toLowerCase(), since)
  return { client, sent, mail, path: new URL(urlIn(mail?.body)).pathname }
}

describe('2.1 メールアドレス設定 — happy', () => {
  it('mails a one-time URL with the manual text and completes on opening it', async () => {
    const { client, sent, mail, path } = await startEmail('test0010', 'Test0010@Example.ac.jp')
    expectRedirect(sent.res, '/email/setup/sent')
    const page = await client.get('/email/setup/sent')
    expect(mainText(page.html)).toContain(
      '確認メールを送信しました。確認メールに記載されたURLにアクセスし、メールアドレスの設定を完了してください。',
    )
    expect(mail!.result).toBe('sent')
    for (const line of [
      'メールアドレスの登録を行います。',
      'URL 期限：30 分',
      'もしこのメールにお心当たりのない方は削除して下さい',
      'このメールは送信専用メールです',
    ]) {
      expect(mail!.body).toContain(line)
    }
    const done = await client.get(path)
    expect(done.res.status).toBe(200)
    expect(mainText(done.html)).toContain('メールアドレス設定完了')
    expect(mainText(done.html)).toContain('メールアドレスを設定しました。')
    expect(done.html).toContain('ログインページへ移動')
    const row = await env.DB.prepare(
      "SELECT email FROM students WHERE user_id = 'test0010'",
    ).first<{ email: string }>()
    expect(row!.email).toBe('test0010@example.ac.jp')
    // Next stop: 第2パスワード設定.
    expectRedirect((await client.get('/email/setup')).res, '/second-password/setup')
  })
})

describe('2.1 メールアドレス設定 — errors', () => {
  const cases: [string, string, string][] = [
    ['', '', 'メールアドレスを入力してください。'],
    ['not-an-address', 'not-an-address', 'メールアドレスの形式が正しくありません。'],
    [
      'ｔｅｓｔ@example.ac.jp',
      'ｔｅｓｔ@example.ac.jp',
      'メールアドレスは半角英数字で入力してください。',
    ],
    ['a@example.ac.jp', 'b@example.ac.jp', 'メールアドレスと確認が一致しません。'],
    [`${'a'.repeat(250)}@example.ac.jp`, 'x', 'メールアドレスは254文字以内で入力してください。'],
  ]
  for (const [email, confirm, message] of cases) {
    it(`re-renders the form saying "${message}" and sends nothing`, async () => {
      const client = new Client()
      await login(client, 'test0011', PASSWORD)
      const since = await lastMailId()
      const { res, html } = await client.post('/email/setup', { email, email_confirm: confirm })
      expect(res.status).toBe(422)
      expect(html).toContain(message)
      expect(html).toContain('メールアドレス設定')
      expect(await lastMailId()).toBe(since)
    })
  }
})

describe('2.1 one-time URL — security', () => {
  it('rejects a one-time URL opened a second time', async () => {
    const { client, path } = await startEmail('test0012', 'test0012@example.ac.jp')
    expect((await client.get(path)).res.status).toBe(200)
    const again = await new Client().get(path)
    expect(again.res.status).toBe(409)
    expect(mainText(again.html)).toContain('このURLは既に使用されています。')
    expect(again.html).toContain('href="/login"')
  })

  it('keeps a used URL used after the desk tidies up, with the clock days behind real time', async () => {
    // The desk forgets a used token's mark once the token has long expired by the service's
    // clock; its alarm fires by real time, which a development clock (or TEST_CLOCK_JST)
    // may be days ahead of or behind.
    const before = await serviceClockNow()
    await setClock(before - 9 * 86_400_000)
    try {
      const { client, path } = await startEmail('test0019', 'test0019@example.ac.jp')
      expect((await client.get(path)).res.status).toBe(200)
      const student = await env.DB.prepare(
        "SELECT id FROM students WHERE user_id = 'test0019'",
      ).first<{ id: number }>()
      await runDurableObjectAlarm(deskFor(env.STUDENT_DESK, 'demo', student!.id))
      const again = await new Client().get(path)
      expect(again.res.status).toBe(409)
    } finally {
      await setClock(before)
    }
  })

  it('gives exactly one success to 20 simultaneous openings of one URL', async () => {
    const { path } = await startEmail('test0013', 'test0013@example.ac.jp')
    const results = await Promise.all(Array.from({ length: 20 }, () => new Client().get(path)))
    expect(results.filter((r) => r.res.status === 200)).toHaveLength(1)
    expect(results.filter((r) => r.res.status === 409)).toHaveLength(19)
  })

  it('rejects an expired URL with a way to ask again', async () => {
    const { path } = await startEmail('test0014', 'test0014@example.ac.jp')
    // Age the stored token past its 30 minutes by the service's clock (KV would also drop it
    // by TTL, but KV keeps real time, which a pinned clock may be days away from).
    const now = await serviceClockNow()
    const { keys } = await env.TOKENS.list({ prefix: 'ott:' })
    for (const { name } of keys) {
      const value = await env.TOKENS.get<{ expiresAt: number }>(name, 'json')
      await env.TOKENS.put(name, JSON.stringify({ ...value, expiresAt: now - 1000 }))
    }
    const { res, html } = await new Client().get(path)
    expect(res.status).toBe(410)
    expect(mainText(html)).toContain('有効期限（30分）が切れているか、正しくありません')
    expect(html).toContain('ログインしてメールアドレス設定をやり直す')
    const row = await env.DB.prepare(
      "SELECT email FROM students WHERE user_id = 'test0014'",
    ).first<{ email: string | null }>()
    expect(row!.email).toBeNull()
  })

  it('rejects forged and malformed tokens', async () => {
    for (const token of ['A'.repeat(43), 'short', `${'A'.repeat(42)}!`, 'A'.repeat(500)]) {
      const { res } = await new Client().get(`/email/verify/${token}`)
      expect(res.status).toBe(410)
    }
  })

  it('stores only a hash of the token', async () => {
    const { path } = await startEmail('test0015', 'test0015@example.ac.jp')
    const raw = path.split('/').pop()!
    expect(raw).toMatch(/^[A-Za-z0-9_-]{43}$/) // 256 bits
    const { keys } = await env.TOKENS.list()
    expect(keys.length).toBeGreaterThan(0)
    for (const { name } of keys) expect(name).not.toContain(raw)
  })

  it('does not let a reset URL complete an email registration', async () => {
    const { path } = await startEmail('test0016', 'test0016@example.ac.jp')
    const { res } = await new Client().get(
      path.replace('/email/verify/', '/second-password/reset/'),
    )
    expect(res.status).toBe(410)
  })

  it('keeps a student without email away from the menu and later steps', async () => {
    const client = new Client()
    await login(client, 'test0017', PASSWORD)
    expectRedirect((await client.get('/menu')).res, '/email/setup')
    expectRedirect((await client.get('/second-password/setup')).res, '/email/setup')
    expectRedirect((await client.get('/email/change')).res, '/email/setup')
  })
})

describe('2.2 第2パスワード設定', () => {
  const ready = async (userId: string, password = PASSWORD) => {
    const client = new Client()
    await login(client, userId, password)
    const since = await lastMailId()
    const email = `${userId}@example.ac.jp`
    await client.post('/email/setup', { email, email_confirm: email })
    await client.get(new URL(urlIn((await latestMail(email, since))?.body)).pathname)
    return client
  }

  it('shows the labels and the five rules of the manual', async () => {
    const client = await ready('test0018')
    const { html } = await client.get('/second-password/setup')
    for (const text of [
      '第2パスワード設定',
      '第2パスワード',
      '確認',
      '設定',
      '8文字以上であること。',
      '1文字以上の半角英大文字(A-Z)が含まれること。',
      '1文字以上の半角英小文字(a-z)が含まれること。',
      '1文字以上の半角数字(0-9)が含まれること。',
      '半角英数字以外を含まないこと。',
      '大学で利用しているパスワードは設定しないでください',
    ]) {
      expect(html).toContain(text)
    }
  })

  const broken: [string, string[]][] = [
    ['Abc1', ['8文字以上であること。']],
    ['abcdefg1', ['1文字以上の半角英大文字(A-Z)が含まれること。']],
    ['ABCDEFG1', ['1文字以上の半角英小文字(a-z)が含まれること。']],
    ['Abcdefgh', ['1文字以上の半角数字(0-9)が含まれること。']],
    ['Abcdefg1!', ['半角英数字以外を含まないこと。']],
    [
      'Ａｂｃｄｅｆｇ１',
      [
        '1文字以上の半角英大文字(A-Z)が含まれること。',
        '1文字以上の半角英小文字(a-z)が含まれること。',
        '1文字以上の半角数字(0-9)が含まれること。',
        '半角英数字以外を含まないこと。',
      ],
    ],
  ]
  broken.forEach(([candidate, rules], i) => {
    it(`names each broken rule for "${candidate}"`, async () => {
      const client = await ready(`test${String(40 + i).padStart(4, '0')}`)
      const { res, html } = await client.post('/second-password/setup', {
        second_password: candidate,
        second_password_confirm: candidate,
      })
      expect(res.status).toBe(422)
      const error = html.match(/id="second_password-error">([\s\S]*?)<\/div>/)![1]!
      for (const rule of rules) expect(error).toContain(rule)
      expect(error.match(/<li>/g)).toHaveLength(rules.length)
    })
  })

  it('refuses a confirmation that differs', async () => {
    const client = await ready('test0020')
    const { res, html } = await client.post('/second-password/setup', {
      second_password: 'Abcdefg1',
      second_password_confirm: 'Abcdefg2',
    })
    expect(res.status).toBe(422)
    expect(html).toContain('第2パスワードと確認が一致しません。')
  })

  it('refuses the university password as the second password', async () => {
    const client = await ready('strong01', STRONG_UNIVERSITY_PASSWORD)
    const { res, html } = await client.post('/second-password/setup', {
      second_password: STRONG_UNIVERSITY_PASSWORD,
      second_password_confirm: STRONG_UNIVERSITY_PASSWORD,
    })
    expect(res.status).toBe(422)
    expect(html).toContain('大学で利用しているパスワードは第2パスワードに設定できません。')
  })

  it('sets it, says 変更完了 — 第2パスワードが設定されました, and opens the menu', async () => {
    const client = await ready('test0021')
    const { res, html } = await client.post('/second-password/setup', {
      second_password: 'Abcdefg1',
      second_password_confirm: 'Abcdefg1',
    })
    expect(res.status).toBe(200)
    expect(mainText(html)).toContain('変更完了 第2パスワードが設定されました OK')
    expect((await client.get('/menu')).res.status).toBe(200)
    // From now on the second password is required.
    expect((await login(new Client(), 'test0021', PASSWORD, '')).res.status).toBe(401)
    expectRedirect((await login(new Client(), 'test0021', PASSWORD, 'Abcdefg1')).res, '/menu')
  })
})

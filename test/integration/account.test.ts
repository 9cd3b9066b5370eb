import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  Client,
  expectRedirect,
  lastMailId,
  latestMail,
  login,
  mainText,
  onboard,
  urlIn,
} from '../client'
import { PASSWORD } from '../fixtures'

const SECOND = 'Secret2nd'
const emailOf = async (userId: string) =>
  (await env.DB.prepare('SELECT email FROM students WHERE user_id = ?')
    .bind(userId)
    .first<{ email: string | null }>())!.email
const ready = async (userId: string) => {
  const client = new Client()
  await onboard(client, userId, `${userId}@example.ac.jp`, SECOND)
  return client
}

describe('2.4(a) メールアドレス変更', () => {
  it('changes the address through a one-time URL sent to the new one, and tells the old one', async () => {
    const client = await ready('test0050')
    const form = await client.get('/email/change')
    for (const label of [
      'メールアドレス変更',
      '新しいメールアドレス',
      '確認',
      '現在の第2パスワード',
    ])
      expect(form.html).toContain(label)
    const since = await lastMailId()
    const sent = await client.post('/email/change', {
      email: 'new0050@example.ac.jp',
      email_confirm: 'new0050@example.ac.jp',
      current_second_password: SECOND,
    })
    expectRedirect(sent.res, '/email/change/sent')
    const mail = await latestMail('new0050@example.ac.jp', since)
    expect(mail!.body).toContain('URL 期限：30 分')
    // Nothing changes until the URL is opened.
    let row = await env.DB.prepare("SELECT email FROM students WHERE user_id = 'test0050'").first<{
      email: string
    }>()
    expect(row!.email).toBe('test0050@example.ac.jp')
    const done = await client.get(new URL(urlIn(mail!.body)).pathname)
    expect(mainText(done.html)).toContain('メールアドレスを変更しました。')
    row = await env.DB.prepare("SELECT email FROM students WHERE user_id = 'test0050'").first<{
      email: string
    }>()
    expect(row!.email).toBe('new0050@example.ac.jp')
    const notice = await latestMail('test0050@example.ac.jp', since)
    expect(notice!.subject).toContain('メールアドレスが変更されました')
  })

  it('refuses the current address and a mismatched confirmation', async () => {
    const client = await ready('test0051')
    const same = await client.post('/email/change', {
      email: 'test0051@example.ac.jp',
      email_confirm: 'test0051@example.ac.jp',
      current_second_password: SECOND,
    })
    expect(same.res.status).toBe(422)
    expect(same.html).toContain('現在のメールアドレスと同じです。')
    const mismatch = await client.post('/email/change', {
      email: 'a0051@example.ac.jp',
      email_confirm: 'b0051@example.ac.jp',
      current_second_password: SECOND,
    })
    expect(mismatch.html).toContain('メールアドレスと確認が一致しません。')
  })

  it('asks for the current second password and sends nothing without it', async () => {
    const client = await ready('test0060')
    const since = await lastMailId()
    const { res, html } = await client.post('/email/change', {
      email: 'new0060@example.ac.jp',
      email_confirm: 'new0060@example.ac.jp',
    })
    expect(res.status).toBe(422)
    expect(html).toContain('現在の第2パスワードを入力してください。')
    expect(await lastMailId()).toBe(since)
  })

  it('refuses a wrong current second password on the same page; sends and changes nothing', async () => {
    const client = await ready('test0061')
    const since = await lastMailId()
    const { res, html } = await client.post('/email/change', {
      email: 'new0061@example.ac.jp',
      email_confirm: 'new0061@example.ac.jp',
      current_second_password: 'Wrong2nd0',
    })
    expect(res.status).toBe(422)
    expect(html).toContain('現在の第2パスワードが正しくありません。')
    expect(html).toContain('action="/email/change"')
    // The address typed is kept; the second password never is.
    expect(html).toContain('value="new0061@example.ac.jp"')
    expect(html).not.toContain('Wrong2nd0')
    expect(await lastMailId()).toBe(since)
    expect(await latestMail('new0061@example.ac.jp', since, 200)).toBeNull()
    expect(await emailOf('test0061')).toBe('test0061@example.ac.jp')
  })

  it('counts wrong current second passwords like failed logins: the fifth locks it, even the right one', async () => {
    const client = await ready('test0062')
    const attempt = (current: string) =>
      client.post('/email/change', {
        email: 'new0062@example.ac.jp',
        email_confirm: 'new0062@example.ac.jp',
        current_second_password: current,
      })
    for (let i = 0; i < 4; i++) expect((await attempt('Wrong2nd0')).res.status).toBe(422)
    const fifth = await attempt('Wrong2nd0')
    expect(fifth.res.status).toBe(429)
    expect(mainText(fifth.html)).toContain('一時的にログインを制限しています')
    const since = await lastMailId()
    expect((await attempt(SECOND)).res.status).toBe(429)
    expect(await lastMailId()).toBe(since)
  })

  it('ends every other session once the new address is confirmed; the confirming one continues', async () => {
    const client = await ready('test0063')
    const other = new Client()
    await login(other, 'test0063', PASSWORD, SECOND)
    const since = await lastMailId()
    await client.post('/email/change', {
      email: 'new0063@example.ac.jp',
      email_confirm: 'new0063@example.ac.jp',
      current_second_password: SECOND,
    })
    // Asking changes nothing yet: the other session lives on until the URL is opened.
    expect((await other.get('/menu')).res.status).toBe(200)
    const mail = await latestMail('new0063@example.ac.jp', since)
    const done = await client.get(new URL(urlIn(mail!.body)).pathname)
    expect(mainText(done.html)).toContain('メールアドレスを変更しました。')
    expect((await client.get('/menu')).res.status).toBe(200)
    expectRedirect((await other.get('/menu')).res, '/login?expired=1')
    expectRedirect((await login(new Client(), 'test0063', PASSWORD, SECOND)).res, '/menu')
  })

  it('ends every session when the URL is opened in a browser that is not logged in', async () => {
    const client = await ready('test0064')
    const since = await lastMailId()
    await client.post('/email/change', {
      email: 'new0064@example.ac.jp',
      email_confirm: 'new0064@example.ac.jp',
      current_second_password: SECOND,
    })
    const mail = await latestMail('new0064@example.ac.jp', since)
    const elsewhere = new Client()
    const done = await elsewhere.get(new URL(urlIn(mail!.body)).pathname)
    expect(done.res.status).toBe(200)
    expect(elsewhere.session).toBeUndefined()
    expect(await emailOf('test0064')).toBe('new0064@example.ac.jp')
    expectRedirect((await client.get('/menu')).res, '/login?expired=1')
  })

  it('is only for logged-in students', async () => {
    expectRedirect((await new Client().get('/email/change')).res, '/login')
    expectRedirect(
      (
        await new Client().post('/email/change', {
          email: 'x@example.ac.jp',
          email_confirm: 'x@example.ac.jp',
        })
      ).res,
      '/login',
    )
  })
})

describe('2.4(b) 第2パスワード変更', () => {
  it('shows the manual labels and buttons', async () => {
    const client = await ready('test0052')
    const { html } = await client.get('/second-password/change')
    for (const label of [
      '第2パスワード変更',
      '現在の第2パスワード',
      '新しい第2パスワード',
      '確認',
      '戻る',
      '変更',
    ])
      expect(html).toContain(label)
  })

  it('refuses a wrong current second password and changes nothing', async () => {
    const client = await ready('test0053')
    const { res, html } = await client.post('/second-password/change', {
      current_second_password: 'Wrong2nd0',
      second_password: 'Newpass12',
      second_password_confirm: 'Newpass12',
    })
    expect(res.status).toBe(422)
    expect(html).toContain('現在の第2パスワードが正しくありません。')
    expectRedirect((await login(new Client(), 'test0053', PASSWORD, SECOND)).res, '/menu')
  })

  it('names broken rules of the new second password', async () => {
    const client = await ready('test0054')
    const { html } = await client.post('/second-password/change', {
      current_second_password: SECOND,
      second_password: 'short',
      second_password_confirm: 'short',
    })
    expect(html).toContain('新しい第2パスワードが次のルールを満たしていません。')
    expect(html).toContain('8文字以上であること。')
  })

  it('is not locked for the student by someone failing logins as them from elsewhere', async () => {
    const client = await ready('test0065')
    for (let i = 0; i < 6; i++)
      await new Client().post(
        '/login',
        { user_id: 'test0065', password: PASSWORD, second_password: 'Guess2nd0' },
        { headers: { 'cf-connecting-ip': '203.0.113.65' } },
      )
    expect((await login(new Client(), 'test0065', PASSWORD, SECOND)).res.status).toBe(429)
    // The student's own browser is counted on its own: the change goes through.
    const { res, html } = await client.post('/second-password/change', {
      current_second_password: SECOND,
      second_password: 'Changed65',
      second_password_confirm: 'Changed65',
    })
    expect(res.status).toBe(200)
    expect(mainText(html)).toContain('第2パスワードは変更されました')
    const email = await client.post('/email/change', {
      email: 'new0065@example.ac.jp',
      email_confirm: 'new0065@example.ac.jp',
      current_second_password: 'Changed65',
    })
    expectRedirect(email.res, '/email/change/sent')
  })

  it('changes it, says 第2パスワードは変更されました, and ends the other sessions', async () => {
    const client = await ready('test0055')
    const other = new Client()
    await login(other, 'test0055', PASSWORD, SECOND)
    expect((await other.get('/menu')).res.status).toBe(200)
    const { res, html } = await client.post('/second-password/change', {
      current_second_password: SECOND,
      second_password: 'Changed22',
      second_password_confirm: 'Changed22',
    })
    expect(res.status).toBe(200)
    expect(mainText(html)).toContain('第2パスワードは変更されました OK')
    expect((await client.get('/menu')).res.status).toBe(200)
    expectRedirect((await other.get('/menu')).res, '/login?expired=1')
    expect((await login(new Client(), 'test0055', PASSWORD, SECOND)).res.status).toBe(401)
    expectRedirect((await login(new Client(), 'test0055', PASSWORD, 'Changed22')).res, '/menu')
  })
})

describe('2.4(c) 第2パスワードを忘れた場合', () => {
  it('answers a registered and an unknown address with the same page; mails only the registered one', async () => {
    await ready('test0056')
    const since = await lastMailId()
    const known = await new Client().post('/second-password/forgot', {
      email: 'test0056@example.ac.jp',
    })
    const unknown = await new Client().post('/second-password/forgot', {
      email: 'nobody@example.ac.jp',
    })
    expect(known.res.status).toBe(200)
    expect(unknown.res.status).toBe(200)
    expect(mainText(known.html)).toBe(mainText(unknown.html))
    expect(mainText(known.html)).toContain('第2パスワード再設定用のURL')
    const mail = await latestMail('test0056@example.ac.jp', since)
    expect(mail!.body).toContain('test0056')
    expect(await latestMail('nobody@example.ac.jp', since, 500)).toBeNull()
  })

  it('resets through the one-time URL; rule errors do not use the URL up', async () => {
    await ready('test0057')
    const since = await lastMailId()
    await new Client().post('/second-password/forgot', { email: 'test0057@example.ac.jp' })
    const path = new URL(urlIn((await latestMail('test0057@example.ac.jp', since))!.body)).pathname
    const client = new Client()
    const form = await client.get(path)
    expect(form.res.status).toBe(200)
    expect(form.html).toContain('ユーザID: test0057')
    const bad = await client.post(path, {
      second_password: 'weak',
      second_password_confirm: 'weak',
    })
    expect(bad.res.status).toBe(422)
    expect(bad.html).toContain('8文字以上であること。')
    const good = await client.post(path, {
      second_password: 'Recover12',
      second_password_confirm: 'Recover12',
    })
    expect(mainText(good.html)).toContain('第2パスワードが設定されました')
    expectRedirect((await login(new Client(), 'test0057', PASSWORD, 'Recover12')).res, '/menu')
    const reused = await new Client().get(path)
    expect(reused.res.status).toBe(409)
    expect(reused.html).toContain('第2パスワードの再設定をもう一度申し込む')
  })

  it('gives exactly one success to 20 simultaneous resets through one URL', async () => {
    await ready('test0059')
    const since = await lastMailId()
    await new Client().post('/second-password/forgot', { email: 'test0059@example.ac.jp' })
    const path = new URL(urlIn((await latestMail('test0059@example.ac.jp', since))!.body)).pathname
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = new Client()
        await client.get('/login')
        const pass = `Racer${String(i).padStart(3, '0')}x`
        return {
          pass,
          ...(await client.post(path, { second_password: pass, second_password_confirm: pass })),
        }
      }),
    )
    const won = results.filter((r) => mainText(r.html).includes('第2パスワードが設定されました'))
    expect(won).toHaveLength(1)
    expect(results.filter((r) => r.res.status === 409)).toHaveLength(19)
    // The one that won is the second password now; no other is.
    expectRedirect((await login(new Client(), 'test0059', PASSWORD, won[0]!.pass)).res, '/menu')
    const loser = results.find((r) => r !== won[0])!
    expect((await login(new Client(), 'test0059', PASSWORD, loser.pass)).res.status).toBe(401)
  })

  it('names an address that is not an address', async () => {
    const { res, html } = await new Client().post('/second-password/forgot', { email: 'nope' })
    expect(res.status).toBe(422)
    expect(html).toContain('メールアドレスの形式が正しくありません。')
  })

  it('lifts an account lock once the second password is reset', async () => {
    await ready('test0058')
    for (let i = 0; i < 5; i++) await login(new Client(), 'test0058', PASSWORD, 'Wrong2nd0')
    expect((await login(new Client(), 'test0058', PASSWORD, SECOND)).res.status).toBe(429)
    const since = await lastMailId()
    await new Client().post('/second-password/forgot', { email: 'test0058@example.ac.jp' })
    const path = new URL(urlIn((await latestMail('test0058@example.ac.jp', since))!.body)).pathname
    await new Client().post(path, {
      second_password: 'Unlock123',
      second_password_confirm: 'Unlock123',
    })
    expectRedirect((await login(new Client(), 'test0058', PASSWORD, 'Unlock123')).res, '/menu')
  })
})

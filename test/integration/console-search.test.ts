import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { formatJstDateTime } from '../../src/domain/time'
import { hashSecret } from '../../src/security/crypto'
import { application, applyCharge, atNoon, ready, SECOND } from '../charge'
import { Client, login, mainText } from '../client'
import { PASSWORD } from '../fixtures'
import { staffClient } from '../staff'

/**
 * 検索 finds students, with or without applications (issue 21), a konbini number typed as
 * the receipt prints it, and the kind of login lock on the student's page. The people of
 * this file (srch…) are its own, with names nobody else has.
 */
const PEOPLE = [
  // Logs in and registers an e-mail address; never applies.
  { universityId: 'demo', userId: 'srch01', nameKana: 'ケンサク イチロウ' },
  // On the roster, never logged in.
  { universityId: 'demo', userId: 'srch02', nameKana: 'ケンサク ジロウ' },
  // Another university's student of the same ID and name: never found by demo's staff.
  { universityId: 'second', userId: 'srch01', nameKana: 'ケンサク イチロウ' },
  // Locks: an account lock, a browser's own lock, and a lock before any login.
  { universityId: 'demo', userId: 'srch03', nameKana: 'ロック サブロウ' },
  { universityId: 'demo', userId: 'srch04', nameKana: 'ロック シロウ' },
  { universityId: 'demo', userId: 'srch05', nameKana: 'ロック ゴロウ' },
  // Konbini payments.
  { universityId: 'demo', userId: 'srch06', nameKana: 'コンビニ ロクロウ' },
  { universityId: 'demo', userId: 'srch07', nameKana: 'コンビニ ナナコ' },
]

beforeAll(async () => {
  await atNoon()
  const hash = await hashSecret(PASSWORD, env.PEPPER)
  await env.DB.batch(
    PEOPLE.map((p) =>
      env.DB.prepare(
        'INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (?, ?, ?, ?)',
      ).bind(p.universityId, p.userId, hash, p.nameKana),
    ),
  )
})

const accountOf = async (userId: string, universityId = 'demo') =>
  (await env.DB.prepare('SELECT id FROM students WHERE university_id = ? AND user_id = ?')
    .bind(universityId, userId)
    .first<{ id: number }>())!.id

const search = async (client: Client, query: Record<string, string>) => {
  const { res, html } = await client.get(`/staff/search?${new URLSearchParams(query)}`)
  return { res, html, text: mainText(html) }
}
/** Where the students' results lead: the account's page, or the roster person's. */
const studentLinks = (html: string) =>
  [...html.matchAll(/href="(\/staff\/(?:students|people)\/[^"]+)"/g)].map((m) => m[1]!)
const applicationLinks = (html: string) =>
  [...html.matchAll(/href="\/staff\/applications\/(\d+)"/g)].map((m) => Number(m[1]))

const english = (client: Client) => {
  client.cookies.set('lang', 'en')
  return client
}

describe('検索 finds students', () => {
  it('by ユーザID, 氏名カナ however typed and e-mail, with or without applications, in their university only', async () => {
    await ready('srch01')
    const account = await accountOf('srch01')
    const { client } = await staffClient('staff')
    const find = async (query: Record<string, string>) => {
      const { res, html } = await search(client, query)
      expect(res.status).toBe(200)
      return studentLinks(html)
    }
    const srch01 = `/staff/students/${account}`
    const srch02 = '/staff/people/demo/srch02'
    expect(await find({ user: 'srch01' })).toEqual([srch01])
    // Full-width letters and digits, as typed with a Japanese keyboard.
    expect(await find({ user: 'ｓｒｃｈ０１' })).toEqual([srch01])
    expect(await find({ user: 'srch02' })).toEqual([srch02])
    expect(await find({ email: 'SRCH01@example.ac.jp' })).toEqual([srch01])
    for (const name of [
      'ケンサク イチロウ',
      'ケンサクイチロウ',
      'ケンサク　イチロウ',
      'けんさく いちろう',
      'ｹﾝｻｸ ｲﾁﾛｳ',
      'イチロウ',
    ])
      expect(await find({ name }), name).toEqual([srch01])
    // Both, by a part of the name; in ユーザID order.
    expect(await find({ name: 'けんさく' })).toEqual([srch01, srch02])

    const { text } = await search(client, { name: 'けんさく' })
    expect(text).toContain('学生 2人')
    expect(text).toContain('srch01@example.ac.jp')
    expect(text).toContain('まだログインしていません')

    // Another university's staff find neither; the call centre finds all three.
    const other = (await staffClient('staff', 'second')).client
    expect(studentLinks((await search(other, { name: 'ケンサク' })).html)).toEqual([
      `/staff/people/second/srch01`,
    ])
    expect(studentLinks((await search(other, { user: 'srch02' })).html)).toEqual([])
    const centre = (await staffClient('callcentre')).client
    const all = await search(centre, { name: 'ケンサク' })
    expect(studentLinks(all.html)).toHaveLength(3)
    expect(all.text).toContain('セカンド大学')
    expect(
      studentLinks((await search(centre, { name: 'ケンサク', university: 'demo' })).html),
    ).toEqual([srch01, srch02])

    // In English.
    const en = await search(english(client), { name: 'けんさく' })
    expect(en.text).toContain('Students 2 found')
    expect(en.text).toContain('Never logged in')
    expect(studentLinks(en.html)).toEqual([srch01, srch02])
  })

  it('opens a roster person who never logged in, and their account once they have', async () => {
    const { client } = await staffClient('staff')
    const page = await client.get('/staff/people/demo/srch05')
    expect(page.res.status).toBe(200)
    expect(mainText(page.html)).toContain('ロック ゴロウ')
    expect(mainText(page.html)).toContain('まだこのサービスにログインしていません')
    // Another university's staff: not found, exactly like nobody.
    const other = (await staffClient('staff', 'second')).client
    const hidden = await other.get('/staff/people/demo/srch05')
    const missing = await other.get('/staff/people/second/nobody')
    expect(hidden.res.status).toBe(404)
    expect(missing.res.status).toBe(404)
    expect(mainText(hidden.html)).toBe(mainText(missing.html))
    // Once an account exists, the roster address leads to it.
    await ready('srch02')
    const moved = await client.get('/staff/people/demo/srch02')
    expect(moved.res.status).toBe(302)
    expect(moved.res.headers.get('location')).toBe(`/staff/students/${await accountOf('srch02')}`)
  })

  it('links each application’s ユーザID to the student', async () => {
    const student = await ready('srch06')
    const { id } = await applyCharge(student, 2000, 'cvs_lawson')
    const { client } = await staffClient('staff')
    const { html } = await search(client, { id: String(id) })
    expect(applicationLinks(html)).toEqual([id])
    expect(studentLinks(html)).toEqual([`/staff/students/${await accountOf('srch06')}`])
  })
})

describe('検索 by a konbini number', () => {
  it('ignores hyphens and spaces, as the receipt prints the number', async () => {
    const student = await ready('srch07')
    const { id } = await applyCharge(student, 1000, 'cvs_lawson')
    const number = (await application(id))!.payment_number!
    expect(number).toMatch(/^\d{8,}$/)
    const { client } = await staffClient('staff')
    const grouped = number.match(/.{1,4}/g)!
    const fullWidth = (s: string) =>
      s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
    for (const typed of [
      grouped.join('-'),
      grouped.join(' '),
      ` ${grouped.join('　')} `,
      fullWidth(grouped.join('－')),
      // A Japanese keyboard's hyphen key in kana mode types the long-vowel mark.
      grouped.join('ー'),
      grouped.join('‐'),
    ])
      expect(applicationLinks((await search(client, { ref: typed })).html), typed).toEqual([id])
    // A number only partly right finds nothing.
    expect(
      applicationLinks((await search(client, { ref: grouped.slice(1).join('-') })).html),
    ).toEqual([])
    const en = await search(english(client), { ref: grouped.join('-') })
    expect(applicationLinks(en.html)).toEqual([id])
    expect(en.text).toContain('1 found')
  })
})

/** Five failed logins of `userId` from `client`. */
const failLogins = async (client: Client, userId: string) => {
  for (let i = 0; i < 5; i++) {
    const { res } = await login(client, userId, 'wrong-password', 'wrong')
    expect(res.status).toBe(i < 4 ? 401 : 429)
  }
}
const throttleRow = (key: string) =>
  env.DB.prepare('SELECT locked_until FROM login_throttle WHERE key = ?')
    .bind(key)
    .first<{ locked_until: number | null }>()

describe('The student page says which lock a caller has', () => {
  it('the account lock, which ログインロック解除 lifts (Japanese and English)', async () => {
    await ready('srch03')
    await failLogins(new Client(), 'srch03')
    const until = (await throttleRow('account:demo:srch03'))!.locked_until!
    const account = await accountOf('srch03')
    const { client } = await staffClient('callcentre')
    const page = mainText((await client.get(`/staff/students/${account}`)).html)
    expect(page).toContain(
      `ユーザIDのロック：ログインしたことのないブラウザからのログインが ${formatJstDateTime(until)}（日本時間）まで止められています（失敗 5 回）。`,
    )
    expect(page).toContain('「ログインロック解除」ですぐに解除できます')
    expect(page).not.toContain('ブラウザのロック：')
    const { client: enClient } = await staffClient('staff')
    const enPage = mainText((await english(enClient).get(`/staff/students/${account}`)).html)
    expect(enPage).toContain(
      `Account lock: logins from browsers the student has not logged in from are stopped until ${formatJstDateTime(until)} JST (5 failures).`,
    )
    expect(enPage).toContain('Unlock login lifts it at once')

    const { res } = await client.post(`/staff/students/${account}/unlock`, { reason: '電話で依頼' })
    expect(res.status).toBe(303)
    const after = mainText((await client.get(`/staff/students/${account}`)).html)
    expect(after).toContain('ロックはありません。')
    expect((await login(new Client(), 'srch03', PASSWORD, SECOND)).res.status).toBe(303)
  })

  it('a browser’s own lock, which ends by itself at the time stated (Japanese and English)', async () => {
    const browser = await ready('srch04')
    await browser.post('/logout', {})
    // The student's own browser (its device cookie) fails five times: only it is locked.
    await failLogins(browser, 'srch04')
    const row = await env.DB.prepare(
      "SELECT locked_until FROM login_throttle WHERE key LIKE 'device:demo:srch04:%'",
    ).first<{ locked_until: number }>()
    expect(row?.locked_until).toBeTruthy()
    const until = formatJstDateTime(row!.locked_until)
    const account = await accountOf('srch04')
    const { client } = await staffClient('staff')
    const { html } = await client.get(`/staff/students/${account}`)
    const page = mainText(html)
    expect(page).toContain(
      `ブラウザのロック：学生がふだん使うブラウザ（1台）で続けて失敗したため、そのブラウザからのログインが ${until}（日本時間）まで止められています。`,
    )
    expect(page).toContain(`ここでは解除できません。${until}（日本時間）に自動で解除されます。`)
    expect(page).toContain('それまでも、ほかの端末やブラウザからならログインできます。')
    expect(page).toContain('ユーザIDのロックはありません。')
    const enPage = mainText((await english(client).get(`/staff/students/${account}`)).html)
    expect(enPage).toContain(
      `Browser lock: the student’s own browser failed repeatedly, so logins from it are stopped until ${until} JST (browsers locked: 1).`,
    )
    expect(enPage).toContain(`It cannot be lifted here; it ends by itself at ${until} JST.`)
    expect(enPage).toContain('Until then, the student can log in from any other device or browser.')
    // Another browser logs in meanwhile, as the page says.
    expect((await login(new Client(), 'srch04', PASSWORD, SECOND)).res.status).toBe(303)
  })

  it('the account lock of someone who never logged in, lifted from the roster person’s page', async () => {
    // A wrong university password five times: no account with the service yet.
    await failLogins(new Client(), 'srch05')
    const { client, member } = await staffClient('staff')
    const base = '/staff/people/demo/srch05'
    const page = mainText((await client.get(base)).html)
    expect(page).toContain('ユーザIDのロック：')
    expect(page).toContain('（失敗 5 回）')
    const confirm = await client.get(`${base}/unlock`)
    expect(confirm.res.status).toBe(200)
    expect(mainText(confirm.html)).toContain(
      'ユーザID srch05 のログイン失敗の記録とロックを消去します',
    )
    const { res } = await client.post(`${base}/unlock`, { reason: '電話で依頼' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${base}?done=unlock`)
    expect(mainText((await client.get(`${base}?done=unlock`)).html)).toContain(
      'ログインロックを解除しました。',
    )
    const audit = await env.DB.prepare(
      "SELECT target_type, target_id, university_id FROM audit_log WHERE staff_id = ? AND action = 'student.unlockLogin'",
    )
      .bind(member.id)
      .first<{ target_type: string; target_id: string; university_id: string }>()
    expect(audit).toEqual({ target_type: 'person', target_id: 'srch05', university_id: 'demo' })
    // The first login works at once.
    expect((await login(new Client(), 'srch05', PASSWORD)).res.status).toBe(303)
    // Another university's staff cannot unlock it.
    const other = (await staffClient('staff', 'second')).client
    expect((await other.post(`${base}/unlock`, { reason: 'x' })).res.status).toBe(404)
  })
})

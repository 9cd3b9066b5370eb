import { env } from 'cloudflare:workers'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { formatJstDateTime } from '../../src/domain/time'
import { hashSecret, sha256Hex } from '../../src/security/crypto'
import { serviceClockNow } from '../charge'
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
import { HEADER, uploadChecked } from '../roster'
import {
  codeFor,
  newStaff,
  STAFF_PASSWORD,
  staffClient,
  staffLogin,
  type TestStaff,
} from '../staff'

/**
 * Issue 20's proof: whatever the service keeps between requests to save a round trip (the
 * university in the isolate, the student read beside the session, the staff member likewise),
 * every change holds on the VERY NEXT request: a settings change, a suspension, a logout, a
 * locked or leaving student, a changed e-mail or second password, a role change or a
 * disabled member in the console. Each test first makes the requests that would warm any
 * cache (the same isolate serves every request of this file, as one isolate serves many
 * students in production), then changes one thing, then checks the first request after.
 *
 * Changes arrive both ways they do in production: through the service's own pages (this
 * isolate could hear of them) and straight into D1 with SQL (a write by another isolate, or
 * the nightly jobs: this isolate hears nothing). And a session cookie (`<id>.<token>`) is
 * believed only for the student or member its KV record names. Students nr…, universities
 * nr-a / nr-b on hosts of their own; storage is this file's alone.
 */

const SECOND = 'Nr2ndPass1'
/** The demo university on a host of its own (seeded like npm start), not the development fallback. */
const DEMO = 'https://localhost'

const HASH = hashSecret(PASSWORD, env.PEPPER)

/** Puts people into a university's directory, as a roster would. */
const enrol = async (universityId: string, userIds: string[]) => {
  const hash = await HASH
  await env.DB.batch(
    userIds.map((userId) =>
      env.DB.prepare(
        'INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (?, ?, ?, ?)',
      ).bind(universityId, userId, hash, 'エヌアール ハナコ'),
    ),
  )
}

/** A student through onboarding, on the menu: their session is warm. */
const studentOn = async (origin: string, userId: string) => {
  const client = new Client(origin)
  await onboard(client, userId, `${userId}@nr.example.ac.jp`, SECOND)
  expect((await client.get('/menu')).res.status, `${userId} on the menu`).toBe(200)
  return client
}

/** A second tab, another device or a copied cookie: the same cookies, a jar of its own. */
const copyOf = (client: Client) => {
  const copy = new Client(client.origin)
  for (const [name, value] of client.cookies) copy.cookies.set(name, value)
  return copy
}

const studentId = async (userId: string, universityId = 'demo') =>
  (await env.DB.prepare('SELECT id FROM students WHERE university_id = ? AND user_id = ?')
    .bind(universityId, userId)
    .first<{ id: number }>())!.id

/** Posts a form with repeated fields (checkboxes) and the client's CSRF token. */
const postForm = async (client: Client, path: string, fields: [string, string][]) => {
  const body = new URLSearchParams(fields)
  body.set('_csrf', client.csrf)
  const res = await client.request(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  return { res, html: await res.text() }
}

// ---- Two universities of this file's own -------------------------------------------------

interface UniversityForm {
  name: string
  name_en: string
  hosts: string
  balance_cap: string
  methods: string[]
  windows: { start: string; end: string }[]
}

const A: UniversityForm = {
  name: 'エヌアール大学',
  name_en: 'NR University',
  hosts: 'nr-a.example',
  balance_cap: '10000',
  methods: ['credit_card', 'cvs_lawson'],
  windows: [],
}
const B: UniversityForm = {
  name: 'エヌアール第二大学',
  name_en: 'NR Second University',
  hosts: 'nr-b.example\nnr-move.example',
  balance_cap: '20000',
  methods: ['credit_card'],
  windows: [],
}

/** 大学設定 as the administrator's form sends it (the operator's adds id, account, years). */
const settingsFields = (id: string, u: UniversityForm): [string, string][] => [
  ['name', u.name],
  ['name_en', u.name_en],
  ['legal_name', `学校法人 ${u.name}`],
  ['call_centre_name', `${u.name} コールセンター`],
  ['call_centre_phone', '03-5555-0000'],
  ['call_centre_hours', '平日 9:00〜17:00'],
  ['mail_from', `noreply@${id}.example`],
  ['mail_from_name', u.name],
  ['legal_name_en', `${u.name_en} Foundation`],
  ['call_centre_name_en', `${u.name_en} Call Centre`],
  ['call_centre_hours_en', 'Weekdays 9:00-17:00'],
  ['mail_from_name_en', u.name_en],
  ['card_money_desk', `${u.name} 学生課`],
  ['card_money_desk_en', `Student Affairs, ${u.name_en}`],
  ['hosts', u.hosts],
  ['balance_cap', u.balance_cap],
  ['min_charge', '500'],
  ['charge_step', '500'],
  ['payment_deadline_days', '7'],
  ['staff_alert_email', `office@${id}.example`],
  ['retention_years', '5'],
  ...u.methods.map((m): [string, string] => ['methods', m]),
  ...[...u.windows, { start: '', end: '' }].flatMap((w, i): [string, string][] => [
    [`window_start_${i}`, w.start],
    [`window_end_${i}`, w.end],
  ]),
]

const operatorFields = (id: string, u: UniversityForm): [string, string][] => [
  ['id', id],
  ['gateway_account', 'default'],
  ...settingsFields(id, u),
]

const operator = async () => (await staffClient('operator', null)).client

/** The operator's 編集 of a university: the whole form, as the page sends it. */
const operatorEdit = async (client: Client, id: string, u: UniversityForm) => {
  const { res } = await postForm(client, `/staff/universities/${id}/edit`, operatorFields(id, u))
  expectRedirect(res, `/staff/universities/${id}?saved=1`)
}

/** Puts a university's row and hosts back as `u` says, straight in D1 (a test's starting point). */
const resetUniversity = async (id: string, u: UniversityForm) => {
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE universities SET name = ?, name_en = ?, balance_cap = ?, payment_methods = ?, fiscal_year_end_blackouts = '[]', suspended_at = NULL, suspended_reason = NULL WHERE id = ?`,
    ).bind(u.name, u.name_en, Number(u.balance_cap), JSON.stringify(u.methods), id),
    env.DB.prepare('DELETE FROM university_hosts WHERE university_id = ?').bind(id),
    ...u.hosts
      .split('\n')
      .map((h) =>
        env.DB.prepare(
          'INSERT OR REPLACE INTO university_hosts (hostname, university_id) VALUES (?, ?)',
        ).bind(h, id),
      ),
  ])
}

beforeAll(async () => {
  const client = await operator()
  for (const [id, u] of [
    ['nr-a', A],
    ['nr-b', B],
  ] as const) {
    const { res } = await postForm(client, '/staff/universities', operatorFields(id, u))
    expectRedirect(res, `/staff/universities/${id}?created=1`)
  }
  await enrol('nr-a', ['nra01', 'nra02', 'nra03', 'nra04'])
  await enrol('nr-b', ['nrb01', 'nrb02', 'nrb03'])
  await enrol(
    'demo',
    Array.from({ length: 20 }, (_, i) => `nr${String(i + 1).padStart(4, '0')}`),
  )
})

/** The university's name as every student page shows it (the layout's header). */
const shownName = (html: string) => html.match(/<span class="university">([^<]*)<\/span>/)?.[1]

// ---- 大学設定 ----------------------------------------------------------------------------

describe('大学設定: a change holds on the next student request', () => {
  beforeEach(async () => {
    await resetUniversity('nr-a', A)
    await resetUniversity('nr-b', B)
    await micStopWindows([])
  })

  /**
   * A stop window from an hour ago to noon JST three days on, as the form takes it
   * (datetime-local, JST), and the instant it ends: the charge page names that instant.
   */
  const windowAroundNow = async () => {
    const now = await serviceClockNow()
    const jst = (ms: number) => new Date(ms + 9 * 3600_000).toISOString().slice(0, 16)
    const start = jst(now - 3600_000)
    const endDay = jst(now + 3 * 86_400_000).slice(0, 10)
    const end = Date.parse(`${endDay}T12:00:00+09:00`)
    // M.I.C. stops for the same window (its calendar is told the university's).
    await micStopWindows([{ start: now - 3600_000, end }])
    return { form: { start, end: `${endDay}T12:00` }, end }
  }

  /**
   * M.I.C.'s own calendar for nr-a (the twin's): while it refuses, the チャージ page says when
   * the link opens again, by the university's stop windows as the service knows them.
   */
  const micStopWindows = async (windows: { start: number; end: number }[]) => {
    const res = await fetch('http://mic.test/_twin/universities/nr-a', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stopWindows: windows }),
    })
    expect(res.status).toBe(200)
  }

  /** What the student meets: the チャージ page (name, cap, stop) and the payment methods. */
  const studentSees = async (student: Client) => {
    const charge = await student.get('/charge')
    expect(charge.res.status).toBe(200)
    const methods = await student.get('/charge/method?amount=1000')
    expect(methods.res.status).toBe(200)
    return { name: shownName(charge.html), charge: mainText(charge.html), methods: methods.html }
  }

  const expectChanged = async (student: Client, windowEnd: number) => {
    // The very next request: the チャージ page, then the methods.
    const after = await studentSees(student)
    expect(after.name).toBe('エヌアール新大学')
    expect(after.charge).toContain('15,000円')
    expect(after.charge).toContain(formatJstDateTime(windowEnd))
    expect(after.methods).toContain('メルペイ')
    // A client that never came before (no session) too.
    expect(shownName((await new Client('https://nr-a.example').get('/login')).html)).toBe(
      'エヌアール新大学',
    )
  }

  it('applies a 管理者’s change (name, cap, methods, a stop window) on the next request', async () => {
    const student = await studentOn('https://nr-a.example', 'nra01')
    const { form, end } = await windowAroundNow()
    const before = await studentSees(student)
    expect(before.name).toBe('エヌアール大学')
    expect(before.charge).toContain('10,000円')
    expect(before.charge).not.toContain(formatJstDateTime(end))
    expect(before.methods).not.toContain('メルペイ')

    const admin = (await staffClient('admin', 'nr-a')).client
    const { res } = await postForm(
      admin,
      '/staff/settings',
      settingsFields('nr-a', {
        ...A,
        name: 'エヌアール新大学',
        balance_cap: '15000',
        methods: [...A.methods, 'merpay'],
        windows: [form],
      }),
    )
    expectRedirect(res, '/staff/settings?saved=1')
    await expectChanged(student, end)
  })

  it('applies the same change written straight into D1 (another isolate’s write) on the next request', async () => {
    const student = await studentOn('https://nr-a.example', 'nra02')
    const { end } = await windowAroundNow()
    const before = await studentSees(student)
    expect(before.name).toBe('エヌアール大学')
    expect(before.charge).toContain('10,000円')
    expect(before.charge).not.toContain(formatJstDateTime(end))
    expect(before.methods).not.toContain('メルペイ')

    await env.DB.prepare(
      `UPDATE universities SET name = ?, balance_cap = ?, payment_methods = ?, fiscal_year_end_blackouts = ? WHERE id = 'nr-a'`,
    )
      .bind(
        'エヌアール新大学',
        15000,
        JSON.stringify([...A.methods, 'merpay']),
        JSON.stringify([
          {
            start: new Date((await serviceClockNow()) - 3600_000).toISOString(),
            end: new Date(end).toISOString(),
          },
        ]),
      )
      .run()
    await expectChanged(student, end)
  })

  it('serves a host name removed by the operator no more, and moved to another university at once', async () => {
    const move = 'https://nr-move.example'
    const student = await studentOn(move, 'nrb01')
    expect(shownName((await student.get('/menu')).html)).toBe('エヌアール第二大学')
    expect(shownName((await new Client(move).get('/login')).html)).toBe('エヌアール第二大学')

    const client = await operator()
    await operatorEdit(client, 'nr-b', { ...B, hosts: 'nr-b.example' })
    // The next request on the host: no longer nr-b's (development serves its default
    // university on a host nobody has; production answers 404).
    const removed = await new Client(move).get('/login')
    expect(shownName(removed.html)).toBe('デモ大学')
    // The student's session was nr-b's: nothing on this host now.
    expectRedirect((await student.get('/menu')).res, '/login?expired=1')

    await operatorEdit(client, 'nr-a', { ...A, hosts: 'nr-a.example\nnr-move.example' })
    expect(shownName((await new Client(move).get('/login')).html)).toBe('エヌアール大学')
    // nr-b goes on on the host it kept.
    expect(shownName((await new Client('https://nr-b.example').get('/login')).html)).toBe(
      'エヌアール第二大学',
    )
  })

  it('moves a host name written straight into D1 on the next request', async () => {
    const move = 'https://nr-move.example'
    const student = await studentOn(move, 'nrb02')
    expect(shownName((await new Client(move).get('/login')).html)).toBe('エヌアール第二大学')
    await env.DB.prepare(
      "UPDATE university_hosts SET university_id = 'nr-a' WHERE hostname = 'nr-move.example'",
    ).run()
    expect(shownName((await new Client(move).get('/login')).html)).toBe('エヌアール大学')
    expectRedirect((await student.get('/menu')).res, '/login?expired=1')
  })

  it('shows the suspension page on the next request of an open session, and the menu again once resumed', async () => {
    const origin = 'https://nr-b.example'
    const student = await studentOn(origin, 'nrb03')
    const tab = copyOf(student)
    const client = await operator()
    expectRedirect(
      (await client.post('/staff/universities/nr-b/suspend', { reason: '契約の確認中' })).res,
      '/staff/universities/nr-b?suspended=1',
    )
    for (const c of [student, tab]) {
      const { res, html } = await c.get('/menu')
      expect(res.status).toBe(503)
      expect(mainText(html)).toContain('03-5555-0000')
    }
    expect((await login(new Client(origin), 'nrb03', PASSWORD, SECOND)).res.status).toBe(503)

    expectRedirect(
      (await client.post('/staff/universities/nr-b/resume', { reason: '確認済み' })).res,
      '/staff/universities/nr-b?resumed=1',
    )
    expect((await student.get('/menu')).res.status).toBe(200)
    expectRedirect((await login(new Client(origin), 'nrb03', PASSWORD, SECOND)).res, '/menu')
  })

  it('suspends and resumes by a write straight into D1 on the next request', async () => {
    const student = await studentOn('https://nr-a.example', 'nra03')
    await env.DB.prepare(
      "UPDATE universities SET suspended_at = 1, suspended_reason = 'SQL' WHERE id = 'nr-a'",
    ).run()
    expect((await student.get('/menu')).res.status).toBe(503)
    await env.DB.prepare(
      "UPDATE universities SET suspended_at = NULL, suspended_reason = NULL WHERE id = 'nr-a'",
    ).run()
    expect((await student.get('/menu')).res.status).toBe(200)
  })

  // A row replaced (DELETE + INSERT, or INSERT OR REPLACE: a hand-made fix, a re-created
  // university) once started again at version 0, which an isolate that had kept version 0
  // took for its own copy. Versions now come from one counter (migrations/0012).
  it('shows a university row replaced straight in D1 (a new row, the same id) on the next request', async () => {
    const columns =
      'name_en, legal_name, call_centre_name, call_centre_phone, call_centre_hours, mail_from, mail_from_name, balance_cap, min_charge, charge_step, payment_methods, payment_deadline_days, fiscal_year_end_blackouts, gateway_account, staff_alert_email'
    const copyOfDemo = (verb: string, name: string) =>
      env.DB.prepare(
        `${verb} INTO universities (id, name, ${columns}) SELECT 'nr-c', ?, ${columns} FROM universities WHERE id = 'demo'`,
      ).bind(name)
    await env.DB.batch([
      copyOfDemo('INSERT', 'エヌアール旧大学'),
      env.DB.prepare(
        "INSERT INTO university_hosts (hostname, university_id) VALUES ('nr-c.example', 'nr-c')",
      ),
    ])
    const shown = async () =>
      shownName((await new Client('https://nr-c.example').get('/login')).html)
    expect(await shown()).toBe('エヌアール旧大学')
    await copyOfDemo('INSERT OR REPLACE', 'エヌアール新大学').run()
    expect(await shown()).toBe('エヌアール新大学')
  })
})

// ---- The student's session ----------------------------------------------------------------

describe('the student’s session: a change holds on the next request', () => {
  it('refuses the cookie of a session logged out, in this tab and in any copy of it', async () => {
    const student = await studentOn(DEMO, 'nr0001')
    const tab = copyOf(student)
    const old = student.session!
    expect((await tab.get('/menu')).res.status).toBe(200)
    expectRedirect((await student.post('/logout', {})).res, '/login?out=1')
    expect(student.session).toBeUndefined()
    // The other tab, and the old cookie brought back by hand.
    expectRedirect((await tab.get('/menu')).res, '/login?expired=1')
    const replay = new Client(DEMO)
    replay.cookies.set('__Host-session', old)
    expectRedirect((await replay.get('/menu')).res, '/login?expired=1')
  })

  it('ends every session of the student at once on the console’s 全セッション終了', async () => {
    const student = await studentOn(DEMO, 'nr0002')
    const other = new Client(DEMO)
    expectRedirect((await login(other, 'nr0002', PASSWORD, SECOND)).res, '/menu')
    const staff = (await staffClient('staff', 'demo')).client
    const id = await studentId('nr0002')
    expectRedirect(
      (await staff.post(`/staff/students/${id}/end-sessions`, { reason: '端末の紛失' })).res,
      `/staff/students/${id}?done=sessions`,
    )
    expectRedirect((await student.get('/menu')).res, '/login?expired=1')
    expectRedirect((await other.get('/charge')).res, '/login?expired=1')
    expectRedirect((await login(new Client(DEMO), 'nr0002', PASSWORD, SECOND)).res, '/menu')
  })

  it('ends the sessions on a credential epoch moved straight in D1 (another isolate’s write)', async () => {
    const student = await studentOn(DEMO, 'nr0003')
    await env.DB.prepare(
      "UPDATE students SET credential_epoch = credential_epoch + 1 WHERE university_id = 'demo' AND user_id = 'nr0003'",
    ).run()
    expectRedirect((await student.get('/menu')).res, '/login?expired=1')
  })

  it('locks the login at the fifth failure, and lets the student in at once after ログインロック解除', async () => {
    await studentOn(DEMO, 'nr0004')
    for (let i = 0; i < 5; i++)
      expect((await login(new Client(DEMO), 'nr0004', PASSWORD, 'Wrong2nd0')).res.status).not.toBe(
        303,
      )
    const locked = await login(new Client(DEMO), 'nr0004', PASSWORD, SECOND)
    expect(locked.res.status).toBe(429)
    const staff = (await staffClient('staff', 'demo')).client
    const id = await studentId('nr0004')
    expectRedirect(
      (await staff.post(`/staff/students/${id}/unlock`, { reason: '本人確認済み' })).res,
      `/staff/students/${id}?done=unlock`,
    )
    expectRedirect((await login(new Client(DEMO), 'nr0004', PASSWORD, SECOND)).res, '/menu')
  })

  it('ends the other sessions on a second password changed; the changing one continues', async () => {
    const student = await studentOn(DEMO, 'nr0005')
    const other = new Client(DEMO)
    await login(other, 'nr0005', PASSWORD, SECOND)
    expect((await other.get('/menu')).res.status).toBe(200)
    const { html } = await student.post('/second-password/change', {
      current_second_password: SECOND,
      second_password: 'Nr2ndNew22',
      second_password_confirm: 'Nr2ndNew22',
    })
    expect(mainText(html)).toContain('第2パスワードは変更されました')
    expectRedirect((await other.get('/menu')).res, '/login?expired=1')
    expect((await student.get('/menu')).res.status).toBe(200)
  })

  it('ends every session on a second password reset through the mailed URL', async () => {
    const student = await studentOn(DEMO, 'nr0006')
    const tab = copyOf(student)
    const since = await lastMailId()
    await new Client(DEMO).post('/second-password/forgot', { email: 'nr0006@nr.example.ac.jp' })
    const path = new URL(urlIn((await latestMail('nr0006@nr.example.ac.jp', since))!.body)).pathname
    const reset = await new Client(DEMO).post(path, {
      second_password: 'Nr2ndReset3',
      second_password_confirm: 'Nr2ndReset3',
    })
    expect(mainText(reset.html)).toContain('第2パスワードが設定されました')
    expectRedirect((await student.get('/menu')).res, '/login?expired=1')
    expectRedirect((await tab.get('/menu')).res, '/login?expired=1')
  })

  it('shows the new e-mail address on the next page; the other sessions end, the confirming one continues', async () => {
    const student = await studentOn(DEMO, 'nr0007')
    const other = new Client(DEMO)
    await login(other, 'nr0007', PASSWORD, SECOND)
    expect(mainText((await other.get('/email/change')).html)).toContain('nr0007@nr.example.ac.jp')
    const since = await lastMailId()
    const asked = await student.post('/email/change', {
      email: 'nr0007-new@nr.example.ac.jp',
      email_confirm: 'nr0007-new@nr.example.ac.jp',
      current_second_password: SECOND,
    })
    expectRedirect(asked.res, '/email/change/sent')
    const mail = await latestMail('nr0007-new@nr.example.ac.jp', since)
    const done = await student.get(new URL(urlIn(mail!.body)).pathname)
    expect(mainText(done.html)).toContain('メールアドレスを変更しました。')
    const page = mainText((await student.get('/email/change')).html)
    expect(page).toContain('nr0007-new@nr.example.ac.jp')
    expect(page).not.toContain('nr0007@nr.example.ac.jp')
    expectRedirect((await other.get('/email/change')).res, '/login?expired=1')
  })

  it('shows an e-mail address written straight into D1 on the next page', async () => {
    const student = await studentOn(DEMO, 'nr0008')
    expect(mainText((await student.get('/email/change')).html)).toContain('nr0008@nr.example.ac.jp')
    await env.DB.prepare(
      "UPDATE students SET email = 'nr0008-sql@nr.example.ac.jp' WHERE university_id = 'demo' AND user_id = 'nr0008'",
    ).run()
    expect(mainText((await student.get('/email/change')).html)).toContain(
      'nr0008-sql@nr.example.ac.jp',
    )
  })
})

// ---- The student's status in the directory ------------------------------------------------

describe('the directory: a status change holds on the next request', () => {
  const setStatus = (userId: string, status: string, leftOn: string | null) =>
    env.DB.prepare(
      "UPDATE directory_people SET status = ?, left_on = ? WHERE university_id = 'demo' AND user_id = ?",
    )
      .bind(status, leftOn, userId)
      .run()

  it('leaves a student who withdrew (退学, written into D1) only 申請一覧; back to 在学, everything', async () => {
    const student = await studentOn(DEMO, 'nr0010')
    expect((await student.get('/charge')).res.status).toBe(200)
    await setStatus('nr0010', 'withdrawn', '2026-10-01')
    expectRedirect((await student.get('/charge')).res, '/applications?closed=1')
    expectRedirect((await student.get('/menu')).res, '/applications')
    expect(mainText((await student.get('/applications')).html)).toContain('退学のため')
    await setStatus('nr0010', 'enrolled', null)
    expect((await student.get('/charge')).res.status).toBe(200)
  })

  it('stops the チャージ of a graduate (卒業) on the next request, saying why', async () => {
    const student = await studentOn(DEMO, 'nr0011')
    expect((await student.get('/charge')).res.status).toBe(200)
    await setStatus('nr0011', 'graduated', '2026-09-30')
    const { res, html } = await student.get('/charge')
    expect(res.status).toBe(403)
    expect(mainText(html)).toContain('卒業されたため')
  })

  it('treats a person removed from the directory as 退学 on the next request', async () => {
    const student = await studentOn(DEMO, 'nr0012')
    expect((await student.get('/charge')).res.status).toBe(200)
    await env.DB.prepare(
      "DELETE FROM directory_people WHERE university_id = 'demo' AND user_id = 'nr0012'",
    ).run()
    expectRedirect((await student.get('/charge')).res, '/applications?closed=1')
  })

  it('applies a roster the 管理者 uploads (退学) on the student’s next request', async () => {
    const student = await studentOn(DEMO, 'nr0013')
    expect((await student.get('/charge')).res.status).toBe(200)
    const admin = (await staffClient('admin', 'demo')).client
    const csv = `${HEADER}\r\nnr0013,エヌアール ハナコ,,退学,2026/10/01,,\r\n`
    const { id, row } = await uploadChecked(admin, new TextEncoder().encode(csv))
    expect(row).toMatchObject({ state: 'ready', leaving_count: 1 })
    expectRedirect(
      (await admin.post(`/staff/roster/${id}/apply`, {})).res,
      `/staff/roster/${id}?done=applied`,
    )
    expectRedirect((await student.get('/charge')).res, '/applications?closed=1')
  })
})

// ---- The console --------------------------------------------------------------------------

describe('the console: a change to a member holds on their next request', () => {
  /** Forgets the member's spent TOTP step, so they may sign in again within the same 30 s. */
  const forgetSpentCodes = (id: number) =>
    env.DB.prepare('UPDATE staff_members SET totp_last_step = NULL WHERE id = ?').bind(id).run()

  const signInAgain = async (member: TestStaff) => {
    await forgetSpentCodes(member.id)
    return staffLogin(member, new Client())
  }

  it('refuses the cookie of a member logged out, in this tab and in any copy of it', async () => {
    const { client } = await staffClient('staff', 'demo')
    const tab = copyOf(client)
    expect((await tab.get('/staff')).res.status).toBe(200)
    const { res } = await client.post('/staff/logout', {})
    expect(res.status).toBe(303)
    expectRedirect((await tab.get('/staff')).res, '/staff/login?expired=1')
  })

  it('ends a member’s sessions on a role change; the new rights hold at their next sign-in', async () => {
    const admin = (await staffClient('admin', 'nr-a')).client
    const member = await newStaff('staff', 'nr-a')
    const session = await staffLogin(member)
    const tab = copyOf(session)
    expect((await session.get('/staff/settings')).res.status).toBe(403)

    const role = await admin.post(`/staff/members/${member.id}/role`, { role: 'admin' })
    expect(role.res.status).toBe(303)
    expectRedirect((await session.get('/staff/settings')).res, '/staff/login?expired=1')
    expectRedirect((await tab.get('/staff')).res, '/staff/login?expired=1')
    const promoted = await signInAgain(member)
    expect((await promoted.get('/staff/settings')).res.status).toBe(200)

    await admin.post(`/staff/members/${member.id}/role`, { role: 'staff' })
    expectRedirect((await promoted.get('/staff/settings')).res, '/staff/login?expired=1')
    const demoted = await signInAgain(member)
    expect((await demoted.get('/staff/settings')).res.status).toBe(403)
  })

  it('gives a member the rights of a role written straight into D1 on their next request', async () => {
    const member = await newStaff('staff', 'nr-a')
    const session = await staffLogin(member)
    expect((await session.get('/staff/settings')).res.status).toBe(403)
    await env.DB.prepare("UPDATE staff_members SET role = 'admin' WHERE id = ?")
      .bind(member.id)
      .run()
    expect((await session.get('/staff/settings')).res.status).toBe(200)
    await env.DB.prepare("UPDATE staff_members SET role = 'staff' WHERE id = ?")
      .bind(member.id)
      .run()
    expect((await session.get('/staff/settings')).res.status).toBe(403)
    expect((await session.get('/staff')).res.status).toBe(200)
  })

  it('logs a member the 管理者 disables out on their next request, in every tab', async () => {
    const admin = (await staffClient('admin', 'nr-a')).client
    const member = await newStaff('staff', 'nr-a')
    const session = await staffLogin(member)
    const tab = copyOf(session)
    expect((await session.get('/staff')).res.status).toBe(200)
    const { res } = await admin.post(`/staff/members/${member.id}/disable`, {})
    expect(res.status).toBe(303)
    expectRedirect((await session.get('/staff')).res, '/staff/login?expired=1')
    expectRedirect((await tab.get('/staff')).res, '/staff/login?expired=1')
    // And they cannot come back.
    await forgetSpentCodes(member.id)
    const again = new Client()
    await again.get('/staff/login')
    const refused = await again.post('/staff/login', {
      email: member.email,
      password: STAFF_PASSWORD,
      code: await codeFor(member),
    })
    expect(refused.res.status).not.toBe(303)
  })

  it('logs out a member disabled straight in D1 on their next request', async () => {
    const member = await newStaff('staff', 'nr-a')
    const session = await staffLogin(member)
    expect((await session.get('/staff')).res.status).toBe(200)
    await env.DB.prepare('UPDATE staff_members SET disabled_at = 1 WHERE id = ?')
      .bind(member.id)
      .run()
    expectRedirect((await session.get('/staff')).res, '/staff/login?expired=1')
  })
})

// ---- A forged cookie ---------------------------------------------------------------------

describe('a forged session cookie', () => {
  it('refuses another student’s session on this university’s host', async () => {
    const mine = await studentOn('https://nr-a.example', 'nra04')
    const theirs = new Client(DEMO)
    theirs.cookies.set('__Host-session', mine.session!)
    expectRedirect((await theirs.get('/menu')).res, '/login?expired=1')
  })

  /** The KV record of a cookie, as the service keys it (only the cookie's hash is a key). */
  const recordOf = async (prefix: string, cookie: string) =>
    env.SESSIONS.get(`${prefix}:${await sha256Hex(cookie)}`)
  const putRecord = async (prefix: string, cookie: string, record: string) =>
    env.SESSIONS.put(`${prefix}:${await sha256Hex(cookie)}`, record)
  /** The cookie with another id in front of its token (`<id>.<token>`). */
  const withId = (cookie: string, id: number) => `${id}.${cookie.slice(cookie.indexOf('.') + 1)}`

  it('refuses a valid token carried behind another student’s id', async () => {
    const victim = await studentOn(DEMO, 'nr0014')
    const mine = await studentOn(DEMO, 'nr0015')
    const victimId = await studentId('nr0014')
    expect(mine.session!.startsWith(`${await studentId('nr0015')}.`)).toBe(true)
    const forged = new Client(DEMO)
    forged.cookies.set('__Host-session', withId(mine.session!, victimId))
    const { res, html } = await forged.get('/email/change')
    expectRedirect(res, '/login?expired=1')
    expect(html).not.toContain('nr0014@nr.example.ac.jp')
    // Neither session was touched: each still opens its own pages.
    expect(mainText((await victim.get('/email/change')).html)).toContain('nr0014@nr.example.ac.jp')
    expect(mainText((await mine.get('/email/change')).html)).toContain('nr0015@nr.example.ac.jp')
  })

  it('refuses a session whose KV record names another student than its cookie', async () => {
    // As if a token were good for another id: the record of this student's live session,
    // stored under a cookie naming the victim. The record must name the cookie's student.
    await studentOn(DEMO, 'nr0016')
    const mine = await studentOn(DEMO, 'nr0017')
    const cookie = withId(mine.session!, await studentId('nr0016'))
    await putRecord('session', cookie, (await recordOf('session', mine.session!))!)
    const forged = new Client(DEMO)
    forged.cookies.set('__Host-session', cookie)
    const { res, html } = await forged.get('/email/change')
    expectRedirect(res, '/login?expired=1')
    expect(html).not.toContain('nr0016@nr.example.ac.jp')
  })

  it('refuses a console token carried behind another member’s id, and a record naming another', async () => {
    const admin = await newStaff('admin', 'nr-a')
    await staffLogin(admin)
    const { client } = await staffClient('staff', 'nr-a')
    const mine = client.cookies.get('__Host-staff')!
    const forged = new Client()
    forged.cookies.set('__Host-staff', withId(mine, admin.id))
    expectRedirect((await forged.get('/staff/settings')).res, '/staff/login?expired=1')

    const cookie = withId(mine, admin.id)
    await putRecord('staff-session', cookie, (await recordOf('staff-session', mine))!)
    const copied = new Client()
    copied.cookies.set('__Host-staff', cookie)
    expectRedirect((await copied.get('/staff/settings')).res, '/staff/login?expired=1')
    // The member's own session goes on, with its own rights.
    expect((await client.get('/staff/settings')).res.status).toBe(403)
  })
})

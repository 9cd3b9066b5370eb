import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { checkConnection } from '../../src/flows/staff/connections'
import { hashSecret } from '../../src/security/crypto'
import {
  applyCharge,
  atNoon,
  creditStatusBecomes,
  gateway,
  mic,
  payWithoutReturning,
  SECOND,
  twinPaymentOf,
} from '../charge'
import {
  Client,
  expectRedirect,
  latestMail,
  login,
  mainText,
  onboard,
  type Client as C,
} from '../client'
import { PASSWORD } from '../fixtures'
import { newStaff, staffClient, staffLogin } from '../staff'

/**
 * The operator (運用者): its pages and nobody else's, universities created and edited with
 * the 大学設定 rules, connection checks against the twins, a first 管理者 invited, and a
 * suspension that stops the students but not their payments. Students test1101–test1120;
 * universities op-*; storage is rolled back after each test.
 */

const user = (n: number) => `test${1100 + n}`

const operator = async () => (await staffClient('operator', null)).client

const GOOD: Record<string, string> = {
  id: 'op-a',
  gateway_account: 'opa',
  retention_years: '7',
  name: 'オペ大学',
  name_en: 'Op University',
  legal_name: '学校法人 オペ学園',
  call_centre_name: 'オペ大学 コールセンター',
  call_centre_phone: '03-1111-2222',
  call_centre_hours: '平日 9:00〜17:00',
  mail_from: 'noreply@op-a.example',
  mail_from_name: 'オペ大学',
  legal_name_en: 'Op Gakuen Educational Foundation',
  call_centre_name_en: 'Op University Call Centre',
  call_centre_hours_en: 'Weekdays 9:00-17:00',
  mail_from_name_en: 'Op University',
  card_money_desk: 'オペ大学 学生課',
  card_money_desk_en: 'Student Affairs Office, Op University',
  hosts: 'op-a.localhost\nmic.op-a.example',
  balance_cap: '30000',
  min_charge: '500',
  charge_step: '100',
  payment_deadline_days: '5',
  staff_alert_email: 'office@op-a.example',
  methods: 'credit_card',
  window_start_0: '2027-03-31T20:00',
  window_end_0: '2027-04-01T09:00',
}

const universityRow = (id: string) =>
  env.DB.prepare('SELECT * FROM universities WHERE id = ?').bind(id).first<{
    name: string
    balance_cap: number
    retention_years: number
    gateway_account: string
    suspended_at: number | null
    suspended_reason: string | null
    fiscal_year_end_blackouts: string
    certificate_settings: string
  }>()

const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n

const auditOf = (action: string) =>
  env.DB.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1')
    .bind(action)
    .first<{
      university_id: string
      staff_email: string
      before: string
      after: string
      reason: string
    }>()

/** The text of the field error the form shows for `field`. */
const fieldError = (html: string, field: string) =>
  html.match(new RegExp(`id="${field}-error"[^>]*>\\s*<p>([^<]*)</p>`))?.[1] ?? null

/** The form for university `id` (op-…), served at `id`.localhost. */
const good = (id: string, fields: Record<string, string> = {}) => ({
  ...GOOD,
  id,
  hosts: `${id}.localhost`,
  ...fields,
})

const create = (client: C, fields: Record<string, string> = {}) =>
  client.post('/staff/universities', { ...GOOD, ...fields })

beforeEach(async () => {
  await atNoon()
})

describe('rights', () => {
  it("lands the operator on 大学一覧 and shows only the operator's menu", async () => {
    const client = await operator()
    const start = await client.get('/staff')
    expectRedirect(start.res, '/staff/universities')
    const { res, html } = await client.get('/staff/universities')
    expect(res.status).toBe(200)
    const nav = html.match(/<nav class="console-nav"[\s\S]*?<\/nav>/)?.[0] ?? ''
    expect(nav).toContain('href="/staff/universities"')
    expect(nav).not.toContain('href="/staff/search"')
    expect(nav).not.toContain('href="/staff/settings"')
    expect(mainText(html)).toContain('デモ大学')
  })

  it("refuses the operator every page of a university's students and staff (403)", async () => {
    const client = await operator()
    for (const path of [
      '/staff/search?q=test1101',
      '/staff/applications/1',
      '/staff/students/test1101',
      '/staff/certificates',
      '/staff/roster',
      '/staff/settings',
      '/staff/members',
      '/staff/audit',
      '/staff/reconciliation',
    ]) {
      const { res, html } = await client.get(path)
      expect(res.status, path).toBe(403)
      expect(html).toContain('権限がありません')
    }
  })

  it("refuses staff, administrators and the call centre the operator's pages", async () => {
    for (const role of ['staff', 'admin', 'callcentre'] as const) {
      const { client } = await staffClient(role)
      for (const path of [
        '/staff/universities',
        '/staff/new-university',
        '/staff/universities/demo',
      ])
        expect((await client.get(path)).res.status, `${role} ${path}`).toBe(403)
      const posts: [string, Record<string, string>][] = [
        ['/staff/universities', GOOD],
        ['/staff/universities/demo/check/komoju', {}],
        ['/staff/universities/demo/suspend', { reason: 'test' }],
        ['/staff/universities/demo/invite', { email: `x-${role}@op.example`, name: 'X' }],
        ['/staff/universities/demo/edit', GOOD],
      ]
      for (const [path, fields] of posts)
        expect((await client.post(path, fields)).res.status, `${role} POST ${path}`).toBe(403)
      // Their own start page is still 要対応.
      expect((await client.get('/staff')).res.status).toBe(200)
    }
    expect(await universityRow('op-a')).toBeNull()
    expect((await universityRow('demo'))?.suspended_at).toBeNull()
  })

  it('sends a visitor without a session to the login', async () => {
    const { res } = await new Client().get('/staff/universities')
    expectRedirect(res, '/staff/login')
  })
})

describe('creating and editing a university', () => {
  it('creates a university with its hosts, settings and retention in one audited step', async () => {
    const client = await operator()
    expect((await client.get('/staff/new-university')).res.status).toBe(200)
    const { res } = await create(client)
    expectRedirect(res, '/staff/universities/op-a?created=1')
    const row = await universityRow('op-a')
    expect(row).toMatchObject({
      name: 'オペ大学',
      balance_cap: 30000,
      retention_years: 7,
      gateway_account: 'opa',
      suspended_at: null,
      certificate_settings: '{}',
    })
    expect(JSON.parse(row!.fiscal_year_end_blackouts)).toEqual([
      { start: '2027-03-31T11:00:00Z', end: '2027-04-01T00:00:00Z' },
    ])
    const hosts = await env.DB.prepare(
      "SELECT hostname FROM university_hosts WHERE university_id = 'op-a' ORDER BY hostname",
    ).all<{ hostname: string }>()
    expect(hosts.results.map((h) => h.hostname)).toEqual(['mic.op-a.example', 'op-a.localhost'])
    const audit = await auditOf('university.create')
    expect(audit?.university_id).toBe('op-a')
    expect(JSON.parse(audit!.after)).toMatchObject({ id: 'op-a', retentionYears: 7 })
    const page = await client.get('/staff/universities/op-a?created=1')
    expect(mainText(page.html)).toContain('オペ大学を作成しました')
    const list = await client.get('/staff/universities')
    expect(mainText(list.html)).toContain('op-a.localhost')
    // The new host serves the new university to its students.
    const student = new Client('https://op-a.localhost')
    expect((await student.get('/login')).html).toContain('オペ大学')
  })

  it('refuses bad fields, each with its message on the form, and writes nothing', async () => {
    const client = await operator()
    const before = await count('SELECT COUNT(*) AS n FROM universities')
    const audits = await count('SELECT COUNT(*) AS n FROM audit_log')
    const { res, html } = await create(client, {
      id: 'Op A!',
      gateway_account: 'bad name',
      retention_years: '11',
      balance_cap: 'abc',
      mail_from: 'not-an-address',
      window_end_0: '2027-03-31T19:00',
    })
    expect(res.status).toBe(422)
    expect(fieldError(html, 'id')).toContain('大学ID')
    expect(fieldError(html, 'gateway_account')).toContain('決済代行のアカウント名')
    expect(fieldError(html, 'retention_years')).toContain('1から10')
    expect(fieldError(html, 'balance_cap')).toContain('残高上限額')
    expect(fieldError(html, 'mail_from')).toBeTruthy()
    expect(fieldError(html, 'window_end_0')).toContain('停止期間1')
    // What was typed is shown again.
    expect(html).toContain('value="Op A!"')
    expect(await count('SELECT COUNT(*) AS n FROM universities')).toBe(before)
    expect(await count('SELECT COUNT(*) AS n FROM audit_log')).toBe(audits)
  })

  it('refuses an id or a host name already in use', async () => {
    const client = await operator()
    const taken = await create(client, { id: 'demo' })
    expect(taken.res.status).toBe(422)
    expect(fieldError(taken.html, 'id')).toContain('「demo」')
    const host = await create(client, good('op-c', { hosts: 'op-c.localhost\nlocalhost' }))
    expect(host.res.status).toBe(422)
    expect(fieldError(host.html, 'hosts')).toContain('localhost')
    expect(await universityRow('op-c')).toBeNull()
    expect(
      await count("SELECT COUNT(*) AS n FROM university_hosts WHERE hostname = 'op-c.localhost'"),
    ).toBe(0)
  })

  it('refuses a cap below the minimum charge', async () => {
    const client = await operator()
    const { res, html } = await create(client, good('op-d', { balance_cap: '400' }))
    expect(res.status).toBe(422)
    expect(fieldError(html, 'balance_cap')).toContain('最低チャージ金額')
    expect(await universityRow('op-d')).toBeNull()
  })

  it('edits a university: settings, gateway account and retention, audited; the id stays', async () => {
    const client = await operator()
    expectRedirect((await create(client, good('op-e'))).res, '/staff/universities/op-e?created=1')
    const form = await client.get('/staff/universities/op-e/edit')
    expect(form.res.status).toBe(200)
    expect(form.html).toContain('value="opa"')
    const { res } = await client.post('/staff/universities/op-e/edit', {
      ...good('op-e'),
      id: 'something-else',
      name: 'オペ大学 改',
      retention_years: '3',
    })
    expectRedirect(res, '/staff/universities/op-e?saved=1')
    expect(await universityRow('op-e')).toMatchObject({ name: 'オペ大学 改', retention_years: 3 })
    expect(await universityRow('something-else')).toBeNull()
    expect(
      await count("SELECT COUNT(*) AS n FROM university_hosts WHERE university_id = 'op-e'"),
    ).toBe(1)
    const audit = await auditOf('university.update')
    expect(JSON.parse(audit!.before)).toMatchObject({ name: 'オペ大学', retentionYears: 7 })
    expect(JSON.parse(audit!.after)).toMatchObject({ name: 'オペ大学 改', retentionYears: 3 })
    const again = await client.post('/staff/universities/op-e/edit', {
      ...good('op-e'),
      name: 'オペ大学 改',
      retention_years: '3',
    })
    expectRedirect(again.res, '/staff/universities/op-e?unchanged=1')
    const bad = await client.post('/staff/universities/op-e/edit', {
      ...good('op-e'),
      retention_years: '0',
    })
    expect(bad.res.status).toBe(422)
    expect(await universityRow('op-e')).toMatchObject({ retention_years: 3 })
  })

  it("sets a university's certificate catalogue with the administrator's form and rules", async () => {
    const client = await operator()
    await create(client, good('op-f'))
    const page = await client.get('/staff/universities/op-f/certificates')
    expect(page.res.status).toBe(200)
    expect(page.html).toContain('action="/staff/universities/op-f/certificates"')
    const bad = await client.post('/staff/universities/op-f/certificates', {
      validity_days: 'many',
    })
    expect(bad.res.status).toBe(422)
    expect(fieldError(bad.html, 'validity_days')).toBeTruthy()
    expect((await universityRow('op-f'))?.certificate_settings).toBe('{}')
  })

  it('answers 404 for a university that does not exist', async () => {
    const client = await operator()
    expect((await client.get('/staff/universities/op-none')).res.status).toBe(404)
    expect(
      (await client.post('/staff/universities/op-none/suspend', { reason: 'x' })).res.status,
    ).toBe(404)
  })
})

describe('connection checks', () => {
  /** The result the page shows for a connection: its status and its words. */
  const check = async (client: C, id: string, connection: string) => {
    const { res, html } = await client.post(`/staff/universities/${id}/check/${connection}`, {})
    expect(res.status).toBe(200)
    const m = html.match(new RegExp(`data-check="${connection}" data-status="([a-z]+)">([^<]*)<`))
    return { status: m?.[1], text: m?.[2] ?? '', html }
  }

  it('says OK for the demo university, whose secrets are all set and right', async () => {
    const client = await operator()
    for (const connection of ['komoju', 'mic', 'registrar']) {
      const r = await check(client, 'demo', connection)
      expect(r.status, connection).toBe('ok')
    }
    // Never a secret's value on the page.
    const r = await check(client, 'demo', 'komoju')
    for (const secret of [env.KOMOJU_SECRET_KEY, env.KOMOJU_WEBHOOK_SECRET, env.MIC_API_KEY])
      expect(r.html).not.toContain(secret)
  })

  it('names the secrets to set when they are missing, and calls nothing', async () => {
    const client = await operator()
    await create(client, good('op-b', { gateway_account: 'opb' }))
    const komoju = await check(client, 'op-b', 'komoju')
    expect(komoju.status).toBe('missing')
    expect(komoju.text).toContain('KOMOJU_SECRET_KEY_OPB')
    expect(komoju.text).toContain('KOMOJU_WEBHOOK_SECRET_OPB')
    const registrar = await check(client, 'op-b', 'registrar')
    expect(registrar.status).toBe('missing')
    expect(registrar.text).toContain('REGISTRAR_API_KEY_OP_B')
    expect(registrar.text).not.toContain('REGISTRAR_API_URL')
    // Audited, with names and never values; nothing else is kept of a check.
    const audit = await auditOf('university.check')
    expect(JSON.parse(audit!.after)).toEqual({
      connection: 'registrar',
      status: 'missing',
      names: ['REGISTRAR_API_KEY_OP_B'],
    })
  })

  it('says which key the gateway and the registrar refused, and that M.I.C. does not know the university', async () => {
    const client = await operator()
    await create(client, good('op-a')) // or made by an earlier test already
    const komoju = await check(client, 'op-a', 'komoju')
    expect(komoju.status).toBe('refused')
    expect(komoju.text).toContain('KOMOJU_SECRET_KEY_OPA')
    expect(komoju.html).not.toContain('sk_test_refused_by_the_twin')
    const registrar = await check(client, 'op-a', 'registrar')
    expect(registrar.status).toBe('refused')
    expect(registrar.text).toContain('REGISTRAR_API_KEY_OP_A')
    const mic = await check(client, 'op-a', 'mic')
    expect(mic.status).toBe('unknown')
    expect(mic.text).toContain('op-a')
  })

  it("checks M.I.C.'s key and URL: missing, refused, unreachable", async () => {
    const u = { id: 'demo', gatewayAccount: 'default' }
    const at = 0
    expect(await checkConnection({ ...env, MIC_API_KEY: '' }, u, 'mic', at)).toEqual({
      status: 'missing',
      names: ['MIC_API_KEY'],
    })
    expect(await checkConnection({ ...env, MIC_API_KEY: 'wrong-key' }, u, 'mic', at)).toEqual({
      status: 'refused',
    })
    const away = await checkConnection({ ...env, MIC_API_URL: 'http://nowhere.test' }, u, 'mic', at)
    expect(away.status).toBe('unreachable')
    expect(
      (await checkConnection({ ...env, KOMOJU_API_URL: 'http://nowhere.test' }, u, 'komoju', at))
        .status,
    ).toBe('unreachable')
  })

  it('refuses a connection that does not exist', async () => {
    const client = await operator()
    expect((await client.post('/staff/universities/demo/check/paypal', {})).res.status).toBe(404)
  })
})

describe('the first 管理者', () => {
  it('invites an administrator of the chosen university, mailed and audited', async () => {
    const client = await operator()
    await create(client, good('op-g'))
    const email = 'first-admin@op-g.example'
    const { res, html } = await client.post('/staff/universities/op-g/invite', {
      email,
      name: '最初 管理者',
      role: 'staff', // ignored: the operator invites administrators only
    })
    expect(res.status).toBe(200)
    expect(mainText(html)).toContain('/staff/invite/')
    const invite = await env.DB.prepare('SELECT * FROM staff_invites WHERE email = ?')
      .bind(email)
      .first<{ role: string; university_id: string }>()
    expect(invite).toMatchObject({ role: 'admin', university_id: 'op-g' })
    const mail = await latestMail(email)
    expect(mail?.subject).toContain('オペ大学')
    const audit = await auditOf('staff.invite')
    expect(audit?.university_id).toBe('op-g')
    expect(audit?.after).not.toContain('/staff/invite/')
  })

  it('refuses an address that already has an account, and a bad address', async () => {
    const client = await operator()
    const existing = await newStaff('staff')
    const taken = await client.post('/staff/universities/demo/invite', {
      email: existing.email,
      name: 'X',
    })
    expect(taken.res.status).toBe(409)
    expect(fieldError(taken.html, 'email')).toBeTruthy()
    const bad = await client.post('/staff/universities/demo/invite', { email: 'nope', name: '' })
    expect(bad.res.status).toBe(422)
    expect(fieldError(bad.html, 'email')).toBeTruthy()
    expect(fieldError(bad.html, 'name')).toBeTruthy()
  })
})

describe('suspending and resuming', () => {
  /**
   * op-s: a university of its own for these tests (never demo: other files use it), made
   * by the operator, with a merchant account of its own at the KOMOJU twin (whose webhooks
   * come to op-s.localhost), card and konbini payments, and `students` in its directory.
   */
  const suspendable = async (client: C, students: string[]) => {
    if (!(await universityRow('op-s'))) {
      const body = new URLSearchParams({
        ...good('op-s', { gateway_account: 'opsusp', min_charge: '100' }),
        _csrf: client.csrf,
      })
      body.append('methods', 'cvs_lawson')
      const made = await client.request('/staff/universities', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      expectRedirect(made, '/staff/universities/op-s?created=1')
    }
    const hash = await hashSecret(PASSWORD, env.PEPPER)
    await env.DB.batch(
      students.map((userId) =>
        env.DB.prepare(
          'INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (?, ?, ?, ?)',
        ).bind('op-s', userId, hash, 'テイシ ハナコ'),
      ),
    )
    return 'https://op-s.localhost'
  }

  const suspend = (client: C, reason = '契約の確認中') =>
    client.post('/staff/universities/op-s/suspend', { reason })
  const resume = (client: C) =>
    client.post('/staff/universities/op-s/resume', { reason: '確認済み' })

  /** The card's balance at the M.I.C. twin (a card never asked about is at ¥1,000). */
  const balance = async (userId: string) => (await mic().card(`op-s:${userId}`))?.balance ?? 1000

  it('shows every student page the suspension and refuses the login; resuming undoes it', async () => {
    const client = await operator()
    const origin = await suspendable(client, [user(1), user(2)])
    const student = new Client(origin)
    await onboard(student, user(1), `${user(1)}@op-s.example`, SECOND)
    expect((await student.get('/menu')).res.status).toBe(200)

    const noReason = await client.post('/staff/universities/op-s/suspend', { reason: ' ' })
    expect(noReason.res.status).toBe(422)
    expect((await universityRow('op-s'))?.suspended_at).toBeNull()

    expectRedirect((await suspend(client)).res, '/staff/universities/op-s?suspended=1')
    expect(await universityRow('op-s')).toMatchObject({ suspended_reason: '契約の確認中' })
    expect((await auditOf('university.suspend'))?.reason).toBe('契約の確認中')
    expect(mainText((await client.get('/staff/universities')).html)).toContain('停止中')

    for (const path of ['/menu', '/charge', '/applications', '/certificates', '/login']) {
      const { res, html } = await student.get(path)
      expect(res.status, path).toBe(503)
      expect(mainText(html), path).toContain('現在停止しています')
      // The university's contact, and never the operator's reason.
      expect(mainText(html)).toContain('03-1111-2222')
      expect(html).not.toContain('契約の確認中')
    }
    const fresh = new Client(origin)
    const refused = await login(fresh, user(2), PASSWORD)
    expect(refused.res.status).toBe(503)
    expect(fresh.session).toBeUndefined()
    // In English too.
    await fresh.get('/lang/en?next=/login')
    expect(mainText((await fresh.get('/login')).html)).toContain('suspended')
    // Other universities and the console go on.
    expect((await new Client().get('/login')).res.status).toBe(200)

    expectRedirect((await suspend(client)).res, '/staff/universities/op-s?alreadySuspended=1')
    expectRedirect((await resume(client)).res, '/staff/universities/op-s?resumed=1')
    expect((await student.get('/menu')).res.status).toBe(200)
    expect((await login(new Client(origin), user(2), PASSWORD)).res.status).toBe(303)
    expect((await auditOf('university.resume'))?.reason).toBe('確認済み')
  })

  it('accepts, queues and credits the webhook of a card payment captured just before the suspension', async () => {
    const client = await operator()
    const userId = user(3)
    const student = new Client(await suspendable(client, [userId]))
    await onboard(student, userId, `${userId}@op-s.example`, SECOND)
    const before = await balance(userId)
    const { id } = await applyCharge(student, 1500)
    // Paid on the gateway's page; its webhook is still on its way when the operator suspends.
    await gateway().settings({ paused: true })
    try {
      expect((await payWithoutReturning(student, id)).status).toBe(303)
      expectRedirect((await suspend(client)).res, '/staff/universities/op-s?suspended=1')
    } finally {
      await gateway().settings({ paused: false })
    }
    expect((await gateway().flush()).delivered).toBeGreaterThan(0)
    await creditStatusBecomes(id, 'credited')
    expect(await balance(userId)).toBe(before + 1500)
    const applied = await count(
      `SELECT COUNT(*) AS n FROM payment_notifications WHERE application_id = ${id} AND applied_at IS NOT NULL`,
    )
    expect(applied).toBeGreaterThan(0)
    expect((await universityRow('op-s'))?.suspended_at).not.toBeNull()
    // The student sees it once the university is resumed.
    expect((await student.get(`/applications/${id}`)).res.status).toBe(503)
    expectRedirect((await resume(client)).res, '/staff/universities/op-s?resumed=1')
    expect((await student.get(`/applications/${id}`)).res.status).toBe(200)
  })

  it('credits a konbini payment still awaited at the suspension once it is paid', async () => {
    const client = await operator()
    const userId = user(4)
    const student = new Client(await suspendable(client, [userId]))
    await onboard(student, userId, `${userId}@op-s.example`, SECOND)
    const before = await balance(userId)
    const { id } = await applyCharge(student, 2000, 'cvs_lawson')
    const payment = await twinPaymentOf(id)
    expectRedirect((await suspend(client)).res, '/staff/universities/op-s?suspended=1')
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    await gateway().flush()
    await creditStatusBecomes(id, 'credited')
    expect(await balance(userId)).toBe(before + 2000)
    expectRedirect((await resume(client)).res, '/staff/universities/op-s?resumed=1')
  })
})

// A member signs in as the operator does (password and TOTP) on the console's own login.
it('signs the operator in with password and TOTP', async () => {
  const member = await newStaff('operator', null)
  const client = await staffLogin(member)
  expectRedirect((await client.get('/staff')).res, '/staff/universities')
})

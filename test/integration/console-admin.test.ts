import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { formatJstDate } from '../../src/domain/time'
import { hashSecret } from '../../src/security/crypto'
import { totpCode } from '../../src/security/totp'
import { serviceClockNow, setClock, testNow } from '../charge'
import { Client, lastMailId, latestMail, mainText, onboard } from '../client'
import { PASSWORD } from '../fixtures'
import { codeFor, newStaff, STAFF_PASSWORD, staffClient, staffLogin } from '../staff'

/**
 * 大学設定, スタッフ and 監査ログ. The settings tests edit a university of their own
 * ('adminu', on adminu.example), never 'demo' or 'second', whose settings other test files
 * rely on.
 */
const U = 'adminu'
const HOST = 'adminu.example'
const ORIGIN = `https://${HOST}`

/** The settings every settings test starts from. */
const BASE = {
  name: 'アドミン大学',
  name_en: 'Admin University',
  legal_name: '学校法人 アドミン学園',
  call_centre_name: 'アドミン コールセンター',
  call_centre_phone: '03-1111-2222',
  call_centre_hours: '平日 9:00〜17:00',
  mail_from: 'noreply@adminu.example',
  mail_from_name: 'アドミン大学 M.I.C.オンラインチャージ',
  legal_name_en: 'Admin Gakuen Educational Foundation',
  call_centre_name_en: 'Admin Call Centre',
  call_centre_hours_en: 'Weekdays 9:00-17:00',
  mail_from_name_en: 'Admin University M.I.C. Online Charge',
  card_money_desk: 'アドミン大学 学生課（本館1階）',
  card_money_desk_en: 'Student Affairs Office, Admin University (Main Building 1F)',
  hosts: HOST,
  balance_cap: '10000',
  min_charge: '500',
  charge_step: '500',
  payment_deadline_days: '7',
  staff_alert_email: 'alerts@adminu.example',
  retention_years: '5',
}
const BASE_METHODS = ['credit_card', 'cvs_lawson', 'paypay']
const BASE_WINDOW = { start: '2027-03-31T20:00', end: '2027-04-01T09:00' }
// The same window as stored: 20:00 JST is 11:00 UTC.
const BASE_WINDOW_JSON = JSON.stringify([
  { start: '2027-03-31T11:00:00Z', end: '2027-04-01T00:00:00Z' },
])

/** Puts 'adminu' back to BASE, directly in D1. */
const resetUniversity = async () => {
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO universities (id, name, name_en, legal_name, call_centre_name, call_centre_phone, call_centre_hours, mail_from, mail_from_name, balance_cap, min_charge, charge_step, payment_methods, payment_deadline_days, fiscal_year_end_blackouts, gateway_account, staff_alert_email, legal_name_en, call_centre_name_en, call_centre_hours_en, mail_from_name_en, card_money_desk, card_money_desk_en)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'default', ?16, ?17, ?18, ?19, ?20, ?21, ?22)
       ON CONFLICT(id) DO UPDATE SET name = ?2, name_en = ?3, legal_name = ?4, call_centre_name = ?5, call_centre_phone = ?6, call_centre_hours = ?7, mail_from = ?8, mail_from_name = ?9, balance_cap = ?10, min_charge = ?11, charge_step = ?12, payment_methods = ?13, payment_deadline_days = ?14, fiscal_year_end_blackouts = ?15, staff_alert_email = ?16, legal_name_en = ?17, call_centre_name_en = ?18, call_centre_hours_en = ?19, mail_from_name_en = ?20, card_money_desk = ?21, card_money_desk_en = ?22`,
    ).bind(
      U,
      BASE.name,
      BASE.name_en,
      BASE.legal_name,
      BASE.call_centre_name,
      BASE.call_centre_phone,
      BASE.call_centre_hours,
      BASE.mail_from,
      BASE.mail_from_name,
      Number(BASE.balance_cap),
      Number(BASE.min_charge),
      Number(BASE.charge_step),
      JSON.stringify(BASE_METHODS),
      Number(BASE.payment_deadline_days),
      BASE_WINDOW_JSON,
      BASE.staff_alert_email,
      BASE.legal_name_en,
      BASE.call_centre_name_en,
      BASE.call_centre_hours_en,
      BASE.mail_from_name_en,
      BASE.card_money_desk,
      BASE.card_money_desk_en,
    ),
    env.DB.prepare('DELETE FROM university_hosts WHERE university_id = ?').bind(U),
    env.DB.prepare('INSERT INTO university_hosts (hostname, university_id) VALUES (?, ?)').bind(
      HOST,
      U,
    ),
  ])
}

/** What D1 holds of a university's settings: compared before and after a refused form. */
const snapshot = async (id = U) => ({
  row: await env.DB.prepare('SELECT * FROM universities WHERE id = ?').bind(id).first(),
  hosts: (
    await env.DB.prepare(
      'SELECT hostname FROM university_hosts WHERE university_id = ? ORDER BY hostname',
    )
      .bind(id)
      .all<{ hostname: string }>()
  ).results.map((r) => r.hostname),
})

const auditCount = async () =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM audit_log').first<{ n: number }>())!.n

const lastAudit = async (action: string) =>
  env.DB.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1')
    .bind(action)
    .first<{
      staff_id: number
      staff_email: string
      university_id: string
      target_type: string
      target_id: string
      before: string | null
      after: string | null
    }>()

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

type SettingsOverrides = Partial<Record<keyof typeof BASE, string>> & {
  methods?: string[]
  windows?: { start: string; end: string }[]
}

/** The 大学設定 form: BASE with some fields changed. */
const settingsFields = (o: SettingsOverrides = {}): [string, string][] => {
  const { methods = BASE_METHODS, windows = [BASE_WINDOW, { start: '', end: '' }], ...rest } = o
  return [
    ...Object.entries({ ...BASE, ...rest }),
    ...methods.map((m): [string, string] => ['methods', m]),
    ...windows.flatMap((w, i): [string, string][] => [
      [`window_start_${i}`, w.start],
      [`window_end_${i}`, w.end],
    ]),
  ]
}

const saveSettings = (client: Client, o: SettingsOverrides = {}) =>
  postForm(client, '/staff/settings', settingsFields(o))

beforeAll(resetUniversity)

describe('大学設定', () => {
  let admin: Client
  beforeEach(async () => {
    await resetUniversity()
    admin = (await staffClient('admin', U)).client
  })

  it('shows the administrator their own university’s settings, filled in', async () => {
    const { res, html } = await admin.get('/staff/settings')
    expect(res.status).toBe(200)
    const text = mainText(html)
    expect(text).toContain('大学設定')
    expect(text).toContain('アドミン大学の設定です')
    expect(html).toContain(`value="${BASE.legal_name}"`)
    expect(html).toMatch(/<textarea[^>]*name="hosts"[^>]*>adminu\.example<\/textarea>/)
    expect(html).toMatch(/value="credit_card" checked/)
    expect(html).not.toMatch(/value="merpay" checked/)
    expect(html).toContain('value="2027-03-31T20:00"')
    expect(html).toContain('value="2027-04-01T09:00"')
  })

  const BAD: [string, SettingsOverrides, string][] = [
    [
      'a stop window that ends before it starts',
      { windows: [{ start: '2027-04-01T09:00', end: '2027-03-31T20:00' }] },
      '停止期間1の終了は開始より後の日時にしてください。',
    ],
    [
      'a stop window with only a start',
      { windows: [BASE_WINDOW, { start: '2028-03-31T20:00', end: '' }] },
      '停止期間2は開始と終了の両方を入力してください。',
    ],
    [
      'a stop window on a day that does not exist',
      { windows: [{ start: '2027-02-30T20:00', end: '2027-03-01T09:00' }] },
      '停止期間1の日時は「2027-03-31 20:00」の形で入力してください。',
    ],
    [
      'a stop window of two months',
      { windows: [{ start: '2027-03-01T00:00', end: '2027-05-01T00:00' }] },
      '停止期間1は31日以内にしてください。',
    ],
    [
      'a cap below the minimum charge',
      { balance_cap: '400' },
      '残高上限額は最低チャージ金額（500円）以上にしてください。',
    ],
    [
      'a step of zero',
      { charge_step: '0', min_charge: '500' },
      'チャージ単位（円）は1から100,000までの範囲で入力してください。',
    ],
    [
      'a minimum that is not a multiple of the step',
      { min_charge: '700' },
      '最低チャージ金額はチャージ単位（500円）の倍数にしてください。',
    ],
    ['no payment method', { methods: [] }, 'お支払い方法を1つ以上選択してください。'],
    [
      'a payment method that does not exist',
      { methods: ['credit_card', 'bitcoin'] },
      'お支払い方法の選択が正しくありません。',
    ],
    [
      'a malformed sender address',
      { mail_from: 'noreply@' },
      '送信元メールアドレスの形式が正しくありません。',
    ],
    [
      'a full-width alert address',
      { staff_alert_email: 'ａｌｅｒｔ@adminu.example' },
      'スタッフ通知先メールアドレスは半角英数字と記号で入力してください。',
    ],
    [
      'a cap that is not a number',
      { balance_cap: '1万' },
      '残高上限額（円）は半角数字の整数で入力してください。',
    ],
    [
      'a cap out of range',
      { balance_cap: '5000000' },
      '残高上限額（円）は1から1,000,000までの範囲で入力してください。',
    ],
    [
      'a payment deadline of 0 days',
      { payment_deadline_days: '0' },
      '支払期限（日数）は1から60までの範囲で入力してください。',
    ],
    [
      'a payment deadline of 61 days',
      { payment_deadline_days: '61' },
      '支払期限（日数）は1から60までの範囲で入力してください。',
    ],
    ['an empty name', { name: '  ' }, '大学名を入力してください。'],
    [
      'an empty English issuer',
      { legal_name_en: ' ' },
      '発行者（英語）を入力してください。英語で表示する学生のページとメールに使います。',
    ],
    [
      'an empty English call centre name',
      { call_centre_name_en: '' },
      'コールセンター名（英語）を入力してください。英語で表示する学生のページとメールに使います。',
    ],
    [
      'Japanese in the English call centre hours',
      { call_centre_hours_en: '24時間' },
      'コールセンター受付時間（英語）に日本語（かな・漢字・全角文字）が含まれています。',
    ],
    [
      'an empty English sender name',
      { mail_from_name_en: '' },
      '送信者名（英語）を入力してください。英語で表示する学生のページとメールに使います。',
    ],
    [
      'no office for money on the card',
      { card_money_desk: '' },
      'カードに入金済みの返金の窓口を入力してください。',
    ],
    [
      'no English office for money on the card',
      { card_money_desk_en: '' },
      'カードに入金済みの返金の窓口（英語）を入力してください。英語で表示する学生のページとメールに使います。',
    ],
    [
      'a name that is too long',
      { name: 'あ'.repeat(101) },
      '大学名は100文字以内で入力してください。',
    ],
    [
      'a sender name with a line break (a mail header)',
      { mail_from_name: 'Univ\r\nBcc: someone@evil.example' },
      '送信者名に改行や制御文字は使えません。',
    ],
    [
      'a telephone number in letters',
      { call_centre_phone: 'call us' },
      'コールセンター電話番号は半角数字とハイフンで入力してください',
    ],
    [
      'a URL instead of a host name',
      { hosts: 'https://adminu.example/login' },
      'ホスト名「https://adminu.example/login」は正しくありません。',
    ],
    ['no host name', { hosts: '\n \n' }, 'ホスト名を1つ以上入力してください。'],
    [
      'a host name of another university',
      { hosts: `${HOST}\nsecond.example` },
      'ホスト名「second.example」はほかの大学で使われているため、使えません。',
    ],
  ]

  it.each(BAD)('refuses %s with a message and saves nothing', async (_, overrides, message) => {
    const before = await snapshot()
    const audits = await auditCount()
    const { res, html } = await saveSettings(admin, {
      // Something valid changed too: the whole form is refused, not only the bad field.
      name: overrides.name ?? 'アドミン大学（変更）',
      ...overrides,
    })
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain(message)
    expect(html).toContain('入力内容を確認してください')
    expect(await snapshot()).toEqual(before)
    expect(await auditCount()).toBe(audits)
  })

  it('names every problem of a form at once, and keeps what was typed', async () => {
    const { res, html } = await saveSettings(admin, {
      balance_cap: '400',
      mail_from: 'nope',
      methods: [],
      legal_name: '学校法人 新アドミン学園',
    })
    expect(res.status).toBe(422)
    const text = mainText(html)
    expect(text).toContain('残高上限額は最低チャージ金額（500円）以上にしてください。')
    expect(text).toContain('送信元メールアドレスの形式が正しくありません。')
    expect(text).toContain('お支払い方法を1つ以上選択してください。')
    expect(html).toContain('value="学校法人 新アドミン学園"')
    expect(html).toContain('href="#balance_cap"')
    // The stop windows exactly as posted: the filled one and the blank one, no row added.
    expect(html).toContain('value="2027-03-31T20:00"')
    expect(html).toContain('name="window_start_1"')
    expect(html).not.toContain('name="window_start_2"')
  })

  it('comes back after a bad 停止期間 with the rows as sent, no empty 停止期間4 added', async () => {
    // The page offers the saved window and two blank rows (停止期間1–3); 停止期間2 is bad.
    const page = (await admin.get('/staff/settings')).html
    expect(page).toContain('name="window_start_2"')
    expect(page).not.toContain('name="window_start_3"')
    const { res, html } = await saveSettings(admin, {
      windows: [
        BASE_WINDOW,
        { start: '2028-04-01T09:00', end: '2028-03-31T20:00' },
        { start: '', end: '' },
      ],
    })
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain('停止期間2の終了は開始より後の日時にしてください。')
    expect(html).toContain('value="2028-04-01T09:00"')
    expect(html).toContain('name="window_start_2"')
    expect(html).not.toContain('name="window_start_3"')
    expect(mainText(html)).not.toContain('停止期間4')
  })

  it('shows and saves the English values students read, beside the Japanese ones', async () => {
    const { html } = await admin.get('/staff/settings')
    const text = mainText(html)
    for (const label of [
      '発行者（英語）',
      'コールセンター名（英語）',
      'コールセンター受付時間（英語）',
      '送信者名（英語）',
      'カードに入金済みの返金の窓口',
      'カードに入金済みの返金の窓口（英語）',
    ])
      expect(text).toContain(label)
    expect(html).toContain(`value="${BASE.legal_name_en}"`)
    expect(html).toContain(`value="${BASE.call_centre_hours_en}"`)
    expect(html).toContain(`value="${BASE.card_money_desk}"`)

    const { res } = await saveSettings(admin, {
      call_centre_name_en: 'Admin Help Desk',
      call_centre_hours_en: 'Open every day, 8:00-22:00',
      legal_name_en: 'Admin Foundation',
      card_money_desk_en: 'Cashier, Admin University',
    })
    expect(res.status).toBe(303)
    expect((await snapshot()).row).toMatchObject({
      call_centre_name_en: 'Admin Help Desk',
      call_centre_hours_en: 'Open every day, 8:00-22:00',
      legal_name_en: 'Admin Foundation',
      card_money_desk_en: 'Cashier, Admin University',
      // The Japanese values stay as they were.
      call_centre_name: BASE.call_centre_name,
      call_centre_hours: BASE.call_centre_hours,
    })
    // A student reading English sees them at once; one reading Japanese, the Japanese ones.
    const english = new Client(ORIGIN)
    english.cookies.set('lang', 'en')
    // The footer (outside <main>) carries the contact.
    const en = (await english.get('/login')).html
    expect(en).toContain('Admin Help Desk')
    expect(en).toContain('Open every day, 8:00-22:00')
    const ja = (await new Client(ORIGIN).get('/login')).html
    expect(ja).toContain(BASE.call_centre_name)
    expect(ja).not.toContain('Admin Help Desk')
  })

  it('refuses a form with a field sent twice as a broken form, saving nothing', async () => {
    const before = await snapshot()
    const fields = settingsFields()
    fields.push(['name', 'もう一つの名前'])
    const { res, html } = await postForm(admin, '/staff/settings', fields)
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain('送信された内容を読み取れませんでした')
    expect(await snapshot()).toEqual(before)
  })

  it('applies a saved change on the very next student request, and audits it', async () => {
    // A student of the university, and its pages read once so any cache would be warm.
    const userId = 'adminu01'
    await env.DB.prepare(
      'INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (?, ?, ?, ?)',
    )
      .bind(U, userId, await hashSecret(PASSWORD, env.PEPPER), 'アドミン イチロウ')
      .run()
    const student = new Client(ORIGIN)
    await onboard(student, userId, `${userId}@example.ac.jp`, 'Charge2024x')
    expect(mainText((await student.get('/charge')).html)).toContain('10,000円')
    expect((await new Client(ORIGIN).get('/login')).html).toContain('アドミン大学')

    const { res } = await saveSettings(admin, {
      name: '新アドミン大学',
      balance_cap: '15000',
      methods: [...BASE_METHODS, 'merpay'],
      windows: [BASE_WINDOW, { start: '2028-03-31T20:00', end: '2028-04-01T09:00' }],
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/staff/settings?saved=1')
    expect(mainText((await admin.get('/staff/settings?saved=1')).html)).toContain(
      '大学設定を保存しました。',
    )

    expect((await new Client(ORIGIN).get('/login')).html).toContain('新アドミン大学')
    expect(mainText((await student.get('/charge')).html)).toContain('15,000円')
    const saved = await snapshot()
    expect(saved.row).toMatchObject({ name: '新アドミン大学', balance_cap: 15000 })
    expect(JSON.parse(String(saved.row!.fiscal_year_end_blackouts))).toEqual([
      { start: '2027-03-31T11:00:00Z', end: '2027-04-01T00:00:00Z' },
      { start: '2028-03-31T11:00:00Z', end: '2028-04-01T00:00:00Z' },
    ])

    const entry = await lastAudit('settings.update')
    expect(entry).toMatchObject({ university_id: U, target_type: 'university', target_id: U })
    // Only what changed, before and after.
    expect(JSON.parse(entry!.before!)).toEqual({
      name: 'アドミン大学',
      balanceCap: 10000,
      paymentMethods: BASE_METHODS,
      fiscalYearEndBlackouts: JSON.parse(BASE_WINDOW_JSON),
    })
    expect(JSON.parse(entry!.after!)).toMatchObject({
      name: '新アドミン大学',
      balanceCap: 15000,
      paymentMethods: [...BASE_METHODS, 'merpay'],
    })
  })

  it('serves the university on a host name added, and no longer on one removed', async () => {
    const { res } = await saveSettings(admin, { hosts: 'adminu-new.example\n' })
    expect(res.status).toBe(303)
    expect(await snapshot().then((s) => s.hosts)).toEqual(['adminu-new.example'])
    expect((await new Client('https://adminu-new.example').get('/login')).html).toContain(
      'アドミン大学',
    )
    const entry = await lastAudit('settings.update')
    expect(JSON.parse(entry!.before!)).toEqual({ hosts: [HOST] })
    expect(JSON.parse(entry!.after!)).toEqual({ hosts: ['adminu-new.example'] })
  })

  it('saves nothing and audits nothing when nothing changed', async () => {
    const audits = await auditCount()
    const { res } = await saveSettings(admin)
    expect(res.headers.get('location')).toBe('/staff/settings?unchanged=1')
    expect(await auditCount()).toBe(audits)
  })
})

describe('大学設定 is for 管理者 only', () => {
  it('refuses the staff and the call centre, reading and saving', async () => {
    await resetUniversity()
    for (const role of ['staff', 'callcentre'] as const) {
      const member = await newStaff(role, role === 'callcentre' ? null : U)
      const client = await staffLogin(member)
      expect((await client.get('/staff/settings')).res.status, role).toBe(403)
      const before = await snapshot()
      const { res, html } = await saveSettings(client, { name: '乗っ取り大学' })
      expect(res.status, role).toBe(403)
      expect(mainText(html)).toContain('この操作を行う権限がありません。')
      expect(await snapshot()).toEqual(before)
    }
  })

  it('shows an administrator only their own university', async () => {
    const { client } = await staffClient('admin', 'second')
    const { html } = await client.get('/staff/settings')
    expect(html).toContain('value="セカンド大学"')
    expect(html).not.toContain('アドミン大学')
  })
})

// ---- スタッフ -------------------------------------------------------------------------------

const memberRow = (id: number) =>
  env.DB.prepare('SELECT * FROM staff_members WHERE id = ?').bind(id).first<{
    role: string
    disabled_at: number | null
    credential_epoch: number
    university_id: string | null
  }>()

const inviteCount = async () =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM staff_invites').first<{ n: number }>())!.n

/**
 * Lets a member log in again within the same 30 seconds: each TOTP code works once, and a
 * test has no time to wait for the next one.
 */
const forgetSpentCodes = (id: number) =>
  env.DB.prepare('UPDATE staff_members SET totp_last_step = NULL WHERE id = ?').bind(id).run()

const freshEmail = (what: string) => `${what}-${crypto.randomUUID().slice(0, 8)}@invitee.example`

/** Invites someone as the administrator; returns the URL the page showed and the page. */
const invite = async (admin: Client, email: string, role = 'staff', name = '招待 ハナコ') => {
  const { res, html } = await admin.post('/staff/members', { email, name, role })
  const url = html.match(/<code class="mono invite-url">([^<]+)<\/code>/)?.[1] ?? ''
  return { res, html, url }
}

/** Accepts an invitation in a browser of its own, with the secret the page shows. */
const acceptInvite = async (path: string, password = 'Invited-pass-2026') => {
  const invitee = new Client(ORIGIN)
  const page = await invitee.get(path)
  const secret = page.html.match(/<code class="mono">([A-Z2-7]+)<\/code>/)?.[1] ?? ''
  const accepted = await invitee.post(path, {
    password,
    password_confirm: password,
    code: secret ? await totpCode(secret, Date.now()) : '000000',
  })
  return { invitee, page, secret, accepted }
}

describe('スタッフ: the administrator’s own members', () => {
  it('lists the university’s members, not the call centre’s nor another university’s', async () => {
    const { client, member: admin } = await staffClient('admin', U)
    const colleague = await newStaff('staff', U)
    const callcentre = await newStaff('callcentre', null)
    const other = await newStaff('staff', 'second')
    const { res, html } = await client.get('/staff/members')
    expect(res.status).toBe(200)
    expect(html).toContain(admin.email)
    expect(html).toContain(colleague.email)
    expect(html).not.toContain(callcentre.email)
    expect(html).not.toContain(other.email)
    expect(mainText(html)).toContain('（あなた）')
    // No way to disable oneself is even offered.
    expect(html).not.toContain(`/staff/members/${admin.id}/disable`)
    expect(html).toContain(`/staff/members/${colleague.id}/disable`)
  })

  it('invites by a one-time URL that is mailed, shown once, and works once', async () => {
    const { client: admin, member: inviter } = await staffClient('admin', U)
    const email = freshEmail('once')
    const since = await lastMailId()
    const { res, html, url } = await invite(admin, email, 'staff', '招待 イチロウ')
    expect(res.status).toBe(200)
    expect(mainText(html)).toContain(`${email} さんへの招待URLを作成し、メールで送りました。`)
    // On the host the administrator is using (the test client's).
    expect(url).toMatch(/^https:\/\/example\.com\/staff\/invite\/[A-Za-z0-9_-]{43}$/)
    const mail = await latestMail(email, since)
    expect(mail?.kind).toBe('staff-invite')
    expect(mail?.body).toContain(url)
    expect(mail?.body).toContain('招待 イチロウ 様')
    // Listed as waiting, and the list page itself never shows the URL again.
    const list = await admin.get('/staff/members')
    expect(list.html).toContain(email)
    expect(list.html).not.toContain(url)
    const entry = await lastAudit('staff.invite')
    expect(entry).toMatchObject({ staff_id: inviter.id, university_id: U, target_id: email })
    expect(JSON.parse(entry!.after!)).toEqual({ email, name: '招待 イチロウ', role: 'staff' })
    expect(entry!.after).not.toContain(url.split('/').pop())

    const path = new URL(url).pathname
    const { page, secret, accepted } = await acceptInvite(path)
    expect(page.res.status).toBe(200)
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(accepted.res.status).toBe(303)
    expect(accepted.res.headers.get('location')).toBe('/staff/login?registered=1')
    const created = await env.DB.prepare(
      'SELECT id, role, university_id FROM staff_members WHERE email = ?',
    )
      .bind(email)
      .first<{ id: number; role: string; university_id: string }>()
    expect(created).toMatchObject({ role: 'staff', university_id: U })

    // A second use, opened or posted, is refused with the used message.
    const again = new Client(ORIGIN)
    const reopened = await again.get(path)
    expect(reopened.res.status).toBe(410)
    expect(mainText(reopened.html)).toContain('このURLはすでに使用されています。')
    const reposted = await again.post(path, {
      password: 'Another-pass-2026',
      password_confirm: 'Another-pass-2026',
      code: await totpCode(secret, Date.now() + 30_000),
    })
    expect(reposted.res.status).toBe(410)
    expect(mainText(reposted.html)).toContain('このURLはすでに使用されています。')

    // The new member signs in (with the next code: each code works once).
    const login = new Client(ORIGIN)
    await login.get('/staff/login')
    const signedIn = await login.post('/staff/login', {
      email,
      password: 'Invited-pass-2026',
      code: await totpCode(secret, Date.now() + 30_000),
    })
    expect(signedIn.res.status).toBe(303)
  })

  it('lets an invitation expire after 30 minutes', async ({ onTestFinished }) => {
    // The service's own clock: an earlier test may have moved it away from testNow().
    const start = await serviceClockNow()
    onTestFinished(() => setClock(start))
    const { client: admin } = await staffClient('admin', U)
    const { url } = await invite(admin, freshEmail('late'))
    const path = new URL(url).pathname
    await setClock(start + 29 * 60_000)
    expect((await new Client(ORIGIN).get(path)).res.status).toBe(200)
    await setClock(start + 30 * 60_000 + 1000)
    const { page, accepted } = await acceptInvite(path)
    expect(page.res.status).toBe(404)
    expect(mainText(page.html)).toContain('このURLは無効か、有効期限（30分）が過ぎています。')
    expect(accepted.res.status).toBe(404)
  })

  it('refuses a bad invitation with a message and creates nothing', async () => {
    const { client: admin, member } = await staffClient('admin', U)
    const taken = await newStaff('staff', 'second')
    const cases: [Record<string, string>, number, string][] = [
      [
        { email: 'not-an-address', name: 'A', role: 'staff' },
        422,
        'メールアドレスの形式が正しくありません。',
      ],
      [{ email: '', name: 'A', role: 'staff' }, 422, 'メールアドレスを入力してください。'],
      [{ email: freshEmail('x'), name: ' ', role: 'staff' }, 422, '氏名を入力してください。'],
      [
        { email: freshEmail('x'), name: 'あ'.repeat(101), role: 'staff' },
        422,
        '氏名は100文字以内で入力してください。',
      ],
      [
        { email: freshEmail('x'), name: 'A\nB', role: 'staff' },
        422,
        '氏名に改行や制御文字は使えません。',
      ],
      [
        { email: freshEmail('x'), name: 'A', role: 'callcentre' },
        422,
        '役割は「スタッフ」か「管理者」から選択してください。',
      ],
      [
        { email: freshEmail('x'), name: 'A', role: '' },
        422,
        '役割は「スタッフ」か「管理者」から選択してください。',
      ],
      // An address with an account, here or at another university.
      [
        { email: member.email.toUpperCase(), name: 'A', role: 'staff' },
        409,
        'すでにコンソールのアカウントとして登録されています',
      ],
      [
        { email: taken.email, name: 'A', role: 'admin' },
        409,
        'すでにコンソールのアカウントとして登録されています',
      ],
    ]
    for (const [fields, status, message] of cases) {
      const invites = await inviteCount()
      const audits = await auditCount()
      const mails = await lastMailId()
      const { res, html } = await admin.post('/staff/members', fields)
      expect(res.status, JSON.stringify(fields)).toBe(status)
      expect(mainText(html), JSON.stringify(fields)).toContain(message)
      expect(html).not.toContain('invite-url')
      expect(await inviteCount()).toBe(invites)
      expect(await auditCount()).toBe(audits)
      expect(await lastMailId()).toBe(mails)
    }
  })

  it('changes a role: the member’s session ends and the new role holds at the next login', async () => {
    const { client: admin, member: actor } = await staffClient('admin', U)
    const colleague = await newStaff('staff', U)
    const session = await staffLogin(colleague)
    expect((await session.get('/staff/settings')).res.status).toBe(403)

    const { res } = await admin.post(`/staff/members/${colleague.id}/role`, { role: 'admin' })
    expect(res.status).toBe(303)
    const done = await admin.get(res.headers.get('location')!)
    expect(mainText(done.html)).toContain('テスト staff さんの役割を管理者に変更しました。')
    expect((await memberRow(colleague.id))?.role).toBe('admin')
    expect((await session.get('/staff')).res.headers.get('location')).toBe('/staff/login?expired=1')
    await forgetSpentCodes(colleague.id)
    const again = await staffLogin(colleague, new Client())
    expect((await again.get('/staff/settings')).res.status).toBe(200)
    const entry = await lastAudit('staff.role')
    expect(entry).toMatchObject({
      staff_id: actor.id,
      target_type: 'staff',
      target_id: String(colleague.id),
    })
    expect(JSON.parse(entry!.before!)).toEqual({ role: 'staff' })
    expect(JSON.parse(entry!.after!)).toEqual({ role: 'admin' })

    // And back: an administrator made staff loses the administrator's pages.
    await admin.post(`/staff/members/${colleague.id}/role`, { role: 'staff' })
    expect((await again.get('/staff')).res.status).toBe(303)
    await forgetSpentCodes(colleague.id)
    const demoted = await staffLogin(colleague, new Client())
    expect((await demoted.get('/staff/members')).res.status).toBe(403)
  })

  it('refuses a role that cannot be given, changing nothing', async () => {
    const { client: admin } = await staffClient('admin', U)
    const colleague = await newStaff('staff', U)
    const audits = await auditCount()
    for (const role of ['callcentre', 'root', '']) {
      const { res, html } = await admin.post(`/staff/members/${colleague.id}/role`, { role })
      expect(res.status, role).toBe(422)
      expect(mainText(html)).toContain('役割は「スタッフ」か「管理者」から選択してください。')
    }
    expect(await memberRow(colleague.id)).toMatchObject({ role: 'staff', credential_epoch: 0 })
    expect(await auditCount()).toBe(audits)
  })

  it('disables a member, ending their session at once, and enables them again', async () => {
    const { client: admin } = await staffClient('admin', U)
    const colleague = await newStaff('staff', U)
    const session = await staffLogin(colleague)
    const { res } = await admin.post(`/staff/members/${colleague.id}/disable`, {})
    expect(res.status).toBe(303)
    expect(mainText((await admin.get(res.headers.get('location')!)).html)).toContain(
      'テスト staff さんを無効にしました。',
    )
    expect((await session.get('/staff')).res.status).toBe(303)
    expect((await memberRow(colleague.id))?.disabled_at).not.toBeNull()
    const refused = new Client()
    await refused.get('/staff/login')
    const attempt = await refused.post('/staff/login', {
      email: colleague.email,
      password: STAFF_PASSWORD,
      code: await codeFor(colleague),
    })
    expect(attempt.res.status).toBe(401)
    const disabled = await lastAudit('staff.disable')
    expect(disabled?.target_id).toBe(String(colleague.id))
    expect(JSON.parse(disabled!.before!)).toEqual({ disabledAt: null })
    expect(JSON.parse(disabled!.after!).disabledAt).toEqual(expect.any(Number))

    expect((await admin.post(`/staff/members/${colleague.id}/enable`, {})).res.status).toBe(303)
    expect((await memberRow(colleague.id))?.disabled_at).toBeNull()
    const enabled = await lastAudit('staff.enable')
    expect(JSON.parse(enabled!.after!)).toEqual({ disabledAt: null })
    // The old session stays ended; a new login works (with the next code).
    expect((await session.get('/staff')).res.status).toBe(303)
    const back = new Client()
    await back.get('/staff/login')
    const relogin = await back.post('/staff/login', {
      email: colleague.email,
      password: STAFF_PASSWORD,
      code: await codeFor(colleague, Date.now() + 30_000),
    })
    expect(relogin.res.status).toBe(303)
  })

  it('does not let an administrator disable or demote themselves', async () => {
    const { client: admin, member } = await staffClient('admin', U)
    const audits = await auditCount()
    const disable = await admin.post(`/staff/members/${member.id}/disable`, {})
    expect(disable.res.status).toBe(422)
    expect(mainText(disable.html)).toContain('自分自身を無効にすることはできません。')
    const demote = await admin.post(`/staff/members/${member.id}/role`, { role: 'staff' })
    expect(demote.res.status).toBe(422)
    expect(mainText(demote.html)).toContain('自分自身の役割は変更できません。')
    expect(await memberRow(member.id)).toMatchObject({ role: 'admin', disabled_at: null })
    expect(await auditCount()).toBe(audits)
    expect((await admin.get('/staff/members')).res.status).toBe(200)
  })

  it('lifts a member’s login lock', async () => {
    const { client: admin } = await staffClient('admin', U)
    const colleague = await newStaff('staff', U)
    const guesser = new Client()
    await guesser.get('/staff/login')
    for (let i = 0; i < 5; i++)
      await guesser.post('/staff/login', {
        email: colleague.email,
        password: 'wrong-password',
        code: '000000',
      })
    expect(mainText((await admin.get('/staff/members')).html)).toContain('ログインロック中')
    const { res } = await admin.post(`/staff/members/${colleague.id}/unlock`, {})
    expect(res.status).toBe(303)
    expect(mainText((await admin.get(res.headers.get('location')!)).html)).toContain(
      'ログインロックを解除しました。',
    )
    const entry = await lastAudit('staff.unlock')
    expect(JSON.parse(entry!.before!).lockedUntil).toEqual(expect.any(Number))
    expect(JSON.parse(entry!.after!)).toEqual({ lockedUntil: null })
    await staffLogin(colleague)
    // Unlocking someone who is not locked changes and audits nothing.
    const audits = await auditCount()
    const notLocked = await admin.post(`/staff/members/${colleague.id}/unlock`, {})
    expect(mainText(notLocked.html)).toContain('ログインロックされていません。')
    expect(await auditCount()).toBe(audits)
  })

  it('never lets an administrator see or change another university’s members (404)', async () => {
    const { client: secondAdmin } = await staffClient('admin', 'second')
    const target = await newStaff('staff', U)
    const callcentre = await newStaff('callcentre', null)
    const before = await memberRow(target.id)
    const audits = await auditCount()
    for (const id of [target.id, callcentre.id]) {
      for (const [action, fields] of [
        ['disable', {}],
        ['enable', {}],
        ['unlock', {}],
        ['role', { role: 'admin' }],
        ['role', { role: 'bogus' }],
      ] as const) {
        const { res } = await secondAdmin.post(`/staff/members/${id}/${action}`, fields)
        expect(res.status, `${action} ${id}`).toBe(404)
      }
    }
    expect((await secondAdmin.post('/staff/members/abc/disable', {})).res.status).toBe(404)
    expect(await memberRow(target.id)).toEqual(before)
    expect(await auditCount()).toBe(audits)
    expect((await secondAdmin.get('/staff/members')).html).not.toContain(target.email)
    // A crafted "done" link names nobody of another university either.
    const crafted = await secondAdmin.get(`/staff/members?done=disabled&member=${target.id}`)
    expect(mainText(crafted.html)).not.toContain('無効にしました')
  })
})

describe('スタッフ and 監査ログ are for 管理者 only', () => {
  it('refuses the staff and the call centre every page and action, changing nothing', async () => {
    const target = await newStaff('staff', U)
    for (const role of ['staff', 'callcentre'] as const) {
      const { client } = await staffClient(role, role === 'callcentre' ? null : U)
      for (const path of ['/staff/members', '/staff/audit', '/staff/audit.csv']) {
        const { res } = await client.get(path)
        expect(res.status, `${role} ${path}`).toBe(403)
      }
      const invites = await inviteCount()
      for (const [path, fields] of [
        ['/staff/members', { email: freshEmail(role), name: 'A', role: 'admin' }],
        [`/staff/members/${target.id}/disable`, {}],
        [`/staff/members/${target.id}/role`, { role: 'admin' }],
        [`/staff/members/${target.id}/unlock`, {}],
      ] as const) {
        const { res } = await client.post(path, fields)
        expect(res.status, `${role} ${path}`).toBe(403)
      }
      expect(await inviteCount()).toBe(invites)
      expect(await memberRow(target.id)).toMatchObject({ role: 'staff', disabled_at: null })
    }
  })
})

// ---- 監査ログ -------------------------------------------------------------------------------

/** An entry written straight into the log (an application action made elsewhere). */
const appendAudit = (entry: {
  at: number
  action: string
  applicationId?: number
  email?: string
}) =>
  env.DB.prepare(
    `INSERT INTO audit_log (at, staff_id, staff_email, university_id, action, target_type, target_id, application_id, reason, before, after)
     VALUES (?, 0, ?, ?, ?, 'application', ?, ?, '学生からの問い合わせ', '{"creditStatus":"failed"}', '{"creditStatus":"credited"}')`,
  )
    .bind(
      entry.at,
      entry.email ?? 'someone@staff.example',
      U,
      entry.action,
      entry.applicationId == null ? null : String(entry.applicationId),
      entry.applicationId ?? null,
    )
    .run()

/** The actions of the entries a 監査ログ page lists, in order (their codes, kept in an attribute). */
const actionsOn = (html: string) =>
  [...html.matchAll(/<td class="audit-action" data-action="([^"]+)">/g)].map((m) => m[1]!)

const jstDay = (ms: number) => formatJstDate(ms).replace(/\//g, '-')

describe('監査ログ', () => {
  it('lists the university’s entries newest first, and nothing of another university', async () => {
    const { client: admin } = await staffClient('admin', U)
    const colleague = await newStaff('staff', U)
    await admin.post(`/staff/members/${colleague.id}/disable`, {})
    await admin.post(`/staff/members/${colleague.id}/enable`, {})
    const { member: otherAdmin, client: other } = await staffClient('admin', 'second')
    await other.post('/staff/members', {
      email: freshEmail('second'),
      name: 'B',
      role: 'staff',
    })

    const { res, html } = await admin.get(`/staff/audit?target=${colleague.id}`)
    expect(res.status).toBe(200)
    expect(actionsOn(html)).toEqual(['staff.enable', 'staff.disable'])
    expect(mainText(html)).toContain(`スタッフを有効にする スタッフ ${colleague.email}`)
    const all = await admin.get('/staff/audit')
    expect(all.html).not.toContain(otherAdmin.email)
    expect((await other.get('/staff/audit')).html).not.toContain(colleague.email)
  })

  it('searches by member address, action, target or 発行申請番号, and date', async () => {
    const { client: admin, member } = await staffClient('admin', U)
    const colleague = await newStaff('staff', U)
    await admin.post(`/staff/members/${colleague.id}/role`, { role: 'admin' })
    const applicationId = 900_000 + Math.floor(Math.random() * 90_000)
    await appendAudit({ at: testNow(), action: 'application.recredit', applicationId })

    // Part of the address (as typed, any case): the member's own entries only.
    const local = member.email.split('@')[0]!.toUpperCase()
    const byEmail = actionsOn((await admin.get(`/staff/audit?email=${local}`)).html)
    expect(byEmail).toEqual(['staff.role', 'login'])

    // A whole long address finds its entries (D1 refuses LIKE patterns over 50 bytes).
    const long = `${'call-centre-night-shift.'.repeat(3)}member@university.example`
    await appendAudit({ at: testNow(), action: 'application.inquire', email: long })
    expect(
      actionsOn(
        (await admin.get(`/staff/audit?email=${encodeURIComponent(long.toUpperCase())}`)).html,
      ),
    ).toEqual(['application.inquire'])
    expect(
      actionsOn((await admin.get(`/staff/audit?action=${'application.'.repeat(4)}inquire`)).html),
    ).toEqual([])

    const byAction = actionsOn((await admin.get('/staff/audit?action=staff.role')).html)
    expect(byAction).toContain('staff.role')
    expect(byAction.every((a) => a === 'staff.role')).toBe(true)

    const byApplication = await admin.get(`/staff/audit?target=${applicationId}`)
    expect(actionsOn(byApplication.html)).toEqual(['application.recredit'])
    expect(mainText(byApplication.html)).toContain('学生からの問い合わせ')
    // 変更前 and 変更後 as fields in words (console-audit.test.ts reads them closely).
    expect(byApplication.html).toContain('<dt>チャージ状況</dt>')

    const today = jstDay(testNow())
    const inRange = actionsOn(
      (await admin.get(`/staff/audit?target=${applicationId}&from=${today}&to=${today}`)).html,
    )
    expect(inRange).toEqual(['application.recredit'])
    expect(
      actionsOn((await admin.get(`/staff/audit?email=${local}&from=${today}&to=${today}`)).html),
    ).toEqual(['staff.role', 'login'])
    const tomorrow = jstDay(testNow() + 24 * 60 * 60_000)
    const later = mainText(
      (await admin.get(`/staff/audit?target=${applicationId}&from=${tomorrow}`)).html,
    )
    expect(later).toContain('条件に合う記録はありません。')
  })

  it('refuses a bad search with a message and lists nothing', async () => {
    const { client: admin } = await staffClient('admin', U)
    const cases: [string, string][] = [
      ['from=2027-13-01', '期間（開始日）は「2027-03-31」の形で入力してください。'],
      ['to=yesterday', '期間（終了日）は「2027-03-31」の形で入力してください。'],
      ['from=2027-02-30', '期間（開始日）は「2027-03-31」の形で入力してください。'],
      ['from=2027-04-02&to=2027-04-01', '期間の終了日は開始日と同じか、それより後にしてください。'],
      ['action=staff%20role', '操作は一覧から選んでください。'],
      [`email=${'a'.repeat(300)}`, 'スタッフのメールアドレスは254文字以内で入力してください。'],
    ]
    for (const [query, message] of cases) {
      const { res, html } = await admin.get(`/staff/audit?${query}`)
      expect(res.status, query).toBe(422)
      expect(mainText(html), query).toContain(message)
      expect(html).not.toContain('<table')
      const csv = await admin.request(`/staff/audit.csv?${query}`)
      expect(csv.status, query).toBe(422)
    }
  })

  it('shows 50 entries a page, newest first, with a link to the older ones', async () => {
    const { client: admin } = await staffClient('admin', U)
    const email = `bulk-${crypto.randomUUID().slice(0, 6)}@staff.example`
    const base = testNow() - 60 * 60_000
    for (let i = 0; i < 55; i++)
      await appendAudit({
        at: base + i * 1000,
        action: 'application.recredit',
        applicationId: i + 1,
        email,
      })
    const first = await admin.get(`/staff/audit?email=${email}`)
    expect(mainText(first.html)).toContain('1〜50件目')
    expect((first.html.match(/<tr>/g) ?? []).length).toBe(51)
    // Newest first: the 55th entry (application 55) leads, the 6th closes the page.
    const apps = [
      ...first.html.matchAll(/<td><a href="\/staff\/applications\/\d+">(\d+)<\/a><\/td>/g),
    ].map((m) => Number(m[1]))
    expect(apps[0]).toBe(55)
    expect(apps.at(-1)).toBe(6)
    const next = first.html.match(/href="([^"]+)" rel="next"/)?.[1]?.replace(/&amp;/g, '&')
    expect(next).toBe(`/staff/audit?email=${encodeURIComponent(email)}&page=2`)
    const second = await admin.get(next!)
    expect(mainText(second.html)).toContain('51〜55件目')
    expect(second.html).not.toContain('rel="next"')
  })

  it('exports the same search as CSV for Excel: UTF-8 with a BOM', async () => {
    const { client: admin } = await staffClient('admin', U)
    const action = 'application.recredit'
    const email = `csv-${crypto.randomUUID().slice(0, 6)}@staff.example`
    await appendAudit({ at: testNow(), action, applicationId: 4242, email })
    const res = await admin.request(`/staff/audit.csv?email=${email}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit-adminu-\d{8}\.csv"$/,
    )
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = new TextDecoder().decode(bytes).split('\r\n')
    // The stored columns first, then the same entry in words (console-audit.test.ts).
    expect(lines[0]).toMatch(
      /^"日時","スタッフ","操作","対象","発行申請番号","理由","変更前","変更後",/,
    )
    expect(lines).toHaveLength(3)
    expect(lines[1]).toContain(`"${email}","${action}","application 4242","4242"`)
    expect(lines[1]).toContain('"{""creditStatus"":""failed""}","{""creditStatus"":""credited""}"')
  })

  it('cannot be changed or deleted, even directly in D1', async () => {
    await appendAudit({ at: testNow(), action: 'tamper.test' })
    const row = await env.DB.prepare(
      "SELECT id FROM audit_log WHERE action = 'tamper.test'",
    ).first<{ id: number }>()
    await expect(
      env.DB.prepare("UPDATE audit_log SET action = 'nothing' WHERE id = ?").bind(row!.id).run(),
    ).rejects.toThrow(/append-only/)
    await expect(
      env.DB.prepare('DELETE FROM audit_log WHERE id = ?').bind(row!.id).run(),
    ).rejects.toThrow(/append-only/)
    await expect(env.DB.prepare('DELETE FROM audit_log').run()).rejects.toThrow(/append-only/)
    expect(
      await env.DB.prepare('SELECT action FROM audit_log WHERE id = ?').bind(row!.id).first(),
    ).toEqual({ action: 'tamper.test' })
  })
})

describe('the admin pages in English', () => {
  it('shows 大学設定, スタッフ and 監査ログ in English when chosen', async () => {
    await resetUniversity()
    const { client: admin } = await staffClient('admin', U)
    admin.cookies.set('lang', 'en')
    const settingsPage = mainText((await admin.get('/staff/settings')).html)
    expect(settingsPage).toContain('The settings of Admin University.')
    expect(settingsPage).toContain('Balance cap (yen)')
    expect(settingsPage).toContain('Credit card')
    const refused = await saveSettings(admin, { balance_cap: '400' })
    expect(mainText(refused.html)).toContain(
      'The balance cap must be at least the minimum charge (¥500).',
    )
    for (const label of [
      'Issuer (English)',
      'Call centre name (English)',
      'Call centre hours (English)',
      'Sender name (English)',
      'Office for refunds of money on the card (English)',
    ])
      expect(settingsPage).toContain(label)
    const noEnglish = mainText(
      (await saveSettings(admin, { mail_from_name_en: '', call_centre_hours_en: '24時間' })).html,
    )
    expect(noEnglish).toContain(
      'Enter Sender name (English). It is used on the pages and mails students read in English.',
    )
    expect(noEnglish).toContain(
      'Call centre hours (English) contains Japanese (kana, kanji or full-width characters).',
    )
    expect(mainText((await admin.get('/staff/members')).html)).toContain('Invite a staff member')
    const log = await admin.get('/staff/audit?from=someday')
    expect(mainText(log.html)).toContain('Enter From (date) as “2027-03-31”.')
  })
})

// ---- Generated input --------------------------------------------------------------------

/** Values a form field should never choke on: text of every kind, numbers out of range. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\r\n',
    '-1',
    '0',
    '1e3',
    '１０００',
    '99999999999',
    '<b>x</b>',
  ),
  fc.integer({ min: 101, max: 7000 }).map((n) => 'あ'.repeat(n)),
)

/** A field's value: sometimes the valid one, so that a single bad field is what is tried. */
const sometimes = (valid: string) => fc.oneof(fc.constant(valid), fc.constant(valid), anyValue)

describe('admin forms under generated input', () => {
  it('answers every generated 大学設定 form with a saved form or a message, never a 5xx', async () => {
    await resetUniversity()
    const { client: admin } = await staffClient('admin', U)
    const fieldArb = Object.fromEntries(
      Object.entries(BASE).map(([k, v]) => [k, sometimes(v)]),
    ) as Record<keyof typeof BASE, fc.Arbitrary<string>>
    await fc.assert(
      fc.asyncProperty(
        fc.record(fieldArb),
        fc.array(fc.oneof(fc.constantFrom(...BASE_METHODS, 'merpay'), anyValue), { maxLength: 4 }),
        fc.array(
          fc.record({ start: sometimes(BASE_WINDOW.start), end: sometimes(BASE_WINDOW.end) }),
          {
            maxLength: 3,
          },
        ),
        async (fields, methods, windows) => {
          await resetUniversity()
          const before = await snapshot()
          const audits = await auditCount()
          const { res } = await saveSettings(admin, { ...fields, methods, windows })
          expect([303, 422]).toContain(res.status)
          if (res.status === 422) {
            expect(await snapshot()).toEqual(before)
            expect(await auditCount()).toBe(audits)
          }
        },
      ),
      { numRuns: 60 },
    )
    await resetUniversity()
  })

  it('answers every generated invitation and audit search with a page or a message', async () => {
    const { client: admin } = await staffClient('admin', U)
    await fc.assert(
      fc.asyncProperty(
        fc.record({ email: anyValue, name: sometimes('招待 タロウ'), role: sometimes('staff') }),
        async (fields) => {
          const invites = await inviteCount()
          const { res } = await admin.post('/staff/members', fields)
          expect([200, 409, 422]).toContain(res.status)
          if (res.status !== 200) expect(await inviteCount()).toBe(invites)
        },
      ),
      { numRuns: 60 },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            email: anyValue,
            action: anyValue,
            target: anyValue,
            from: anyValue,
            to: anyValue,
            page: anyValue,
          },
          { requiredKeys: [] },
        ),
        async (query) => {
          const qs = new URLSearchParams(query as Record<string, string>).toString()
          const { res } = await admin.get(`/staff/audit?${qs}`)
          expect([200, 422]).toContain(res.status)
          expect((await admin.request(`/staff/audit.csv?${qs}`)).status).toBeLessThan(500)
        },
      ),
      { numRuns: 60 },
    )
  })
})

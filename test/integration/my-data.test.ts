import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ready } from '../charge'
import { Client, expectRedirect, mainText } from '../client'

/**
 * 個人データのダウンロード (issue 19): a student downloads their own data, JSON or CSV, from
 * the menu; never anyone else's. Students test1211–test1240 only.
 */

/** Fixed instants (no clock is read): 2026-11-02 12:00 JST and a minute after. */
const AT = Date.UTC(2026, 10, 2, 3, 0)
const LATER = AT + 60_000

const studentId = async (userId: string) =>
  (await env.DB.prepare("SELECT id FROM students WHERE university_id = 'demo' AND user_id = ?")
    .bind(userId)
    .first<{ id: number }>())!.id

let serial = 0
const application = async (
  sid: number,
  o: {
    status: string
    creditStatus: string
    method?: string
    kind?: string
    amount?: number
    refunded?: number
  },
) =>
  (await env.DB.prepare(
    `INSERT INTO applications (university_id, student_id, kind, amount, payment_method, status, credit_status, request_key, provider, payment_deadline, paid_at, credited_at, refunded_at, gateway_refunded, created_at, updated_at)
     VALUES ('demo', ?, ?, ?, ?, ?, ?, ?, 'komoju', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      sid,
      o.kind ?? 'mic_charge',
      o.amount ?? 3000,
      o.method ?? 'credit_card',
      o.status,
      o.creditStatus,
      `mydata-${++serial}`,
      LATER + 7 * 86_400_000,
      o.status === 'awaiting_payment' ? null : AT,
      o.creditStatus === 'credited' ? LATER : null,
      o.status === 'refunded' ? LATER : null,
      o.refunded ?? 0,
      AT,
      LATER,
    )
    .first<{ id: number }>())!.id

/** test1211's history: a credited charge, a store payment awaited, a refund, a certificate. */
const history = async (userId: string) => {
  const sid = await studentId(userId)
  const credited = await application(sid, { status: 'paid', creditStatus: 'credited' })
  const waiting = await application(sid, {
    status: 'awaiting_payment',
    creditStatus: 'none',
    method: 'cvs_lawson',
    amount: 5000,
  })
  const refunded = await application(sid, {
    status: 'refunded',
    creditStatus: 'refunding',
    refunded: 3000,
  })
  const order = await application(sid, {
    status: 'paid',
    creditStatus: 'credited',
    kind: 'certificate',
    amount: 300,
  })
  await env.DB.prepare(
    `INSERT INTO certificate_orders (application_id, university_id, student_id, delivery, site_origin) VALUES (?, 'demo', ?, 'pdf', 'https://example.com')`,
  )
    .bind(order, sid)
    .run()
  const line = (await env.DB.prepare(
    `INSERT INTO certificate_lines (application_id, type, language, copies, unit_fee) VALUES (?, 'enrolment', 'ja', 1, 300) RETURNING id`,
  )
    .bind(order)
    .first<{ id: number }>())!.id
  // Valid until a day long past: 期限切れ whatever the clock says.
  await env.DB.prepare(
    `INSERT INTO certificates (application_id, line_id, university_id, copy, type, language, issue_number, verification_code, holder_name, object_key, sha256, size, issued_at, valid_until)
     VALUES (?, ?, 'demo', 1, 'enrolment', 'ja', ?, ?, 'テスト ハナコ', 'k', '00', 1, ?, ?)`,
  )
    .bind(
      order,
      line,
      `${String(order).padStart(6, '0')}-1`,
      `MYDATA${order}ABCDEFGHIJ`.slice(0, 16),
      AT,
      AT + 1000,
    )
    .run()
  return { credited, waiting, refunded, order }
}

/** The CSV's cells, row by row (every field quoted, "" inside). */
const cells = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n')
    .map((line) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"')))

describe('個人データのダウンロード', () => {
  it('is in the menu, and its page offers CSV and JSON', async () => {
    const client = await ready('test1211')
    const { html } = await client.get('/menu')
    expect(html).toContain('href="/account/data"')
    expect(html).toContain('個人データのダウンロード')
    const page = await client.get('/account/data')
    expect(page.res.status).toBe(200)
    expect(page.html).toContain('href="/account/data.csv"')
    expect(page.html).toContain('href="/account/data.json"')
    expect(mainText(page.html)).toContain('CSV形式でダウンロード')
  })

  it('gives the JSON with exactly the fields the student sees, in words', async () => {
    const client = await ready('test1212')
    const ids = await history('test1212')
    const res = await client.request('/account/data.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="mydata-test1212-\d{8}\.json"$/,
    )
    expect(res.headers.get('cache-control')).toBe('no-store')
    const doc = (await res.json()) as Record<string, any>
    expect(Object.keys(doc)).toEqual([
      'exportedAt',
      'language',
      'profile',
      'applications',
      'certificates',
      'refunds',
    ])
    expect(doc.language).toBe('ja')
    expect(doc.profile).toEqual({
      userId: 'test1212',
      nameKana: 'テスト ハナコ',
      email: 'test1212@example.ac.jp',
      status: '在学',
      leftOn: null,
      lastLogin: null,
    })
    expect(doc.applications).toEqual([
      {
        applicationNumber: ids.credited,
        kind: 'M.I.C.チャージ',
        appliedOn: '2026/11/02',
        quantity: 1,
        amount: 3000,
        paymentMethod: 'クレジットカード決済',
        paymentStatus: 'お支払い済み',
        paidAt: '2026/11/02 12:00',
        paymentDeadline: null,
        state: '2026/11/02 12:01 にM.I.C.へ反映しました。',
      },
      {
        applicationNumber: ids.waiting,
        kind: 'M.I.C.チャージ',
        appliedOn: '2026/11/02',
        quantity: 1,
        amount: 5000,
        paymentMethod: 'コンビニ現金払い（ローソン）',
        paymentStatus: 'お支払い待ち',
        paidAt: null,
        paymentDeadline: '2026/11/09 12:01',
        state: 'お支払いの完了後にM.I.C.へチャージします。',
      },
      {
        applicationNumber: ids.refunded,
        kind: 'M.I.C.チャージ',
        appliedOn: '2026/11/02',
        quantity: 1,
        amount: 3000,
        paymentMethod: 'クレジットカード決済',
        paymentStatus: '返金済み',
        paidAt: '2026/11/02 12:00',
        paymentDeadline: null,
        state: 'お支払いいただいた金額を返金しました。M.I.C.へはチャージしていません。',
      },
      {
        applicationNumber: ids.order,
        kind: '在学証明書（和文）',
        appliedOn: '2026/11/02',
        quantity: 1,
        amount: 300,
        paymentMethod: 'クレジットカード決済',
        paymentStatus: 'お支払い済み',
        paidAt: '2026/11/02 12:00',
        paymentDeadline: null,
        state: '証明書を発行しました。有効期限まで、下のボタンからダウンロードできます。',
      },
    ])
    const code = `MYDATA${ids.order}ABCDEFGHIJ`.slice(0, 16)
    expect(doc.certificates).toEqual([
      {
        applicationNumber: ids.order,
        issueNumber: `${String(ids.order).padStart(6, '0')}-1`,
        certificate: '在学証明書（和文）',
        issuedAt: '2026/11/02 12:00',
        validUntil: '2026/11/02 12:00',
        verificationCode: code.match(/.{4}/g)!.join('-'),
        standing: '期限切れ',
      },
    ])
    expect(doc.refunds).toEqual([
      {
        applicationNumber: ids.refunded,
        way: 'お支払い元へ返金',
        amount: 3000,
        requestedAt: null,
        refundedAt: '2026/11/02 12:01',
        state: '返金済み',
      },
    ])
  })

  it('gives the CSV as Excel opens it, a row per field, a formula in a name escaped', async () => {
    const client = await ready('test1213')
    const ids = await history('test1213')
    // A name as a hostile roster might carry it.
    await env.DB.prepare(
      "UPDATE students SET name_kana = ? WHERE university_id = 'demo' AND user_id = 'test1213'",
    )
      .bind('=cmd|"/c calc"!A1')
      .run()
    const res = await client.request('/account/data.csv')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="mydata-test1213-\d{8}\.csv"$/,
    )
    // UTF-8 with a byte-order mark: Excel in a Japanese locale then reads the kana right.
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder().decode(bytes)
    // The raw cell: an apostrophe first, so no spreadsheet runs it.
    expect(text).toContain(`"'=cmd|""/c calc""!A1"`)
    const rows = cells(text)
    expect(rows[0]).toEqual(['区分', '番号', '項目', '値'])
    expect(rows.slice(1, 7)).toEqual([
      ['アカウント', '', 'ユーザID', 'test1213'],
      ['アカウント', '', '氏名カナ', `'=cmd|"/c calc"!A1`],
      ['アカウント', '', 'メールアドレス', 'test1213@example.ac.jp'],
      ['アカウント', '', '在籍状況', '在学'],
      ['アカウント', '', '離籍日', ''],
      ['アカウント', '', '前回ログイン日時', 'なし（初回ログイン）'],
    ])
    const of = (n: number) => rows.filter((r) => r[0] === '申請' && r[1] === String(n))
    expect(of(ids.waiting)).toEqual([
      ['申請', String(ids.waiting), '種別', 'M.I.C.チャージ'],
      ['申請', String(ids.waiting), '発行年月日', '2026/11/02'],
      ['申請', String(ids.waiting), '数量', '1'],
      ['申請', String(ids.waiting), '金額', '5,000円'],
      ['申請', String(ids.waiting), 'お支払い方法', 'コンビニ現金払い（ローソン）'],
      ['申請', String(ids.waiting), 'お支払いステータス', 'お支払い待ち'],
      ['申請', String(ids.waiting), 'お支払い日時', ''],
      ['申請', String(ids.waiting), 'お支払い期限', '2026/11/09 12:01'],
      ['申請', String(ids.waiting), '状況', 'お支払いの完了後にM.I.C.へチャージします。'],
    ])
    expect(rows.filter((r) => r[0] === '証明書').map((r) => r[2])).toEqual([
      '発行番号',
      '証明書',
      '発行日時',
      '有効期限',
      '照合番号',
      '状態',
    ])
    expect(rows.filter((r) => r[0] === '返金')).toEqual([
      ['返金', String(ids.refunded), '返金方法', 'お支払い元へ返金'],
      ['返金', String(ids.refunded), '金額', '3,000円'],
      ['返金', String(ids.refunded), '申込日時', ''],
      ['返金', String(ids.refunded), '返金日時', '2026/11/02 12:01'],
      ['返金', String(ids.refunded), '状況', '返金済み'],
    ])
  })

  it('speaks English to a student who chose it', async () => {
    const client = await ready('test1214')
    await client.get('/lang/en?next=/menu')
    const ids = await history('test1214')
    const page = await client.get('/account/data')
    expect(mainText(page.html)).toContain('Download as CSV')
    expect((await client.get('/menu')).html).toContain('Download my data')
    const doc = (await (await client.request('/account/data.json')).json()) as Record<string, any>
    expect(doc.language).toBe('en')
    expect(doc.profile.status).toBe('Enrolled')
    expect(doc.applications[0]).toMatchObject({
      kind: 'M.I.C. Charge',
      paymentMethod: 'Credit card',
      paymentStatus: 'Paid',
      state: 'Credited to M.I.C. at 2026/11/02 12:01.',
    })
    expect(doc.certificates[0].certificate).toBe('Certificate of Enrollment (Japanese)')
    const rows = cells(await (await client.request('/account/data.csv')).text())
    expect(rows[0]).toEqual(['Section', 'Number', 'Field', 'Value'])
    expect(rows).toContainEqual(['Refund', String(ids.refunded), 'Refund to', 'The way you paid'])
  })

  it('stays open to a student who has left (退学), with their status', async () => {
    const client = await ready('test1215')
    await env.DB.prepare(
      "UPDATE directory_people SET status = 'withdrawn', left_on = '2026-09-30' WHERE university_id = 'demo' AND user_id = 'test1215'",
    ).run()
    const doc = (await (await client.request('/account/data.json')).json()) as Record<string, any>
    expect(doc.profile).toMatchObject({ status: '退学', leftOn: '2026-09-30' })
    expect((await client.get('/account/data')).res.status).toBe(200)
  })

  it('never gives anyone else’s data, and nothing without a login', async () => {
    const mine = await ready('test1216')
    const other = await ready('test1217')
    const theirs = await history('test1217')
    const text = await (await mine.request('/account/data.json')).text()
    const doc = JSON.parse(text) as Record<string, any>
    expect(doc.profile.userId).toBe('test1216')
    expect(doc.applications).toEqual([])
    expect(text).not.toContain('test1217')
    // Nothing in the path or query picks a student.
    for (const path of [
      '/account/data.json?user_id=test1217',
      `/account/data.json?student=${await studentId('test1217')}`,
    ]) {
      const body = await (await mine.request(path)).text()
      expect(body).not.toContain('test1217')
      expect(body).not.toContain(`"applicationNumber": ${theirs.credited}`)
    }
    expect((await other.request('/account/data.json')).status).toBe(200)
    const anonymous = new Client()
    for (const path of ['/account/data', '/account/data.json', '/account/data.csv'])
      expectRedirect(await anonymous.request(path), '/login')
  })
})

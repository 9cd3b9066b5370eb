import { env } from 'cloudflare:workers'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEMO_CERTIFICATE_SETTINGS } from '../../src/db/demo'
import { parseCertificateSettings } from '../../src/domain/certificates'
import { Client, lastMailId, latestMail, mainText } from '../client'
import { testNow } from '../charge'
import { staffClient } from '../staff'

/**
 * The console's side of certificates: 大学設定's catalogue, the 郵送 queue (印刷 → 封入 →
 * 発送), 失効, and certificate orders in 検索 and 申請詳細. Orders are written straight into
 * D1 (an application of kind certificate, its order, lines and certificates, the PDFs in
 * the bucket): issuing them is the student flow's, not the console's. The catalogue tests
 * edit a university of their own ('certu'), never 'demo'.
 */

const U = 'certu'

const auditRows = async (action: string, applicationId?: number) =>
  (
    await env.DB.prepare(
      `SELECT * FROM audit_log WHERE action = ? ${applicationId ? 'AND application_id = ?' : ''} ORDER BY id`,
    )
      .bind(...(applicationId ? [action, applicationId] : [action]))
      .all<{
        staff_id: number
        university_id: string
        target_type: string
        target_id: string
        reason: string | null
        before: string | null
        after: string | null
      }>()
  ).results

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

// ---- Orders written into D1 ----------------------------------------------------------------

let serial = 0

const newStudent = async (universityId: string) => {
  const userId = `cert${Date.now().toString(36)}${++serial}`
  const email = `${userId}@students.example`
  const row = await env.DB.prepare(
    'INSERT INTO students (university_id, user_id, name_kana, email) VALUES (?, ?, ?, ?) RETURNING id',
  )
    .bind(universityId, userId, 'ショウメイ タロウ', email)
    .first<{ id: number }>()
  return { id: row!.id, userId, email }
}

const bytesOf = (text: string) => new TextEncoder().encode(`%PDF-1.7\n${text}\n%%EOF\n`)
const hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')

/** A paid, issued certificate order: its application, order, lines and one PDF per copy. */
const insertOrder = async (
  o: {
    universityId?: string
    delivery?: 'pdf' | 'post'
    sealed?: boolean
    postStatus?: 'to_print' | 'printed' | 'enclosed' | 'shipped' | null
  } = {},
) => {
  const universityId = o.universityId ?? 'demo'
  const delivery = o.delivery ?? 'post'
  const student = await newStudent(universityId)
  // The service's clock (pinned or moved in some runs), so validity is as the service sees it.
  const now = testNow()
  const lines = [
    { type: 'transcript', language: 'en', copies: 2, unitFee: 300 },
    { type: 'enrolment', language: 'ja', copies: 1, unitFee: 300 },
  ] as const
  const postage = delivery === 'post' ? 140 : 0
  const amount = lines.reduce((n, l) => n + l.copies * l.unitFee, 0) + postage
  const app = await env.DB.prepare(
    `INSERT INTO applications (university_id, student_id, kind, quantity, amount, payment_method, status, request_key, lang, provider, provider_payment_id, payment_deadline, paid_at, credit_status, credited_at, created_at, updated_at)
     VALUES (?, ?, 'certificate', 1, ?, 'credit_card', 'paid', ?, 'ja', 'komoju', ?, ?, ?, 'credited', ?, ?, ?) RETURNING id`,
  )
    .bind(
      universityId,
      student.id,
      amount,
      crypto.randomUUID(),
      `pay_${crypto.randomUUID().slice(0, 12)}`,
      now + 86_400_000,
      now,
      now,
      now,
      now,
    )
    .first<{ id: number }>()
  const id = app!.id
  const address = {
    country: 'JP',
    name: '証明 太郎',
    postalCode: '530-0001',
    address: '大阪府大阪市北区梅田1-1-1',
    phone: '090-1234-5678',
  }
  await env.DB.prepare(
    `INSERT INTO certificate_orders (application_id, university_id, student_id, delivery, postal_address, sealed, postage, post_status, site_origin)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'https://example.com')`,
  )
    .bind(
      id,
      universityId,
      student.id,
      delivery,
      delivery === 'post' ? JSON.stringify(address) : null,
      o.sealed ? 1 : 0,
      postage,
      delivery === 'post' ? (o.postStatus === undefined ? 'to_print' : o.postStatus) : null,
    )
    .run()
  const certificates: { id: number; issueNumber: string; code: string; sha256: string }[] = []
  let n = 0
  for (const l of lines) {
    const line = await env.DB.prepare(
      'INSERT INTO certificate_lines (application_id, type, language, copies, unit_fee) VALUES (?, ?, ?, ?, ?) RETURNING id',
    )
      .bind(id, l.type, l.language, l.copies, l.unitFee)
      .first<{ id: number }>()
    for (let copy = 1; copy <= l.copies; copy++) {
      n++
      const issueNumber = `${String(id).padStart(6, '0')}-${n}`
      const code = Array.from(
        { length: 16 },
        () => 'ABCDEFGHJKMNPQRS'[Math.floor(Math.random() * 16)],
      ).join('')
      const bytes = bytesOf(`${issueNumber} ${code}`)
      const sha256 = await hex(bytes)
      const key = `${universityId}/${id}/${issueNumber}.pdf`
      await env.CERTIFICATES.put(key, bytes)
      const row = await env.DB.prepare(
        `INSERT INTO certificates (application_id, line_id, university_id, copy, type, language, issue_number, verification_code, holder_name, object_key, sha256, size, issued_at, valid_until)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
        .bind(
          id,
          line!.id,
          universityId,
          copy,
          l.type,
          l.language,
          issueNumber,
          code,
          '証明 太郎',
          key,
          sha256,
          bytes.length,
          now,
          now + 90 * 86_400_000,
        )
        .first<{ id: number }>()
      certificates.push({ id: row!.id, issueNumber, code, sha256 })
    }
  }
  return { id, student, certificates }
}

const orderRow = (id: number) =>
  env.DB.prepare('SELECT * FROM certificate_orders WHERE application_id = ?').bind(id).first<{
    post_status: string | null
    tracking_number: string | null
    printed_at: number | null
    enclosed_at: number | null
    shipped_at: number | null
  }>()

const mailsTo = async (to: string) =>
  (
    await env.DB.prepare(
      'SELECT kind, subject, body FROM mail_log WHERE to_address = ? ORDER BY id',
    )
      .bind(to)
      .all<{ kind: string; subject: string; body: string | null }>()
  ).results

const step = (client: Client, id: number, action: string, fields: [string, string][] = []) =>
  postForm(client, `/staff/certificate-orders/${id}/${action}`, fields)

// ---- 大学設定: the catalogue ----------------------------------------------------------------

const resetUniversity = async () => {
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO universities (id, name, name_en, legal_name, call_centre_name, call_centre_phone, call_centre_hours, mail_from, mail_from_name, balance_cap, min_charge, charge_step, payment_methods, payment_deadline_days, fiscal_year_end_blackouts, gateway_account, staff_alert_email, certificate_settings)
       VALUES (?1, '証明大学', 'Cert University', '学校法人 証明学園', '証明 コールセンター', '03-1111-2222', '平日 9:00〜17:00', 'noreply@certu.example', '証明大学', 10000, 500, 500, '["credit_card"]', 7, '[]', 'default', NULL, '{}')
       ON CONFLICT(id) DO UPDATE SET certificate_settings = '{}'`,
    ).bind(U),
  ])
}

/** The catalogue form: the demo university's catalogue, with some fields changed. */
const catalogueFields = (
  change: (f: Map<string, string[]>) => void = () => {},
): [string, string][] => {
  const f = new Map<string, string[]>()
  for (const item of DEMO_CERTIFICATE_SETTINGS.catalogue) {
    const p = `cert_${item.type}_`
    f.set(`${p}offered`, ['1'])
    f.set(`${p}languages`, [...item.languages])
    f.set(`${p}fee`, [String(item.fee)])
    f.set(`${p}limit`, [item.yearlyLimit === null ? '' : String(item.yearlyLimit)])
    f.set(`${p}statuses`, [...item.statuses])
    f.set(`${p}deliveries`, [...item.deliveries])
  }
  const s = DEMO_CERTIFICATE_SETTINGS
  f.set('postage_domestic', [String(s.postage.domestic)])
  f.set('postage_international', [String(s.postage.international)])
  f.set('validity_days', [String(s.validityDays)])
  f.set('office_name_ja', [s.office.name.ja])
  f.set('office_name_en', [s.office.name.en])
  f.set('office_phone', [s.office.phone])
  f.set('office_email', [s.office.email])
  change(f)
  return [...f].flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v]))
}

const storedSettings = async () =>
  (await env.DB.prepare('SELECT certificate_settings AS s FROM universities WHERE id = ?')
    .bind(U)
    .first<{ s: string }>())!.s

describe('大学設定: 各種証明書', () => {
  let admin: Client
  beforeEach(async () => {
    await resetUniversity()
    admin = (await staffClient('admin', U)).client
  })

  it('saves the catalogue as the student side reads it, audited, and shows it again', async () => {
    const { res } = await postForm(admin, '/staff/settings/certificates', catalogueFields())
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/staff/settings/certificates?saved=1')
    const stored = await storedSettings()
    // Exactly the shape parseCertificateSettings reads: nothing dropped on reading back.
    expect(JSON.parse(stored)).toEqual(DEMO_CERTIFICATE_SETTINGS)
    expect(parseCertificateSettings(stored)).toEqual(DEMO_CERTIFICATE_SETTINGS)
    const [audit] = (await auditRows('settings.certificates'))
      .filter((r) => r.university_id === U)
      .slice(-1)
    expect(audit).toBeDefined()
    expect(JSON.parse(audit!.before!).catalogue).toEqual([])
    expect(JSON.parse(audit!.after!)).toEqual(DEMO_CERTIFICATE_SETTINGS)

    const { html } = await admin.get('/staff/settings/certificates?saved=1')
    expect(mainText(html)).toContain('大学設定を保存しました。')
    expect(html).toMatch(/name="cert_student_discount_offered" value="1" checked/)
    expect(html).toMatch(/name="cert_student_discount_limit" type="text" value="10"/)
    expect(html).toMatch(/name="cert_enrolment_deliveries" value="pdf" checked/)
    expect(html).not.toMatch(/name="cert_student_discount_deliveries" value="pdf" checked/)

    // The same form again is no change: nothing saved, nothing audited.
    const before = (await auditRows('settings.certificates')).length
    const again = await postForm(admin, '/staff/settings/certificates', catalogueFields())
    expect(again.res.headers.get('location')).toBe('/staff/settings/certificates?unchanged=1')
    expect((await auditRows('settings.certificates')).length).toBe(before)
  })

  it('stores a type not offered as absent, and a blank limit as none', async () => {
    const { res } = await postForm(
      admin,
      '/staff/settings/certificates',
      catalogueFields((f) => {
        f.delete('cert_health_offered')
        f.set('cert_transcript_limit', [''])
        f.set('cert_transcript_fee', ['４００円'])
      }),
    )
    expect(res.status).toBe(303)
    const s = parseCertificateSettings(await storedSettings())
    expect(s.catalogue.map((i) => i.type)).not.toContain('health')
    expect(s.catalogue.find((i) => i.type === 'transcript')).toMatchObject({
      fee: 400,
      yearlyLimit: null,
    })
  })

  const BAD: [string, (f: Map<string, string[]>) => void, string][] = [
    [
      'a free certificate as a PDF',
      (f) => f.set('cert_enrolment_fee', ['0']),
      '在学証明書は手数料が0円のため、郵送でのみ受け付けられます。電子（PDF）の選択を外すか、手数料を設定してください。',
    ],
    [
      'no language',
      (f) => f.delete('cert_transcript_languages'),
      '成績証明書の言語を1つ以上選択してください。',
    ],
    [
      'an English 学割証',
      (f) => f.set('cert_student_discount_languages', ['ja', 'en']),
      '学割証は和文のみ発行できます。英文の選択を外してください。',
    ],
    [
      'nobody who may order it',
      (f) => f.delete('cert_graduation_statuses'),
      '卒業証明書の申請できる学籍を1つ以上選択してください。',
    ],
    [
      'no delivery',
      (f) => f.delete('cert_health_deliveries'),
      '健康診断証明書の受け取り方法を1つ以上選択してください。',
    ],
    [
      'a status that does not exist',
      (f) => f.set('cert_enrolment_statuses', ['enrolled', 'alumni']),
      '在学証明書の申請できる学籍の選択が正しくありません。',
    ],
    [
      'a fee that is not a number',
      (f) => f.set('cert_enrolment_fee', ['三百']),
      '在学証明書の手数料（円）は半角数字の整数で入力してください。',
    ],
    [
      'a fee out of range',
      (f) => f.set('cert_enrolment_fee', ['200000']),
      '在学証明書の手数料（円）は0から100,000までの範囲で入力してください。',
    ],
    [
      'a blank fee',
      (f) => f.set('cert_enrolment_fee', ['']),
      '在学証明書の手数料（円）を入力してください。',
    ],
    [
      'a yearly limit of zero',
      (f) => f.set('cert_student_discount_limit', ['0']),
      '学割証の年間の上限部数は1から1,000までの範囲で入力してください。',
    ],
    [
      'no domestic postage',
      (f) => f.set('postage_domestic', ['']),
      '国内（1申請・円）を入力してください。',
    ],
    [
      'a validity of no days',
      (f) => f.set('validity_days', ['0']),
      '有効期間（日数）は1から3,650までの範囲で入力してください。',
    ],
    [
      'no office name while certificates are offered',
      (f) => f.set('office_name_ja', ['']),
      '部署名を入力してください。',
    ],
    [
      'a malformed office phone',
      (f) => f.set('office_phone', ['gakumu']),
      '電話番号は半角数字とハイフンで入力してください（例: 03-1234-5678）。',
    ],
    [
      'a malformed office address',
      (f) => f.set('office_email', ['gakumu@']),
      'メールアドレスの形式が正しくありません。',
    ],
  ]
  for (const [what, change, message] of BAD)
    it(`refuses ${what} with a message, saving nothing`, async () => {
      const before = await storedSettings()
      const audits = (await auditRows('settings.certificates')).length
      const { res, html } = await postForm(
        admin,
        '/staff/settings/certificates',
        catalogueFields(change),
      )
      expect(res.status).toBe(422)
      expect(mainText(html)).toContain(message)
      expect(html).toContain('class="field has-error')
      expect(await storedSettings()).toBe(before)
      expect((await auditRows('settings.certificates')).length).toBe(audits)
    })

  it('offers nothing when nothing is ticked, and then needs no office contact', async () => {
    const { res } = await postForm(
      admin,
      '/staff/settings/certificates',
      catalogueFields((f) => {
        for (const k of [...f.keys()]) if (k.endsWith('_offered')) f.delete(k)
        for (const k of ['office_name_ja', 'office_name_en', 'office_phone', 'office_email'])
          f.set(k, [''])
      }),
    )
    expect(res.status).toBe(303)
    expect(parseCertificateSettings(await storedSettings()).catalogue).toEqual([])
  })

  it('is the administrator’s alone', async () => {
    for (const role of ['staff', 'callcentre'] as const) {
      const { client } = await staffClient(role, role === 'callcentre' ? null : U)
      expect((await client.get('/staff/settings/certificates')).res.status).toBe(403)
      const { res } = await postForm(client, '/staff/settings/certificates', catalogueFields())
      expect(res.status).toBe(403)
    }
    expect(await storedSettings()).toBe('{}')
  })
})

// ---- The 郵送 queue ----------------------------------------------------------------------------

describe('証明書 (郵送): 印刷 → 封入 → 発送', () => {
  let staff: Client
  beforeAll(async () => {
    staff = (await staffClient('staff', 'demo')).client
  })

  it('lists a paid order to print with its student, lines, 厳封 and address, and opens its PDFs', async () => {
    const o = await insertOrder({ sealed: true })
    const { res, html } = await staff.get('/staff/certificates?step=to_print')
    expect(res.status).toBe(200)
    const card = html.slice(html.indexOf(`id="order-${o.id}"`))
    expect(card).toContain(`href="/staff/applications/${o.id}"`)
    const end = card.indexOf('id="order-', 10)
    const text = mainText(`<main>${card.slice(0, end > 0 ? end : undefined)}</main>`)
    expect(text).toContain(o.student.userId)
    expect(text).toContain('成績証明書（英文） × 2')
    expect(text).toContain('在学証明書（和文） × 1')
    expect(text).toContain('厳封あり')
    expect(text).toContain('〒530-0001')
    expect(text).toContain('大阪府大阪市北区梅田1-1-1')
    // The same signed bytes as issued, from the bucket.
    for (const c of o.certificates) {
      expect(html).toContain(`href="/staff/certificates/${c.id}/pdf"`)
      const pdf = await staff.request(`/staff/certificates/${c.id}/pdf`)
      expect(pdf.status).toBe(200)
      expect(pdf.headers.get('content-type')).toBe('application/pdf')
      expect(await hex(new Uint8Array(await pdf.arrayBuffer()))).toBe(c.sha256)
    }
  })

  it('moves an order forward one step at a time, audited, mailing the student at 印刷 and 発送', async () => {
    const o = await insertOrder({ sealed: true })
    const since = await lastMailId()

    // Out of order: nothing changes.
    for (const action of ['enclose', 'ship'] as const) {
      const { res, html } = await step(staff, o.id, action, [
        ['sealed', '1'],
        ['tracking', '123456789012'],
      ])
      expect(res.status, action).toBe(409)
      expect(mainText(html)).toContain(
        `発行申請番号 ${o.id} はいま「印刷待ち」のため、この作業はできません。`,
      )
    }
    expect((await orderRow(o.id))!.post_status).toBe('to_print')

    // 印刷: once, however often it is posted.
    const printed = await step(staff, o.id, 'print')
    expect(printed.res.status).toBe(303)
    const again = await step(staff, o.id, 'print')
    expect(again.res.status).toBe(409)
    expect((await orderRow(o.id))!.post_status).toBe('printed')
    expect((await orderRow(o.id))!.printed_at).not.toBeNull()
    expect(await auditRows('certificate.print', o.id)).toHaveLength(1)
    const printMail = await latestMail(o.student.email, since)
    expect(printMail?.kind).toBe('certificate-printed')
    expect(printMail?.subject).toContain('証明書の発送準備を始めました')
    const notice = await staff.get(printed.res.headers.get('location')!)
    expect(mainText(notice.html)).toContain(`発行申請番号 ${o.id} を印刷済みにしました。`)
    expect(mainText(notice.html)).toContain('学生にメールでお知らせしました。')

    // 封入: a sealed order needs the 厳封 ticked.
    const unsealed = await step(staff, o.id, 'enclose')
    expect(unsealed.res.status).toBe(422)
    expect(mainText(unsealed.html)).toContain('厳封したことを確かめて、チェックを入れてください。')
    expect((await orderRow(o.id))!.post_status).toBe('printed')
    const enclosed = await step(staff, o.id, 'enclose', [['sealed', '1']])
    expect(enclosed.res.status).toBe(303)
    const [encloseAudit] = await auditRows('certificate.enclose', o.id)
    expect(JSON.parse(encloseAudit!.after!)).toEqual({ postStatus: 'enclosed', sealed: true })

    // 発送: the tracking number is required and checked.
    const missing = await step(staff, o.id, 'ship', [['tracking', '']])
    expect(missing.res.status).toBe(422)
    expect(mainText(missing.html)).toContain('追跡番号を入力してください。')
    const bad = await step(staff, o.id, 'ship', [['tracking', 'abc']])
    expect(bad.res.status).toBe(422)
    expect(mainText(bad.html)).toContain('追跡番号は数字10〜14桁')
    expect((await orderRow(o.id))!.post_status).toBe('enclosed')
    // Typed from a phone call: full-width, lower case, hyphens.
    const shipped = await step(staff, o.id, 'ship', [['tracking', 'ｅａ１２３４-５６７８９ｊｐ']])
    expect(shipped.res.status).toBe(303)
    const row = await orderRow(o.id)
    expect(row).toMatchObject({ post_status: 'shipped', tracking_number: 'EA123456789JP' })
    const [shipAudit] = await auditRows('certificate.ship', o.id)
    expect(JSON.parse(shipAudit!.before!)).toEqual({ postStatus: 'enclosed' })
    expect(JSON.parse(shipAudit!.after!)).toEqual({
      postStatus: 'shipped',
      trackingNumber: 'EA123456789JP',
    })
    expect((await step(staff, o.id, 'ship', [['tracking', '123456789012']])).res.status).toBe(409)
    expect(await auditRows('certificate.ship', o.id)).toHaveLength(1)

    const mails = await mailsTo(o.student.email)
    expect(mails.map((m) => m.kind)).toEqual([
      'certificate-printed',
      'certificate-enclosed',
      'certificate-shipped',
    ])
    expect(mails[1]!.subject).toContain('証明書を封入しました')
    expect(mails[2]!.subject).toContain('証明書を発送しました')
    expect(mails[2]!.body).toContain('EA123456789JP')

    // 申請詳細 tells the whole story.
    const detail = mainText((await staff.get(`/staff/applications/${o.id}`)).html)
    expect(detail).toContain('発送済み')
    expect(detail).toContain('EA123456789JP')
    expect(detail).toContain('証明書の発送のお知らせ')
    expect(detail).toContain('発送済み')
  })

  it('asks no 厳封 confirmation of an order not sealed', async () => {
    const o = await insertOrder({ postStatus: 'printed' })
    expect((await step(staff, o.id, 'enclose')).res.status).toBe(303)
    expect((await orderRow(o.id))!.post_status).toBe('enclosed')
  })

  it('keeps every step in the queue under its name, with counts', async () => {
    const o = await insertOrder({ postStatus: 'enclosed' })
    const { html } = await staff.get('/staff/certificates?step=enclosed')
    expect(mainText(html)).toMatch(/発送待ち（\d+件）/)
    expect(html).toContain(`id="order-${o.id}"`)
    expect(html).toContain(`id="tracking-${o.id}"`)
    expect((await staff.get('/staff/certificates?step=to_print')).html).not.toContain(
      `id="order-${o.id}"`,
    )
  })
})

// ---- Who may see and do what -------------------------------------------------------------------

describe('証明書: another university, the call centre', () => {
  it('another university’s staff see nothing of the order and can do nothing to it', async () => {
    const o = await insertOrder({ sealed: false })
    const { client: other } = await staffClient('staff', 'second')
    expect((await other.get('/staff/certificates?step=to_print')).html).not.toContain(
      `order-${o.id}`,
    )
    expect((await step(other, o.id, 'print')).res.status).toBe(404)
    expect((await other.get(`/staff/certificates/${o.certificates[0]!.id}/pdf`)).res.status).toBe(
      404,
    )
    expect(
      (await other.get(`/staff/certificates/${o.certificates[0]!.id}/revoke`)).res.status,
    ).toBe(404)
    const revoke = await other.post(`/staff/certificates/${o.certificates[0]!.id}/revoke`, {
      reason: '誤発行',
    })
    expect(revoke.res.status).toBe(404)
    expect((await other.get(`/staff/applications/${o.id}`)).res.status).toBe(404)
    expect((await orderRow(o.id))!.post_status).toBe('to_print')
    expect(await auditRows('certificate.print', o.id)).toHaveLength(0)
    const cert = await env.DB.prepare('SELECT revoked_at FROM certificates WHERE id = ?')
      .bind(o.certificates[0]!.id)
      .first<{ revoked_at: number | null }>()
    expect(cert!.revoked_at).toBeNull()
  })

  it('the call centre sees the queue but neither prints, opens a PDF nor revokes', async () => {
    const o = await insertOrder()
    const { client: cc } = await staffClient('callcentre')
    expect((await cc.get('/staff/certificates')).html).toContain(`order-${o.id}`)
    expect((await step(cc, o.id, 'print')).res.status).toBe(403)
    expect((await cc.get(`/staff/certificates/${o.certificates[0]!.id}/pdf`)).res.status).toBe(403)
    expect(
      (await cc.post(`/staff/certificates/${o.certificates[0]!.id}/revoke`, { reason: 'x' })).res
        .status,
    ).toBe(403)
    expect((await orderRow(o.id))!.post_status).toBe('to_print')
  })
})

// ---- 失効, 再発行 ----------------------------------------------------------------------------------

describe('証明書: 失効', () => {
  it('revokes a certificate once, with a reason, audited, and 申請詳細 says so', async () => {
    const o = await insertOrder({ delivery: 'pdf' })
    const { client: staff, member } = await staffClient('staff', 'demo')
    const target = o.certificates[1]!
    const path = `/staff/certificates/${target.id}/revoke`
    const confirm = await staff.get(path)
    expect(mainText(confirm.html)).toContain(`発行番号 ${target.issueNumber}`)

    const noReason = await staff.post(path, { reason: ' ' })
    expect(noReason.res.status).toBe(422)
    expect(mainText(noReason.html)).toContain('理由を入力してください。')

    const done = await staff.post(path, { reason: '記載誤りのため' })
    expect(done.res.status).toBe(303)
    const row = await env.DB.prepare(
      'SELECT revoked_at, revoked_by, revoke_reason FROM certificates WHERE id = ?',
    )
      .bind(target.id)
      .first<{ revoked_at: number | null; revoked_by: number; revoke_reason: string }>()
    expect(row!.revoked_at).not.toBeNull()
    expect(row).toMatchObject({ revoked_by: member.id, revoke_reason: '記載誤りのため' })

    const twice = await staff.post(path, { reason: 'もう一度' })
    expect(twice.res.status).toBe(409)
    expect(mainText(twice.html)).toContain('この証明書はすでに失効しています。')
    const audits = await auditRows('certificate.revoke', o.id)
    expect(audits).toHaveLength(1)
    expect(audits[0]).toMatchObject({
      staff_id: member.id,
      university_id: 'demo',
      target_type: 'certificate',
      target_id: String(target.id),
      reason: '記載誤りのため',
    })

    const detail = await staff.get(done.res.headers.get('location')!)
    const text = mainText(detail.html)
    expect(text).toContain(`発行番号 ${target.issueNumber} を失効させました。`)
    expect(text).toContain('失効')
    expect(text).toContain('記載誤りのため')
    // The others stay valid.
    expect(text).toContain('有効')
  })

  it('refuses 再発行 the registrar does not accept (a student it does not know), changing nothing', async () => {
    const o = await insertOrder({ delivery: 'pdf' })
    const { client: staff } = await staffClient('staff', 'demo')
    const { res, html } = await staff.post(`/staff/certificates/${o.certificates[0]!.id}/reissue`, {
      reason: '紛失',
    })
    expect(res.status).toBe(409)
    expect(mainText(html)).toContain('学務システムが再発行を受け付けませんでした')
    expect(await auditRows('certificate.reissue', o.id)).toHaveLength(0)
    const n = await env.DB.prepare(
      'SELECT COUNT(*) AS n FROM certificates WHERE application_id = ?',
    )
      .bind(o.id)
      .first<{ n: number }>()
    expect(n!.n).toBe(3)
  })
})

// ---- 検索 and 申請詳細 --------------------------------------------------------------------------

describe('証明書: 検索 and 申請詳細', () => {
  it('finds a certificate order by its number and names what was ordered', async () => {
    const o = await insertOrder({ delivery: 'pdf' })
    const { client: staff } = await staffClient('staff', 'demo')
    const found = mainText((await staff.get(`/staff/search?id=${o.id}`)).html)
    expect(found).toContain('成績証明書（英文） × 2、在学証明書（和文） × 1')
    expect(found).toContain('発行済み')
    expect(found).not.toContain('M.I.C.チャージ')

    const { html } = await staff.get(`/staff/applications/${o.id}`)
    const text = mainText(html)
    expect(text).toContain('証明書の内訳と受け取り方法')
    expect(text).toContain('電子（PDF）')
    expect(text).toContain('合計 ¥900')
    expect(text).toContain('証明書を発行済みのため、行えません')
    expect(text).not.toContain('M.I.C.へのチャージ')
    for (const c of o.certificates) {
      expect(text).toContain(c.issueNumber)
      expect(text).toContain(c.code.match(/.{4}/g)!.join('-'))
      expect(html).toContain(`href="/staff/certificates/${c.id}/pdf"`)
    }
    // The タイムライン tells each certificate's issue.
    expect(text).toContain(`を発行 発行番号 ${o.certificates[0]!.issueNumber}`)
  })

  it('offers no 再チャージ on a certificate order', async () => {
    const o = await insertOrder({ delivery: 'pdf' })
    const { client: staff } = await staffClient('staff', 'demo')
    const { res, html } = await staff.post(`/staff/applications/${o.id}/actions/recredit`, {
      reason: 'test',
    })
    expect(res.status).toBe(409)
    expect(mainText(html)).toContain('証明書の申請には使えません')
  })
})

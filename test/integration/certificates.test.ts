import { env } from 'cloudflare:workers'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  application,
  atNoon,
  creditStatusBecomes,
  eventually,
  gateway,
  notify,
  payOnGateway,
  ready,
  refundAtGateway,
  runCron,
  serviceClockNow,
  setClock,
  signedWebhook,
  twinPaymentOf,
  webhookEvent,
} from '../charge'
import { Client, lastMailId, latestMail, mainText, urlIn } from '../client'
import { staffClient } from '../staff'
import { registrar } from '../twins'

/**
 * 各種証明書のオンライン申請, end to end through the service's pages, the registrar twin and
 * the KOMOJU twin: eligibility decided before any payment, one certificate per paid copy
 * however many webhooks come, the registrar's maintenance waited out, its refusal after
 * payment refunded, the recipient's link and /verify. Students cert01 … cert40 belong to
 * this file; each test gives the registrar its own student's record.
 */

const user = (n: number) => `cert${String(n).padStart(2, '0')}`

/** A full record, as a registrar's office keeps it: 髙 and 﨑 in the name. */
const record = (overrides: Record<string, unknown> = {}) => ({
  student_number: '23E1234',
  status: 'enrolled',
  name: { kanji: '髙橋 﨑子', kana: 'タカハシ サキコ', roman: 'TAKAHASHI Sakiko' },
  date_of_birth: '2004-05-06',
  faculty: { ja: '経済学部', en: 'Faculty of Economics' },
  department: { ja: '経済学科', en: 'Department of Economics' },
  enrolled_on: '2023-04-01',
  graduation: { on: '2027-03-20', expected: true },
  degree: null,
  leave: null,
  grades: [
    {
      code: 'ECO101',
      course: { ja: 'ミクロ経済学入門', en: 'Introduction to Microeconomics' },
      year: 2023,
      term: 'spring',
      credits: 2,
      grade: 'S',
    },
    {
      code: 'ECO201',
      course: { ja: '計量経済学', en: 'Econometrics' },
      year: 2024,
      term: 'fall',
      credits: 4,
      grade: 'B',
    },
  ],
  health: {
    checked_on: '2026-04-10',
    height_cm: 158.2,
    weight_kg: 50.1,
    vision: { right: '1.2', left: '1.0', corrected: false },
    chest_xray: { ja: '異常なし', en: 'No abnormality' },
    overall: { ja: '異常なし', en: 'Normal' },
  },
  holds: [],
  ...overrides,
})

const enrol = (n: number, overrides: Record<string, unknown> = {}) =>
  registrar.change('demo', user(n), record(overrides))

const rows = <T>(sql: string, ...binds: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...binds)
    .all<T>()
    .then((r) => r.results)

const certificatesOf = (id: number) =>
  rows<{
    id: number
    copy: number
    type: string
    verification_code: string
    object_key: string
    sha256: string
    valid_until: number
    revoked_at: number | null
  }>('SELECT * FROM certificates WHERE application_id = ? ORDER BY id', id)

const applicationCount = async (userId: string) =>
  (await env.DB.prepare(
    'SELECT count(*) AS n FROM applications a JOIN students s ON s.id = a.student_id WHERE s.user_id = ?',
  )
    .bind(userId)
    .first<{ n: number }>())!.n

/** The order form's fields: copies per type and language, then delivery and payment. */
const orderFields = (
  copies: Record<string, number>,
  more: Record<string, string> = {},
): Record<string, string> => ({
  ...Object.fromEntries(Object.entries(copies).map(([k, v]) => [`copies_${k}`, String(v)])),
  delivery: 'pdf',
  method: 'credit_card',
  ...more,
})

/** 申請内容確認, then 申請: the application's number (or the refusing page). */
const order = async (client: Client, fields: Record<string, string>) => {
  const confirm = await client.post('/certificates/confirm', fields)
  const key = confirm.html.match(/name="request_key" value="([^"]+)"/)?.[1]
  if (!key) return { id: null, confirm, applied: null }
  const applied = await client.post('/certificates/apply', { ...fields, request_key: key })
  const id = Number(applied.res.headers.get('location')?.match(/\/applications\/(\d+)\/pay/)?.[1])
  return { id: id || null, confirm, applied }
}

beforeAll(async () => {
  await atNoon()
})

beforeEach(async () => {
  await registrar.setMaintenance({ daily: null, windows: [] })
  await registrar.setFault({ mode: 'none' })
})

describe('the catalogue and eligibility, before any payment', () => {
  it('offers what the student may order, with fees, languages and who may order', async () => {
    await enrol(1)
    const client = await ready(user(1))
    const { res, html } = await client.get('/certificates')
    expect(res.status).toBe(200)
    const text = mainText(html)
    for (const name of [
      '在学証明書',
      '成績証明書',
      '卒業見込証明書',
      '卒業証明書',
      '健康診断証明書',
      '学割証',
    ])
      expect(text).toContain(name)
    expect(text).toContain('1部 300円')
    expect(text).toContain('年度内10部まで')
    // 在学: a 在学証明書 can be ordered in both languages; a 卒業証明書 cannot at all.
    expect(html).toContain('name="copies_enrolment_ja"')
    expect(html).toContain('name="copies_enrolment_en"')
    expect(html).not.toContain('name="copies_graduation_ja"')
    expect(html).not.toContain('name="copies_student_discount_en"')
  })

  it('shows each certificate as it will be issued, from the registrar, with the total', async () => {
    await enrol(2)
    const client = await ready(user(2))
    const { res, html } = await client.post(
      '/certificates/confirm',
      orderFields(
        { enrolment_ja: 2, transcript_en: 1 },
        {
          delivery: 'post',
          country: 'JP',
          post_name: '髙橋 﨑子',
          postal_code: '663-8558',
          address: '兵庫県西宮市池開町6-46',
          post_phone: '090-1234-5678',
          sealed: 'on',
        },
      ),
    )
    expect(res.status).toBe(200)
    const text = mainText(html)
    expect(text).toContain('見本')
    expect(text).toContain('髙橋 﨑子')
    expect(text).toContain('TAKAHASHI Sakiko')
    expect(text).toContain('Introduction to Microeconomics')
    // 300 × 2 + 300 × 1 + 郵送料 140.
    expect(text).toContain('郵送料')
    expect(text).toContain('1,040円')
    expect(text).toContain('厳封')
    expect(text).toContain('デモ大学 学務課 証明書係')
  })

  it('refuses a student with a hold before payment, and creates nothing', async () => {
    await enrol(3, {
      holds: [
        {
          code: 'unpaid_fees',
          description: { ja: '学費未納', en: 'Unpaid fees' },
          since: '2026-10-01',
        },
      ],
    })
    const client = await ready(user(3))
    const { res, html } = await client.post(
      '/certificates/confirm',
      orderFields({ transcript_ja: 1 }),
    )
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain('学費未納のため、現在は証明書を発行できません')
    expect(html).not.toContain('name="request_key"')
    expect(await applicationCount(user(3))).toBe(0)
  })

  it('refuses a type the student’s status does not allow, even when posted by hand', async () => {
    await enrol(4, {
      status: 'graduated',
      graduation: { on: '2026-03-20', expected: false },
      degree: { ja: '学士（経済学）', en: 'Bachelor of Economics' },
    })
    const client = await ready(user(4))
    const refused = await client.post('/certificates/confirm', orderFields({ enrolment_ja: 1 }))
    expect(refused.res.status).toBe(422)
    expect(mainText(refused.html)).toContain('在学証明書は、学籍状況が「卒業」の方は申請できません')
    const allowed = await client.post('/certificates/confirm', orderFields({ graduation_en: 1 }))
    expect(allowed.res.status).toBe(200)
    expect(mainText(allowed.html)).toContain('Bachelor of Economics')
  })

  it('says the registrar could not be reached, even when it answers again a moment later', async () => {
    await enrol(8)
    const client = await ready(user(8))
    await registrar.setFault({ mode: 'fail', remaining: 1, student: `demo:${user(8)}` })
    const { res, html } = await client.post(
      '/certificates/confirm',
      orderFields({ enrolment_ja: 1 }),
    )
    expect(res.status).toBe(503)
    expect(mainText(html)).toContain('学務システムに接続できないため')
    expect(await applicationCount(user(8))).toBe(0)
  })

  it('says why a 申請 from a form that did not come from 申請内容確認 is refused', async () => {
    await enrol(9)
    const client = await ready(user(9))
    const { res, html } = await client.post('/certificates/apply', {
      ...orderFields({ enrolment_ja: 1 }),
      request_key: 'x',
    })
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain('この申請は受け付けられませんでした')
    expect(await applicationCount(user(9))).toBe(0)
  })

  it('refuses what the registrar holds no data for (a health certificate without a check)', async () => {
    await enrol(5, { health: null })
    const client = await ready(user(5))
    const { res, html } = await client.post('/certificates/confirm', orderFields({ health_ja: 1 }))
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain('健康診断証明書に必要な情報が学務システムにないため')
  })

  it('keeps the yearly limit of 学割証 across orders', async () => {
    await enrol(6)
    const client = await ready(user(6))
    const post = {
      delivery: 'post',
      country: 'JP',
      post_name: '髙橋 﨑子',
      postal_code: '6638558',
      address: '兵庫県西宮市',
      post_phone: '09012345678',
    }
    const first = await order(client, orderFields({ student_discount_ja: 8 }, post))
    expect(first.id).toBeGreaterThan(0)
    const second = await client.post(
      '/certificates/confirm',
      orderFields({ student_discount_ja: 3 }, post),
    )
    expect(second.res.status).toBe(422)
    expect(mainText(second.html)).toContain('学割証は年度内10部まで')
    expect(mainText(second.html)).toContain('あと2部')
  })

  it('names every bad field: no copies, too many, a mismatched recipient address, a bad postal code', async () => {
    await enrol(7)
    const client = await ready(user(7))
    const none = await client.post('/certificates/confirm', orderFields({}))
    expect(none.res.status).toBe(422)
    expect(mainText(none.html)).toContain('申請する証明書の部数を入力してください')
    const many = await client.post(
      '/certificates/confirm',
      orderFields({ enrolment_ja: 15, transcript_ja: 6 }),
    )
    expect(mainText(many.html)).toContain('合計20部まで')
    const mismatch = await client.post(
      '/certificates/confirm',
      orderFields(
        { enrolment_ja: 1 },
        {
          recipient_name: '人事 太郎',
          recipient_organisation: '株式会社テスト',
          recipient_email: 'hr@example.com',
          recipient_email_confirm: 'hr@example.co',
        },
      ),
    )
    expect(mainText(mismatch.html)).toContain('提出先のメールアドレスが一致しません')
    const postal = await client.post(
      '/certificates/confirm',
      orderFields(
        { enrolment_ja: 1 },
        {
          delivery: 'post',
          country: 'JP',
          post_name: 'A',
          postal_code: '12',
          address: 'x',
          post_phone: '0901234567',
        },
      ),
    )
    expect(mainText(postal.html)).toContain('郵便番号は7桁の数字で入力してください')
    expect(await applicationCount(user(7))).toBe(0)
  })
})

describe('issuing after payment', () => {
  it('issues one signed PDF per copy after a card payment, downloadable with its 照合番号', async () => {
    await enrol(10)
    const client = await ready(user(10))
    const { id } = await order(client, orderFields({ enrolment_ja: 2, transcript_en: 1 }))
    expect(id).toBeGreaterThan(0)
    await payOnGateway(client, id!)
    await creditStatusBecomes(id!, 'credited')
    const issued = await certificatesOf(id!)
    expect(issued.map((c) => c.type).sort()).toEqual(['enrolment', 'enrolment', 'transcript'])
    for (const c of issued) {
      const object = await env.CERTIFICATES.get(c.object_key)
      const bytes = new Uint8Array(await object!.arrayBuffer())
      expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-')
      const hex = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('')
      expect(hex).toBe(c.sha256)
    }
    const detail = await client.get(`/applications/${id}`)
    expect(mainText(detail.html)).toContain('証明書を発行しました')
    const code = issued[0]!.verification_code
    expect(mainText(detail.html)).toContain(code.match(/.{4}/g)!.join('-'))
    const download = await client.request(`/applications/${id}/certificates/${issued[0]!.id}`)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('application/pdf')
    // Someone else's session cannot download it.
    await enrol(11)
    const other = await ready(user(11))
    expect((await other.request(`/applications/${id}/certificates/${issued[0]!.id}`)).status).toBe(
      404,
    )
    // Having left (退学) since, the student keeps what they paid for, and may order no more.
    const setStatus = (status: string, leftOn: string | null) =>
      env.DB.prepare(
        "UPDATE directory_people SET status = ?, left_on = ? WHERE university_id = 'demo' AND user_id = ?",
      )
        .bind(status, leftOn, user(10))
        .run()
    await setStatus('withdrawn', '2026-09-30')
    expect((await client.request(`/applications/${id}/certificates/${issued[0]!.id}`)).status).toBe(
      200,
    )
    expect((await client.request('/certificates')).headers.get('location')).toBe(
      '/applications?closed=1',
    )
    await setStatus('enrolled', null)
    // The student's mail says they are ready.
    const mail = await latestMail(`${user(10)}@example.ac.jp`)
    expect(mail?.subject).toContain('証明書を発行しました')
  })

  it('issues exactly one certificate per paid copy however many webhooks and crons come', async () => {
    await enrol(12)
    const client = await ready(user(12))
    const { id } = await order(client, orderFields({ health_en: 2 }))
    await payOnGateway(client, id!)
    const paymentId = (await application(id!))!.provider_payment_id!
    const event = webhookEvent('payment.captured', paymentId)
    await Promise.all([
      notify(await signedWebhook(event)),
      notify(await signedWebhook(event)),
      notify(await signedWebhook(webhookEvent('payment.captured', paymentId))),
      runCron(),
    ])
    await creditStatusBecomes(id!, 'credited')
    await runCron()
    await new Promise((r) => setTimeout(r, 500))
    expect(await certificatesOf(id!)).toHaveLength(2)
    const ledger = await registrar.issuances(`?university=demo&user=${user(12)}`)
    expect(ledger.issuances).toHaveLength(1)
  })

  it('waits out the registrar’s maintenance after payment and issues afterwards', async () => {
    await enrol(13)
    const client = await ready(user(13))
    const { id } = await order(client, orderFields({ enrolment_en: 1 }))
    const now = await serviceClockNow()
    await registrar.setMaintenance({
      daily: null,
      windows: [{ start: now - 60_000, end: now + 30 * 60_000 }],
    })
    await payOnGateway(client, id!)
    const waiting = await creditStatusBecomes(id!, 'deferred')
    expect(waiting.next_credit_at).toBeGreaterThanOrEqual(now + 30 * 60_000 - 1000)
    expect(mainText((await client.get(`/applications/${id}`)).html)).toContain(
      '学務システムのメンテナンス中',
    )
    await registrar.setMaintenance({ daily: null, windows: [] })
    await setClock(now + 31 * 60_000)
    await runCron()
    await creditStatusBecomes(id!, 'credited')
    expect(await certificatesOf(id!)).toHaveLength(1)
    await atNoon()
  })

  it('refunds by itself when the registrar refuses after payment, and tells the student', async () => {
    await enrol(14)
    const client = await ready(user(14))
    const { id } = await order(client, orderFields({ transcript_ja: 1 }))
    // The office puts a hold on the record between 申請 and payment.
    await registrar.addHold('demo', user(14))
    const since = await lastMailId()
    await payOnGateway(client, id!)
    const a = await eventually(
      () => application(id!),
      (a) => a?.status === 'refunded',
    )
    expect(a?.status).toBe('refunded')
    expect(await certificatesOf(id!)).toHaveLength(0)
    const mail = await eventually(
      () => latestMail(`${user(14)}@example.ac.jp`, since),
      (m) => m?.subject.includes('発行できませんでした') ?? false,
    )
    expect(mail?.body).toContain('返金しました')
    const payment = (await gateway().payments()).find((p) => p.id === a!.provider_payment_id)
    expect(payment?.status).toBe('refunded')
  })

  it('revokes what one line issued when the registrar refuses the next, and refunds', async () => {
    await enrol(17)
    const client = await ready(user(17))
    const { id } = await order(client, orderFields({ transcript_ja: 1, health_ja: 1 }))
    // The health record is withdrawn after 申請: the transcript issues, the health certificate cannot.
    await registrar.change('demo', user(17), { health: null })
    await payOnGateway(client, id!)
    const a = await eventually(
      () => application(id!),
      (a) => a?.status === 'refunded',
    )
    expect(a?.status).toBe('refunded')
    const issued = await certificatesOf(id!)
    expect(issued.map((c) => c.type)).toEqual(['transcript'])
    expect(issued[0]!.revoked_at).not.toBeNull()
    expect(
      mainText((await new Client().get(`/verify?code=${issued[0]!.verification_code}`)).html),
    ).toContain('失効')
  })

  it('revokes what was issued when the payment goes back before the rest is', async () => {
    await enrol(18)
    const client = await ready(user(18))
    const { id } = await order(client, orderFields({ transcript_ja: 1, health_ja: 1 }))
    await payOnGateway(client, id!)
    await creditStatusBecomes(id!, 'credited')
    // As if the second line's issue were still being retried when KOMOJU gave the money back.
    await env.DB.prepare(
      "UPDATE applications SET credit_status = 'retrying', next_credit_at = NULL WHERE id = ?",
    )
      .bind(id)
      .run()
    await env.DB.prepare("DELETE FROM certificates WHERE application_id = ? AND type = 'health'")
      .bind(id)
      .run()
    expect(await refundAtGateway((await application(id!))!.provider_payment_id!)).toBe(200)
    await eventually(
      () => application(id!),
      (a) => a?.status === 'refunded',
    )
    const [transcript] = await certificatesOf(id!)
    expect(transcript!.type).toBe('transcript')
    expect(transcript!.revoked_at).not.toBeNull()
  })

  it('revokes the certificates when the whole payment goes back after the issue', async () => {
    await enrol(16)
    const client = await ready(user(16))
    const { id } = await order(client, orderFields({ enrolment_ja: 1 }))
    await payOnGateway(client, id!)
    await creditStatusBecomes(id!, 'credited')
    const paymentId = (await application(id!))!.provider_payment_id!
    expect(await refundAtGateway(paymentId)).toBe(200)
    await creditStatusBecomes(id!, 'reversed')
    const [c] = await eventually(
      () => certificatesOf(id!),
      (cs) => cs[0]?.revoked_at !== null,
    )
    expect(c!.revoked_at).not.toBeNull()
    const verify = await new Client().get(`/verify?code=${c!.verification_code}`)
    expect(mainText(verify.html)).toContain('失効')
    // No longer downloadable either.
    expect((await client.request(`/applications/${id}/certificates/${c!.id}`)).status).toBe(404)
  })

  it('issues after a konbini payment made at the store', async () => {
    await enrol(15)
    const client = await ready(user(15))
    const { id } = await order(client, orderFields({ enrolment_ja: 1 }, { method: 'cvs_lawson' }))
    expect((await application(id!))!.payment_number).toBeTruthy()
    await gateway().payAtStore((await twinPaymentOf(id!)).id)
    await creditStatusBecomes(id!, 'credited')
    expect(await certificatesOf(id!)).toHaveLength(1)
  })
})

describe('再発行 from the console', () => {
  it('issues a new certificate from the registrar’s data now and revokes the old one, audited', async () => {
    await enrol(25)
    const client = await ready(user(25))
    const { id } = await order(client, orderFields({ enrolment_ja: 1 }))
    await payOnGateway(client, id!)
    await creditStatusBecomes(id!, 'credited')
    const [old] = await certificatesOf(id!)
    // The office corrects the name; the certificate is issued again with it.
    await registrar.change('demo', user(25), {
      name: { kanji: '髙橋 﨑', kana: 'タカハシ サキ', roman: 'TAKAHASHI Saki' },
    })
    const { client: staff } = await staffClient('staff', 'demo')
    const done = await staff.post(`/staff/certificates/${old!.id}/reissue`, {
      reason: '氏名の訂正',
    })
    expect(done.res.status).toBe(303)
    const all = await certificatesOf(id!)
    expect(all).toHaveLength(2)
    const fresh = all.find((c) => c.id !== old!.id)!
    expect(fresh.verification_code).not.toBe(old!.verification_code)
    expect(all.find((c) => c.id === old!.id)!.revoked_at).not.toBeNull()
    expect(
      mainText((await new Client().get(`/verify?code=${old!.verification_code}`)).html),
    ).toContain('失効')
    const now = await new Client().get(`/verify?code=${fresh.verification_code}`)
    expect(mainText(now.html)).toContain('有効')
    expect(mainText(now.html)).toContain('髙橋 﨑')
    const audit = await rows<{ reason: string }>(
      "SELECT reason FROM audit_log WHERE action = 'certificate.reissue' AND application_id = ?",
      id,
    )
    expect(audit.map((a) => a.reason)).toEqual(['氏名の訂正'])
    // The student downloads the new one only.
    expect((await client.request(`/applications/${id}/certificates/${fresh.id}`)).status).toBe(200)
    expect((await client.request(`/applications/${id}/certificates/${old!.id}`)).status).toBe(404)
  })
})

describe('the recipient’s link and /verify', () => {
  it('mails the recipient a link that needs no account, until the certificates expire', async () => {
    await enrol(20)
    const client = await ready(user(20))
    const { id } = await order(
      client,
      orderFields(
        { enrolment_en: 1 },
        {
          recipient_name: 'Jane Doe',
          recipient_organisation: 'Example Corp.',
          recipient_email: 'hr@example.com',
          recipient_email_confirm: 'hr@example.com',
        },
      ),
    )
    await payOnGateway(client, id!)
    await creditStatusBecomes(id!, 'credited')
    const mail = await eventually(
      () => latestMail('hr@example.com'),
      (m) => m !== null && m !== undefined,
    )
    const link = new URL(urlIn(mail!.body))
    const page = await new Client().get(link.pathname)
    expect(page.res.status).toBe(200)
    expect(mainText(page.html)).toContain('Example Corp.')
    const [cert] = await certificatesOf(id!)
    const pdf = await new Client().request(`${link.pathname}/${cert!.id}`)
    expect(pdf.status).toBe(200)
    await setClock(cert!.valid_until + 60_000)
    expect((await new Client().get(link.pathname)).res.status).toBe(404)
    expect((await new Client().request(`${link.pathname}/${cert!.id}`)).status).toBe(404)
    await atNoon()
  })

  it('says 有効, 失効 and 期限切れ, finds nothing for an unknown code, and names a malformed one', async () => {
    await enrol(21)
    const client = await ready(user(21))
    const { id } = await order(client, orderFields({ enrolment_ja: 2 }))
    await payOnGateway(client, id!)
    await creditStatusBecomes(id!, 'credited')
    const [a, b] = await certificatesOf(id!)
    const verify = (code: string) => new Client().get(`/verify?code=${encodeURIComponent(code)}`)
    const valid = await verify(a!.verification_code.match(/.{4}/g)!.join('-').toLowerCase())
    expect(valid.res.status).toBe(200)
    expect(mainText(valid.html)).toContain('有効')
    expect(mainText(valid.html)).toContain('髙橋 﨑子')
    expect(valid.html).toContain(`data-sha256="${a!.sha256}"`)
    await env.DB.prepare('UPDATE certificates SET revoked_at = ?, revoke_reason = ? WHERE id = ?')
      .bind(await serviceClockNow(), 'test', b!.id)
      .run()
    expect(mainText((await verify(b!.verification_code)).html)).toContain('失効')
    await setClock(a!.valid_until + 60_000)
    expect(mainText((await verify(a!.verification_code)).html)).toContain('期限切れ')
    await atNoon()
    const unknown = await verify('ABCD-EFGH-JKMN-PQRS')
    expect(unknown.res.status).toBe(404)
    expect(mainText(unknown.html)).toContain('見つかりません')
    const malformed = await verify('12')
    expect(malformed.res.status).toBe(422)
    expect(mainText(malformed.html)).toContain('16文字の英数字')
  })

  it('verifies only the university’s own certificates', async () => {
    await enrol(22)
    const client = await ready(user(22))
    const { id } = await order(client, orderFields({ enrolment_ja: 1 }))
    await payOnGateway(client, id!)
    await creditStatusBecomes(id!, 'credited')
    const [c] = await certificatesOf(id!)
    const elsewhere = new Client('https://second.example')
    expect((await elsewhere.get(`/verify?code=${c!.verification_code}`)).res.status).toBe(404)
  })
})

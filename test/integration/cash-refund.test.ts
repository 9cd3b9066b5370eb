import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  application,
  applyCharge,
  atNoon,
  creditsOf,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  ready,
  runCron,
  setClock,
  twinPaymentOf,
} from '../charge'
import { Client, lastMailId, latestMail, mainText } from '../client'
import { staffClient } from '../staff'
import { FAULT_NONE, KOMOJU } from '../twins'

/**
 * Issue 17, item 5: a コンビニ / Pay-easy payment cannot be refunded through KOMOJU's refund
 * call; it goes back through a refund request carrying the student's bank account, which
 * KOMOJU carries out later (or rejects). The account is sent to KOMOJU and kept nowhere.
 */
const user = (n: number) => `test${String(284 + n).padStart(4, '0')}`
const card = (userId: string) => `demo:${userId}`
const CAP = 20_000
const AUTH = { authorization: `Basic ${btoa(`${env.KOMOJU_SECRET_KEY}:`)}` }

beforeEach(async () => {
  await atNoon()
  await gateway().settings({
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
    paused: false,
  })
  await mic().setFault(FAULT_NONE)
})

/** What the student types: full-width where a Japanese keyboard gives full-width. */
const ACCOUNT = {
  bank_code: '０００５',
  bank_name: 'テスト銀行ミドリ',
  branch_code: '１２３',
  branch_name: 'カエデ支店',
  account_type: 'normal',
  account_number: '42917',
  account_holder: 'ヤマダ　ハナコ',
}
/** What may not be found anywhere of ours afterwards. */
const SECRETS = [/テスト銀行ミドリ/, /カエデ支店/, /ﾔﾏﾀﾞ/, /ヤマダ/, /(^|\D)0042917(\D|$)/]

/** A コンビニ payment held over the cap: ¥18,000 in cash on campus, then ¥3,000 paid at the store. */
const heldStorePayment = async (userId: string, amount = 3000) => {
  const client = await ready(userId)
  const { id } = await applyCharge(client, amount, 'cvs_lawson')
  expect((await mic().cash(card(userId), 18_000)).status).toBe(200)
  const payment = await twinPaymentOf(id)
  expect((await gateway().payAtStore(payment.id)).status).toBe(200)
  await creditStatusBecomes(id, 'held')
  return { client, id, paymentId: payment.id }
}

const chargeable = async (client: Client) => {
  const text = mainText((await client.get('/charge')).html)
  const m = text.match(/チャージできる金額 ([\d,]+)円/)
  return m ? Number(m[1]!.replace(/,/g, '')) : null
}

interface TwinRefundRequest {
  id: string
  status: string
  customer_name: string
  bank_code: string | null
  branch_number: string
  account_number: string
}
const twinRequests = async (paymentId: string) => {
  const res = await fetch(`${KOMOJU}/api/v1/payments/${paymentId}`, { headers: AUTH })
  return ((await res.json()) as { refund_requests: TwinRefundRequest[] }).refund_requests
}
const decide = (paymentId: string, requestId: string, decision: 'complete' | 'reject') =>
  fetch(`${KOMOJU}/_twin/payments/${paymentId}/refund_requests/${requestId}/${decision}`, {
    method: 'POST',
  })
const api = (path: string, body: unknown, key?: string) =>
  fetch(`${KOMOJU}/api/v1${path}`, {
    method: 'POST',
    headers: {
      ...AUTH,
      'content-type': 'application/json',
      ...(key ? { 'x-komoju-idempotency': key } : {}),
    },
    body: JSON.stringify(body),
  })

const cashRefundRows = (id: number) =>
  env.DB.prepare('SELECT * FROM cash_refunds WHERE application_id = ? ORDER BY id')
    .bind(id)
    .all<{ previous_credit_status: string; outcome: string | null; decided_at: number | null }>()
    .then((r) => r.results)

/** Every row of every D1 table and every KV value, as text, to look for the account in. */
const everythingStored = async () => {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
  ).all<{ name: string }>()
  const parts: string[] = []
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all()
    parts.push(JSON.stringify(rows.results))
  }
  for (const kv of [env.SESSIONS, env.TOKENS]) {
    for (const k of (await kv.list()).keys) parts.push(k.name, (await kv.get(k.name)) ?? '')
  }
  return parts.join('\n')
}

/**
 * Every console line written while it runs (the service, its desks and the queue consumer
 * run in this isolate), on top of what the console prints anyway.
 */
const captureLogs = () => {
  const lines: string[] = []
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const
  const original = methods.map((m) => console[m])
  methods.forEach((m, i) => {
    console[m] = (...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))
      original[i]!.apply(console, args)
    }
  })
  return {
    stop: () => {
      methods.forEach((m, i) => (console[m] = original[i]!))
      return lines.join('\n')
    },
  }
}

describe('the KOMOJU twin: refund requests', () => {
  it('refuses an instant refund of a store payment, checks a refund request’s bank account as KOMOJU does, and keeps it pending', async () => {
    const { paymentId } = await heldStorePayment(user(1))
    const instant = await api(`/payments/${paymentId}/refund`, {})
    expect(instant.status).toBe(422)
    expect(((await instant.json()) as { error: { code: string } }).error.code).toBe(
      'not_refundable',
    )
    const good = {
      amount: 3000,
      customer_name: 'ﾔﾏﾀﾞ ﾊﾅｺ',
      bank_name: 'ﾃｽﾄ',
      bank_code: '0005',
      branch_number: '123',
      account_type: 'normal',
      account_number: '0042917',
      include_payment_method_fee: false,
    }
    const bad: [Record<string, unknown>, string][] = [
      [{ ...good, customer_name: 'ヤマダ ハナコ' }, 'customer_name'], // full-width: refused
      [{ ...good, customer_name: 'yamada' }, 'customer_name'],
      [{ ...good, bank_code: '05' }, 'bank_code'],
      [{ ...good, branch_number: '1234' }, 'branch_number'],
      [{ ...good, account_number: '42917' }, 'account_number'],
      [{ ...good, account_type: 'futsu' }, 'account_type'],
      [{ ...good, amount: 3001 }, 'amount'],
    ]
    for (const [body, param] of bad) {
      const res = await api(`/payments/${paymentId}/refund_request`, body)
      expect(res.status, param).toBe(422)
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param)
    }
    const { bank_name: _, ...noBank } = good
    expect((await api(`/payments/${paymentId}/refund_request`, noBank)).status).toBe(422)
    expect(await twinRequests(paymentId)).toEqual([])

    const made = await api(`/payments/${paymentId}/refund_request`, good, 'k1')
    expect(made.status).toBe(200)
    const payment = (await made.json()) as { status: string; refund_requests: TwinRefundRequest[] }
    expect(payment.status).toBe('captured') // carried out later, by hand
    expect(payment.refund_requests).toHaveLength(1)
    expect(payment.refund_requests[0]).toMatchObject({ status: 'pending', payment: paymentId })
    // Nothing more than the payment can be asked back while one is pending.
    expect((await api(`/payments/${paymentId}/refund_request`, good, 'k2')).status).toBe(422)
    const rid = payment.refund_requests[0]!.id
    expect((await decide(paymentId, 'nosuchrequest', 'complete')).status).toBe(404)
    expect((await decide(paymentId, rid, 'complete')).status).toBe(200)
    expect((await twinRequests(paymentId))[0]!.status).toBe('completed')
    expect((await decide(paymentId, rid, 'reject')).status).toBe(422) // decided once
    const after = (await (
      await fetch(`${KOMOJU}/api/v1/payments/${paymentId}`, { headers: AUTH })
    ).json()) as { status: string; amount_refunded: number }
    expect(after).toMatchObject({ status: 'refunded', amount_refunded: 3000 })
  })
})

describe('a store payment’s refund through the student’s bank account', () => {
  it('goes konbini paid → held over the cap → bank account page → refunding → KOMOJU completes → payment.refunded → 返金済み, keeping the account nowhere', async () => {
    const userId = user(2)
    const { client, id, paymentId } = await heldStorePayment(userId)
    // 返金を申し込む leads to the bank account page, not to KOMOJU's refund call.
    const detail = await client.get(`/applications/${id}`)
    expect(detail.html).toContain(`/applications/${id}/refund-account`)
    const asked = await client.post(`/applications/${id}/refund`, {})
    expect(asked.res.status).toBe(303)
    expect(asked.res.headers.get('location')).toBe(`/applications/${id}/refund-account`)
    const page = await client.get(`/applications/${id}/refund-account`)
    expect(page.res.status).toBe(200)
    for (const label of [
      '銀行コード',
      '銀行名',
      '支店コード',
      '口座種別',
      '口座番号',
      '口座名義（カナ）',
    ])
      expect(mainText(page.html)).toContain(label)
    for (const kind of ['普通', '当座', '貯蓄']) expect(page.html).toContain(kind)

    const mailsBefore = await lastMailId()
    const logged = captureLogs()
    const sent = await client.post(`/applications/${id}/refund-account`, ACCOUNT)
    expect(sent.res.status).toBe(303)
    expect(sent.res.headers.get('location')).toBe(`/applications/${id}?refund=requested`)
    const a = await application(id)
    expect(a).toMatchObject({ status: 'paid', credit_status: 'refunding' })
    expect(await cashRefundRows(id)).toMatchObject([
      { previous_credit_status: 'held', outcome: null },
    ])
    // KOMOJU has it, in its own form: half-width kana, zero-padded account number.
    const [request] = await twinRequests(paymentId)
    expect(request).toMatchObject({
      status: 'pending',
      customer_name: 'ﾔﾏﾀﾞ ﾊﾅｺ',
      bank_code: '0005',
      branch_number: '123',
      account_number: '0042917',
    })
    // … and we have it nowhere: not in D1, not in KV, not in a mail.
    await latestMail(`${userId}@example.ac.jp`, mailsBefore, 300)
    const stored = await everythingStored()
    expect(stored).toContain(paymentId) // the search does see what we keep
    for (const secret of SECRETS) expect(stored).not.toMatch(secret)

    // The student sees why; staff see it on 申請詳細.
    const shown = mainText((await client.get(`/applications/${id}`)).html)
    expect(shown).toContain('指定の口座への返金を申請しました')
    expect(shown).not.toContain('返金を申し込む')
    const { client: staff } = await staffClient('staff')
    const console = mainText((await staff.get(`/staff/applications/${id}`)).html)
    expect(console).toContain('銀行振込による返金')
    expect(console).toContain('KOMOJUの処理待ち')
    expect(console).toContain('学生の口座への返金をKOMOJUに申請中のため、行えません。')

    // Nothing is credited while it is refunding, even once the card has room.
    expect((await mic().purchase(card(userId), 19_000)).status).toBe(200)
    await setClock(Date.now() + 3 * 3600_000)
    await runCron()
    expect((await application(id))!.credit_status).toBe('refunding')
    expect(await creditsOf(userId)).toEqual([])
    await atNoon()
    // The cap share is still held (¥0 on the card, ¥3,000 refunding): released only once
    // KOMOJU confirms.
    expect(await chargeable(client)).toBe(CAP - 3000)

    expect((await decide(paymentId, request!.id, 'complete')).status).toBe(200)
    await gateway().flush()
    const done = await eventually(
      () => application(id),
      (x) => x?.status === 'refunded',
    )
    expect(done!.status).toBe('refunded')
    expect(await cashRefundRows(id)).toMatchObject([{ outcome: 'completed' }])
    expect(await chargeable(client)).toBe(CAP)
    expect(mainText((await client.get(`/applications/${id}`)).html)).toContain('返金済み')
    expect(await creditsOf(userId)).toEqual([])
    // Nor in a log line, from the form to KOMOJU's answer and the webhook.
    const lines = logged.stop()
    for (const secret of SECRETS) expect(lines).not.toMatch(secret)
  })

  it('names each bad field on the same page and loses nothing typed', async () => {
    const userId = user(3)
    const { client, id, paymentId } = await heldStorePayment(userId)
    const bad = {
      bank_code: '12',
      bank_name: '',
      branch_code: '12a',
      branch_name: 'カエデ支店',
      account_type: 'futsu',
      account_number: '12345678',
      account_holder: 'Yamada 花子',
    }
    const { res, html } = await client.post(`/applications/${id}/refund-account`, bad)
    expect(res.status).toBe(422)
    const text = mainText(html)
    expect(text).toContain('銀行コードは4桁の数字で入力してください。')
    expect(text).toContain('銀行名を入力してください。')
    expect(text).toContain('支店コードは3桁の数字で入力してください。')
    expect(text).toContain('口座種別を選んでください。')
    expect(text).toContain('口座番号は7桁以内の数字で入力してください。')
    expect(text).toContain('口座名義（カナ）は全角カナ・英大文字・数字で入力してください')
    for (const field of [
      'bank_code',
      'bank_name',
      'branch_code',
      'account_type',
      'account_number',
      'account_holder',
    ])
      expect(html).toContain(`id="${field}-error"`)
    // Nothing typed is lost.
    expect(html).toContain('value="12"')
    expect(html).toContain('value="カエデ支店"')
    expect(html).toContain('value="12a"')
    expect(html).toContain('value="12345678"')
    expect(html).toContain('value="Yamada 花子"')
    expect(await application(id)).toMatchObject({ credit_status: 'held' })
    expect(await twinRequests(paymentId)).toEqual([])
    expect(await cashRefundRows(id)).toEqual([])
  })

  it('puts the application back as it was when KOMOJU rejects the request, tells the student and staff, and takes a new one', async () => {
    const userId = user(4)
    const { client, id, paymentId } = await heldStorePayment(userId)
    await client.post(`/applications/${id}/refund-account`, ACCOUNT)
    const [request] = await twinRequests(paymentId)
    const mailsBefore = await lastMailId()
    expect((await decide(paymentId, request!.id, 'reject')).status).toBe(200)
    await gateway().flush() // KOMOJU tells of the change (payment.updated); we ask it
    const back = await creditStatusBecomes(id, 'held')
    expect(back.status).toBe('paid')
    // A held credit so restored is picked up by the cron again.
    expect(back.next_credit_at).not.toBeNull()
    expect(await cashRefundRows(id)).toMatchObject([{ outcome: 'rejected' }])
    const shown = mainText((await client.get(`/applications/${id}`)).html)
    expect(shown).toContain('返金の申請は受け付けられませんでした')
    expect(shown).toContain('返金を申し込む')
    const mail = await latestMail(`${userId}@example.ac.jp`, mailsBefore)
    expect(mail?.kind).toBe('cash-refund-rejected')
    for (const secret of SECRETS) expect(mail!.body).not.toMatch(secret)
    const { client: staff } = await staffClient('staff')
    expect(mainText((await staff.get(`/staff/applications/${id}`)).html)).toContain('KOMOJUが却下')
    // The student gives the account again: a new request.
    const again = await client.post(`/applications/${id}/refund-account`, ACCOUNT)
    expect(again.res.status).toBe(303)
    expect((await application(id))!.credit_status).toBe('refunding')
    const requests = await twinRequests(paymentId)
    expect(requests.map((r) => r.status)).toEqual(['rejected', 'pending'])
  })

  it('learns of a rejection whose webhook was lost when the cron asks KOMOJU', async () => {
    const userId = user(5)
    const { client, id, paymentId } = await heldStorePayment(userId)
    await client.post(`/applications/${id}/refund-account`, ACCOUNT)
    const [request] = await twinRequests(paymentId)
    await gateway().settings({ paused: true })
    expect((await decide(paymentId, request!.id, 'reject')).status).toBe(200)
    expect((await application(id))!.credit_status).toBe('refunding')
    await runCron()
    expect((await application(id))!.credit_status).toBe('held')
    await gateway().settings({ paused: false })
  })

  it('offers staff’s approved refund of a store payment to the student by mail, with a link to the bank account page', async () => {
    const userId = user(6)
    const { client, id } = await heldStorePayment(userId)
    const { client: staffA } = await staffClient('staff')
    const { client: staffB } = await staffClient('staff')
    const ask = async (c: Client, action: string) => {
      expect((await c.get(`/staff/applications/${id}/actions/${action}`)).res.status).toBe(200)
      return c.post(`/staff/applications/${id}/actions/${action}`, { reason: '学生から依頼' })
    }
    expect((await ask(staffA, 'refund')).res.status).toBe(303)
    const mailsBefore = await lastMailId()
    expect((await ask(staffB, 'refund-approve')).res.status).toBe(303)
    const mail = await latestMail(`${userId}@example.ac.jp`, mailsBefore)
    expect(mail?.kind).toBe('cash-refund-account')
    expect(mail!.body).toContain(`/applications/${id}/refund-account`)
    // Nothing moves until the student gives the account.
    expect((await application(id))!.credit_status).toBe('held')
    const request = await env.DB.prepare(
      'SELECT result FROM refund_requests WHERE application_id = ?',
    )
      .bind(id)
      .first<{ result: string }>()
    expect(request!.result).toBe('bankAccountAsked')
    expect((await client.post(`/applications/${id}/refund-account`, ACCOUNT)).res.status).toBe(303)
    expect((await application(id))!.credit_status).toBe('refunding')
  })

  it('lets a developer carry out a waiting request from /_dev/payments', async () => {
    const userId = user(9)
    const { client, id, paymentId } = await heldStorePayment(userId)
    await client.post(`/applications/${id}/refund-account`, ACCOUNT)
    const [request] = await twinRequests(paymentId)
    const dev = new Client()
    const page = await dev.get('/_dev/payments')
    expect(page.html).toContain(`data-refund-request="${request!.id}"`)
    const { res } = await dev.post('/_dev/payments', {
      id: paymentId,
      request: request!.id,
      action: 'refund-complete',
    })
    expect(res.status).toBe(303)
    expect((await twinRequests(paymentId))[0]!.status).toBe('completed')
    await gateway().flush()
    const done = await eventually(
      () => application(id),
      (x) => x?.status === 'refunded',
    )
    expect(done!.status).toBe('refunded')
    expect((await dev.get('/_dev/payments')).html).not.toContain(
      `data-refund-request="${request!.id}"`,
    )
  })

  it('refuses the page to anyone but the student, and for an application that cannot be refunded', async () => {
    const { id } = await heldStorePayment(user(7))
    const other = await ready(user(8))
    expect((await other.get(`/applications/${id}/refund-account`)).res.status).toBe(404)
    expect((await other.post(`/applications/${id}/refund-account`, ACCOUNT)).res.status).toBe(404)
    expect((await application(id))!.credit_status).toBe('held')
    // A card payment is refunded through KOMOJU's API: no bank account page.
    const { id: cardApp } = await applyCharge(other, 1000)
    expect((await other.get(`/applications/${cardApp}/refund-account`)).res.status).toBe(303)
  })
})

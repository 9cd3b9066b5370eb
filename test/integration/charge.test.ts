import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  application,
  applyCharge,
  cardBalance,
  creditsOf,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  atNoon,
  nextJst,
  paymentUrlOf,
  payOnGateway,
  ready,
  runCron,
  setClock,
  twinPaymentOf,
} from '../charge'
import { Client, expectRedirect, lastMailId, latestMail, mainText, onboard } from '../client'

const user = (n: number) => `test${String(100 + n).padStart(4, '0')}`

beforeAll(async () => {
  // Deliver every webhook twice, a little out of order, as gateways may.
  await gateway().settings({
    declineNextCard: false,
    duplicateRate: 1,
    maxDelayMs: 300,
    paused: false,
  })
  await mic().setFault({ mode: 'none', rate: 1, remaining: null, hangMs: 1000, card: null })
  await atNoon()
})

describe('4.1 charge with a card-like method', () => {
  it('applies, pays on the provider page, credits the card once and mails the receipt', async () => {
    const userId = user(1)
    const client = await ready(userId)
    const before = await cardBalance(userId)

    const charge = await client.get('/charge')
    expect(charge.res.status).toBe(200)
    expect(mainText(charge.html)).toContain('現在の残高')
    expect(mainText(charge.html)).toContain(`${before.toLocaleString('en-US')}円`)
    expect(mainText(charge.html)).toContain('残高上限額')

    const amount = await client.post('/charge', { amount: '１，５００円' })
    expectRedirect(amount.res, '/charge/method?amount=1500')
    const methods = await client.get('/charge/method?amount=1500')
    for (const label of [
      'クレジットカード決済',
      'コンビニ現金払い（セブンイレブン）',
      'Pay-easy決済',
      'メルペイ',
    ])
      expect(methods.html).toContain(label)
    expect(methods.html).toContain('href="/howto/credit_card"')
    const howTo = await client.get('/howto/credit_card')
    expect(mainText(howTo.html)).toContain('お支払いページに移動します')
    const chosen = await client.post('/charge/method', { amount: '1500', method: 'credit_card' })
    expectRedirect(chosen.res, '/charge/confirm?amount=1500&method=credit_card')
    const confirm = await client.get('/charge/confirm?amount=1500&method=credit_card')
    expect(mainText(confirm.html)).toContain(
      `チャージ後残高 ${(before + 1500).toLocaleString('en-US')}円`,
    )

    const since = await lastMailId()
    const { id } = await applyCharge(client, 1500)
    const applied = await client.get(`/applications/${id}/pay`)
    expect(mainText(applied.html)).toContain('お支払いページに移動します')

    expect(applied.html).toContain('href="http://komoju.test/sessions/')
    const back = await payOnGateway(client, id)
    expect(back.res.status).toBe(303)
    expect(new URL(back.res.headers.get('location')!).pathname).toBe(`/applications/${id}/return`)
    // The service asked KOMOJU about the session: お支払い完了 at once, without waiting.
    expect(mainText(back.returned!.html)).toContain('お支払いが正常におこなわれました。')

    await creditStatusBecomes(id, 'credited')
    expect(await cardBalance(userId)).toBe(before + 1500)
    // Every webhook delivered (each twice); credited once.
    await gateway().flush()
    await eventually(
      async () =>
        (await env.DB.prepare(
          'SELECT COUNT(*) AS n FROM payment_notifications WHERE application_id = ? AND applied_at IS NOT NULL',
        )
          .bind(id)
          .first<{ n: number }>())!.n,
      (n) => n >= 1,
    )
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([1500])

    const done = await client.get(`/applications/${id}/return`)
    expect(mainText(done.html)).toContain('お支払いが正常におこなわれました。')
    expect(done.html).toContain('続けて申請する')
    expect(done.html).toContain('明細を確認する')
    expect(done.html).not.toContain('data-refresh-every')

    const mail = await latestMail(`${userId}@example.ac.jp`, since)
    expect(mail?.subject).toBe('チャージ完了')
    for (const field of [
      'To テスト ハナコ 様',
      '支払いが完了しました。',
      `発行申請番号は ${id} です。`,
      '支払合計金額: ¥1,500',
      '支払方法: クレジットカード決済',
      '支払日: ',
      '(発行者)',
      '学校法人 デモ学園',
      '(内訳)',
      '種別 数量 単金 金額',
      'チャージ金額 1 ¥1,500 ¥1,500',
      '数分かかりますので',
    ]) {
      expect(mail?.body).toContain(field)
    }
    const completionMails = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM mail_log WHERE kind = 'charge-completed' AND to_address = ?",
    )
      .bind(`${userId}@example.ac.jp`)
      .first<{ n: number }>()
    expect(completionMails!.n).toBe(1)

    const list = await client.get('/applications')
    expect(mainText(list.html)).toContain('前回ログイン日時')
    expect(mainText(list.html)).toMatch(
      new RegExp(`${id} お支払い完了 \\d{4}/\\d{2}/\\d{2} M.I.C.チャージ 1部 1,500円`),
    )
    const history = await client.get('/applications?tab=history')
    expect(history.html).not.toContain(`/applications/${id}"`)

    const detail = await client.get(`/applications/${id}`)
    const text = mainText(detail.html)
    for (const part of [
      '発行情報',
      `発行申請番号 ${id}`,
      'お支払い情報',
      'クレジットカード決済',
      'お支払い済み',
      '詳細情報',
      'チャージ金額 1 1,500円 合計 1,500円',
      'M.I.C.へ反映しました',
      '再読み込み',
    ]) {
      expect(text).toContain(part)
    }
  })

  it('says the confirmation is on its way, refreshing itself, until the notification is processed', async () => {
    const client = await ready(user(2))
    const { id } = await applyCharge(client, 1000)
    const waiting = await client.get(`/applications/${id}/return`)
    expect(mainText(waiting.html)).toContain('お支払いサービスからの結果をまだ受け取っていません')
    expect(waiting.html).toContain('data-refresh-every="3"')
    expect(waiting.html).toContain('<script src="/refresh.js" defer=""></script>')
  })

  it('turns a cancel on the provider page into キャンセル, closes the session, and releases the cap', async () => {
    const client = await ready(user(3))
    const { id } = await applyCharge(client, 19000)
    expect((await client.post('/charge', { amount: '1' })).res.status).toBe(422)
    const page = await paymentUrlOf(client, id)
    const { returned } = await payOnGateway(client, id, 'cancel')
    expect(mainText(returned!.html)).toContain('キャンセル')
    expect((await application(id))?.status).toBe('cancelled')
    // The session was closed at KOMOJU: it can no longer be paid.
    const late = await fetch(page, {
      method: 'POST',
      body: new URLSearchParams({ action: 'pay' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    })
    expect(late.status).toBe(409)
    const detail = await client.get(`/applications/${id}`)
    expect(mainText(detail.html)).toContain('キャンセル')
    expectRedirect(
      (await client.post('/charge', { amount: '19000' })).res,
      '/charge/method?amount=19000',
    )
    expect(await client.get('/applications?tab=history').then((r) => r.html)).toContain(
      `/applications/${id}"`,
    )
  })

  it('creates one application from a double-submitted 申請', async () => {
    const client = await ready(user(4))
    const { html } = await client.get('/charge/confirm?amount=700&method=paypay')
    const requestKey = html.match(/name="request_key" value="([^"]+)"/)![1]!
    const fields = { amount: '700', method: 'paypay', request_key: requestKey }
    const [a, b] = await Promise.all([
      client.post('/charge/apply', fields),
      client.post('/charge/apply', fields),
    ])
    expect(a.res.headers.get('location')).toBe(b.res.headers.get('location'))
    const again = await client.post('/charge/apply', fields)
    expect(again.res.headers.get('location')).toBe(a.res.headers.get('location'))
    const count = await env.DB.prepare(
      'SELECT COUNT(*) AS n FROM applications WHERE request_key = ?',
    )
      .bind(requestKey)
      .first<{ n: number }>()
    expect(count!.n).toBe(1)
    // And one session at KOMOJU for it: the create carried the application's idempotency key.
    const id = a.res.headers.get('location')!.match(/\/applications\/(\d+)\//)![1]!
    const sessions = (await (await fetch('http://komoju.test/_twin/sessions')).json()) as {
      data: { session: { payment_data: { external_order_num: string } } }[]
    }
    expect(
      sessions.data.filter((d) => d.session.payment_data.external_order_num === id),
    ).toHaveLength(1)
  })
})

describe('4.1 コンビニ and Pay-easy: paid later, by a deadline', () => {
  it('mails the payment number, credits after payment at the store, and moves to 履歴', async () => {
    const userId = user(5)
    const client = await ready(userId)
    const before = await cardBalance(userId)
    const since = await lastMailId()
    const { id } = await applyCharge(client, 3000, 'cvs_seven_eleven')
    const a = await application(id)
    // セブンイレブン: KOMOJU's 13-digit 払込票番号, and its page of instructions.
    expect(a?.payment_number).toMatch(/^\d{13}$/)
    const mail = await latestMail(`${userId}@example.ac.jp`, since)
    expect(mail?.kind).toBe('payment-deadline')
    expect(mail?.body).toContain(a!.payment_number!)
    expect(mail?.body).toContain('お支払い期限')
    expect(mail?.body).toContain('http://komoju.test/instructions/')

    // 申請完了 shows what to pay with: no gateway page to visit.
    const applied = await client.get(`/applications/${id}/pay`)
    expect(mainText(applied.html)).toContain(a!.payment_number!)
    expect(applied.html).toContain('href="http://komoju.test/instructions/')
    expect(applied.html).not.toContain('komoju.test/sessions/')
    const back = await client.get(`/applications/${id}/return`)
    expect(mainText(back.html)).toContain(a!.payment_number!)
    expect(back.html).not.toContain('data-refresh-every')
    expect((await client.get('/applications')).html).toContain(`/applications/${id}"`)
    const detail = await client.get(`/applications/${id}`)
    expect(mainText(detail.html)).toContain('お支払い待ち')
    expect(mainText(detail.html)).toContain(a!.payment_number!)

    const payment = await twinPaymentOf(id)
    expect(payment.status).toBe('authorized')
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    await gateway().flush()
    await creditStatusBecomes(id, 'credited')
    expect(await cardBalance(userId)).toBe(before + 3000)
    expect((await client.get('/applications?tab=history')).html).toContain(`/applications/${id}"`)
    expect((await client.get('/applications')).html).not.toContain(`/applications/${id}"`)
    expect(mainText((await client.get(`/applications/${id}`)).html)).toContain('お支払い済み')
  })

  it('turns an application unpaid at its deadline into 未払い and releases its share of the cap', async () => {
    const client = await ready(user(6))
    const { id } = await applyCharge(client, 19000, 'payeasy')
    expect((await client.post('/charge', { amount: '500' })).res.status).toBe(422)
    const a = await env.DB.prepare('SELECT payment_deadline FROM applications WHERE id = ?')
      .bind(id)
      .first<{ payment_deadline: number }>()
    await setClock(a!.payment_deadline + 60_000)
    try {
      await runCron()
      expect((await application(id))?.status).toBe('unpaid')
    } finally {
      await atNoon()
    }
    const again = await ready(user(6)).catch(() => null)
    void again
    const fresh = new (await import('../client')).Client()
    await (await import('../client')).login(fresh, user(6), 'univpass', 'Charge2024x')
    const detail = await fresh.get(`/applications/${id}`)
    expect(mainText(detail.html)).toContain('未払い')
    expect(mainText(detail.html)).toContain('お支払い期限')
    expect(mainText(detail.html)).toContain('お客様番号')
    // Back on the return page: headed by what happened, not 申請完了.
    const back = await fresh.get(`/applications/${id}/return`)
    expect(back.html).toContain('<h1>お支払いは完了していません</h1>')
    expect(back.html).not.toContain('<h1>申請完了</h1>')
    // Still in 印刷可能 for 7 days past the deadline.
    expect((await fresh.get('/applications')).html).toContain(`/applications/${id}"`)
    expectRedirect(
      (await fresh.post('/charge', { amount: '500' })).res,
      '/charge/method?amount=500',
    )
  })
})

describe('4.1 the charge amount', () => {
  it.each(
    [
      ['-500', '半角数字'],
      ['1.5', '半角数字'],
      ['1e3', '半角数字'],
      ['abc', '半角数字'],
      ['99999999999', '半角数字'],
      ['0', '半角数字'],
      ['19001', 'チャージできる金額は19,000円まで'],
    ].map(([input, message], i) => [input!, message!, i] as const),
  )('refuses %s with a message on the チャージ page', async (input, message, i) => {
    const client = await ready(user(40 + i))
    const { res, html } = await client.post('/charge', { amount: input })
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain(message)
    expect(html).toContain('aria-invalid="true"')
  })

  it('says M.I.C. cannot be reached, without announcing a stop window, when it fails outside one', async () => {
    const userId = user(24)
    const client = await ready(userId)
    await mic().setFault({
      mode: 'fail',
      rate: 1,
      remaining: null,
      hangMs: 1000,
      card: `demo:${userId}`,
    })
    try {
      const text = mainText((await client.get('/charge')).html)
      expect(text).toContain('残高を確認できません')
      expect(text).not.toContain('ただいまM.I.C.オンラインチャージ連携停止時間です')
    } finally {
      await mic().setFault({ mode: 'none', rate: 1, remaining: null, hangMs: 1000, card: null })
    }
  })

  it('asks for an amount left empty', async () => {
    const client = await ready(user(20))
    const { res, html } = await client.post('/charge', { amount: ' ' })
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain('チャージ金額を入力してください。')
  })

  it('asks for a payment method when none was chosen', async () => {
    const client = await ready(user(21))
    const { res, html } = await client.post('/charge/method', { amount: '1000' })
    expect(res.status).toBe(422)
    expect(mainText(html)).toContain('お支払い方法を選択してください。')
  })

  it('shows another student’s application as not found', async () => {
    const owner = await ready(user(22))
    const { id } = await applyCharge(owner, 100)
    const other = await ready(user(23))
    expect((await other.get(`/applications/${id}`)).res.status).toBe(404)
    expect((await other.get(`/applications/${id}/return`)).res.status).toBe(404)
  })

  it('sends a student who is not logged in to login', async () => {
    const res = await exports.default.fetch(
      new Request('https://example.com/charge', { redirect: 'manual' }),
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
  })
})

describe('the cap under concurrency', () => {
  it('never lets 50 concurrent charges for one student take the balance over the cap', async () => {
    const userId = user(30)
    const client = await ready(userId)
    const keys = await Promise.all(
      Array.from(
        { length: 50 },
        async () =>
          (await client.get('/charge/confirm?amount=1000&method=credit_card')).html.match(
            /name="request_key" value="([^"]+)"/,
          )![1]!,
      ),
    )
    const results = await Promise.all(
      keys.map((k) =>
        client.post('/charge/apply', { amount: '1000', method: 'credit_card', request_key: k }),
      ),
    )
    const created = results.filter((r) => r.res.status === 303).length
    const refused = results.filter((r) => r.res.status === 422)
    // ¥1,000 on the card, cap ¥20,000: room for exactly 19.
    expect(created).toBe(19)
    expect(refused.length).toBe(31)
    expect(mainText(refused[0]!.html)).toContain('残高上限額')
    const total = await env.DB.prepare(
      'SELECT SUM(amount) AS total FROM applications a JOIN students s ON s.id = a.student_id WHERE s.user_id = ?',
    )
      .bind(userId)
      .first<{ total: number }>()
    expect(1000 + total!.total).toBeLessThanOrEqual(20000)
  })
})

describe('a university’s own charge settings', () => {
  it('offers only its enabled methods and keeps its minimum, step and cap', async () => {
    const client = new Client('https://second.example')
    await onboard(client, 'second02', 'second02@example.ac.jp', 'Charge2024x')
    const methods = await client.get('/charge/method?amount=1000')
    expect(methods.html).toContain('value="credit_card"')
    expect(methods.html).toContain('value="cvs_lawson"')
    expect(methods.html).not.toContain('value="merpay"')
    expect(methods.html).not.toContain('value="cvs_seven_eleven"')
    const refused = await client.post('/charge/method', { amount: '1000', method: 'merpay' })
    expect(refused.res.status).toBe(422)
    expect(mainText(refused.html)).toContain('お支払い方法を選択してください。')
    expect(mainText((await client.post('/charge', { amount: '700' })).html)).toContain('500円単位')
    expect(mainText((await client.post('/charge', { amount: '400' })).html)).toContain('500円以上')
    expect(mainText((await client.post('/charge', { amount: '9500' })).html)).toContain(
      '9,000円まで',
    )
    expectRedirect(
      (await client.post('/charge', { amount: '9000' })).res,
      '/charge/method?amount=9000',
    )
    // A method switched off cannot be slipped into 申請 either.
    const { html } = await client.get('/charge/confirm?amount=1000&method=credit_card')
    const requestKey = html.match(/name="request_key" value="([^"]+)"/)![1]!
    const sneaked = await client.post('/charge/apply', {
      amount: '1000',
      method: 'merpay',
      request_key: requestKey,
    })
    expect(sneaked.res.status).toBe(422)
    expect(mainText(sneaked.html)).toContain('お支払い方法を選択してください。')
    // A carried-over amount or request key that no form sends: the チャージ page says so.
    for (const fields of [
      { amount: '-5', method: 'credit_card', request_key: requestKey },
      { amount: '1000', method: 'credit_card', request_key: 'short' },
      { method: 'credit_card', request_key: requestKey },
    ] as Record<string, string>[]) {
      const edited = await client.post('/charge/apply', fields)
      expect(edited.res.status).toBe(400)
      expect(mainText(edited.html)).toContain('チャージ金額の入力からやり直してください')
    }
    const noAmount = await client.post('/charge/method', { method: 'credit_card' })
    expect(noAmount.res.status).toBe(400)
    const count = await env.DB.prepare(
      'SELECT COUNT(*) AS n FROM applications WHERE request_key = ?',
    )
      .bind(requestKey)
      .first<{ n: number }>()
    expect(count!.n).toBe(0)
  })
})

import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { MAX_CREDIT_ATTEMPTS } from '../../src/domain/application'
import {
  application,
  applyCharge,
  atNoon,
  cardBalance,
  creditsOf,
  creditStatusBecomes,
  eventually,
  gateway,
  mic,
  nextJst,
  notify,
  payOnGateway,
  ready,
  runCron,
  setClock,
  signedWebhook,
  twinPaymentOf,
  webhookEvent,
} from '../charge'
import { Client, mainText } from '../client'
import { newStaff, staffClient, staffLogin } from '../staff'
import { FAULT_NONE, KOMOJU } from '../twins'

/**
 * The console's 検索, 申請詳細 with its タイムライン, and the actions on an application
 * (再チャージ, 支払状況を照会, 返金 with a second member's approval, メール再送). Students
 * test0151 … test0180 belong to this file.
 */
const user = (n: number) => `test${String(150 + n).padStart(4, '0')}`
const card = (userId: string) => `demo:${userId}`
const mailOf = (userId: string) => `${userId}@example.ac.jp`

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

type AuditRow = {
  id: number
  staff_id: number
  action: string
  reason: string | null
  before: string | null
  after: string | null
  university_id: string | null
  target_type: string
}
const auditOf = async (applicationId: number) =>
  (
    await env.DB.prepare('SELECT * FROM audit_log WHERE application_id = ? ORDER BY id')
      .bind(applicationId)
      .all<AuditRow>()
  ).results
const json = (text: string | null) => JSON.parse(text ?? 'null') as Record<string, unknown>

const mailsAbout = async (applicationId: number) =>
  (
    await env.DB.prepare('SELECT * FROM mail_log WHERE application_id = ? ORDER BY id')
      .bind(applicationId)
      .all<{ kind: string; to_address: string; result: string }>()
  ).results

const detailOf = async (client: Client, id: number) => {
  const { res, html } = await client.get(`/staff/applications/${id}`)
  return { res, html, text: mainText(html) }
}

/** The confirmation page of an action, then its form posted with `reason`. */
const act = async (client: Client, id: number, action: string, reason = '学生から電話で依頼') => {
  const confirm = await client.get(`/staff/applications/${id}/actions/${action}`)
  expect(confirm.res.status, mainText(confirm.html)).toBe(200)
  expect(confirm.html).toContain('name="reason"')
  const { res, html } = await client.post(`/staff/applications/${id}/actions/${action}`, {
    reason,
  })
  return { res, html, text: mainText(html) }
}

/** Follows an action's redirect to the detail page and its result message. */
const afterAct = async (client: Client, res: Response) => {
  expect(res.status).toBe(303)
  const location = res.headers.get('location')!
  expect(location).toMatch(/^\/staff\/applications\/\d+\?done=[a-z-]+&entry=\d+$/)
  const { html } = await client.get(location)
  return mainText(html)
}

/** A card payment credited on the first try. */
const creditedCharge = async (userId: string, amount: number) => {
  const client = await ready(userId)
  const { id } = await applyCharge(client, amount)
  await payOnGateway(client, id)
  await creditStatusBecomes(id, 'credited')
  return { client, id }
}

const search = async (client: Client, query: Record<string, string>) => {
  const { res, html } = await client.get(`/staff/search?${new URLSearchParams(query)}`)
  return { res, html, text: mainText(html) }
}
const links = (html: string) =>
  [...html.matchAll(/href="\/staff\/applications\/(\d+)"/g)].map((m) => Number(m[1]))

describe('検索', () => {
  it('finds an application by each term, limited to the member’s university', async () => {
    const a = await creditedCharge(user(1), 3000)
    const storeClient = await ready(user(2))
    const { id: store } = await applyCharge(storeClient, 2000, 'cvs_lawson')
    const storeRow = (await application(store))!
    const cardRow = (await application(a.id))!
    const { client } = await staffClient('staff')

    const find = async (query: Record<string, string>) => {
      const { res, html } = await search(client, query)
      expect(res.status).toBe(200)
      return links(html)
    }
    expect(await find({ id: String(a.id) })).toEqual([a.id])
    // Full-width digits, as read out on the telephone and typed on a Japanese keyboard.
    expect(
      await find({
        id: String(a.id).replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)),
      }),
    ).toEqual([a.id])
    expect(await find({ user: user(1) })).toEqual([a.id])
    expect(await find({ email: mailOf(user(1)).toUpperCase() })).toEqual([a.id])
    expect(await find({ name: 'テスト ハナコ', user: user(2) })).toEqual([store])
    // Hiragana and no space find the katakana name too.
    expect(await find({ name: 'てすとはなこ' })).toEqual(expect.arrayContaining([a.id, store]))
    expect(await find({ name: 'ハナコ%' })).toEqual([]) // % is a character, not a wildcard
    // A long name is searched like a short one (D1 refuses LIKE patterns over 50 bytes).
    expect(await find({ name: 'テストハナコ'.repeat(3) })).toEqual([])
    expect(await find({ name: `${'ア'.repeat(30)} テストハナコ`.slice(-60) })).toEqual([])
    // The konbini payment number, and the gateway's payment id.
    expect(storeRow.payment_number).toBeTruthy()
    expect(await find({ ref: storeRow.payment_number! })).toEqual([store])
    expect(await find({ ref: cardRow.provider_payment_id! })).toEqual([a.id])
    // A state, and a period in JST.
    expect(await find({ state: 'credit:credited', user: user(1) })).toEqual([a.id])
    expect(await find({ state: 'payment:awaiting_payment', user: user(1) })).toEqual([])
    expect(await find({ state: 'payment:awaiting_payment', user: user(2) })).toEqual([store])
    // The day it was made, in JST (the service's clock, which the tests set to noon JST).
    const jstToday = new Date(cardRow.paid_at! + 9 * 3600_000).toISOString().slice(0, 10)
    expect(await find({ user: user(1), from: jstToday, to: jstToday })).toEqual([a.id])
    expect(await find({ user: user(1), from: '2020-01-01', to: '2020-01-31' })).toEqual([])

    // Newest first, with what the issue asks for in each row.
    const { text } = await search(client, { name: 'テスト' })
    // A name names students too (console-search.test.ts): the applications follow them.
    expect(text).toMatch(/申請 \d+件/)
    expect(text).toContain('¥3,000')
    expect(text).toContain('クレジットカード決済')
    expect(text).toContain('チャージ済み')
    const order = links((await search(client, { name: 'テスト' })).html)
    expect(order.indexOf(store)).toBeLessThan(order.indexOf(a.id))

    // Another university's staff find nothing of it, whatever they type.
    const other = (await staffClient('staff', 'second')).client
    expect(links((await search(other, { id: String(a.id) })).html)).toEqual([])
    // 大学 is not theirs to choose: ignored, however it reads.
    expect((await search(other, { university: 'x'.repeat(500) })).res.status).toBe(200)
    expect(links((await search(other, { id: String(a.id), university: 'demo' })).html)).toEqual([])
    // The call centre finds it, sees the university, and may narrow by university.
    const centre = (await staffClient('callcentre')).client
    const seen = await search(centre, { id: String(a.id) })
    expect(links(seen.html)).toEqual([a.id])
    expect(seen.text).toContain('デモ大学')
    expect(links((await search(centre, { id: String(a.id), university: 'second' })).html)).toEqual(
      [],
    )
    expect(links((await search(centre, { id: String(a.id), university: 'demo' })).html)).toEqual([
      a.id,
    ])
  })

  it('shows the form alone for an empty search, and a message for each bad term', async () => {
    const { client } = await staffClient('staff')
    for (const path of ['/staff/search', '/staff/search?id=&user=&state=']) {
      const { res, html } = await client.get(path)
      expect(res.status).toBe(200)
      expect(html).toContain('<form method="get" action="/staff/search"')
      expect(mainText(html)).not.toContain('検索結果')
    }
    const bad = async (query: Record<string, string>, message: string) => {
      const { res, text, html } = await search(client, query)
      expect(res.status).toBe(422)
      expect(text).toContain(message)
      expect(text).not.toContain('検索結果')
      expect(links(html)).toEqual([])
    }
    await bad({ id: '12a' }, '発行申請番号は数字（12桁以内）で入力してください。')
    await bad({ id: '1234567890123' }, '発行申請番号は12文字以内で入力してください。')
    await bad({ from: '2026-05-02', to: '2026-05-01' }, '終了日は開始日と同じか、それより後')
    await bad({ from: '2026-02-30' }, '開始日は日付（例: 2026-04-01）で入力してください。')
    await bad({ to: 'yesterday' }, '終了日は日付')
    await bad({ name: 'ア'.repeat(65) }, '氏名カナは64文字以内で入力してください。')
    await bad({ ref: 'x'.repeat(101) }, '支払番号・決済IDは100文字以内で入力してください。')
    await bad({ state: 'credit:lost' }, '状態は選択肢から選んでください。')
    const centre = (await staffClient('callcentre')).client
    const { res, text } = await search(centre, { university: 'nowhere' })
    expect(res.status).toBe(422)
    expect(text).toContain('大学は選択肢から選んでください。')
  })
})

describe('申請詳細', () => {
  it('is not found for another university’s staff, exactly like a number nobody has', async () => {
    const { id } = await creditedCharge(user(3), 1000)
    const { client: other } = await staffClient('staff', 'second')
    const hidden = await detailOf(other, id)
    const missing = await detailOf(other, 999_999_999)
    expect(hidden.res.status).toBe(404)
    expect(missing.res.status).toBe(404)
    expect(hidden.text).toBe(missing.text)
    expect(hidden.text).not.toContain(user(3))
    // Nor can they act on it, or see its confirmation pages.
    expect((await other.get(`/staff/applications/${id}/actions/resend-mail`)).res.status).toBe(404)
    const posted = await other.post(`/staff/applications/${id}/actions/resend-mail`, {
      reason: '確認',
    })
    expect(posted.res.status).toBe(404)
    expect(await auditOf(id)).toEqual([])
    // The call centre answers for every university.
    const { client: centre } = await staffClient('callcentre')
    const seen = await detailOf(centre, id)
    expect(seen.res.status).toBe(200)
    expect(seen.text).toContain(user(3))
    expect(seen.text).toContain('デモ大学')
    // And the university's own staff see it, with the student and a link to the student.
    const { client } = await staffClient('staff')
    const own = await detailOf(client, id)
    expect(own.res.status).toBe(200)
    expect(own.text).toContain('テスト ハナコ')
    expect(own.text).toContain(mailOf(user(3)))
    expect(own.html).toMatch(/href="\/staff\/students\/\d+"/)
  })

  it('tells the whole story in order: applied, paid, each attempt with M.I.C.’s answer, a stop window, credited, webhooks and mails', async () => {
    const userId = user(4)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 3000)
    // The first call to M.I.C. (the balance read) fails: one failed attempt, then the cron.
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: 1, card: card(userId) })
    await payOnGateway(client, id)
    const retrying = await creditStatusBecomes(id, 'retrying')
    // The retry falls into the nightly stop window: deferred, then credited after it.
    // The first 02:30 JST once the retry is due, whatever the hour the suite started at.
    let night = nextJst(2, 30)
    while (night < retrying.next_credit_at! + 1000) night += 86_400_000
    await setClock(night)
    await runCron()
    const deferred = await creditStatusBecomes(id, 'deferred')
    await setClock(deferred.next_credit_at! + 1000)
    await runCron()
    await creditStatusBecomes(id, 'credited')
    // The gateway's webhooks reach the queue and are recorded against the application.
    await gateway().flush()
    await eventually(
      () =>
        env.DB.prepare(
          "SELECT COUNT(*) AS n FROM payment_notifications WHERE application_id = ? AND outcome = 'applied'",
        )
          .bind(id)
          .first<{ n: number }>(),
      (r) => (r?.n ?? 0) > 0,
    )

    const { client: staff } = await staffClient('staff')
    const { text, html } = await detailOf(staff, id)
    const steps = [
      'クレジットカード決済で申請 ¥3,000',
      '決済ページを開設（セッションID ',
      'お支払い済みになりました',
      'M.I.C.へのチャージを予定',
      'M.I.C.へのチャージ 試行1: 失敗。 M.I.C.が応答しないため、まだチャージできていません。',
      '停止時間帯のため ',
      'M.I.C.へチャージしました（クレジットID ',
    ]
    const at = steps.map((s) => text.indexOf(s))
    for (const [i, s] of steps.entries()) expect(at[i], s).toBeGreaterThan(-1)
    expect([...at].sort((x, y) => x - y)).toEqual(at)
    expect(text).toMatch(/停止時間帯のため \d{4}\/\d{2}\/\d{2} 05:00 まで延期/)
    // M.I.C.'s answer as it was written, in small type for the technical staff.
    expect(html).toContain('<code>balance: HTTP 500 internal</code>')
    expect(text).toMatch(/KOMOJUから支払完了の通知を受信（イベントID [^）]+）: 適用済み/)
    expect(text).toContain(`メール送信: チャージ完了 → ${mailOf(userId)}（送信済み）`)
    expect(text).toContain(`メール送信: チャージ状況のお知らせ → ${mailOf(userId)}（送信済み）`)
    expect(html).toContain('<ol class="timeline">')
    // What the student sees on 申請情報 詳細 is here too.
    expect(text).toContain('お支払いステータス お支払い済み')
    expect(text).toContain('チャージ状況 チャージ済み')
    expect(text).toMatch(/M\.I\.C\.クレジットID \S+/)

    // In English as well.
    await staff.get(`/lang/en?next=${encodeURIComponent(`/staff/applications/${id}`)}`)
    const en = (await detailOf(staff, id)).text
    expect(en).toContain('Applied with')
    expect(en).toContain('Payment status became')
    expect(en).toContain('M.I.C. credit attempt 1: failed. M.I.C. does not answer')
    expect(en).toContain('Credited to M.I.C.')
  })
})

describe('再チャージ', () => {
  it(
    'lands a stalled credit that M.I.C. had already applied exactly once',
    { timeout: 120_000 },
    async () => {
      const userId = user(5)
      const client = await ready(userId)
      const before = await cardBalance(userId)
      const { id } = await applyCharge(client, 2500)
      // M.I.C. applies the credit and its answer is lost, every time it is asked again.
      await mic().setFault({
        ...FAULT_NONE,
        mode: 'lose-response',
        remaining: null,
        hangMs: 0,
        card: card(userId),
      })
      await payOnGateway(client, id)
      let a = await creditStatusBecomes(id, 'retrying')
      for (let i = 0; i < MAX_CREDIT_ATTEMPTS + 2 && a.credit_status === 'retrying'; i++) {
        await setClock(a.next_credit_at! + 1000)
        await runCron()
        a = (await application(id))!
      }
      expect(a.credit_status).toBe('stalled')
      // On the card once already, though the service never heard so.
      expect(await cardBalance(userId)).toBe(before + 2500)
      await mic().setFault(FAULT_NONE)

      const { client: staff, member } = await staffClient('staff')
      const page = await detailOf(staff, id)
      expect(page.text).toContain('再試行の上限に到達')
      expect(page.html).toContain(`href="/staff/applications/${id}/actions/recredit"`)
      // A credit that may have landed is never refunded.
      expect(page.html).not.toContain(`/actions/refund"`)
      expect(page.text).toContain('反映されている可能性があるため返金できません')

      const { res } = await act(staff, id, 'recredit', 'M.I.C.の障害が復旧したため')
      expect(await afterAct(staff, res)).toContain(
        '再チャージを実行しました。チャージ状況: チャージ済み',
      )
      expect((await application(id))!.credit_status).toBe('credited')
      expect(await cardBalance(userId)).toBe(before + 2500)
      expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([2500])

      const audit = await auditOf(id)
      expect(audit).toHaveLength(1)
      expect(audit[0]).toMatchObject({
        staff_id: member.id,
        action: 'application.recredit',
        reason: 'M.I.C.の障害が復旧したため',
        university_id: 'demo',
        target_type: 'application',
      })
      expect(json(audit[0]!.before)).toMatchObject({ creditStatus: 'stalled' })
      expect(json(audit[0]!.after)).toMatchObject({ creditStatus: 'credited' })
      expect((await detailOf(staff, id)).text).toMatch(
        /スタッフ テスト staff が再チャージ: チャージ済み（理由: M\.I\.C\.の障害が復旧したため）/,
      )

      // Again: refused with a message, nothing sent, nothing audited.
      const confirm = await staff.get(`/staff/applications/${id}/actions/recredit`)
      expect(confirm.res.status).toBe(409)
      expect(mainText(confirm.html)).toContain('M.I.C.へチャージ済みのため、行えません。')
      expect(confirm.html).not.toContain('name="reason"')
      const again = await staff.post(`/staff/applications/${id}/actions/recredit`, {
        reason: 'もう一度',
      })
      expect(again.res.status).toBe(409)
      expect(mainText(again.html)).toContain('再チャージ: M.I.C.へチャージ済みのため、行えません。')
      expect(await auditOf(id)).toHaveLength(1)
      expect(await cardBalance(userId)).toBe(before + 2500)
    },
  )

  it('is idempotent when pressed twice at once on a credit waiting for its retry', async () => {
    const userId = user(6)
    const client = await ready(userId)
    const before = await cardBalance(userId)
    const { id } = await applyCharge(client, 1200)
    // Applied at M.I.C., answer lost once: waiting for its retry in a minute.
    await mic().setFault({
      ...FAULT_NONE,
      mode: 'lose-response',
      remaining: 2,
      hangMs: 0,
      card: card(userId),
    })
    await payOnGateway(client, id)
    await creditStatusBecomes(id, 'retrying')
    expect(await cardBalance(userId)).toBe(before + 1200)
    const { client: staff } = await staffClient('callcentre')
    await staff.get(`/staff/applications/${id}/actions/recredit`)
    const both = await Promise.all([
      staff.post(`/staff/applications/${id}/actions/recredit`, { reason: '一度目' }),
      staff.post(`/staff/applications/${id}/actions/recredit`, { reason: '二度目' }),
    ])
    for (const r of both) expect([303, 409]).toContain(r.res.status)
    expect((await application(id))!.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(before + 1200)
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([1200])
    // Each press that went through is in the audit log.
    expect((await auditOf(id)).length).toBe(both.filter((r) => r.res.status === 303).length)
  })

  it('credits a refused credit once the card takes credits again', async () => {
    const userId = user(7)
    const client = await ready(userId)
    const before = await cardBalance(userId)
    const { id } = await applyCharge(client, 900)
    await mic().setCard(card(userId), { suspended: true })
    await payOnGateway(client, id)
    await creditStatusBecomes(id, 'refused')
    const { client: staff } = await staffClient('staff')
    const refused = await detailOf(staff, id)
    expect(refused.text).toContain('M.I.C.がチャージを拒否。 カードが利用停止中のため')
    expect(refused.html).toContain('<code>HTTP 422 card_suspended</code>')
    // Still suspended: the desk asks M.I.C. again, which refuses again; nothing is credited.
    let { res } = await act(staff, id, 'recredit', 'カードの状態を確認')
    expect(await afterAct(staff, res)).toContain('チャージ状況: M.I.C.が拒否')
    expect(await cardBalance(userId)).toBe(before)
    await mic().setCard(card(userId), { suspended: false })
    ;({ res } = await act(staff, id, 'recredit', 'カードの停止が解除された'))
    expect(await afterAct(staff, res)).toContain('チャージ状況: チャージ済み')
    expect(await cardBalance(userId)).toBe(before + 900)
    expect((await auditOf(id)).map((e) => e.action)).toEqual([
      'application.recredit',
      'application.recredit',
    ])
  })

  it('never credits an amount mismatch: neither offered nor done when posted', async () => {
    const userId = user(8)
    const client = await ready(userId)
    await gateway().settings({ paused: true })
    const { id } = await applyCharge(client, 1000)
    // A payment at KOMOJU carrying this application's number but another amount.
    const created = await fetch(`${KOMOJU}/api/v1/payments`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa(`${env.KOMOJU_SECRET_KEY}:`)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        amount: 9999,
        currency: 'JPY',
        external_order_num: String(id),
        payment_details: { type: 'konbini', store: 'lawson', email: mailOf(userId) },
      }),
    })
    expect(created.status).toBe(200)
    const odd = ((await created.json()) as { id: string }).id
    expect((await gateway().payAtStore(odd)).status).toBe(200)
    await notify(await signedWebhook(webhookEvent('payment.captured', odd)))
    await creditStatusBecomes(id, 'mismatch')
    const balance = await cardBalance(userId)

    const { client: staff } = await staffClient('staff')
    const page = await detailOf(staff, id)
    expect(page.html).not.toContain(`/actions/recredit"`)
    expect(page.text).toContain('KOMOJUの決済金額が申請の金額と一致しないため、チャージできません')
    expect(page.text).toContain('金額が一致しないためチャージせず。')
    expect(page.html).toMatch(/<code>amount_mismatch: gateway 9999 JPY, application 1000 JPY<\/code>/)
    const posted = await staff.post(`/staff/applications/${id}/actions/recredit`, {
      reason: '試しに',
    })
    expect(posted.res.status).toBe(409)
    expect((await application(id))!.credit_status).toBe('mismatch')
    expect(await cardBalance(userId)).toBe(balance)
    expect(await creditsOf(userId)).toEqual([])
    expect(await auditOf(id)).toEqual([])
  })
})

describe('理由', () => {
  it('is required and at most 500 characters; a bad one changes nothing', async () => {
    const userId = user(9)
    const client = await ready(userId)
    const before = await cardBalance(userId)
    const { id } = await applyCharge(client, 600)
    await mic().setFault({ ...FAULT_NONE, mode: 'fail', remaining: 1, card: card(userId) })
    await payOnGateway(client, id)
    await creditStatusBecomes(id, 'retrying')
    const { client: staff } = await staffClient('staff')
    for (const [reason, message] of [
      ['', '理由を入力してください。'],
      ['   ', '理由を入力してください。'],
      ['あ'.repeat(501), '理由は500文字以内で入力してください。'],
    ] as const) {
      for (const action of ['recredit', 'resend-mail', 'inquire']) {
        const { res, html } = await staff.post(`/staff/applications/${id}/actions/${action}`, {
          reason,
        })
        expect(res.status).toBe(422)
        expect(mainText(html)).toContain(message)
        expect(html).toContain('name="reason"')
      }
    }
    // A missing field is the same as an empty one.
    const missing = await staff.post(`/staff/applications/${id}/actions/recredit`, {})
    expect(missing.res.status).toBe(422)
    expect((await application(id))!.credit_status).toBe('retrying')
    expect(await cardBalance(userId)).toBe(before)
    expect(await auditOf(id)).toEqual([])
    expect((await mailsAbout(id)).filter((m) => m.kind === 'credit-error')).toHaveLength(1)
    // 500 characters exactly is fine.
    const { res } = await act(staff, id, 'recredit', 'あ'.repeat(500))
    expect(res.status).toBe(303)
    expect((await auditOf(id))[0]!.reason).toBe('あ'.repeat(500))
  })
})

describe('返金', () => {
  it('needs a second member: the requester’s own approval is refused, another’s refunds through KOMOJU', async () => {
    const userId = user(10)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1500)
    await mic().setCard(card(userId), { suspended: true })
    await payOnGateway(client, id)
    const refused = await creditStatusBecomes(id, 'refused')
    const paymentId = refused.provider_payment_id!
    const requester = await newStaff('staff')
    const staffA = await staffLogin(requester)

    // The call centre may neither request nor approve.
    const { client: centre } = await staffClient('callcentre')
    for (const action of ['refund', 'refund-approve', 'refund-reject']) {
      expect((await centre.get(`/staff/applications/${id}/actions/${action}`)).res.status).toBe(403)
      const posted = await centre.post(`/staff/applications/${id}/actions/${action}`, {
        reason: '返金してほしい',
      })
      expect(posted.res.status).toBe(403)
      expect(mainText(posted.html)).toContain('この操作を行う権限がありません。')
    }
    expect((await detailOf(centre, id)).html).not.toContain('/actions/refund')
    expect(await auditOf(id)).toEqual([])

    const { res } = await act(staffA, id, 'refund', 'カードが停止されているため')
    expect(await afterAct(staffA, res)).toContain(
      '返金を依頼しました。別のスタッフの承認を待っています。',
    )
    // One open request per application.
    const second = await staffA.post(`/staff/applications/${id}/actions/refund`, {
      reason: 'もう一度',
    })
    expect(second.res.status).toBe(409)
    expect(mainText(second.html)).toContain('承認待ちの返金依頼がすでにあります')

    // The requester cannot approve it.
    const page = await detailOf(staffA, id)
    expect(page.text).toContain('ご自身が依頼した返金は承認できません')
    expect(page.html).not.toContain(`/actions/refund-approve"`)
    const own = await staffA.post(`/staff/applications/${id}/actions/refund-approve`, {
      reason: '自分で承認',
    })
    expect(own.res.status).toBe(403)
    expect(mainText(own.html)).toContain('ご自身が依頼した返金は承認できません')
    expect((await application(id))!.status).toBe('paid')
    expect((await gateway().payments()).find((p) => p.id === paymentId)!.status).toBe('captured')

    // Another university's staff member cannot see it at all.
    const { client: otherUni } = await staffClient('staff', 'second')
    expect(
      (await otherUni.post(`/staff/applications/${id}/actions/refund-approve`, { reason: 'x' })).res
        .status,
    ).toBe(404)

    // A second member of the university approves: KOMOJU refunds, the application is 返金済み.
    const { client: staffB, member: approver } = await staffClient('admin')
    const confirm = await staffB.get(`/staff/applications/${id}/actions/refund-approve`)
    expect(mainText(confirm.html)).toContain('テスト staff が')
    const approved = await act(staffB, id, 'refund-approve', '学生の口座ではなくカード決済のため可')
    expect(await afterAct(staffB, approved.res)).toContain('返金しました。')
    expect((await gateway().payments()).find((p) => p.id === paymentId)!.status).toBe('refunded')
    const a = (await application(id))!
    expect(a.status).toBe('refunded')

    const request = await env.DB.prepare('SELECT * FROM refund_requests WHERE application_id = ?')
      .bind(id)
      .first<{ requested_by: number; decided_by: number; decision: string; result: string }>()
    expect(request).toMatchObject({
      requested_by: requester.id,
      decided_by: approver.id,
      decision: 'approved',
      result: 'refunded',
    })
    const audit = await auditOf(id)
    expect(audit.map((e) => [e.action, e.staff_id])).toEqual([
      ['refund.request', requester.id],
      ['refund.approve', approver.id],
    ])
    expect(json(audit[1]!.before)).toMatchObject({ status: 'paid' })
    expect(json(audit[1]!.after)).toMatchObject({ status: 'refunded', outcome: 'refunded' })
    const story = (await detailOf(staffB, id)).text
    expect(story).toContain(
      'スタッフ テスト staff が返金を依頼（理由: カードが停止されているため）',
    )
    expect(story).toContain('スタッフ テスト admin が返金を承認: 返金済み（理由: ')
    expect(story).toContain('返金済みになりました')
    expect(story).toContain('チャージ状況 返金済みのためチャージしません')
    // Nothing more to refund, and never credited afterwards.
    expect((await staffB.get(`/staff/applications/${id}/actions/refund`)).res.status).toBe(409)
    await mic().setCard(card(userId), { suspended: false })
    await runCron()
    expect((await creditsOf(userId)).length).toBe(0)
  })

  it('is rejected by another member without any refund, and refused for a store payment', async () => {
    const userId = user(11)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1100)
    await mic().setCard(card(userId), { suspended: true })
    await payOnGateway(client, id)
    const refused = await creditStatusBecomes(id, 'refused')
    const { client: staffA } = await staffClient('staff')
    const { client: staffB } = await staffClient('staff')
    expect((await act(staffA, id, 'refund', '依頼')).res.status).toBe(303)
    const rejected = await act(staffB, id, 'refund-reject', '再チャージで解決できるため')
    expect(await afterAct(staffB, rejected.res)).toContain('返金依頼を却下しました。')
    expect((await application(id))!.status).toBe('paid')
    const payment = (await gateway().payments()).find((p) => p.id === refused.provider_payment_id)
    expect(payment!.status).toBe('captured')
    expect((await detailOf(staffA, id)).text).toContain(
      'スタッフ テスト staff が返金依頼を却下（理由: 再チャージで解決できるため）',
    )
    // Nothing waits for approval any more.
    expect(
      (await staffB.post(`/staff/applications/${id}/actions/refund-approve`, { reason: 'x' })).res
        .status,
    ).toBe(409)
    await mic().setCard(card(userId), { suspended: false })

    // A konbini payment held over the cap goes back to the student's bank account, which
    // only the student gives: while such a refund is under way, no other is offered
    // (cash-refund.test.ts follows the whole path).
    const storeUser = user(12)
    const store = await ready(storeUser)
    const { id: held } = await applyCharge(store, 2000, 'cvs_lawson')
    expect((await mic().cash(card(storeUser), 18_000)).status).toBe(200)
    expect((await gateway().payAtStore((await twinPaymentOf(held)).id)).status).toBe(200)
    await creditStatusBecomes(held, 'held')
    expect((await detailOf(staffA, held)).html).toContain(`/actions/refund"`)
    expect(
      (
        await store.post(`/applications/${held}/refund-account`, {
          bank_code: '0005',
          bank_name: 'テスト銀行',
          branch_code: '001',
          account_type: 'normal',
          account_number: '1234567',
          account_holder: 'テスト ハナコ',
        })
      ).res.status,
    ).toBe(303)
    await creditStatusBecomes(held, 'refunding')
    const page = await detailOf(staffA, held)
    expect(page.text).toContain('銀行振込による返金')
    expect(page.html).not.toContain(`/actions/refund"`)
    expect(
      (await staffA.post(`/staff/applications/${held}/actions/refund`, { reason: 'x' })).res.status,
    ).toBe(409)
    expect(await auditOf(held)).toEqual([])
  })
})

describe('支払状況を照会', () => {
  it('applies a store payment KOMOJU captured whose webhook was lost, and credits it once', async () => {
    const userId = user(13)
    const client = await ready(userId)
    const before = await cardBalance(userId)
    await gateway().settings({ paused: true }) // the webhook never comes
    const { id } = await applyCharge(client, 1800, 'cvs_familymart')
    const payment = await twinPaymentOf(id)
    expect((await gateway().payAtStore(payment.id)).status).toBe(200)
    expect((await application(id))!.status).toBe('awaiting_payment')

    const { client: staff } = await staffClient('callcentre')
    const { res } = await act(staff, id, 'inquire', '学生がコンビニで支払ったとのこと')
    const text = await afterAct(staff, res)
    expect(text).toContain('KOMOJUの回答: 支払済み、¥1,800（返金額 ¥0）。 回答を反映しました。')
    const a = (await application(id))!
    expect(a.status).toBe('paid')
    expect(a.credit_status).toBe('credited')
    expect(await cardBalance(userId)).toBe(before + 1800)
    const audit = await auditOf(id)
    expect(audit.map((e) => e.action)).toEqual(['application.inquire'])
    expect(json(audit[0]!.before)).toMatchObject({ status: 'awaiting_payment' })
    expect(json(audit[0]!.after)).toMatchObject({
      status: 'paid',
      creditStatus: 'credited',
      gateway: { kind: 'payment', status: 'captured', amount: 1800, applied: 'changed' },
    })

    // The webhook arrives after all: nothing more happens.
    await gateway().settings({ paused: false })
    await gateway().flush()
    await new Promise((r) => setTimeout(r, 500))
    expect(await cardBalance(userId)).toBe(before + 1800)
    // Asking again changes nothing, and says so.
    const again = await act(staff, id, 'inquire', '念のため')
    expect(await afterAct(staff, again.res)).toContain('変更はありません。')
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([1800])
  })
})

describe('メール再送', () => {
  it('sends the mail that fits the state to the student’s address, logged and audited', async () => {
    // Credited: チャージ完了.
    const { id } = await creditedCharge(user(14), 500)
    const { client: staff, member } = await staffClient('staff')
    const sentBefore = (await mailsAbout(id)).length
    const { res } = await act(staff, id, 'resend-mail', '学生がメールを削除した')
    expect(await afterAct(staff, res)).toContain(
      `「チャージ完了」を ${mailOf(user(14))} へ再送しました。`,
    )
    const mails = await mailsAbout(id)
    expect(mails).toHaveLength(sentBefore + 1)
    expect(mails.at(-1)).toMatchObject({
      kind: 'charge-completed',
      to_address: mailOf(user(14)),
      result: 'sent',
    })
    const audit = await auditOf(id)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'application.resend-mail', staff_id: member.id })
    expect(json(audit[0]!.after)).toMatchObject({ mail: 'charge-completed', sent: true })

    // Awaiting a store payment: the payment numbers.
    const storeClient = await ready(user(15))
    const { id: store } = await applyCharge(storeClient, 700, 'payeasy')
    const confirm = await staff.get(`/staff/applications/${store}/actions/resend-mail`)
    expect(mainText(confirm.html)).toContain(
      `「支払番号のお知らせ」を ${mailOf(user(15))} へ再送します。`,
    )
    await act(staff, store, 'resend-mail', '番号がわからない')
    expect((await mailsAbout(store)).map((m) => m.kind)).toEqual([
      'payment-deadline',
      'payment-deadline',
    ])

    // A hosted payment page still open: no mail fits.
    const openClient = await ready(user(16))
    const { id: open } = await applyCharge(openClient, 400)
    await openClient.get(`/applications/${open}/pay`)
    const page = await detailOf(staff, open)
    expect(page.text).toContain('今の状態で学生に送るメールはありません。')
    const refused = await staff.post(`/staff/applications/${open}/actions/resend-mail`, {
      reason: '送って',
    })
    expect(refused.res.status).toBe(409)
    expect(await mailsAbout(open)).toEqual([])
    expect(await auditOf(open)).toEqual([])
  })
})

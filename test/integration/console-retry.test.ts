import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { formatJstDateTime } from '../../src/domain/time'
import { whyNot } from '../../src/flows/staff/actions'
import { consoleText } from '../../src/i18n/console'
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
  payOnGateway,
  ready,
  twinPaymentOf,
} from '../charge'
import { Client, lastMailId, latestMail, mainText } from '../client'
import { staffClient } from '../staff'
import { FAULT_NONE, KOMOJU } from '../twins'

/**
 * Issue 21 (engineer "retry"): 再チャージ's result said as an error with its cause and next
 * step; 再チャージ not offered where it can only end the same way (held with no room yet) or
 * conflicts (a refund request waiting); a refund of money already on the card names where
 * the student goes; the student is mailed when a refund is accepted and when KOMOJU completes
 * it, and メール再送 sends those mails again. Students retry01 … retry12 belong to this file.
 */
const user = (n: number) => `retry${String(n).padStart(2, '0')}`
const card = (userId: string) => `demo:${userId}`
const mailOf = (userId: string) => `${userId}@example.ac.jp`
/** Kana, kanji and full-width forms: what an English page or mail must not contain. */
const JAPANESE = /[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]/

beforeEach(async () => {
  await atNoon()
  await gateway().settings({
    declineNextCard: false,
    duplicateRate: 0,
    maxDelayMs: 0,
    paused: false,
    refuseNextRefund: false,
  })
  await mic().setFault(FAULT_NONE)
})

const detailOf = async (client: Client, id: number) => {
  const { res, html } = await client.get(`/staff/applications/${id}`)
  return { res, html, text: mainText(html) }
}

/** The confirmation page of an action, then its form posted with `reason`. */
const act = async (client: Client, id: number, action: string, reason = '学生から電話で依頼') => {
  const confirm = await client.get(`/staff/applications/${id}/actions/${action}`)
  expect(confirm.res.status, mainText(confirm.html)).toBe(200)
  return client.post(`/staff/applications/${id}/actions/${action}`, { reason })
}

/** Follows an action's redirect to the detail page; its html and text. */
const afterAct = async (client: Client, res: Response) => {
  expect(res.status).toBe(303)
  const { html } = await client.get(res.headers.get('location')!)
  return { html, text: mainText(html) }
}

/** The message box at the top of 申請詳細 (or of a refusal), with its role. */
const messageOf = (html: string) => {
  const m = /<div class="message message-(\w+)" role="(\w+)">([\s\S]*?)<\/div>/.exec(html)
  return m ? { kind: m[1], role: m[2], text: mainText(`<main>${m[3]}</main>`), html: m[3]! } : null
}

const setConsoleLang = (client: Client, lang: 'ja' | 'en') =>
  client.get(`/lang/${lang}?next=/staff`)

const auditActions = async (id: number) =>
  (
    await env.DB.prepare('SELECT action FROM audit_log WHERE application_id = ? ORDER BY id')
      .bind(id)
      .all<{ action: string }>()
  ).results.map((r) => r.action)

const refundMails = async (id: number) =>
  (
    await env.DB.prepare(
      "SELECT kind, subject, body, to_address FROM mail_log WHERE application_id = ? AND kind LIKE 'refund-%' ORDER BY id",
    )
      .bind(id)
      .all<{ kind: string; subject: string; body: string; to_address: string }>()
  ).results

/** A card payment M.I.C. refused (the card suspended), by a student using `lang`. */
const refusedCharge = async (userId: string, amount: number, lang: 'ja' | 'en' = 'ja') => {
  const client = await ready(userId)
  if (lang === 'en') await client.get('/lang/en?next=/menu')
  const { id } = await applyCharge(client, amount)
  await mic().setCard(card(userId), { suspended: true })
  await payOnGateway(client, id)
  await creditStatusBecomes(id, 'refused')
  return { client, id }
}

describe('再チャージ’s result', () => {
  it('is an error when M.I.C. refuses again, with the cause in words, the next step and the record in small type; a success stays a success', async () => {
    const userId = user(1)
    const before = await cardBalance(userId)
    const { id } = await refusedCharge(userId, 900)
    const { client: staff } = await staffClient('staff')

    const ja = await afterAct(staff, (await act(staff, id, 'recredit', 'カードの状態を確認')).res)
    const jaMessage = messageOf(ja.html)
    expect(jaMessage).toMatchObject({ kind: 'error', role: 'alert' })
    expect(jaMessage!.text).toContain(
      '再チャージしましたが、チャージできませんでした（チャージ状況: M.I.C.が拒否）。',
    )
    expect(jaMessage!.text).toContain(
      'カードが利用停止中のため、M.I.C.がチャージを受け付けません。',
    )
    expect(jaMessage!.text).toContain(
      '学生には、大学の窓口でカードの状態を確認するよう伝えてください。',
    )
    // The record for the technical staff, in small type, not in the sentence.
    expect(jaMessage!.html).toMatch(
      /<small[^>]*>[^]*<code>HTTP 422 card_suspended<\/code>[^]*<\/small>/,
    )
    expect(jaMessage!.text.split('記録')[0]).not.toMatch(/HTTP \d{3}|card_suspended/)

    await setConsoleLang(staff, 'en')
    const en = await afterAct(staff, (await act(staff, id, 'recredit', 'card checked')).res)
    const enMessage = messageOf(en.html)
    expect(enMessage).toMatchObject({ kind: 'error', role: 'alert' })
    expect(enMessage!.text).toContain(
      'Credit retried, but it did not go through (credit status: Refused by M.I.C.).',
    )
    expect(enMessage!.text).toContain(
      'The card is suspended, so M.I.C. does not accept the charge.',
    )
    expect(enMessage!.text).toContain(
      'Tell the student to ask the university office about the card.',
    )
    expect(enMessage!.text.replace(/<code>[^<]*<\/code>/, '')).not.toMatch(JAPANESE)
    expect(await cardBalance(userId)).toBe(before)

    // The card works again: the same button lands it, said as a success.
    await mic().setCard(card(userId), { suspended: false })
    await setConsoleLang(staff, 'ja')
    const done = await afterAct(staff, (await act(staff, id, 'recredit', '停止が解除された')).res)
    expect(messageOf(done.html)).toMatchObject({ kind: 'success', role: 'status' })
    expect(messageOf(done.html)!.text).toContain(
      '再チャージを実行しました。チャージ状況: チャージ済み',
    )
    expect(await cardBalance(userId)).toBe(before + 900)
    expect(await auditActions(id)).toEqual([
      'application.recredit',
      'application.recredit',
      'application.recredit',
    ])
  })
})

describe('再チャージ is not offered', () => {
  it('for a credit held over the cap with no room yet: says when it is tried by itself; a POST is refused and changes nothing', async () => {
    const userId = user(2)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 3000)
    // Cash on campus fills the card before the payment: ¥19,000 of ¥20,000.
    expect((await mic().cash(card(userId), 18_000)).status).toBe(200)
    await payOnGateway(client, id)
    const held = await creditStatusBecomes(id, 'held')
    const next = formatJstDateTime(held.next_credit_at!)
    const { client: staff } = await staffClient('callcentre')

    const page = await detailOf(staff, id)
    expect(page.html).not.toContain(`/actions/recredit"`)
    expect(page.text).toContain(
      `再チャージ : カードの残高に空きがないため、再チャージしても保留に戻ります（M.I.C.の残高 ¥19,000 ＋ チャージ ¥3,000 が残高上限額 ¥20,000 を超えます）。空きができれば自動でチャージします。次の確認は ${next} です。`,
    )
    const confirm = await staff.get(`/staff/applications/${id}/actions/recredit`)
    expect(confirm.res.status).toBe(409)
    expect(confirm.html).not.toContain('name="reason"')
    expect(mainText(confirm.html)).toContain(`次の確認は ${next} です。`)
    // A stale page or a crafted POST: refused, nothing sent to M.I.C., nothing audited.
    const posted = await staff.post(`/staff/applications/${id}/actions/recredit`, {
      reason: '試す',
    })
    expect(posted.res.status).toBe(409)
    expect(messageOf(posted.html)).toMatchObject({ kind: 'error', role: 'alert' })
    expect(messageOf(posted.html)!.text).toContain('再チャージ: カードの残高に空きがないため')
    expect(await application(id)).toMatchObject({
      credit_status: 'held',
      next_credit_at: held.next_credit_at,
    })
    expect(await creditsOf(userId)).toEqual([])
    expect(await auditActions(id)).toEqual([])

    await setConsoleLang(staff, 'en')
    const en = await detailOf(staff, id)
    expect(en.text).toContain(
      `the card has no room yet, so the credit would only be held again (the card’s balance at M.I.C. ¥19,000 + credit ¥3,000 is over the balance cap ¥20,000). It is credited automatically once there is room; the next check is at ${next}.`,
    )

    // The student spends on campus and M.I.C. is read again: there is room, and it is offered.
    expect((await mic().purchase(card(userId), 19_000)).status).toBe(200)
    await client.get('/charge')
    await setConsoleLang(staff, 'ja')
    expect((await detailOf(staff, id)).html).toContain(`/actions/recredit"`)
    const done = await afterAct(staff, (await act(staff, id, 'recredit', '空きができた')).res)
    expect(messageOf(done.html)).toMatchObject({ kind: 'success' })
    expect((await creditsOf(userId)).map((c) => c.amount)).toEqual([3000])
  })

  it('while a refund request waits for approval: says why; a POST is refused; offered again once it is rejected', async () => {
    const userId = user(3)
    const { id } = await refusedCharge(userId, 1100)
    await mic().setCard(card(userId), { suspended: false })
    const { client: staffA } = await staffClient('staff')
    const { client: staffB } = await staffClient('staff')
    expect((await act(staffA, id, 'refund', 'カード停止のため')).res.status).toBe(303)

    const page = await detailOf(staffB, id)
    expect(page.html).not.toContain(`/actions/recredit"`)
    expect(page.text).toContain(
      '再チャージ : 承認待ちの返金依頼があるため、再チャージできません。先に返金依頼を承認するか却下してください。',
    )
    expect((await staffB.get(`/staff/applications/${id}/actions/recredit`)).res.status).toBe(409)
    const posted = await staffB.post(`/staff/applications/${id}/actions/recredit`, {
      reason: '試す',
    })
    expect(posted.res.status).toBe(409)
    expect(messageOf(posted.html)!.text).toContain('承認待ちの返金依頼があるため')
    expect((await application(id))!.credit_status).toBe('refused')
    expect(await creditsOf(userId)).toEqual([])
    expect(await auditActions(id)).toEqual(['refund.request'])

    await setConsoleLang(staffB, 'en')
    expect((await detailOf(staffB, id)).text).toContain(
      'Not possible: a refund request is waiting for approval. Approve or reject it first.',
    )
    expect((await act(staffB, id, 'refund-reject', 'the card works again')).res.status).toBe(303)
    expect((await detailOf(staffB, id)).html).toContain(`/actions/recredit"`)
  })
})

describe('返金 of a credit already on the card', () => {
  it('says the money is on the card and where the university sends the student, in the console’s language', async () => {
    const userId = user(4)
    const client = await ready(userId)
    const { id } = await applyCharge(client, 1500)
    await payOnGateway(client, id)
    await creditStatusBecomes(id, 'credited')
    const desk = await env.DB.prepare(
      "SELECT card_money_desk AS ja, card_money_desk_en AS en FROM universities WHERE id = 'demo'",
    ).first<{ ja: string; en: string }>()
    expect(desk!.ja).not.toBe('')
    const { client: staff } = await staffClient('staff')

    const page = await detailOf(staff, id)
    expect(page.html).not.toContain(`/actions/refund"`)
    expect(page.text).toContain(
      `返金を依頼 : M.I.C.へチャージ済みのため、ここでは返金できません。お金はすでに学生のカードに入っています。カードの残高の払い戻しは大学の窓口が扱いますので、学生には次の窓口をご案内ください: ${desk!.ja}`,
    )
    const confirm = await staff.get(`/staff/applications/${id}/actions/refund`)
    expect(confirm.res.status).toBe(409)
    expect(mainText(confirm.html)).toContain(desk!.ja)
    const posted = await staff.post(`/staff/applications/${id}/actions/refund`, { reason: '依頼' })
    expect(posted.res.status).toBe(409)
    expect(messageOf(posted.html)!.text).toContain(`学生には次の窓口をご案内ください: ${desk!.ja}`)
    expect(await auditActions(id)).toEqual([])

    await setConsoleLang(staff, 'en')
    const en = await detailOf(staff, id)
    expect(en.text).toContain(
      `Not possible here: the credit reached the M.I.C. card, so the money is on the card. The university office handles money already on a card; send the student to: ${desk!.en}`,
    )

    // A university that has not named its office: the member is told whom to ask, and how
    // an administrator names it.
    const a = (await env.DB.prepare('SELECT * FROM applications WHERE id = ?').bind(id).first())!
    const situation = {
      application: { ...a, creditStatus: 'credited', status: 'paid', kind: 'mic_charge' } as never,
      student: { email: mailOf(userId) },
      openRequest: undefined,
      member: { id: 0 },
      extras: { lastBalance: 2500, cap: 20_000, cardMoneyDesk: { ja: '', en: '' } },
    }
    const why = whyNot('refund', situation)
    expect(why).toBe('retryWhyRefundOnCardNoDesk')
    expect(consoleText('ja')(why!)).toContain('管理者が大学設定で設定できます')
    expect(consoleText('en')(why!)).toContain(
      'An administrator can set which office to name in University settings.',
    )
  })
})

describe('refund mails', () => {
  for (const [n, lang] of [
    [5, 'ja'],
    [6, 'en'],
  ] as const)
    it(`tells the student (${lang}) when staff’s approved refund of a card payment is done, once; メール再送 sends it again`, async () => {
      const userId = user(n)
      const { id } = await refusedCharge(userId, 1500, lang)
      const { client: staffA } = await staffClient('staff')
      const { client: staffB } = await staffClient('admin')
      expect((await act(staffA, id, 'refund', 'カード停止のため')).res.status).toBe(303)
      expect(await refundMails(id)).toEqual([])
      const approved = await afterAct(staffB, (await act(staffB, id, 'refund-approve', '承認')).res)
      expect(messageOf(approved.html)!.text).toContain(
        '返金しました。 学生に「返金完了のお知らせ」をメールで送りました。',
      )
      expect((await application(id))!.status).toBe('refunded')
      const mails = await refundMails(id)
      expect(mails.map((m) => [m.kind, m.to_address])).toEqual([
        ['refund-completed', mailOf(userId)],
      ])
      const [mail] = mails
      if (lang === 'ja') {
        expect(mail!.subject).toBe('【お知らせ】返金が完了しました')
        for (const line of [
          'To テスト ハナコ 様',
          'お支払いいただいた金額を返金しました。',
          `発行申請番号は ${id} です。`,
          '返金額: 1,500円',
          '支払方法: クレジットカード決済',
          '返金日: ',
          'ご利用明細に反映される時期は、カード会社などによって異なります。',
        ])
          expect(mail!.body).toContain(line)
      } else {
        expect(mail!.subject).toBe('[Notice] Your refund is complete')
        for (const line of [
          'Your payment has been refunded.',
          `Your application number is ${id}.`,
          'Amount refunded: ¥1,500',
          'Payment method: Credit card',
          'Refunded at: ',
        ])
          expect(mail!.body).toContain(line)
        // No Japanese but the student's own name as registered (カナ).
        expect(`${mail!.subject}\n${mail!.body.replace('テスト ハナコ', '')}`).not.toMatch(JAPANESE)
      }
      expect((await detailOf(staffB, id)).text).toContain(
        `メール送信: 返金完了のお知らせ → ${mailOf(userId)}（送信済み）`,
      )

      // メール再送: the refund mail is what fits now, to the student's address.
      const confirm = await staffA.get(`/staff/applications/${id}/actions/resend-mail`)
      expect(confirm.res.status).toBe(200)
      expect(mainText(confirm.html)).toContain('返金完了のお知らせ')
      const resent = await afterAct(
        staffA,
        (await act(staffA, id, 'resend-mail', '届いていない')).res,
      )
      expect(messageOf(resent.html)!.text).toContain(
        `「返金完了のお知らせ」を ${mailOf(userId)} へ再送しました。`,
      )
      const again = await refundMails(id)
      expect(again.map((m) => m.kind)).toEqual(['refund-completed', 'refund-completed'])
      expect(again[1]!.body).toBe(mail!.body)
    })

  it('tells the student nothing when KOMOJU refuses the refund: nothing went back', async () => {
    const userId = user(9)
    const { id } = await refusedCharge(userId, 1200)
    const { client: staffA } = await staffClient('staff')
    const { client: staffB } = await staffClient('staff')
    expect((await act(staffA, id, 'refund', 'カード停止のため')).res.status).toBe(303)
    await gateway().settings({ refuseNextRefund: true })
    const approved = await afterAct(staffB, (await act(staffB, id, 'refund-approve', '承認')).res)
    expect(messageOf(approved.html)).toMatchObject({ kind: 'error', role: 'alert' })
    expect(messageOf(approved.html)!.text).not.toContain('メールで送りました')
    expect(await application(id)).toMatchObject({ status: 'paid', credit_status: 'refused' })
    expect(await refundMails(id)).toEqual([])
  })

  for (const [n, lang] of [
    [7, 'ja'],
    [8, 'en'],
  ] as const)
    it(`tells the student (${lang}) once when KOMOJU completes a refund to their bank account; メール再送 sends “accepted” while it is under way`, async () => {
      const userId = user(n)
      const client = await ready(userId)
      if (lang === 'en') await client.get('/lang/en?next=/menu')
      const { id } = await applyCharge(client, 3000, 'cvs_lawson')
      expect((await mic().cash(card(userId), 18_000)).status).toBe(200)
      const payment = await twinPaymentOf(id)
      expect((await gateway().payAtStore(payment.id)).status).toBe(200)
      await creditStatusBecomes(id, 'held')
      const { client: staffA } = await staffClient('staff')
      const { client: staffB } = await staffClient('staff')
      expect((await act(staffA, id, 'refund', '学生から依頼')).res.status).toBe(303)
      const since = await lastMailId()
      expect((await act(staffB, id, 'refund-approve', '承認')).res.status).toBe(303)
      expect((await latestMail(mailOf(userId), since))?.kind).toBe('cash-refund-account')
      const account = {
        bank_code: '0005',
        bank_name: 'テスト銀行',
        branch_code: '001',
        account_type: 'normal',
        account_number: '1234567',
        account_holder: 'テスト ハナコ',
      }
      expect((await client.post(`/applications/${id}/refund-account`, account)).res.status).toBe(
        303,
      )
      await creditStatusBecomes(id, 'refunding')
      expect(await refundMails(id)).toEqual([])

      // Under way at KOMOJU: メール再送 sends that it was accepted.
      await setConsoleLang(staffA, lang)
      const resent = await afterAct(staffA, (await act(staffA, id, 'resend-mail', 'resend')).res)
      expect(messageOf(resent.html)!.text).toContain(
        lang === 'ja' ? '「返金受付のお知らせ」を' : '“Refund accepted” was sent again',
      )
      const [accepted] = await refundMails(id)
      expect(accepted!.kind).toBe('refund-approved')
      expect(accepted!.subject).toBe(
        lang === 'ja'
          ? '【お知らせ】返金を受け付けました'
          : '[Notice] Your refund has been accepted',
      )
      expect(accepted!.body).toContain(
        lang === 'ja'
          ? 'ご指定の銀行口座へのお振込みで返金します'
          : 'refunded by a transfer to the bank account you gave',
      )

      // KOMOJU transfers the money: its webhook makes it 返金済み and the student is told once.
      const requests = (await (
        await fetch(`${KOMOJU}/api/v1/payments/${payment.id}`, {
          headers: { authorization: `Basic ${btoa(`${env.KOMOJU_SECRET_KEY}:`)}` },
        })
      ).json()) as { refund_requests: { id: string }[] }
      const done = await fetch(
        `${KOMOJU}/_twin/payments/${payment.id}/refund_requests/${requests.refund_requests[0]!.id}/complete`,
        { method: 'POST' },
      )
      expect(done.status).toBe(200)
      await gateway().flush()
      const mails = await eventually(
        () => refundMails(id),
        (m) => m.length === 2,
      )
      expect((await application(id))!.status).toBe('refunded')
      expect(mails.map((m) => m.kind)).toEqual(['refund-approved', 'refund-completed'])
      const completed = mails[1]!
      expect(completed.subject).toBe(
        lang === 'ja' ? '【お知らせ】返金が完了しました' : '[Notice] Your refund is complete',
      )
      expect(completed.body).toContain(
        lang === 'ja'
          ? 'ご指定の銀行口座へお振込みしました。'
          : 'transferred to the bank account you gave',
      )
      expect(completed.body).toContain(lang === 'ja' ? '返金額: 3,000円' : 'Amount refunded: ¥3,000')
      if (lang === 'en')
        for (const m of mails)
          expect(`${m.subject}\n${m.body.replace('テスト ハナコ', '')}`).not.toMatch(JAPANESE)

      // The gateway asked again (支払状況を照会) and its events again: no second mail.
      expect((await act(staffA, id, 'inquire', 'check')).res.status).toBe(303)
      await gateway().flush()
      expect((await refundMails(id)).map((m) => m.kind)).toEqual([
        'refund-approved',
        'refund-completed',
      ])
    })
})

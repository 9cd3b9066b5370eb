import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { ACTION_NAMES } from '../../src/flows/staff/actions'
import { AUDIT_ACTIONS } from '../../src/flows/staff/audit'
import { atNoon } from '../charge'
import { mainText, type Client } from '../client'
import { newStaff, staffClient } from '../staff'

// 監査ログ searched and read in words (issue 21), 突合's CSV with the student of each
// difference, the confirmation pages' titles and 要対応's counts linked to their rows. Every
// row this file reads is written with fixed times; the service clock starts at noon.

/** 2026/12/06 14:05 JST, as the audit log stores times: epoch milliseconds. */
const AT_1405 = Date.UTC(2026, 11, 6, 5, 5)
const FIXED = Date.UTC(2026, 11, 6, 3, 0)

const unique = () => crypto.randomUUID().slice(0, 8)

/** A student of 'demo' of this file's own, with one paid application M.I.C. refused. */
const studentWithApplication = async () => {
  const userId = `aud${unique()}`
  const student = await env.DB.prepare(
    "INSERT INTO students (university_id, user_id, name_kana) VALUES ('demo', ?, 'カンサ タロウ') RETURNING id",
  )
    .bind(userId)
    .first<{ id: number }>()
  const application = await env.DB.prepare(
    `INSERT INTO applications (university_id, student_id, amount, payment_method, status, request_key, provider, provider_payment_id, payment_deadline, paid_at, credit_status, credit_attempts, credit_error, created_at, updated_at)
     VALUES ('demo', ?, 1500, 'credit_card', 'paid', ?, 'komoju', ?, ?, ?, 'refused', 3, 'HTTP 422 card_suspended', ?, ?) RETURNING id`,
  )
    .bind(student!.id, `aud-${userId}`, `pay_${userId}`, FIXED, FIXED, FIXED, FIXED)
    .first<{ id: number }>()
  return { userId, studentId: student!.id, applicationId: application!.id }
}

/** An entry written straight into the log, as the flows write them (JSON before and after). */
const appendAudit = (e: {
  action: string
  targetType: string
  targetId: string | number
  applicationId?: number
  before?: unknown
  after?: unknown
}) =>
  env.DB.prepare(
    `INSERT INTO audit_log (at, staff_id, staff_email, university_id, action, target_type, target_id, application_id, reason, before, after)
     VALUES (?, 0, 'someone@staff.example', 'demo', ?, ?, ?, ?, '学生からの問い合わせ', ?, ?)`,
  )
    .bind(
      FIXED,
      e.action,
      e.targetType,
      String(e.targetId),
      e.applicationId ?? null,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
    )
    .run()

/** The codes of the actions a 監査ログ page lists, in order (kept in a data attribute). */
const actionsOn = (html: string) =>
  [...html.matchAll(/<td class="audit-action" data-action="([^"]+)">([^<]*)<\/td>/g)].map(
    (m) => m[1]!,
  )
/** The same rows' actions as a person reads them. */
const actionWordsOn = (html: string) =>
  [...html.matchAll(/<td class="audit-action" data-action="[^"]+">([^<]*)<\/td>/g)].map(
    (m) => m[1]!,
  )

const english = (client: Client) => client.cookies.set('lang', 'en')

beforeAll(async () => {
  await atNoon()
})

describe('監査ログ: searched by what a caller knows', () => {
  it('offers every action by its name in words, never its code, and finds by the one chosen', async () => {
    const { client: admin } = await staffClient('admin')
    const colleague = await newStaff('staff')
    expect(
      (await admin.post(`/staff/members/${colleague.id}/role`, { role: 'admin' })).res.status,
    ).toBe(303)

    const { html } = await admin.get('/staff/audit')
    const select = html.match(/<select id="action" name="action"[^>]*>([\s\S]*?)<\/select>/)?.[1]
    expect(select).toBeDefined()
    const options = [...select!.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)]
    expect(
      options
        .map((o) => o[1])
        .filter(Boolean)
        .sort(),
    ).toEqual(Object.keys(AUDIT_ACTIONS).sort())
    for (const [, code, words] of options) {
      expect(words, code).not.toBe(code)
      expect(words, code).not.toMatch(/^[a-z]+[._][A-Za-z_-]+$/)
    }
    expect(select).toContain('>スタッフの役割の変更</option>')

    const found = await admin.get(`/staff/audit?action=staff.role&target=${colleague.email}`)
    expect(found.res.status).toBe(200)
    expect(actionsOn(found.html)).toEqual(['staff.role'])
    expect(actionWordsOn(found.html)).toEqual(['スタッフの役割の変更'])
    expect(mainText(found.html)).not.toContain('staff.role')
    expect(found.html).toMatch(/<option value="staff\.role" selected="">/)

    english(admin)
    const en = await admin.get(`/staff/audit?action=staff.role&target=${colleague.email}`)
    expect(actionWordsOn(en.html)).toEqual(['Staff role changed'])
    expect(en.html).toContain('>Staff role changed</option>')
  })

  it('refuses an action that is not in the list, in both languages', async () => {
    const { client: admin } = await staffClient('admin')
    const ja = await admin.get('/staff/audit?action=staff')
    expect(ja.res.status).toBe(422)
    expect(mainText(ja.html)).toContain('操作は一覧から選んでください。')
    english(admin)
    const en = await admin.get('/staff/audit?action=staff')
    expect(en.res.status).toBe(422)
    expect(mainText(en.html)).toContain('Choose Action from the list.')
  })

  it('finds a student’s entries by ユーザID, and a member’s by e-mail', async () => {
    const { client: admin } = await staffClient('admin')
    const mine = await studentWithApplication()
    const other = await studentWithApplication()
    const unlock = await admin.post(`/staff/students/${mine.studentId}/unlock`, {
      reason: 'ログインできないとの電話',
    })
    expect(unlock.res.status).toBe(303)
    await appendAudit({
      action: 'application.recredit',
      targetType: 'application',
      targetId: mine.applicationId,
      applicationId: mine.applicationId,
    })
    await appendAudit({
      action: 'application.inquire',
      targetType: 'application',
      targetId: other.applicationId,
      applicationId: other.applicationId,
    })

    const byUser = await admin.get(`/staff/audit?target=${mine.userId}`)
    expect(byUser.res.status).toBe(200)
    expect(actionsOn(byUser.html).sort()).toEqual(['application.recredit', 'student.unlockLogin'])
    // The student is named as a caller names them, and linked to their page.
    expect(byUser.html).toContain(
      `学生 <a href="/staff/students/${mine.studentId}" class="mono">${mine.userId}</a>`,
    )
    expect(byUser.html).toContain(
      `<a href="/staff/applications/${mine.applicationId}">${mine.applicationId}</a>`,
    )

    const colleague = await newStaff('staff')
    await admin.post(`/staff/members/${colleague.id}/disable`, {})
    const invited = `invited-${unique()}@staff.example`
    await admin.post('/staff/members', { email: invited, name: '招待 ハナコ', role: 'staff' })
    const byMember = await admin.get(
      `/staff/audit?target=${encodeURIComponent(colleague.email.toUpperCase())}`,
    )
    expect(actionsOn(byMember.html)).toEqual(['staff.disable'])
    expect(mainText(byMember.html)).toContain(`スタッフ ${colleague.email}`)
    expect(actionsOn((await admin.get(`/staff/audit?target=${invited}`)).html)).toEqual([
      'staff.invite',
    ])

    english(admin)
    const en = await admin.get(`/staff/audit?target=${mine.userId}`)
    expect(actionWordsOn(en.html).sort()).toEqual(['Re-credit', 'Student login lock lifted'])
    expect(en.html).toContain(`Student <a href="/staff/students/${mine.studentId}"`)
  })
})

describe('監査ログ: 変更前 and 変更後 in words', () => {
  const before = { lockedUntil: AT_1405, failures: 5, role: 'staff', sealed: false }
  const after = {
    lockedUntil: null,
    failures: 0,
    role: 'admin',
    sealed: true,
    gateway: { kind: 'payment', amount: 1500, capturedAt: AT_1405 },
  }
  let target = ''
  beforeAll(async () => {
    const member = await newStaff('staff')
    target = member.email
    await appendAudit({
      action: 'staff.unlock',
      targetType: 'staff',
      targetId: member.id,
      before,
      after,
    })
  })

  it('shows each field as label and value, times in JST, never JSON or epoch milliseconds', async () => {
    const { client: admin } = await staffClient('admin')
    const { html } = await admin.get(`/staff/audit?target=${target}`)
    expect(actionWordsOn(html)).toEqual(['スタッフのログインロック解除'])
    expect(html).toContain('<dt>ロック期限</dt><dd>2026/12/06 14:05</dd>')
    expect(html).toContain('<dt>ログイン失敗回数</dt><dd>5</dd>')
    expect(html).toContain('<dt>役割</dt><dd>スタッフ</dd>')
    expect(html).toContain('<dt>役割</dt><dd>管理者</dd>')
    expect(html).toContain('<dt>ロック期限</dt><dd>なし</dd>')
    expect(html).toContain('<dt>厳封</dt><dd>はい</dd>')
    // KOMOJU's answer, an object of its own, read the same way.
    expect(html).toContain('<dt>金額</dt><dd>1,500円</dd>')
    expect(html).toContain('<dt>決済日時</dt><dd>2026/12/06 14:05</dd>')
    expect(html).not.toContain(String(AT_1405))
    expect(mainText(html)).not.toMatch(/lockedUntil|&quot;|\{"/)
  })

  it('reads the same in English', async () => {
    const { client: admin } = await staffClient('admin')
    english(admin)
    const { html } = await admin.get(`/staff/audit?target=${target}`)
    expect(actionWordsOn(html)).toEqual(['Staff login lock lifted'])
    expect(html).toContain('<dt>Locked until</dt><dd>2026/12/06 14:05</dd>')
    expect(html).toContain('<dt>Role</dt><dd>Administrator</dd>')
    expect(html).toContain('<dt>Sealed</dt><dd>Yes</dd>')
    expect(html).toContain('<dt>Amount</dt><dd>¥1,500</dd>')
    expect(html).not.toContain(String(AT_1405))
  })

  it('keeps the CSV’s stored columns and adds the entry in words after them', async () => {
    const { client: admin } = await staffClient('admin')
    const rows = async () => {
      const res = await admin.request(`/staff/audit.csv?target=${target}`)
      expect(res.status).toBe(200)
      return (await res.text()).replace(/^\uFEFF/, '').split('\r\n')
    }
    const ja = await rows()
    expect(ja[0]).toBe(
      '"日時","スタッフ","操作","対象","発行申請番号","理由","変更前","変更後","操作（名称）","対象（名称）","変更前（項目）","変更後（項目）"',
    )
    expect(ja[1]).toContain(`"staff.unlock"`)
    expect(ja[1]).toContain(`"{""lockedUntil"":${AT_1405},`)
    expect(ja[1]).toContain(
      `"スタッフのログインロック解除","スタッフ ${target}","ロック期限: 2026/12/06 14:05; ログイン失敗回数: 5; 役割: スタッフ; 厳封: いいえ"`,
    )
    expect(ja[1]).toContain(
      'KOMOJUの回答: (種類: payment, 金額: 1,500円, 決済日時: 2026/12/06 14:05)',
    )
    english(admin)
    const en = await rows()
    expect(en[0]).toContain('"Action (name)","Target (name)","Before (fields)","After (fields)"')
    expect(en[1]).toContain(
      '"Locked until: 2026/12/06 14:05; Failed logins: 5; Role: Staff; Sealed: No"',
    )
  })
})

describe('突合’s CSV', () => {
  it('names the student of each difference (ユーザID, 氏名カナ), empty where there is none', async () => {
    const s = await studentWithApplication()
    const run = await env.DB.prepare(
      `INSERT INTO reconciliation_runs (university_id, day, ran_at, ran_by, gateway_count, application_count, mic_count, difference_count)
       VALUES ('demo', '2026-12-05', ?, NULL, 2, 1, 1, 3) RETURNING id`,
    )
      .bind(FIXED)
      .first<{ id: number }>()
    const difference = (kind: string, applicationId: number | null, detail: unknown) =>
      env.DB.prepare(
        `INSERT INTO reconciliation_differences (run_id, kind, application_id, payment_id, gateway_amount, application_amount, detail)
         VALUES (?, ?, ?, ?, 1500, ?, ?)`,
      ).bind(
        run!.id,
        kind,
        applicationId,
        `pay_${kind}_${s.userId}`,
        applicationId === null ? null : 1500,
        JSON.stringify(detail),
      )
    await env.DB.batch([
      difference('paid_not_credited', s.applicationId, { paymentStatus: 'captured' }),
      difference('unknown_payment', null, { paymentStatus: 'captured', orderRef: null }),
      difference('credited_without_payment', null, { idempotencyKey: 'k', userId: s.userId }),
    ])
    const { client } = await staffClient('staff')
    const csv = async () => {
      const res = await client.request(`/staff/reconciliation/${run!.id}.csv`)
      expect(res.status).toBe(200)
      return (await res.text()).replace(/^\uFEFF/, '').split('\r\n')
    }
    const ja = await csv()
    expect(ja[0]).toMatch(/,"詳細","ユーザID","氏名カナ"$/)
    expect(ja[1]).toMatch(new RegExp(`,"${s.userId}","カンサ タロウ"$`))
    expect(ja[2]).toMatch(/,"",""$/)
    expect(ja[3]).toMatch(new RegExp(`,"${s.userId}","カンサ タロウ"$`))
    english(client)
    const en = await csv()
    expect(en[0]).toMatch(/,"Detail","User ID","Name \(kana\)"$/)
    expect(en[1]).toMatch(new RegExp(`,"${s.userId}","カンサ タロウ"$`))
  })
})

describe('the confirmation pages’ titles', () => {
  const titles = {
    recredit: ['再チャージの確認', 'Confirm the re-credit'],
    inquire: ['支払状況の照会', 'Inquire about the payment status'],
    'resend-mail': ['メール再送の確認', 'Confirm resending the mail'],
    refund: ['返金依頼の確認', 'Confirm the refund request'],
    'refund-approve': ['返金承認の確認', 'Confirm approving the refund'],
    'refund-reject': ['返金依頼の却下', 'Reject the refund request'],
    'credit-net': ['差額チャージの確認', 'Confirm crediting the net'],
    'close-reversal': [
      'チャージ後の返金を対応済みにする',
      'Mark the refund after the credit as dealt with',
    ],
  } as const

  it('reads naturally for every action, in Japanese and English', async () => {
    expect(Object.keys(titles).sort()).toEqual([...ACTION_NAMES].sort())
    const { applicationId } = await studentWithApplication()
    const { client } = await staffClient('admin')
    for (const [lang, i] of [
      ['ja', 0],
      ['en', 1],
    ] as const) {
      client.cookies.set('lang', lang)
      for (const name of ACTION_NAMES) {
        const { html } = await client.get(`/staff/applications/${applicationId}/actions/${name}`)
        expect(html.match(/<h1>([^<]*)<\/h1>/)?.[1], `${lang} ${name}`).toBe(titles[name][i])
        expect(html).not.toMatch(/を照会の確認|Confirm: /)
      }
    }
  })
})

describe('要対応’s counts', () => {
  it('link to the first row of their kind, in both languages', async () => {
    const { applicationId } = await studentWithApplication()
    const { client } = await staffClient('staff')
    for (const lang of ['ja', 'en'] as const) {
      client.cookies.set('lang', lang)
      const { html } = await client.get('/staff')
      const counts = html.match(/<ul class="counts">([\s\S]*?)<\/ul>/)?.[1] ?? ''
      const hrefs = [...counts.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!)
      expect(hrefs).toContain('triage-list-heading')
      expect(hrefs).toContain('triage-refused')
      // Every count's link lands on something on the page, once.
      for (const id of hrefs) expect(html.split(`id="${id}"`).length - 1, id).toBe(1)
      // The refused count leads to the oldest refused row, which is in the list.
      const row = html.match(/<tr data-kind="refused"[^>]*><td id="triage-refused">[\s\S]*?<\/tr>/)
      expect(row, lang).not.toBeNull()
      expect(html).toContain(`/staff/applications/${applicationId}`)
    }
  })
})

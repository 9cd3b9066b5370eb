import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { atNoon, eventually, notify, signedWebhook, webhookEvent } from '../charge'
import { mainText } from '../client'
import { staffClient } from '../staff'

// The way out for an event no application took: 対応済みにする, with a reason, by a
// university's staff (not the call centre), audited, and gone from 要対応.

const notification = (id: string) =>
  env.DB.prepare('SELECT * FROM payment_notifications WHERE event_id = ?')
    .bind(id)
    .first<{ outcome: string | null; applied_at: number | null; resolved_at: number | null }>()

const unmatchedCount = async (html: string) =>
  Number(html.match(/data-kind="unmatched"[^>]*>\s*<strong>(\d+)<\/strong>/)?.[1])

describe('対応済みにする: an unmatched event', () => {
  let eventId = ''
  const path = () => `/staff/events/${eventId}/resolve`
  beforeAll(async () => {
    await atNoon()
    const event = webhookEvent('payment.captured', `pay_unknown_${crypto.randomUUID()}`)
    eventId = event.id
    expect((await notify(await signedWebhook(event))).status).toBe(200)
    const n = await eventually(
      () => notification(eventId),
      (n) => n?.applied_at != null,
    )
    expect(n?.outcome).toBe('unmatched')
  })

  it('is refused to the call centre and hidden from another university', async () => {
    const callcentre = (await staffClient('callcentre')).client
    expect((await callcentre.get(path())).res.status).toBe(403)
    expect((await callcentre.post(path(), { reason: '調査済み' })).res.status).toBe(403)
    const other = (await staffClient('staff', 'second')).client
    expect((await other.get(path())).res.status).toBe(404)
    expect((await other.post(path(), { reason: '調査済み' })).res.status).toBe(404)
    expect((await notification(eventId))?.resolved_at).toBeNull()
  })

  it('needs a reason, then leaves 要対応 and is audited; a second time is refused', async () => {
    const { member, client } = await staffClient('staff')
    const before = await client.get('/staff')
    expect(before.html).toContain(`/staff/events/${eventId}/resolve`)
    const count = await unmatchedCount(before.html)
    expect(count).toBeGreaterThan(0)

    const { html } = await client.get(path())
    expect(mainText(html)).toContain('payment.captured')
    const blank = await client.post(path(), { reason: '  ' })
    expect(blank.res.status).toBe(422)
    expect(mainText(blank.html)).toContain('理由を入力してください')
    expect((await notification(eventId))?.resolved_at).toBeNull()

    const done = await client.post(path(), { reason: 'KOMOJUの管理画面で別加盟店の決済と確認' })
    expect(done.res.status).toBe(303)
    const after = await client.get(done.res.headers.get('location')!)
    expect(mainText(after.html)).toContain(`イベント ${eventId} を対応済みにしました`)
    expect(after.html).not.toContain(`/staff/events/${eventId}/resolve`)
    expect(await unmatchedCount(after.html)).toBe(count - 1)

    const entry = await env.DB.prepare(
      "SELECT * FROM audit_log WHERE action = 'event.resolve' AND target_id = ?",
    )
      .bind(eventId)
      .first<{ staff_id: number; reason: string; university_id: string }>()
    expect(entry).toMatchObject({
      staff_id: member.id,
      reason: 'KOMOJUの管理画面で別加盟店の決済と確認',
      university_id: 'demo',
    })
    expect((await client.post(path(), { reason: 'もう一度' })).res.status).toBe(409)
  })
})

import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { database } from '../../src/db'
import { inInvitationLine } from '../../src/flows/staff/members'
import { totpCode } from '../../src/security/totp'
import {
  application,
  applyCharge,
  atNoon,
  creditStatusBecomes,
  gateway,
  mic,
  payOnGateway,
  ready,
} from '../charge'
import { Client, mainText } from '../client'
import { newStaff, staffClient, type TestStaff } from '../staff'
import { FAULT_NONE } from '../twins'

/**
 * 返金 needs two people, and an account an administrator invited is not a second person
 * for them: nobody approves a request made by someone in their own invitation line (who
 * invited them, directly or through others, or whom they invited). Students test0211 …
 * test0216 belong to this file.
 */
const user = (n: number) => `test${String(210 + n).padStart(4, '0')}`

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

/** A paid application whose credit M.I.C. refused: one 返金 away from going back. */
const refundable = async (userId: string) => {
  const client = await ready(userId)
  const { id } = await applyCharge(client, 1500)
  await mic().setCard(`demo:${userId}`, { suspended: true })
  await payOnGateway(client, id)
  await creditStatusBecomes(id, 'refused')
  return id
}

/** The administrator invites a second account (an address of their own) and signs it in. */
const secondAccountOf = async (admin: Client, role: 'staff' | 'admin' = 'staff') => {
  const email = `second-${crypto.randomUUID().slice(0, 8)}@staff.example`
  const { html } = await admin.post('/staff/members', { email, name: 'ニセ ニバンメ', role })
  const path = new URL(html.match(/<code class="mono invite-url">([^<]+)<\/code>/)![1]!).pathname
  const invitee = new Client()
  const page = await invitee.get(path)
  const secret = page.html.match(/<code class="mono">([A-Z2-7]+)<\/code>/)![1]!
  const password = 'Second-pass-2026'
  const accepted = await invitee.post(path, {
    password,
    password_confirm: password,
    code: await totpCode(secret, Date.now()),
  })
  expect(accepted.res.status).toBe(303)
  const row = await env.DB.prepare('SELECT id FROM staff_members WHERE email = ?')
    .bind(email)
    .first<{ id: number }>()
  // Each code works once: the first sign-in may use the current one again.
  await env.DB.prepare('UPDATE staff_members SET totp_last_step = NULL WHERE id = ?')
    .bind(row!.id)
    .run()
  await invitee.get('/staff/login')
  const signedIn = await invitee.post('/staff/login', {
    email,
    password,
    code: await totpCode(secret, Date.now()),
  })
  expect(signedIn.res.status).toBe(303)
  return { client: invitee, id: row!.id }
}

const request = async (client: Client, id: number) => {
  await client.get(`/staff/applications/${id}/actions/refund`)
  const { res } = await client.post(`/staff/applications/${id}/actions/refund`, {
    reason: 'カードが停止されているため',
  })
  expect(res.status).toBe(303)
}
const approve = async (client: Client, id: number) => {
  await client.get(`/staff/applications/${id}/actions/refund-approve`)
  const { res, html } = await client.post(`/staff/applications/${id}/actions/refund-approve`, {
    reason: '確認しました',
  })
  return { status: res.status, text: mainText(html) }
}

describe('返金 approval: two people means two people', () => {
  it('refuses the approval of an account the requester invited, and a genuine second member approves', async () => {
    const id = await refundable(user(1))
    const { client: admin } = await staffClient('admin')
    const second = await secondAccountOf(admin)
    await request(admin, id)
    const refused = await approve(second.client, id)
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('招待')
    expect((await application(id))!.status).toBe('paid')
    const open = await env.DB.prepare(
      'SELECT decided_at FROM refund_requests WHERE application_id = ?',
    )
      .bind(id)
      .first<{ decided_at: number | null }>()
    expect(open!.decided_at).toBeNull()

    // Someone outside the requester's invitation line is a second person.
    const { client: colleague } = await staffClient('staff')
    const approved = await approve(colleague, id)
    expect(approved.status).toBe(303)
    expect((await application(id))!.status).toBe('refunded')
  })

  it('refuses the inviter approving a request made with the account they invited', async () => {
    const id = await refundable(user(2))
    const { client: admin } = await staffClient('admin')
    const second = await secondAccountOf(admin)
    await request(second.client, id)
    const refused = await approve(admin, id)
    expect(refused.status).toBe(403)
    expect((await application(id))!.status).toBe('paid')
  })

  it('follows the line through accounts invited by invited accounts, and no further', async () => {
    const db = database(env.DB)
    const root = await newStaff('admin')
    const invited = async (by: TestStaff | { id: number }) => {
      const m = await newStaff('admin')
      await env.DB.prepare('UPDATE staff_members SET invited_by = ? WHERE id = ?')
        .bind(by.id, m.id)
        .run()
      return m
    }
    const child = await invited(root)
    const grandchild = await invited(child)
    const sibling = await invited(root)
    const stranger = await newStaff('admin')
    expect(await inInvitationLine(db, grandchild.id, root.id)).toBe(true)
    expect(await inInvitationLine(db, root.id, grandchild.id)).toBe(true)
    expect(await inInvitationLine(db, child.id, grandchild.id)).toBe(true)
    expect(await inInvitationLine(db, root.id, root.id)).toBe(true)
    expect(await inInvitationLine(db, stranger.id, root.id)).toBe(false)
    expect(await inInvitationLine(db, stranger.id, grandchild.id)).toBe(false)
    expect(await inInvitationLine(db, sibling.id, grandchild.id)).toBe(false)
    // A loop in the data (never written by the service) ends the walk instead of hanging it.
    await env.DB.prepare('UPDATE staff_members SET invited_by = ? WHERE id = ?')
      .bind(grandchild.id, root.id)
      .run()
    expect(await inInvitationLine(db, stranger.id, root.id)).toBe(false)
  })
})

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db'
import { resealTotpSecrets } from '../../src/flows/staff/auth'
import worker from '../../src/index.dev'
import { hashSecret } from '../../src/security/crypto'
import { newTotpSecret, totpCode } from '../../src/security/totp'
import { openTotpSecret, sealTotpSecret, totpKeys } from '../../src/security/totpSeal'
import { runCron } from '../charge'
import { Client } from '../client'
import { staffClient } from '../staff'

/**
 * The console's MFA seeds at rest: AES-GCM under a key from the TOTP_KEYS secret, its id
 * beside each value, so a copy of D1 alone produces no member's codes.
 */

/** The administrator invites someone, who enrols the secret the page shows and signs in. */
const enrol = async () => {
  const { client: admin } = await staffClient('admin')
  const email = `enrol-${crypto.randomUUID().slice(0, 8)}@staff.example`
  const { html } = await admin.post('/staff/members', { email, name: '暗号 タロウ', role: 'staff' })
  const path = new URL(html.match(/<code class="mono invite-url">([^<]+)<\/code>/)![1]!).pathname
  const invitee = new Client()
  const page = await invitee.get(path)
  const secret = page.html.match(/<code class="mono">([A-Z2-7]+)<\/code>/)![1]!
  const invite = await env.DB.prepare('SELECT totp_secret FROM staff_invites WHERE email = ?')
    .bind(email)
    .first<{ totp_secret: string }>()
  const accepted = await invitee.post(path, {
    password: 'Enrolled-pass-2026',
    password_confirm: 'Enrolled-pass-2026',
    code: await totpCode(secret, Date.now()),
  })
  expect(accepted.res.status).toBe(303)
  const member = await env.DB.prepare('SELECT id, totp_secret FROM staff_members WHERE email = ?')
    .bind(email)
    .first<{ id: number; totp_secret: string }>()
  return { email, secret, inviteStored: invite!.totp_secret, member: member! }
}

const signIn = async (email: string, secret: string, client = new Client()) => {
  await client.get('/staff/login')
  return client.post('/staff/login', {
    email,
    password: 'Enrolled-pass-2026',
    code: await totpCode(secret, Date.now()),
  })
}

/** Every way the base32 secret could sit in a stored value: as is, lower-case, raw bytes. */
const reveals = (stored: string, secret: string) =>
  stored.toUpperCase().includes(secret) || /^[A-Z2-7]{16,}=*$/i.test(stored)

describe('TOTP secrets at rest', () => {
  it('keeps neither the member’s nor the invitation’s secret readable in D1, and login still works', async () => {
    const { email, secret, inviteStored, member } = await enrol()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(reveals(member.totp_secret, secret)).toBe(false)
    expect(reveals(inviteStored, secret)).toBe(false)
    // Forget the enrolment's code, so the sign-in may use the current one.
    await env.DB.prepare('UPDATE staff_members SET totp_last_step = NULL WHERE id = ?')
      .bind(member.id)
      .run()
    expect((await signIn(email, secret)).res.status).toBe(303)
  })
})

/** A key of its own, base64url, as TOTP_KEYS holds them. */
const newKey = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** The same worker with other TOTP_KEYS (a rotation in progress, say). */
const withKeys = (TOTP_KEYS: string) => async (req: Request) => {
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    req as Request<unknown, IncomingRequestCfProperties>,
    { ...env, TOTP_KEYS },
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return res
}

const storedOf = async (email: string) =>
  (await env.DB.prepare('SELECT totp_secret FROM staff_members WHERE email = ?')
    .bind(email)
    .first<{ totp_secret: string }>())!.totp_secret

/** A member as a database from before encryption held it: the secret in plain base32. */
const plainMember = async () => {
  const email = `plain-${crypto.randomUUID().slice(0, 8)}@staff.example`
  const secret = newTotpSecret()
  await env.DB.prepare(
    `INSERT INTO staff_members (email, name, role, university_id, password_hash, totp_secret)
     VALUES (?, 'ヒラ テキスト', 'staff', 'demo', ?, ?)`,
  )
    .bind(email, await hashSecret('Enrolled-pass-2026', env.PEPPER), secret)
    .run()
  return { email, secret }
}

describe('TOTP keys', () => {
  it('needs the key to open a stored value: another key, another member’s row or an altered value open nothing', async () => {
    const { email, member } = await enrol()
    const keys = await totpKeys(env.TOTP_KEYS)
    const [, id] = member.totp_secret.split('.')
    expect(id).toBe(keys.current)
    // The right key opens it, for this member only.
    expect((await openTotpSecret(keys, member.totp_secret, email)).secret).toMatch(/^[A-Z2-7]{32}$/)
    await expect(
      openTotpSecret(keys, member.totp_secret, 'someone@staff.example'),
    ).rejects.toThrow()
    // Under the same id, any other key opens nothing.
    const impostor = await totpKeys(`${id}:${newKey()}`)
    await expect(openTotpSecret(impostor, member.totp_secret, email)).rejects.toThrow()
    const flipped =
      member.totp_secret.slice(0, -2) + (member.totp_secret.endsWith('A') ? 'BA' : 'AA')
    await expect(openTotpSecret(keys, flipped, email)).rejects.toThrow()
  })

  it('rotates: values under the old key id still open, sign-in and new invitations use the new key', async ({
    onTestFinished,
  }) => {
    const { email, secret, member } = await enrol()
    const invited = `rotated-${crypto.randomUUID().slice(0, 8)}@staff.example`
    // The suite's own TOTP_KEYS never held this test's new key: its rows go with the test.
    onTestFinished(async () => {
      await env.DB.prepare('DELETE FROM staff_members WHERE email = ?').bind(email).run()
      await env.DB.prepare('DELETE FROM staff_invites WHERE email IN (?, ?)')
        .bind(email, invited)
        .run()
    })
    const oldKeys = env.TOTP_KEYS
    const oldId = oldKeys.split(':')[0]!
    const rotated = `next:${newKey()},${oldKeys}`
    await env.DB.prepare('UPDATE staff_members SET totp_last_step = NULL WHERE id = ?')
      .bind(member.id)
      .run()
    expect(member.totp_secret.startsWith(`v1.${oldId}.`)).toBe(true)
    const client = new Client('https://example.com', withKeys(rotated))
    expect((await signIn(email, secret, client)).res.status).toBe(303)
    // Sealed anew under the current key at sign-in, and the old key is no longer needed.
    const after = await storedOf(email)
    expect(after.startsWith('v1.next.')).toBe(true)
    const nextOnly = await totpKeys(rotated.split(',')[0])
    expect((await openTotpSecret(nextOnly, after, email)).secret).toBe(secret)

    // An invitation made during the rotation is sealed under the new key.
    const admin = await staffClient('admin')
    const inviter = new Client('https://example.com', withKeys(rotated))
    for (const [k, v] of admin.client.cookies) inviter.cookies.set(k, v)
    const made = await inviter.post('/staff/members', {
      email: invited,
      name: '回転 ハナコ',
      role: 'staff',
    })
    expect(made.res.status).toBe(200)
    const invite = await env.DB.prepare('SELECT totp_secret FROM staff_invites WHERE email = ?')
      .bind(invited)
      .first<{ totp_secret: string }>()
    expect(invite!.totp_secret.startsWith('v1.next.')).toBe(true)
  })

  it('seals plain-text rows from before: by a pass that is safe to repeat, and at sign-in', async () => {
    const keys = await totpKeys(env.TOTP_KEYS)
    const db = database(env.DB)
    const swept = await plainMember()
    const signed = await plainMember()
    expect(await storedOf(swept.email)).toBe(swept.secret)

    // At sign-in: the plain secret still works once, and is sealed from then on.
    expect((await signIn(signed.email, signed.secret)).res.status).toBe(303)
    const sealedAtSignIn = await storedOf(signed.email)
    expect(reveals(sealedAtSignIn, signed.secret)).toBe(false)
    expect((await openTotpSecret(keys, sealedAtSignIn, signed.email)).secret).toBe(signed.secret)

    // By the pass (the cron's): every plain row, then nothing more the second time.
    expect((await resealTotpSecrets({ db, totpKeys: keys })).sealed).toBeGreaterThanOrEqual(1)
    const sealed = await storedOf(swept.email)
    expect(reveals(sealed, swept.secret)).toBe(false)
    expect((await resealTotpSecrets({ db, totpKeys: keys })).sealed).toBe(0)
    expect(await storedOf(swept.email)).toBe(sealed)
    const rows = await env.DB.prepare(
      'SELECT totp_secret FROM staff_members UNION ALL SELECT totp_secret FROM staff_invites',
    ).all<{ totp_secret: string }>()
    expect(rows.results.every((r) => r.totp_secret.startsWith(`v1.${keys.current}.`))).toBe(true)
    expect((await signIn(swept.email, swept.secret)).res.status).toBe(303)

    // The cron runs the pass: a plain row left now is sealed by the next run.
    const late = await plainMember()
    await runCron()
    const sealedByCron = await storedOf(late.email)
    expect(reveals(sealedByCron, late.secret)).toBe(false)
    expect((await openTotpSecret(keys, sealedByCron, late.email)).secret).toBe(late.secret)

    // The demo seed's accounts are sealed too.
    expect(reveals(await storedOf('admin@demo.example'), 'JBSWY3DPEHPK3PXP')).toBe(false)
  })
})

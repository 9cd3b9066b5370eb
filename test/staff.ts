import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import type { StaffRole } from '../src/domain/staff'
import { hashSecret } from '../src/security/crypto'
import { newTotpSecret, totpCode } from '../src/security/totp'
import { sealTotpSecret, totpKeys } from '../src/security/totpSeal'
import { testNow } from './charge'
import { Client } from './client'

export const STAFF_PASSWORD = 'Staffpass2026-test'

export interface TestStaff {
  id: number
  email: string
  role: StaffRole
  universityId: string | null
  secret: string
}

let serial = 0

/**
 * A console member of its own for a test: a fresh address and TOTP secret, so no two tests
 * share a member (a TOTP code works once per member).
 */
export const newStaff = async (
  role: StaffRole,
  universityId: string | null = role === 'callcentre' ? null : 'demo',
  opts: { disabled?: boolean } = {},
): Promise<TestStaff> => {
  const email = `${role}-${Date.now().toString(36)}-${++serial}-${crypto.randomUUID().slice(0, 8)}@staff.example`
  const secret = newTotpSecret()
  const row = await env.DB.prepare(
    `INSERT INTO staff_members (email, name, role, university_id, password_hash, totp_secret, disabled_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      email,
      `テスト ${role}`,
      role,
      universityId,
      await hashSecret(STAFF_PASSWORD, env.PEPPER),
      // Sealed under the current key, as the service writes it.
      await sealTotpSecret(await totpKeys(env.TOTP_KEYS), secret, email),
      opts.disabled ? testNow() : null,
    )
    .first<{ id: number }>()
  return { id: row!.id, email, role, universityId, secret }
}

/**
 * The member's code at `at`: real time, as an authenticator app has it (the service checks
 * codes against real time, not its movable clock).
 */
export const codeFor = (member: Pick<TestStaff, 'secret'>, at = Date.now()) =>
  totpCode(member.secret, at)

/** Logs the member in (password and the current code) and returns its client. */
export const staffLogin = async (member: TestStaff, client = new Client()) => {
  await client.get('/staff/login')
  const { res, html } = await client.post('/staff/login', {
    email: member.email,
    password: STAFF_PASSWORD,
    code: await codeFor(member),
  })
  expect(res.status, `staff login: ${html.match(/role="alert"[^>]*>([^<]*)/)?.[1] ?? ''}`).toBe(303)
  expect(res.headers.get('location')).toBe('/staff')
  return client
}

/** A signed-in member of `role`, ready to use the console. */
export const staffClient = async (role: StaffRole, universityId?: string | null) => {
  const member = await newStaff(role, universityId)
  return { member, client: await staffLogin(member) }
}

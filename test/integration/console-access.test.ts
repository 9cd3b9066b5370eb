import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { StaffRole } from '../../src/domain/staff'
import { applyCharge, atNoon, payOnGateway, ready, testNow } from '../charge'
import type { Client } from '../client'
import { newStaff, staffLogin } from '../staff'

// Every role against every console route and action, in its own university and across
// universities: what is allowed answers, what is not is refused (403) or, for another
// university's object, not found (404), and a refused action changes nothing.

type Who = 'staff' | 'admin' | 'callcentre' | 'otherStaff' | 'otherAdmin'
const MEMBERS: Record<Who, [StaffRole, string | null]> = {
  staff: ['staff', 'demo'],
  admin: ['admin', 'demo'],
  callcentre: ['callcentre', null],
  otherStaff: ['staff', 'second'],
  otherAdmin: ['admin', 'second'],
}
const WHO = Object.keys(MEMBERS) as Who[]

const clients = {} as Record<Who, Client>
let applicationId = 0
let studentId = 0
let runId = 0
let demoMemberId = 0

beforeAll(async () => {
  await atNoon()
  for (const who of WHO) clients[who] = await staffLogin(await newStaff(...MEMBERS[who]))
  const student = await ready('test0281')
  applicationId = (await applyCharge(student, 1000)).id
  await payOnGateway(student, applicationId)
  studentId = (await env.DB.prepare('SELECT student_id FROM applications WHERE id = ?')
    .bind(applicationId)
    .first<{ student_id: number }>())!.student_id
  runId = (await env.DB.prepare(
    "INSERT INTO reconciliation_runs (university_id, day, ran_at) VALUES ('demo', '2026-01-01', ?) RETURNING id",
  )
    .bind(testNow())
    .first<{ id: number }>())!.id
  demoMemberId = (await newStaff('staff', 'demo')).id
})

/** 'ok': 200; 'allowed': the page answers (200, or 409 when the action does not fit now). */
type Expect = 'ok' | 'allowed' | 403 | 404
const allStaffSee = (other: Expect): Record<Who, Expect> => ({
  staff: 'ok',
  admin: 'ok',
  callcentre: 'ok',
  otherStaff: other,
  otherAdmin: other,
})
const adminOnly: Record<Who, Expect> = {
  staff: 403,
  admin: 'ok',
  callcentre: 403,
  otherStaff: 403,
  otherAdmin: 'ok',
}

const pages = (): [string, Record<Who, Expect>][] => [
  ['/staff', allStaffSee('ok')],
  ['/staff/search', allStaffSee('ok')],
  [`/staff/search?application_id=${applicationId}`, allStaffSee('ok')],
  [`/staff/applications/${applicationId}`, allStaffSee(404)],
  [`/staff/students/${studentId}`, allStaffSee(404)],
  [`/staff/students/${studentId}/unlock`, allStaffSee(404)],
  [`/staff/students/${studentId}/end-sessions`, allStaffSee(404)],
  // A roster person who never logged in (console-search.test.ts).
  ['/staff/people/demo/test0282', allStaffSee(404)],
  ['/staff/people/demo/test0282/unlock', allStaffSee(404)],
  ['/staff/reconciliation', allStaffSee('ok')],
  [`/staff/reconciliation/${runId}`, allStaffSee(404)],
  [`/staff/reconciliation/${runId}.csv`, allStaffSee(404)],
  ['/staff/settings', adminOnly],
  ['/staff/members', adminOnly],
  ['/staff/audit', adminOnly],
  ['/staff/audit.csv', adminOnly],
  ...(['recredit', 'inquire', 'resend-mail'] as const).map((a): [string, Record<Who, Expect>] => [
    `/staff/applications/${applicationId}/actions/${a}`,
    { ...allStaffSee(404), staff: 'allowed', admin: 'allowed', callcentre: 'allowed' },
  ]),
  ...(['refund', 'refund-approve', 'refund-reject'] as const).map(
    (a): [string, Record<Who, Expect>] => [
      `/staff/applications/${applicationId}/actions/${a}`,
      { staff: 'allowed', admin: 'allowed', callcentre: 403, otherStaff: 404, otherAdmin: 404 },
    ],
  ),
]

const matches = (status: number, expected: Expect) =>
  expected === 'ok'
    ? status === 200
    : expected === 'allowed'
      ? status === 200 || status === 409
      : status === expected

describe('each role against each console page', () => {
  it('answers, refuses or hides every page as the role and the university say', async () => {
    const wrong: string[] = []
    for (const [path, expected] of pages())
      for (const who of WHO) {
        const { res } = await clients[who].get(path)
        if (!matches(res.status, expected[who]))
          wrong.push(`${who} GET ${path}: ${res.status}, expected ${expected[who]}`)
      }
    expect(wrong).toEqual([])
  })

  it("shows each administrator their own university's settings, never another's", async () => {
    const demo = await clients.admin.get('/staff/settings')
    const second = await clients.otherAdmin.get('/staff/settings')
    expect(demo.html).toContain('value="デモ大学"')
    expect(second.html).toContain('value="セカンド大学"')
    expect(second.html).not.toContain('value="デモ大学"')
  })
})

describe('each role against each console action', () => {
  const auditCount = async () =>
    (await env.DB.prepare('SELECT count(*) AS n FROM audit_log WHERE action NOT LIKE ?')
      .bind('login%')
      .first<{ n: number }>())!.n
  const snapshot = async () => ({
    application: await env.DB.prepare('SELECT * FROM applications WHERE id = ?')
      .bind(applicationId)
      .first(),
    student: await env.DB.prepare('SELECT credential_epoch FROM students WHERE id = ?')
      .bind(studentId)
      .first(),
    refunds: await env.DB.prepare('SELECT count(*) AS n FROM refund_requests').first(),
    university: await env.DB.prepare("SELECT * FROM universities WHERE id = 'demo'").first(),
    member: await env.DB.prepare('SELECT role, disabled_at FROM staff_members WHERE id = ?')
      .bind(demoMemberId)
      .first(),
  })

  it('refuses what a role may not do and changes nothing', async () => {
    const reason = { reason: 'アクセス権の確認' }
    const refused: [Who, string, Record<string, string>, number][] = [
      ['callcentre', `/staff/applications/${applicationId}/actions/refund`, reason, 403],
      ['callcentre', `/staff/applications/${applicationId}/actions/refund-approve`, reason, 403],
      ['otherStaff', `/staff/applications/${applicationId}/actions/recredit`, reason, 404],
      ['otherStaff', `/staff/applications/${applicationId}/actions/inquire`, reason, 404],
      ['otherStaff', `/staff/applications/${applicationId}/actions/resend-mail`, reason, 404],
      ['otherAdmin', `/staff/applications/${applicationId}/actions/refund`, reason, 404],
      ['otherStaff', `/staff/students/${studentId}/unlock`, reason, 404],
      ['otherStaff', '/staff/people/demo/test0282/unlock', reason, 404],
      ['otherAdmin', `/staff/students/${studentId}/end-sessions`, reason, 404],
      ['staff', '/staff/settings', { name: '乗っ取り大学' }, 403],
      ['callcentre', '/staff/settings', { name: '乗っ取り大学' }, 403],
      ['staff', '/staff/members', { email: 'x@y.example', name: 'X', role: 'admin' }, 403],
      ['callcentre', `/staff/members/${demoMemberId}/role`, { role: 'admin' }, 403],
      ['staff', `/staff/members/${demoMemberId}/role`, { role: 'admin' }, 403],
      ['otherAdmin', `/staff/members/${demoMemberId}/role`, { role: 'admin' }, 404],
      ['otherAdmin', `/staff/members/${demoMemberId}/disable`, {}, 404],
    ]
    const before = await snapshot()
    const audits = await auditCount()
    const wrong: string[] = []
    for (const [who, path, fields, status] of refused) {
      const { res } = await clients[who].post(path, fields)
      if (res.status !== status)
        wrong.push(`${who} POST ${path}: ${res.status}, expected ${status}`)
    }
    expect(wrong).toEqual([])
    expect(await snapshot()).toEqual(before)
    expect(await auditCount()).toBe(audits)
  })

  it('lets each role do what it may: the call centre resends a mail for any university', async () => {
    const { res } = await clients.callcentre.post(
      `/staff/applications/${applicationId}/actions/resend-mail`,
      { reason: '学生からの依頼' },
    )
    expect(res.status).toBe(303)
    const entry = await env.DB.prepare(
      "SELECT * FROM audit_log WHERE application_id = ? AND action LIKE '%mail%' ORDER BY id DESC",
    )
      .bind(applicationId)
      .first<{ reason: string; university_id: string }>()
    expect(entry).toMatchObject({ reason: '学生からの依頼', university_id: 'demo' })
  })

  it('sends every signed-out request to the login, never to a page or an action', async () => {
    const { Client } = await import('../client')
    const anonymous = new Client()
    for (const [path] of pages()) {
      const { res } = await anonymous.get(path)
      expect(res.status, path).toBe(303)
      expect(res.headers.get('location'), path).toBe('/staff/login')
    }
  })
})

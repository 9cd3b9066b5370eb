import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HttpRegistrar, type IssueRequest } from '../../src/adapters/registrar'
import type { RegistrarRecord } from '../../src/domain/registrar'
import { registrarFor } from '../../src/services'
import { Client } from '../client'
import { REGISTRAR, registrar as twin } from '../twins'

/**
 * The service's registrar adapter (HttpRegistrar) against the registrar twin, over HTTP:
 * records read and mapped exactly, issuances recorded once per key, every refusal the
 * registrar makes mapped to the failure the service acts on.
 */

const demo = () => registrarFor(env, 'demo')
const MINUTE = 60_000
const JST = 9 * 3600_000

/** The instant `hh:mm` JST on the twin's current day, or the next day's if already past. */
const nextJstOnTwin = async (hh: number, mm: number) => {
  const { now } = await twin.clock()
  const midnight = now - ((now + JST) % 86_400_000)
  const at = midnight + (hh * 60 + mm) * MINUTE
  return at > now ? at : at + 86_400_000
}

const key = () => `test-${crypto.randomUUID()}`

beforeEach(async () => {
  await twin.reset()
})

afterEach(async () => {
  await twin.setClock(Number(env.TEST_CLOCK_OFFSET_MS || 0))
})

/** A student the registrar's office fills in by hand, every field known. */
const FIXTURE = {
  student_number: '24E0500',
  status: 'enrolled',
  name: { kanji: '山田 太郎', kana: 'ヤマダ タロウ', roman: 'YAMADA Taro' },
  date_of_birth: '2005-06-01',
  faculty: { ja: '経済学部', en: 'Faculty of Economics' },
  department: { ja: '経済学科', en: 'Department of Economics' },
  enrolled_on: '2024-04-01',
  graduation: { on: '2028-03-20', expected: true },
  degree: { ja: '学士（経済学）', en: 'Bachelor of Economics' },
  leave: null,
  grades: [
    {
      code: 'ECO101',
      course: { ja: 'ミクロ経済学入門', en: 'Introduction to Microeconomics' },
      year: 2024,
      term: 'spring',
      credits: 2,
      grade: 'S',
    },
    {
      code: 'ECO201',
      course: { ja: '計量経済学', en: 'Econometrics' },
      year: 2024,
      term: 'fall',
      credits: 4,
      grade: 'A',
    },
    {
      code: 'GEN101',
      course: { ja: '英語コミュニケーションI', en: 'English Communication I' },
      year: 2024,
      term: 'fall',
      credits: 2,
      grade: 'F',
    },
    {
      code: 'CAR200',
      course: { ja: 'インターンシップ', en: 'Internship' },
      year: 2025,
      term: 'spring',
      credits: 2,
      grade: 'P',
    },
  ],
  health: {
    checked_on: '2026-04-12',
    height_cm: 171.5,
    weight_kg: 63.2,
    vision: { right: '1.0', left: '0.8', corrected: true },
    chest_xray: { ja: '異常なし', en: 'No abnormal findings' },
    overall: { ja: '異常なし', en: 'No abnormality' },
  },
  holds: [],
}

const FIXTURE_MAPPED: RegistrarRecord = {
  userId: 'demo0500',
  studentNumber: '24E0500',
  status: 'enrolled',
  name: { kanji: '山田 太郎', kana: 'ヤマダ タロウ', roman: 'YAMADA Taro' },
  dateOfBirth: '2005-06-01',
  faculty: { ja: '経済学部', en: 'Faculty of Economics' },
  department: { ja: '経済学科', en: 'Department of Economics' },
  enrolledOn: '2024-04-01',
  graduation: { on: '2028-03-20', expected: true },
  degree: { ja: '学士（経済学）', en: 'Bachelor of Economics' },
  leave: null,
  grades: FIXTURE.grades as RegistrarRecord['grades'],
  // (4×2 + 3×4 + 0×2) / 8 credits; P is left out.
  gpa: 2.5,
  // Everything passed: F earns nothing, P does.
  creditsEarned: 8,
  health: {
    checkedOn: '2026-04-12',
    heightCm: 171.5,
    weightKg: 63.2,
    vision: { right: '1.0', left: '0.8', corrected: true },
    chestXray: { ja: '異常なし', en: 'No abnormal findings' },
    overall: { ja: '異常なし', en: 'No abnormality' },
  },
  holds: [],
}

describe('a student’s record', () => {
  it('maps every field of the registrar’s answer, with the GPA the registrar computes', async () => {
    await twin.change('demo', 'demo0500', FIXTURE)
    const r = await demo().record('demo0500')
    expect(r).toEqual({ ok: true, record: FIXTURE_MAPPED })
  })

  it('keeps names outside JIS level 1–2 as the registrar holds them (髙, 﨑)', async () => {
    const takahashi = await demo().record('demo0996')
    const yamasaki = await demo().record('demo0997')
    if (!takahashi.ok || !yamasaki.ok) throw new Error('records not read')
    expect(takahashi.record.name).toEqual({
      kanji: '髙橋 﨑子',
      kana: 'タカハシ サキコ',
      roman: 'TAKAHASHI Sakiko',
    })
    expect(yamasaki.record.name.kanji).toBe('山﨑 希')
    expect([...takahashi.record.name.kanji][0]!.codePointAt(0)).toBe(0x9ad9)
    expect(takahashi.record.status).toBe('enrolled')
  })

  it('gives every seeded student a full record, GPA from the grades (S4 A3 B2 C1 F0, P out)', async () => {
    for (const user of ['demo0001', 'demo0002', 'demo0417', 'demo1000']) {
      const r = await demo().record(user)
      if (!r.ok) throw new Error(`${user}: ${r.error}`)
      const graded = r.record.grades.filter((g) => g.grade !== 'P')
      const points = { S: 4, A: 3, B: 2, C: 1, F: 0 } as Record<string, number>
      const credits = graded.reduce((n, g) => n + g.credits, 0)
      const gpa = graded.reduce((n, g) => n + points[g.grade]! * g.credits, 0) / credits
      expect(r.record.gpa).toBeCloseTo(gpa, 2)
      expect(r.record.status).toBe('enrolled')
      expect(r.record.name.roman).toMatch(/^[A-Z]+ [A-Z][a-z]+$/)
      expect(r.record.health).not.toBeNull()
      expect(r.record.graduation?.expected).toBe(true)
    }
    // The seed is the registrar's: the same record every time.
    expect(await demo().record('demo0001')).toEqual(await demo().record('demo0001'))
  })

  it('seeds the special students: graduates, on leave, a hold, withdrawn, no health record', async () => {
    const read = async (user: string) => {
      const r = await demo().record(user)
      if (!r.ok) throw new Error(`${user}: ${r.error}`)
      return r.record
    }
    const graduate = await read('demo0991')
    expect(graduate).toMatchObject({
      status: 'graduated',
      graduation: { on: '2026-03-20', expected: false },
      degree: { ja: '学士（経済学）', en: 'Bachelor of Economics' },
    })
    expect((await read('demo0992')).status).toBe('graduated')
    expect(await read('demo0993')).toMatchObject({
      status: 'on_leave',
      leave: { from: '2026-10-01', to: '2027-03-31' },
    })
    expect((await read('demo0994')).holds.map((h) => h.code)).toEqual(['unpaid_fees'])
    expect(await read('demo0995')).toMatchObject({ status: 'withdrawn', degree: null })
    expect((await read('demo0998')).health).toBeNull()
    const other = registrarFor(env, 'demo2')
    expect(await other.record('demo2s001')).toMatchObject({
      ok: true,
      record: { name: { kanji: '西 咲良', kana: 'ニシ サクラ' } },
    })
  })

  it('answers unknownStudent for a student the registrar does not have', async () => {
    expect(await demo().record('nobody')).toMatchObject({ ok: false, error: 'unknownStudent' })
    // Another university's student is not this one's.
    expect(await demo().record('demo2s001')).toMatchObject({ ok: false, error: 'unknownStudent' })
  })
})

describe('keys and configuration', () => {
  const withKey = (universityId: string, apiKey: string) =>
    new HttpRegistrar({
      baseUrl: REGISTRAR,
      universityId,
      apiKey,
      timeoutMs: 1000,
      fetcher: (r) => fetch(r),
    })

  it('is misconfigured when the registrar refuses the key', async () => {
    expect(await withKey('demo', 'wrong-key-0000').record('demo0001')).toMatchObject({
      ok: false,
      error: 'misconfigured',
    })
    // demo's key is not demo2's.
    expect(await withKey('demo2', env.REGISTRAR_API_KEY_DEMO).record('demo2s001')).toMatchObject({
      ok: false,
      error: 'misconfigured',
    })
    expect(await withKey('demo', 'wrong-key-0000').ping()).toMatchObject({
      ok: false,
      error: 'misconfigured',
    })
  })

  it('is misconfigured, without calling, for a university with no key secret', async () => {
    const r = registrarFor(env, 'nowhere')
    expect(await r.record('demo0001')).toMatchObject({
      ok: false,
      error: 'misconfigured',
      detail: expect.stringContaining('nowhere'),
    })
    expect(
      await r.issue('demo0001', { certificate: 'enrolment', language: 'ja', copies: 1 }, key()),
    ).toMatchObject({ ok: false, error: 'misconfigured' })
    expect((await twin.issuances()).issuances).toEqual([])
  })

  it('is unavailable when no registrar URL is configured', async () => {
    const r = registrarFor({ ...env, REGISTRAR_API_URL: '' }, 'demo')
    expect(await r.record('demo0001')).toMatchObject({ ok: false, error: 'unavailable' })
  })

  it('the twin refuses calls without the key and issuances without an idempotency key', async () => {
    const path = `${REGISTRAR}/v1/universities/demo/students/demo0001`
    expect((await fetch(path)).status).toBe(401)
    const auth = { authorization: `Bearer ${env.REGISTRAR_API_KEY_DEMO}` }
    const res = await fetch(`${path}/issuances`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: 'enrolment', language: 'ja', copies: 1 }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'idempotency_key_required' })
  })
})

describe('maintenance and faults', () => {
  it('answers maintenance, with when it opens, inside a window put around now', async () => {
    const { now } = await twin.clock()
    const end = now + 20 * MINUTE
    await twin.setMaintenance({ daily: null, windows: [{ start: now - MINUTE, end }] })
    const r = await demo().record('demo0001')
    expect(r).toMatchObject({ ok: false, error: 'maintenance' })
    // The registrar says the second (ISO, JST).
    expect(r.ok === false && r.error === 'maintenance' && r.until).toBe(
      Math.floor(end / 1000) * 1000,
    )
    expect(await demo().ping()).toMatchObject({ ok: false, error: 'maintenance' })
    const raw = await fetch(`${REGISTRAR}/v1/universities/demo/ping`, {
      headers: { authorization: `Bearer ${env.REGISTRAR_API_KEY_DEMO}` },
    })
    expect(raw.status).toBe(503)
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0)
    await twin.setMaintenance({ daily: null })
    expect(await demo().record('demo0001')).toMatchObject({ ok: true })
  })

  it('closes every night 01:00–01:30 JST by its default window, and opens at 01:30', async () => {
    await twin.setMaintenance({ daily: { from: '01:00', to: '01:30' } })
    const at = await nextJstOnTwin(1, 10)
    await twin.setNow(at)
    const closed = await demo().record('demo0001')
    expect(closed).toMatchObject({ ok: false, error: 'maintenance' })
    expect(closed.ok === false && closed.error === 'maintenance' && closed.until).toBe(
      at + 20 * MINUTE,
    )
    await twin.setNow(at + 20 * MINUTE)
    expect(await demo().record('demo0001')).toMatchObject({ ok: true })
    await twin.setNow(at - 11 * MINUTE)
    expect(await demo().record('demo0001')).toMatchObject({ ok: true })
  })

  it('is unavailable on a server error or no answer in time, and reads a slow answer', async () => {
    await twin.setFault({ mode: 'fail', remaining: 1 })
    expect(await demo().record('demo0001')).toMatchObject({
      ok: false,
      error: 'unavailable',
      detail: expect.stringContaining('500'),
    })
    await twin.setFault({ mode: 'timeout', remaining: 1, delayMs: 1500 })
    expect(await demo().record('demo0001')).toMatchObject({
      ok: false,
      error: 'unavailable',
      detail: expect.stringContaining('no answer'),
    })
    await twin.setFault({ mode: 'slow', remaining: 1, delayMs: 200 })
    expect(await demo().record('demo0001')).toMatchObject({ ok: true })
    // The count ran out: answers again.
    expect(await demo().record('demo0001')).toMatchObject({ ok: true })
  })

  it('a fault for one student leaves the others alone', async () => {
    await twin.setFault({ mode: 'fail', student: 'demo:demo0002' })
    expect(await demo().record('demo0001')).toMatchObject({ ok: true })
    expect(await demo().record('demo0002')).toMatchObject({ ok: false, error: 'unavailable' })
    expect(await demo().ping()).toMatchObject({ ok: true })
  })
})

describe('issuance', () => {
  const enrolment: IssueRequest = { certificate: 'enrolment', language: 'ja', copies: 2 }

  it('records an issuance and answers the data to print', async () => {
    const { now } = await twin.clock()
    const r = await demo().issue('demo0001', enrolment, key())
    if (!r.ok) throw new Error(r.error)
    expect(r.issuance).toMatchObject({ certificate: 'enrolment', language: 'ja', copies: 2 })
    expect(r.issuance.issuanceId).toMatch(/^iss_/)
    expect(Math.abs(r.issuance.issuedAt - now)).toBeLessThan(MINUTE)
    const record = await demo().record('demo0001')
    expect(record.ok && r.issuance.record).toEqual(record.ok && record.record)
  })

  it('answers a replayed key from the ledger, the record as it was, even after a change', async () => {
    const k = key()
    const first = await demo().issue('demo0002', enrolment, k)
    if (!first.ok) throw new Error(first.error)
    await twin.change('demo', 'demo0002', {
      name: { kanji: '改名 後子', kana: 'カイメイ アトコ', roman: 'KAIMEI Atoko' },
    })
    const again = await demo().issue('demo0002', enrolment, k)
    expect(again).toEqual(first)
    const ledger = await twin.issuances('?user=demo0002')
    expect(ledger.issuances).toHaveLength(1)
    // A new key issues from the record as it is now.
    const fresh = await demo().issue('demo0002', enrolment, key())
    expect(fresh.ok && fresh.issuance.record.name.kanji).toBe('改名 後子')
  })

  it('refuses the same key for another request (our bug: misconfigured)', async () => {
    const k = key()
    expect(await demo().issue('demo0003', enrolment, k)).toMatchObject({ ok: true })
    expect(await demo().issue('demo0003', { ...enrolment, copies: 3 }, k)).toMatchObject({
      ok: false,
      error: 'misconfigured',
      detail: expect.stringContaining('idempotency_key_reused'),
    })
    expect(await demo().issue('demo0004', enrolment, k)).toMatchObject({
      ok: false,
      error: 'misconfigured',
    })
  })

  it('issues once when the answer is lost and the call is retried with its key', async () => {
    const k = key()
    await twin.setFault({ mode: 'lose-response', remaining: 1, delayMs: 1500 })
    expect(await demo().issue('demo0005', enrolment, k)).toMatchObject({
      ok: false,
      error: 'unavailable',
    })
    const retried = await demo().issue('demo0005', enrolment, k)
    expect(retried).toMatchObject({ ok: true })
    expect((await twin.issuances('?user=demo0005')).issuances).toHaveLength(1)
  })

  it('refuses bad requests: 学割証 in English, more than 20 copies', async () => {
    for (const bad of [
      { certificate: 'student_discount', language: 'en', copies: 1 },
      { certificate: 'enrolment', language: 'ja', copies: 21 },
      { certificate: 'enrolment', language: 'ja', copies: 0 },
    ] as IssueRequest[])
      expect(await demo().issue('demo0006', bad, key())).toMatchObject({
        ok: false,
        error: 'misconfigured',
        detail: expect.stringContaining('invalid_request'),
      })
    // 英文 health certificates exist.
    expect(
      await demo().issue('demo0006', { certificate: 'health', language: 'en', copies: 1 }, key()),
    ).toMatchObject({ ok: true })
  })

  it('refuses an unknown student', async () => {
    expect(await demo().issue('nobody', enrolment, key())).toMatchObject({
      ok: false,
      error: 'unknownStudent',
    })
  })
})

describe('the registrar’s eligibility rules', () => {
  const issue = (user: string, certificate: IssueRequest['certificate']) =>
    demo().issue(user, { certificate, language: 'ja', copies: 1 }, key())
  const refused = (reason: string) => ({ ok: false, error: 'notEligible', reason })

  it('a hold blocks every certificate until it is lifted', async () => {
    for (const c of ['enrolment', 'transcript', 'health', 'student_discount'] as const)
      expect(await issue('demo0994', c)).toMatchObject(refused('hold'))
    await twin.addHold('demo', 'demo0010', 'library')
    expect(await issue('demo0010', 'transcript')).toMatchObject(refused('hold'))
    await twin.removeHold('demo', 'demo0994')
    expect(await issue('demo0994', 'enrolment')).toMatchObject({ ok: true })
  })

  it('a student on leave gets a transcript, nothing that needs 在学', async () => {
    for (const c of ['enrolment', 'student_discount', 'health', 'expected_graduation'] as const)
      expect(await issue('demo0993', c)).toMatchObject(refused('status'))
    expect(await issue('demo0993', 'transcript')).toMatchObject({ ok: true })
  })

  it('a graduate gets graduation and transcript, an enrolled student no graduation', async () => {
    expect(await issue('demo0991', 'graduation')).toMatchObject({ ok: true })
    expect(await issue('demo0991', 'transcript')).toMatchObject({ ok: true })
    for (const c of ['enrolment', 'expected_graduation', 'student_discount', 'health'] as const)
      expect(await issue('demo0991', c)).toMatchObject(refused('status'))
    expect(await issue('demo0001', 'graduation')).toMatchObject(refused('status'))
  })

  it('a student who withdrew gets only a transcript', async () => {
    expect(await issue('demo0995', 'transcript')).toMatchObject({ ok: true })
    for (const c of ['enrolment', 'graduation', 'expected_graduation', 'health'] as const)
      expect(await issue('demo0995', c)).toMatchObject(refused('status'))
  })

  it('needs a health record, an expected graduation, and grades for a transcript', async () => {
    expect(await issue('demo0998', 'health')).toMatchObject(refused('no_health_record'))
    expect(await issue('demo0998', 'enrolment')).toMatchObject({ ok: true })
    await twin.change('demo', 'demo0020', { graduation: null })
    expect(await issue('demo0020', 'expected_graduation')).toMatchObject(
      refused('no_expected_graduation'),
    )
    await twin.change('demo', 'demo0021', { grades: [] })
    expect(await issue('demo0021', 'transcript')).toMatchObject(refused('no_grades'))
    expect(await issue('demo0022', 'expected_graduation')).toMatchObject({ ok: true })
  })

  it('counts 学割証 per academic year (April–March, JST) against the university’s limit', async () => {
    const discount = (copies: number, registrar = demo(), user = 'demo0030') =>
      registrar.issue(user, { certificate: 'student_discount', language: 'ja', copies }, key())
    // Late in March: the year's limit (10) fills, then the next year starts over.
    const { now } = await twin.clock()
    const jst = new Date(now + JST)
    const year = jst.getUTCMonth() >= 3 ? jst.getUTCFullYear() + 1 : jst.getUTCFullYear()
    const april = Date.UTC(year, 3, 1) - JST
    await twin.setNow(april - 2 * 86_400_000)
    expect(await discount(6)).toMatchObject({ ok: true })
    expect(await discount(4)).toMatchObject({ ok: true })
    const over = await discount(1)
    expect(over).toMatchObject(refused('yearly_limit'))
    expect(over.ok === false && 'detail' in over && over.detail).toContain('10 of 10')
    await twin.setNow(april - MINUTE)
    expect(await discount(1)).toMatchObject(refused('yearly_limit'))
    await twin.setNow(april)
    expect(await discount(10)).toMatchObject({ ok: true })
    // Another student's count is their own.
    expect(await discount(10, demo(), 'demo0031')).toMatchObject({ ok: true })
    // demo2's registrar allows 3 (UNIVERSITIES in vitest.config.ts).
    const demo2 = registrarFor(env, 'demo2')
    expect(await discount(3, demo2, 'demo2s001')).toMatchObject({ ok: true })
    expect(await discount(1, demo2, 'demo2s001')).toMatchObject(refused('yearly_limit'))
  })
})

describe('connection check', () => {
  it('pings with the key and answers the registrar’s time', async () => {
    const { now } = await twin.clock()
    const r = await demo().ping()
    if (!r.ok) throw new Error(r.error)
    expect(Math.abs(r.at - now)).toBeLessThan(MINUTE)
  })
})

describe('/_dev/registrar', () => {
  const dev = () => new Client('http://localhost')

  it('shows a student’s record and lifts a hold, changes a status, through the twin', async () => {
    const client = dev()
    const page = await client.get('/_dev/registrar?university=demo&user=demo0994')
    expect(page.res.status).toBe(200)
    expect(page.html).toContain('data-holds="unpaid_fees"')
    const lifted = await client.post('/_dev/registrar/hold', {
      university: 'demo',
      user: 'demo0994',
      code: 'unpaid_fees',
      action: 'remove',
    })
    expect(lifted.res.status).toBe(303)
    expect((await twin.record('demo', 'demo0994')).holds).toEqual([])
    const graduated = await client.post('/_dev/registrar/status', {
      university: 'demo',
      user: 'demo0001',
      status: 'graduated',
      on: '2027-03-20',
    })
    expect(graduated.res.status).toBe(303)
    expect(await demo().record('demo0001')).toMatchObject({
      ok: true,
      record: { status: 'graduated', graduation: { on: '2027-03-20', expected: false } },
    })
    expect(
      await demo().issue(
        'demo0001',
        { certificate: 'graduation', language: 'en', copies: 1 },
        key(),
      ),
    ).toMatchObject({ ok: true })
    const ledger = await client.get('/_dev/registrar')
    expect(ledger.html).toContain('demo:demo0001')
  })

  it('closes the registrar for 30 minutes, and says what was wrong with a bad form', async () => {
    const client = dev()
    const closed = await client.post('/_dev/registrar/maintenance', { action: 'now' })
    expect(closed.res.status).toBe(303)
    expect(await demo().ping()).toMatchObject({ ok: false, error: 'maintenance' })
    expect((await client.get('/_dev/registrar')).html).toContain('data-maintenance-active="true"')
    await client.post('/_dev/registrar/maintenance', { action: 'clear' })
    expect(await demo().ping()).toMatchObject({ ok: true })
    const bad = await client.post('/_dev/registrar/fault', { mode: 'explode' })
    expect(bad.res.status).toBe(422)
    expect(bad.html).toContain('Choose a fault mode.')
    const unknown = await client.get('/_dev/registrar?university=demo&user=nobody')
    expect(unknown.html).toContain('unknown_student')
  })
})

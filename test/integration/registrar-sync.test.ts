import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HttpRegistrar } from '../../src/adapters/registrar'
import { syncRoster } from '../../src/flows/roster/sync'
import { hashSecret } from '../../src/security/crypto'
import { registrarFor, servicesFor } from '../../src/services'
import { nextJst, runCron, setClock } from '../charge'
import { Client, login } from '../client'
import { staffClient } from '../staff'
import { REGISTRAR, registrar as twin } from '../twins'

/**
 * The registrar's list of students changed since an instant (twins/registrar, the registrar
 * twin, as strict as a university's registrar) and the service's adapter for it; the
 * directory kept current from it (the sync flow, the nightly cron, the console's button).
 * Students of this file: s19…, created at the twin by the tests.
 */

const demo = () => registrarFor(env, 'demo')
const KEY = env.REGISTRAR_API_KEY_DEMO
/** Before every record the registrar holds: the listing "from the beginning". */
const BEGINNING = '2000-01-01T00:00:00Z'
/** The twin's seeded students of university demo (twins/registrar/README.md). */
const SEEDED = 1000

/** A new student as the registrar's office enters one, every field given. */
const newStudent = (n: number, change: Record<string, unknown> = {}) => ({
  student_number: `19S${String(n).padStart(4, '0')}`,
  status: 'enrolled',
  name: { kanji: '山田 太郎', kana: 'ヤマダ タロウ', roman: 'YAMADA Taro' },
  date_of_birth: '2005-06-01',
  faculty: { ja: '経済学部', en: 'Faculty of Economics' },
  department: { ja: '経済学科', en: 'Department of Economics' },
  enrolled_on: '2024-04-01',
  graduation: { on: '2028-03-20', expected: true },
  degree: { ja: '学士（経済学）', en: 'Bachelor of Economics' },
  leave: null,
  grades: [],
  health: null,
  holds: [],
  ...change,
})
const s19 = (n: number) => `s19${String(n).padStart(4, '0')}`

type Entry = {
  user_id: string
  status: string
  name: { kanji: string; kana: string }
  left_on: string | null
  changed_at: string
}
type Page = { students: Entry[]; next_cursor: string | null; as_of: string }

/** The registrar's API itself, as a university's IT answers it. */
const list = (query: string, opts: { key?: string | null; university?: string } = {}) => {
  const key = opts.key === undefined ? KEY : opts.key
  return fetch(`${REGISTRAR}/v1/universities/${opts.university ?? 'demo'}/students?${query}`, {
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
  })
}
const q = (p: Record<string, string>) => new URLSearchParams(p).toString()

/** Every page of one listing, in order. */
const allPages = async (since: string, limit: number, between?: (n: number) => Promise<void>) => {
  const pages: Page[] = []
  let cursor: string | null = null
  do {
    const res = await list(
      q({ changed_since: since, limit: String(limit), ...(cursor ? { cursor } : {}) }),
    )
    expect(res.status).toBe(200)
    const page = (await res.json()) as Page
    pages.push(page)
    cursor = page.next_cursor
    if (cursor && between) await between(pages.length)
  } while (cursor)
  return pages
}

const order = (e: Entry) => [Date.parse(e.changed_at), e.user_id] as const

beforeEach(async () => {
  await twin.reset()
})

describe('the registrar’s list of changes (twin)', () => {
  it('pages through every change exactly once, in (changed_at, user_id) order', async () => {
    for (const n of [3, 1, 2]) await twin.change('demo', s19(n), newStudent(n))
    const pages = await allPages(BEGINNING, 500)
    expect(pages.map((p) => p.students.length)).toEqual([500, 500, SEEDED + 3 - 1000])
    const entries = pages.flatMap((p) => p.students)
    const ids = entries.map((e) => e.user_id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining([s19(1), s19(2), s19(3), 'demo0001', 'demo1000']))
    for (let i = 1; i < entries.length; i++) {
      const [a, b] = [order(entries[i - 1]!), order(entries[i]!)]
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])).toBe(true)
    }
    // One snapshot: every page of the listing names the same instant.
    expect(new Set(pages.map((p) => p.as_of)).size).toBe(1)
    // Created one after another: listed in the order the office entered them.
    expect(ids.filter((i) => i.startsWith('s19'))).toEqual([s19(3), s19(1), s19(2)])
  })

  it('lists only what changed at or after changed_since, with what a directory needs', async () => {
    const first = await list(q({ changed_since: BEGINNING, limit: '1' }))
    const { as_of } = (await first.json()) as Page
    await twin.change(
      'demo',
      s19(10),
      newStudent(10, {
        name: { kanji: '髙橋 﨑子', kana: 'タカハシ サキコ', roman: 'TAKAHASHI Sakiko' },
      }),
    )
    await twin.change('demo', 'demo0002', {
      status: 'graduated',
      graduation: { on: '2026-09-20', expected: false },
    })
    await twin.change('demo', 'demo0003', { status: 'expelled', left_on: '2026-10-31' })
    const page = (await (await list(q({ changed_since: as_of }))).json()) as Page
    expect(page.next_cursor).toBeNull()
    const byId = new Map(page.students.map((e) => [e.user_id, e]))
    expect([...byId.keys()].sort()).toEqual(['demo0002', 'demo0003', s19(10)])
    expect(byId.get(s19(10))).toMatchObject({
      status: 'enrolled',
      name: { kanji: '髙橋 﨑子', kana: 'タカハシ サキコ' },
      left_on: null,
    })
    expect(byId.get('demo0002')).toMatchObject({ status: 'graduated', left_on: '2026-09-20' })
    expect(byId.get('demo0003')).toMatchObject({ status: 'expelled', left_on: '2026-10-31' })
    for (const e of page.students) {
      expect(e.changed_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+09:00$/)
      expect(Date.parse(e.changed_at)).toBeGreaterThanOrEqual(Date.parse(as_of))
      expect(Object.keys(e).sort()).toEqual(['changed_at', 'left_on', 'name', 'status', 'user_id'])
    }
  })

  it('leaves a student changed while paging to the next listing, in its new state', async () => {
    const pages = await allPages(BEGINNING, 400, async (n) => {
      // demo1000 was not listed yet (it comes on the third page): it changes now.
      if (n === 1)
        await twin.change('demo', 'demo1000', {
          status: 'on_leave',
          leave: { from: '2026-10-01', to: '2027-03-31' },
        })
    })
    const listed = pages.flatMap((p) => p.students)
    const ids = listed.map((e) => e.user_id)
    expect(new Set(ids).size).toBe(ids.length)
    const next = (await (await list(q({ changed_since: pages[0]!.as_of }))).json()) as Page
    expect(next.students.find((e) => e.user_id === 'demo1000')).toMatchObject({
      status: 'on_leave',
      left_on: null,
    })
  })

  it.each([
    ['no changed_since', {}],
    ['a changed_since that is no instant', { changed_since: 'yesterday' }],
    ['a changed_since without an offset', { changed_since: '2026-12-01T00:00:00' }],
    ['a day that does not exist', { changed_since: '2026-02-30T00:00:00+09:00' }],
    ['a date without a time', { changed_since: '2026-12-01' }],
    ['limit 0', { changed_since: BEGINNING, limit: '0' }],
    ['limit 501', { changed_since: BEGINNING, limit: '501' }],
    ['a limit that is no whole number', { changed_since: BEGINNING, limit: '1.5' }],
    ['a limit in words', { changed_since: BEGINNING, limit: 'ten' }],
    ['an unknown parameter', { changed_since: BEGINNING, status: 'enrolled' }],
    ['an empty cursor', { changed_since: BEGINNING, cursor: '' }],
  ])('refuses %s: 400 invalid_request', async (_, params) => {
    const res = await list(q(params as Record<string, string>))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('refuses a parameter given twice', async () => {
    const res = await list(`changed_since=${encodeURIComponent(BEGINNING)}&limit=5&limit=6`)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('refuses a cursor used with another changed_since or limit, or one it never gave', async () => {
    const first = (await (await list(q({ changed_since: BEGINNING, limit: '10' }))).json()) as Page
    const cursor = first.next_cursor!
    expect(cursor).toEqual(expect.any(String))
    const go = (p: Record<string, string>, university?: string) =>
      list(
        q({ ...p, cursor: p.cursor ?? cursor }),
        university ? { university, key: env.REGISTRAR_API_KEY_DEMO2 } : {},
      )
    const [payload, mac] = cursor.split('.') as [string, string]
    // The same listing goes on.
    expect((await go({ changed_since: BEGINNING, limit: '10' })).status).toBe(200)
    const refused = [
      await go({ changed_since: '2000-01-01T00:00:01Z', limit: '10' }),
      await go({ changed_since: BEGINNING, limit: '11' }),
      await go({ changed_since: BEGINNING }),
      // Forged: the payload changed (its last character), the signature kept; made up; at demo2.
      await go({
        changed_since: BEGINNING,
        limit: '10',
        cursor: `${payload.slice(0, -1)}${payload.endsWith('A') ? 'B' : 'A'}.${mac}`,
      }),
      await go({
        changed_since: BEGINNING,
        limit: '10',
        cursor: btoa(
          JSON.stringify({ u: 'demo', s: 946684800000, l: 10, a: 4102444800000, t: 0, i: '' }),
        ),
      }),
      await go({ changed_since: BEGINNING, limit: '10', cursor: 'not-a-cursor' }),
      await go({ changed_since: BEGINNING, limit: '10' }, 'demo2'),
    ]
    for (const res of refused) {
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ error: 'invalid_cursor' })
    }
  })

  it('refuses without the university’s key: 401 unauthorized', async () => {
    for (const key of [null, 'wrong-key-1234', env.REGISTRAR_API_KEY_DEMO2]) {
      const res = await list(q({ changed_since: BEGINNING }), { key })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ error: 'unauthorized' })
    }
  })

  it('answers 503 maintenance with when it opens, and faults as injected', async () => {
    await twin.setMaintenance({
      daily: null,
      windows: [{ start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }],
    })
    const closed = await list(q({ changed_since: BEGINNING }))
    expect(closed.status).toBe(503)
    expect(await closed.json()).toEqual({
      error: 'maintenance',
      until: '2100-01-01T09:00:00+09:00',
    })
    expect(Number(closed.headers.get('retry-after'))).toBeGreaterThan(0)
    await twin.setMaintenance({ daily: null })
    await twin.setFault({ mode: 'fail', remaining: 1 })
    expect((await list(q({ changed_since: BEGINNING }))).status).toBe(500)
    expect((await list(q({ changed_since: BEGINNING }))).status).toBe(200)
  })
})

describe('the adapter’s changes()', () => {
  it('reads a page, every field mapped, the snapshot and the cursor kept', async () => {
    await twin.change(
      'demo',
      s19(20),
      newStudent(20, {
        name: { kanji: '山﨑 希', kana: 'ヤマサキ ノゾミ', roman: 'YAMASAKI Nozomi' },
      }),
    )
    await twin.change('demo', 'demo0004', {
      status: 'withdrawn',
      graduation: null,
      degree: null,
      left_on: '2026-11-15',
    })
    const first = await demo().changes({ since: Date.parse(BEGINNING), limit: 500, cursor: null })
    if (!first.ok) throw new Error(JSON.stringify(first))
    expect(first.page.students).toHaveLength(500)
    expect(first.page.nextCursor).toEqual(expect.any(String))
    const rest = []
    let cursor = first.page.nextCursor
    while (cursor) {
      const r = await demo().changes({ since: Date.parse(BEGINNING), limit: 500, cursor })
      if (!r.ok) throw new Error(JSON.stringify(r))
      expect(r.page.asOf).toBe(first.page.asOf)
      rest.push(...r.page.students)
      cursor = r.page.nextCursor
    }
    const all = [...first.page.students, ...rest]
    expect(all).toHaveLength(SEEDED + 1)
    expect(all.find((c) => c.userId === s19(20))).toEqual({
      userId: s19(20),
      status: 'enrolled',
      name: { kanji: '山﨑 希', kana: 'ヤマサキ ノゾミ' },
      leftOn: null,
      changedAt: expect.any(Number),
    })
    expect(all.find((c) => c.userId === 'demo0004')).toMatchObject({
      status: 'withdrawn',
      leftOn: '2026-11-15',
    })
    expect(all.find((c) => c.userId === 'demo0991')).toMatchObject({
      status: 'graduated',
      leftOn: '2026-03-20',
    })
  })

  it('reads a 除籍 (expelled) student’s record too', async () => {
    await twin.change('demo', 'demo0005', { status: 'expelled', left_on: '2026-11-30' })
    const r = await demo().record('demo0005')
    expect(r).toMatchObject({ ok: true, record: { status: 'expelled' } })
  })

  it('maps refusals: maintenance, a refused key, no key, faults, a cursor it did not give', async () => {
    const query = { since: Date.parse(BEGINNING), limit: 10, cursor: null }
    await twin.setMaintenance({
      daily: null,
      windows: [{ start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }],
    })
    expect(await demo().changes(query)).toEqual({
      ok: false,
      error: 'maintenance',
      until: Date.parse('2100-01-01T00:00:00Z'),
    })
    await twin.setMaintenance({ daily: null })
    const opts = {
      baseUrl: REGISTRAR,
      universityId: 'demo',
      timeoutMs: 1000,
      fetcher: (r: Request) => fetch(r),
    }
    expect(
      await new HttpRegistrar({ ...opts, apiKey: 'wrong-key-1234' }).changes(query),
    ).toMatchObject({
      ok: false,
      error: 'misconfigured',
      detail: expect.stringContaining('401'),
    })
    expect(await new HttpRegistrar({ ...opts, apiKey: '' }).changes(query)).toMatchObject({
      ok: false,
      error: 'misconfigured',
    })
    await twin.setFault({ mode: 'fail', remaining: 1 })
    expect(await demo().changes(query)).toMatchObject({ ok: false, error: 'unavailable' })
    await twin.setFault({ mode: 'timeout', delayMs: 3000, remaining: 1 })
    expect(await demo().changes(query)).toMatchObject({ ok: false, error: 'unavailable' })
    expect(await demo().changes({ ...query, cursor: 'not-a-cursor' })).toMatchObject({
      ok: false,
      error: 'misconfigured',
      detail: expect.stringContaining('invalid_cursor'),
    })
  })

  it('believes no answer that breaks the contract', async () => {
    const query = { since: Date.parse(BEGINNING), limit: 10, cursor: null }
    /** The twin's answer, altered on the way: what a broken registrar might send. */
    const altered = (alter: (p: Page) => unknown) =>
      new HttpRegistrar({
        baseUrl: REGISTRAR,
        universityId: 'demo',
        apiKey: KEY,
        timeoutMs: 1000,
        fetcher: async (r) => {
          const page = (await (await fetch(r)).json()) as Page
          return Response.json(alter(page))
        },
      }).changes(query)
    const cases: ((p: Page) => unknown)[] = [
      (p) => ({ ...p, as_of: 'now' }),
      (p) => ({ ...p, students: p.students.map((e) => ({ ...e, status: 'alumni' })) }),
      (p) => ({ ...p, students: p.students.map((e) => ({ ...e, name: { kanji: e.name.kanji } })) }),
      (p) => ({ ...p, students: p.students.map((e) => ({ ...e, left_on: '2026-03-20' })) }),
      (p) => ({ ...p, students: p.students.map((e) => ({ ...e, changed_at: '2026-04-01' })) }),
      (p) => ({ ...p, students: [...p.students].reverse() }),
      (p) => ({ ...p, students: [...p.students, ...p.students] }),
      (p) => ({ ...p, students: p.students.slice(1) }),
      (p) => ({ students: p.students, as_of: p.as_of }),
    ]
    for (const alter of cases)
      expect(await altered(alter)).toMatchObject({ ok: false, error: 'unavailable' })
  })
})

// ---- The directory kept current from the registrar ----

type Person = {
  user_id: string
  password_hash: string | null
  name_kana: string
  name: string | null
  status: string
  left_on: string | null
  source: string
  updated_at: number | null
}
const person = (userId: string, university = 'demo') =>
  env.DB.prepare('SELECT * FROM directory_people WHERE university_id = ? AND user_id = ?')
    .bind(university, userId)
    .first<Person>()
const syncedThrough = async (university = 'demo') =>
  (await env.DB.prepare('SELECT roster_synced_through AS t FROM universities WHERE id = ?')
    .bind(university)
    .first<{ t: number | null }>())!.t
const setSyncedThrough = (t: number | null, university = 'demo') =>
  env.DB.prepare('UPDATE universities SET roster_synced_through = ? WHERE id = ?')
    .bind(t, university)
    .run()
type ImportRow = {
  id: number
  source: string
  state: string
  created_by: number | null
  new_count: number
  changed_count: number
  leaving_count: number
  unchanged_count: number
  rejected_count: number
  error: string | null
}
/** The imports this test made (D1 keeps the earlier tests' in this file). */
let importsBefore = 0
beforeEach(async () => {
  importsBefore =
    (
      await env.DB.prepare('SELECT max(id) AS id FROM roster_imports').first<{
        id: number | null
      }>()
    )?.id ?? 0
})
const registrarImports = async (university = 'demo') =>
  (
    await env.DB.prepare(
      "SELECT * FROM roster_imports WHERE university_id = ? AND source = 'registrar' AND id > ? ORDER BY id",
    )
      .bind(university, importsBefore)
      .all<ImportRow>()
  ).results

/** The registrar's now, as the snapshot of an (empty) listing tells it. */
const registrarNow = async () => {
  const res = await list(q({ changed_since: '2100-01-01T00:00:00Z' }))
  return Date.parse(((await res.json()) as Page).as_of)
}

/** The directory caught up with everything the registrar held before the test. */
const caughtUp = async () => setSyncedThrough(await registrarNow())

const sync = async (by: Parameters<typeof syncRoster>[2] = null, pageSize?: number) =>
  syncRoster(await servicesFor(env), 'demo', by, pageSize ? { pageSize } : {})

describe('the sync from the registrar', () => {
  beforeEach(caughtUp)

  it('adds the registrar’s new students, without a password: they cannot log in yet', async () => {
    await twin.change(
      'demo',
      s19(100),
      newStudent(100, {
        name: { kanji: '髙橋 﨑子', kana: 'タカハシ サキコ', roman: 'TAKAHASHI Sakiko' },
      }),
    )
    await twin.change(
      'demo',
      s19(101),
      newStudent(101, { status: 'on_leave', leave: { from: '2026-10-01', to: '2027-03-31' } }),
    )
    const before = await syncedThrough()
    const r = await sync()
    if (!r.ok) throw new Error(JSON.stringify(r))
    expect(r.listed).toBe(2)
    expect(await person(s19(100))).toMatchObject({
      password_hash: null,
      name_kana: 'タカハシ サキコ',
      name: '髙橋 﨑子',
      status: 'enrolled',
      left_on: null,
      source: 'registrar',
    })
    expect(await person(s19(101))).toMatchObject({ status: 'on_leave', password_hash: null })
    // The cursor is the listing's snapshot, later than where it started.
    expect(await syncedThrough()).toBe(r.asOf)
    expect(r.asOf).toBeGreaterThan(before!)
    const [imp] = await registrarImports()
    expect(imp).toMatchObject({ id: r.importId, state: 'applied', new_count: 2, created_by: null })
    // Applied and audited, as the nightly job (no staff member).
    const audit = await env.DB.prepare(
      "SELECT * FROM audit_log WHERE action = 'roster.apply' AND target_id = ?",
    )
      .bind(String(r.importId))
      .first<{ staff_email: string; after: string }>()
    expect(audit?.staff_email).toBe('cron:registrar-sync')
    expect(JSON.parse(audit!.after)).toMatchObject({ source: 'registrar', new: 2 })
    expect((await login(new Client(), s19(100), 'anything-at-all')).res.status).toBe(401)
  })

  it('changes statuses one to one: a 卒業 with its day, 退学, 除籍; a password stays', async () => {
    const hash = await hashSecret('univpass', env.PEPPER)
    for (const n of [110, 111, 112, 113])
      await env.DB.prepare(
        "INSERT INTO directory_people (university_id, user_id, password_hash, name_kana, status, source) VALUES ('demo', ?, ?, 'ヤマダ タロウ', 'enrolled', 'upload')",
      )
        .bind(s19(n), hash)
        .run()
    await twin.change(
      'demo',
      s19(110),
      newStudent(110, { status: 'graduated', graduation: { on: '2027-03-20', expected: false } }),
    )
    await twin.change(
      'demo',
      s19(111),
      newStudent(111, {
        status: 'withdrawn',
        graduation: null,
        degree: null,
        left_on: '2026-11-30',
      }),
    )
    await twin.change(
      'demo',
      s19(112),
      newStudent(112, {
        status: 'expelled',
        graduation: null,
        degree: null,
        left_on: '2026-12-01',
      }),
    )
    await twin.change(
      'demo',
      s19(113),
      newStudent(113, {
        name: { kanji: '山田 花子', kana: 'ヤマダ ハナコ', roman: 'YAMADA Hanako' },
      }),
    )
    const r = await sync()
    expect(r.ok).toBe(true)
    expect(await person(s19(110))).toMatchObject({
      status: 'graduated',
      left_on: '2027-03-20',
      password_hash: hash,
    })
    expect(await person(s19(111))).toMatchObject({
      status: 'withdrawn',
      left_on: '2026-11-30',
      password_hash: hash,
    })
    expect(await person(s19(112))).toMatchObject({
      status: 'expelled',
      left_on: '2026-12-01',
      password_hash: hash,
    })
    expect(await person(s19(113))).toMatchObject({
      status: 'enrolled',
      name_kana: 'ヤマダ ハナコ',
      name: '山田 花子',
      password_hash: hash,
      source: 'registrar',
    })
    expect((await registrarImports()).at(-1)).toMatchObject({ leaving_count: 3, changed_count: 1 })
    // The graduate still logs in with the university password.
    expect((await login(new Client(), s19(110), 'univpass')).res.status).not.toBe(401)
  })

  it('changes nothing when the same changes are applied twice', async () => {
    await twin.change('demo', s19(120), newStudent(120))
    await twin.change(
      'demo',
      s19(121),
      newStudent(121, { status: 'graduated', graduation: { on: '2026-09-20', expected: false } }),
    )
    const from = await syncedThrough()
    const first = await sync()
    expect(first.ok).toBe(true)
    const after = [await person(s19(120)), await person(s19(121))]
    // As if the cursor had not moved (a sync that died after applying): the same listing again.
    await setSyncedThrough(from)
    const again = await sync()
    expect(again.ok).toBe(true)
    expect([await person(s19(120)), await person(s19(121))]).toEqual(after)
    expect((await registrarImports()).at(-1)).toMatchObject({
      state: 'applied',
      new_count: 0,
      changed_count: 0,
      leaving_count: 0,
      unchanged_count: 2,
    })
  })

  it('reads every page into one import; a fault on page 2 leaves directory and cursor as they were', async () => {
    for (const n of [130, 131, 132, 133, 134]) await twin.change('demo', s19(n), newStudent(n))
    const from = await syncedThrough()
    await twin.setFault({ mode: 'fail', skip: 1, remaining: 1 })
    const failed = await sync(null, 2)
    expect(failed).toMatchObject({ ok: false, failure: { error: 'unavailable' } })
    for (const n of [130, 131, 132, 133, 134]) expect(await person(s19(n))).toBeNull()
    expect(await syncedThrough()).toBe(from)
    expect((await registrarImports()).at(-1)).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('unavailable'),
    })
    // The next run lists the same changes again, all of them, two pages into one import.
    const r = await sync(null, 2)
    if (!r.ok) throw new Error(JSON.stringify(r))
    expect(r.listed).toBe(5)
    for (const n of [130, 131, 132, 133, 134])
      expect(await person(s19(n))).toMatchObject({ status: 'enrolled' })
    expect(await syncedThrough()).toBe(r.asOf)
    expect(await registrarImports()).toHaveLength(2)
  })

  it('moves the cursor only once the import is applied', async () => {
    await twin.change('demo', s19(140), newStudent(140))
    const from = await syncedThrough()
    const s = await servicesFor(env)
    // An import that cannot be applied (a person already discarded it): listed, not applied.
    const claimed = await env.DB.prepare(
      "INSERT INTO roster_imports (university_id, source, state, created_at, updated_at) VALUES ('demo', 'registrar', 'discarded', 0, 0) RETURNING id",
    ).first<{ id: number }>()
    const r = await syncRoster(s, 'demo', null, { importId: claimed!.id })
    expect(r).toMatchObject({ ok: false, failure: { error: 'notApplied' } })
    expect(await person(s19(140))).toBeNull()
    expect(await syncedThrough()).toBe(from)
  })

  it('takes from the beginning when it never synced, the seed included', async () => {
    await setSyncedThrough(null)
    await twin.change('demo', s19(150), newStudent(150))
    const r = await sync()
    if (!r.ok) throw new Error(JSON.stringify(r))
    expect(r.listed).toBe(SEEDED + 1)
    expect(await person('demo0991')).toMatchObject({ status: 'graduated', left_on: '2026-03-20' })
    expect(await person('demo0995')).toMatchObject({ status: 'withdrawn', left_on: '2026-09-30' })
    expect(await person(s19(150))).toMatchObject({ status: 'enrolled' })
  })

  it('rejects a record the roster cannot take, with its reason, and applies the rest', async () => {
    await twin.change(
      'demo',
      s19(160),
      newStudent(160, { name: { kanji: '山田 太郎', kana: '山田 タロウ', roman: 'YAMADA Taro' } }),
    )
    await twin.change('demo', s19(161), newStudent(161))
    const r = await sync()
    expect(r.ok).toBe(true)
    expect(await person(s19(160))).toBeNull()
    expect(await person(s19(161))).not.toBeNull()
    const row = await env.DB.prepare(
      'SELECT change, reason FROM roster_import_rows WHERE import_id = ? AND user_id = ?',
    )
      .bind(r.ok && r.importId, s19(160))
      .first<{ change: string; reason: string }>()
    expect(row).toMatchObject({
      change: 'rejected',
      reason: expect.stringContaining('rosterErrKanaInvalid'),
    })
  })

  it('says why when it cannot: maintenance, a refused key, no connection', async () => {
    const from = await syncedThrough()
    await twin.setMaintenance({
      daily: null,
      windows: [{ start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }],
    })
    expect(await sync()).toMatchObject({
      ok: false,
      failure: { error: 'maintenance', until: Date.parse('2100-01-01T00:00:00Z') },
    })
    await twin.setMaintenance({ daily: null })
    await twin.setKey('demo', 'a-new-key-from-it')
    expect(await sync()).toMatchObject({
      ok: false,
      failure: { error: 'misconfigured', status: 401 },
    })
    expect(await syncedThrough()).toBe(from)
    // The second university has no registrar key: nothing is asked, nothing is created.
    expect(await syncRoster(await servicesFor(env), 'second', null)).toEqual({
      ok: false,
      importId: null,
      failure: { ok: false, error: 'notConfigured' },
    })
    expect(await registrarImports('second')).toEqual([])
  })
})

describe('the nightly sync (cron)', () => {
  beforeEach(caughtUp)
  afterEach(async () => {
    await setClock(Date.now() + Number(env.TEST_CLOCK_OFFSET_MS || 0))
  })

  const cronImports = async () => (await registrarImports()).filter((i) => i.created_by === null)

  it('runs once a night from 02:00 JST, not before, not twice', async () => {
    await twin.change('demo', s19(200), newStudent(200))
    const two = nextJst(2, 0)
    await setClock(two - 60_000)
    await runCron()
    expect(await cronImports()).toHaveLength(0)
    await setClock(two)
    await runCron()
    expect(await cronImports()).toMatchObject([{ state: 'applied', new_count: 1 }])
    expect(await person(s19(200))).toMatchObject({ status: 'enrolled', source: 'registrar' })
    await setClock(two + 5 * 60_000)
    await runCron()
    await setClock(two + 20 * 3600_000)
    await runCron()
    expect(await cronImports()).toHaveLength(1)
    // The next night: once more, with what changed during the day.
    await twin.change('demo', s19(200), {
      status: 'on_leave',
      leave: { from: '2026-12-01', to: '2027-03-31' },
    })
    await setClock(two + 24 * 3600_000)
    await runCron()
    expect(await cronImports()).toHaveLength(2)
    expect(await person(s19(200))).toMatchObject({ status: 'on_leave' })
  })

  it('tries a failed night again an hour later', async () => {
    await twin.change('demo', s19(210), newStudent(210))
    // A week on: the night of the test above has had its sync (D1 keeps it).
    const two = nextJst(2, 0) + 7 * 24 * 3600_000
    await twin.setFault({ mode: 'fail' })
    await setClock(two)
    await runCron()
    expect(await cronImports()).toMatchObject([{ state: 'failed' }])
    await twin.setFault({ mode: 'none' })
    await setClock(two + 30 * 60_000)
    await runCron()
    expect(await cronImports()).toHaveLength(1)
    await setClock(two + 61 * 60_000)
    await runCron()
    expect(await cronImports()).toMatchObject([{ state: 'failed' }, { state: 'applied' }])
    expect(await person(s19(210))).not.toBeNull()
  })
})

describe('the console’s button', () => {
  beforeEach(caughtUp)

  it('updates the roster and answers with the import’s page', async () => {
    await twin.change('demo', s19(300), newStudent(300))
    const { client, member } = await staffClient('admin', 'demo')
    // On the roster's page, and on a page of its own with the recent syncs.
    expect((await client.get('/staff/roster')).html).toContain('action="/staff/roster-sync"')
    const page = await client.get('/staff/roster-sync')
    expect(page.res.status).toBe(200)
    expect(page.html).toContain('学務システムから名簿を更新')
    const { res } = await client.post('/staff/roster-sync', {})
    expect(res.status).toBe(303)
    const [imp] = await registrarImports()
    expect(res.headers.get('location')).toBe(`/staff/roster/${imp!.id}`)
    expect(imp).toMatchObject({ state: 'applied', created_by: member.id, new_count: 1 })
    expect(await person(s19(300))).not.toBeNull()
    const audit = await env.DB.prepare(
      "SELECT staff_id FROM audit_log WHERE action = 'roster.apply' AND target_id = ?",
    )
      .bind(String(imp!.id))
      .first<{ staff_id: number }>()
    expect(audit?.staff_id).toBe(member.id)
  })

  it('says in words why nothing changed: maintenance until when, a refused key', async () => {
    const { client, member } = await staffClient('admin', 'demo')
    await client.get('/staff/roster-sync')
    await twin.setMaintenance({
      daily: null,
      windows: [{ start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }],
    })
    const closed = await client.post('/staff/roster-sync', {})
    expect(closed.res.status).toBe(503)
    expect(closed.html).toContain(
      '学務システムはメンテナンス中です。2100/01/01 09:00以降にもう一度お試しください。',
    )
    await twin.setMaintenance({ daily: null })
    await twin.setKey('demo', 'a-new-key-from-it')
    const refused = await client.post('/staff/roster-sync', {})
    expect(refused.res.status).toBe(422)
    expect(refused.html).toContain('学務システムが接続キーを受け付けませんでした。')
    // Refused at the first page: no import to show, the attempt in the audit log.
    expect(await registrarImports()).toEqual([])
    const tried = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'roster.sync' AND staff_id = ?",
    )
      .bind(member.id)
      .first<{ n: number }>()
    expect(tried?.n).toBe(2)
  })

  it('says so for a university with no registrar connection', async () => {
    const { client } = await staffClient('admin', 'second')
    await client.get('/staff/roster-sync')
    const r = await client.post('/staff/roster-sync', {})
    expect(r.res.status).toBe(422)
    expect(r.html).toContain('この大学には学務システムとの連携が設定されていません。')
  })

  it('is the 管理者’s alone, and needs the form’s CSRF token', async () => {
    for (const role of ['staff', 'callcentre'] as const) {
      const { client } = await staffClient(role, role === 'staff' ? 'demo' : null)
      await client.get('/staff')
      expect((await client.post('/staff/roster-sync', {})).res.status).toBe(403)
    }
    const { client } = await staffClient('admin', 'demo')
    await client.get('/staff/roster-sync')
    expect((await client.post('/staff/roster-sync', {}, { csrf: 'forged' })).res.status).toBe(403)
    expect(await registrarImports()).toEqual([])
  })
})

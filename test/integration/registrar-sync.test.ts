import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { HttpRegistrar } from '../../src/adapters/registrar'
import { registrarFor } from '../../src/services'
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

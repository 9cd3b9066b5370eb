import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { toCsv } from '../../src/domain/csv'
import type { Client } from '../client'
import { LONG, nasty } from '../fuzz'
import { checked, encodeUtf8, importIdOf, sshaOf, uploadRoster, withBom } from '../roster'
import { staffClient } from '../staff'

/**
 * Fuzzing the roster upload: random bytes, text in encodings the service does not read,
 * and CSV built from good, bad and hostile values (formulas such as =cmd|' /C calc'!A0 in
 * names). Never a 5xx; an accepted file is checked to the last row and applies exactly its
 * accepted rows or nothing; and no CSV the service writes lets a formula through.
 * User IDs r195xxxx.
 */

let admin: Client
let ssha: string
beforeAll(async () => {
  admin = (await staffClient('admin', 'demo')).client
  ssha = await sshaOf('univpass')
})

const FORMULAS = [
  "=cmd|' /C calc'!A0",
  "+SUM(1+1)*cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  '@SUM(1+1)',
  '=HYPERLINK("http://evil.example","x")',
  ' =1+1',
  '＝1+1',
  '\t=1+1',
]

/** A field written as Excel would (quoted when it must be), or now and then carelessly. */
const field = (value: string, careless: boolean) =>
  !careless && /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value

const statusWord = fc.constantFrom(
  '在学',
  '休学',
  '卒業',
  '退学',
  '除籍',
  '',
  '在学中',
  'graduated',
)
const userId = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((n) => `r195${String(n).padStart(4, '0')}`),
  fc.constantFrom('', 'bad id', '=cmd', '-r1950001', 'ｒ１９５００４１'),
)
const kana = fc.constantFrom('ヤマダ ハナコ', 'やまだ はなこ', 'ﾔﾏﾀﾞ ﾊﾅｺ', '', 'Yamada', '=1+1')
const name = fc.oneof(
  fc.constantFrom(...FORMULAS, '山田 花子', '山田, "花子"', '複数行の\n氏名', ''),
  nasty.filter((v): v is string => typeof v === 'string' && v.length < 200),
)
const leftOn = fc.constantFrom('', '2027/3/31', '2027-03-31', '2027/2/30', 'x')

const row = fc
  .record({
    userId,
    kana,
    name,
    status: statusWord,
    leftOn,
    password: fc.constantFrom('hash', 'initial', 'none', 'both', 'badhash'),
    careless: fc.boolean(),
  })
  .map((r) => {
    const hash =
      r.password === 'hash' || r.password === 'both'
        ? 'SSHA'
        : r.password === 'badhash'
          ? '{SSHA}x'
          : ''
    const initial = r.password === 'initial' || r.password === 'both' ? 'Hajimete-2027' : ''
    return [r.userId, r.kana, r.name, r.status, r.leftOn, hash, initial]
      .map((v) => field(v, r.careless))
      .join(',')
  })

const header = fc.constantFrom(
  'ユーザID,氏名カナ,氏名,在籍状況,離籍日,パスワードハッシュ,初期パスワード',
  // The columns in another order than the rows' values: most rows then fail their checks.
  '在籍状況,ユーザID,氏名カナ,氏名,離籍日,パスワードハッシュ,初期パスワード',
)

/** UTF-16LE with its BOM: a text encoding the service does not read. */
const utf16 = (text: string) => {
  const out = new Uint8Array(2 + text.length * 2)
  out.set([0xff, 0xfe])
  for (let i = 0; i < text.length; i++) {
    out[2 + i * 2] = text.charCodeAt(i) & 0xff
    out[3 + i * 2] = text.charCodeAt(i) >> 8
  }
  return out
}

const directoryOf = async (ids: string[]) => {
  const rows = await env.DB.prepare(
    `SELECT user_id, name_kana, name, status, left_on, password_hash FROM directory_people
     WHERE university_id = 'demo' AND user_id IN (SELECT value FROM json_each(?)) ORDER BY user_id`,
  )
    .bind(JSON.stringify(ids))
    .all<Record<string, string | null>>()
  return new Map(rows.results.map((r) => [r.user_id as string, r]))
}

describe('fuzzing the roster upload', () => {
  it(
    'answers random bytes and unreadable encodings with a page, never a 5xx',
    { timeout: LONG },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ minLength: 0, maxLength: 400 }),
            fc.string({ unit: 'binary', maxLength: 200 }).map(encodeUtf8),
            fc
              .array(row, { maxLength: 3 })
              .map((rows) => utf16(['ユーザID,氏名カナ,在籍状況', ...rows].join('\r\n'))),
          ),
          async (bytes) => {
            const { res, html } = await uploadRoster(admin, bytes)
            expect(res.status, html.slice(0, 300)).toBeLessThan(500)
            if (res.status === 303) await checked(importIdOf(res))
            else expect(res.status).toBe(422)
          },
        ),
        { numRuns: 60 },
      )
    },
  )

  it(
    'checks every row of an accepted file and applies exactly its accepted rows',
    { timeout: LONG },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          header,
          fc.array(row, { minLength: 1, maxLength: 6 }),
          fc.constantFrom('utf-8', 'bom', 'lf'),
          async (head, rows, how) => {
            const text = [head, ...rows.map((r) => r.replace('SSHA', ssha))].join(
              how === 'lf' ? '\n' : '\r\n',
            )
            const { res, html } = await uploadRoster(
              admin,
              how === 'bom' ? withBom(text) : encodeUtf8(text),
            )
            expect(res.status, html.slice(0, 300)).toBeLessThan(500)
            if (res.status !== 303) return
            const id = importIdOf(res)
            const imp = await checked(id)
            expect(imp.state).toBe('ready')
            expect(imp.checked_rows).toBe(imp.total_rows)
            expect(
              imp.new_count +
                imp.changed_count +
                imp.leaving_count +
                imp.unchanged_count +
                imp.rejected_count,
            ).toBe(imp.total_rows)
            const staged = (
              await env.DB.prepare('SELECT * FROM roster_import_rows WHERE import_id = ?')
                .bind(id)
                .all<Record<string, string | null>>()
            ).results
            const ids = staged.map((r) => r.user_id).filter((v): v is string => v !== null)
            const before = await directoryOf(ids)
            const apply = await admin.post(`/staff/roster/${id}/apply`, { skip_rejected: '1' })
            expect(apply.res.status, apply.html.slice(0, 300)).toBeLessThan(500)
            const after = await directoryOf(ids)
            const accepted = staged.filter((r) => ['new', 'changed', 'leaving'].includes(r.change!))
            if (apply.res.status === 303) {
              for (const r of accepted)
                expect(after.get(r.user_id!)).toMatchObject({
                  name_kana: r.name_kana,
                  status: r.status,
                  left_on: r.left_on,
                  ...(r.name !== null && { name: r.name }),
                  ...(r.password_hash !== null && { password_hash: r.password_hash }),
                })
            }
            // Whoever the import does not change is exactly as before.
            const touched = new Set(apply.res.status === 303 ? accepted.map((r) => r.user_id) : [])
            for (const u of ids) if (!touched.has(u)) expect(after.get(u)).toEqual(before.get(u))
          },
        ),
        { numRuns: 40 },
      )
    },
  )

  it('never writes a formula into a CSV unescaped', async () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...FORMULAS),
            fc
              .tuple(
                fc.constantFrom(
                  '=',
                  '+',
                  '-',
                  '@',
                  '＝',
                  '＋',
                  '－',
                  '＠',
                  '\t',
                  '\r',
                  ' =',
                  '\u3000=',
                ),
                fc.string(),
              )
              .map(([a, b]) => a + b),
            fc.string(),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (values) => {
          const csv = toCsv(['a'], [values])
          const fields = [...csv.split('\r\n')[1]!.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!)
          for (const f of fields) expect(f).not.toMatch(/^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r\n]/)
        },
      ),
      { numRuns: 500 },
    )
    // Through the service's own export: an import whose file name and names are formulas,
    // applied, then the audit log exported.
    const file = "=cmd|' /C calc'!A0.csv"
    const { res } = await uploadRoster(
      admin,
      encodeUtf8(
        `ユーザID,氏名カナ,氏名,在籍状況,初期パスワード\r\nr1959001,ヤマダ,"=cmd|' /C calc'!A0",在学,Hajimete-2027\r\n`,
      ),
      file,
    )
    const id = importIdOf(res)
    await checked(id)
    expect((await admin.post(`/staff/roster/${id}/apply`, {})).res.status).toBe(303)
    const person = await env.DB.prepare(
      "SELECT name FROM directory_people WHERE university_id = 'demo' AND user_id = 'r1959001'",
    ).first<{ name: string }>()
    expect(person!.name).toBe("=cmd|' /C calc'!A0") // stored as the data it is
    const exported = await (await admin.request('/staff/audit.csv')).text()
    expect(exported).toContain('roster.apply')
    for (const m of exported.matchAll(/"((?:[^"]|"")*)"/g))
      expect(m[1]).not.toMatch(/^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r\n]/)
  })
})

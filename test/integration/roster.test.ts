import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { Client, mainText } from '../client'
import {
  checked,
  encodeUtf8,
  fromHex,
  HEADER,
  importIdOf,
  importRow,
  person,
  rowsOf,
  sshaOf,
  uploadChecked,
  uploadRoster,
  withBom,
} from '../roster'
import { staffClient } from '../staff'

/**
 * 名簿: a roster uploaded by a university's 管理者, checked by the queue, previewed, applied
 * all or nothing. User IDs r19xxxx (r200000–r219999: the 20,000-row file).
 */

let admin: Client
beforeAll(async () => {
  admin = (await staffClient('admin', 'demo')).client
})

const csv = (...lines: string[]) => [HEADER, ...lines].join('\r\n') + '\r\n'

const apply = (client: Client, id: number, fields: Record<string, string> = {}) =>
  client.post(`/staff/roster/${id}/apply`, fields)

describe('reading the file', () => {
  it('reads UTF-8, UTF-8 with a BOM and CP932 (Shift_JIS) alike', async () => {
    const utf8 = await uploadChecked(
      admin,
      encodeUtf8(csv('r190001,ヤマダ タロウ,山田 太郎,在学,,,Hajimete-2027')),
    )
    const bom = await uploadChecked(
      admin,
      withBom(csv('r190002,ヤマダ ジロウ,山田 次郎,休学,,,Hajimete-2027')),
    )
    // Written by Python's cp932 codec, as Excel saves "CSV (コンマ区切り)": not by the code under test.
    // ユーザID,氏名カナ,氏名,在籍状況,離籍日,初期パスワード / r190003,ヤマダ ハナコ,山田 花子,在学,,Hajimete-2027
    const cp932 = await uploadChecked(
      admin,
      fromHex(
        '8386815b835549442c8e8196bc834a83692c8e8196bc2c8ddd90d08ff38bb52c97a390d093fa2c8f898afa83708358838f815b83680d0a723139303030332c8384837d835f20836e836983522c8e5293632089d48e712c8ddd8a772c2c48616a696d6574652d323032370d0a',
      ),
    )
    expect([utf8.row.encoding, bom.row.encoding, cp932.row.encoding]).toEqual([
      'utf-8',
      'utf-8-bom',
      'cp932',
    ])
    for (const { id, row } of [utf8, bom, cp932]) {
      expect(row.state).toBe('ready')
      expect(row.new_count).toBe(1)
      const { res } = await apply(admin, id)
      expect(res.status).toBe(303)
    }
    expect(await person('r190001')).toMatchObject({
      name: '山田 太郎',
      name_kana: 'ヤマダ タロウ',
      status: 'enrolled',
      source: 'upload',
    })
    expect(await person('r190002')).toMatchObject({ name: '山田 次郎', status: 'on_leave' })
    expect(await person('r190003')).toMatchObject({ name: '山田 花子', name_kana: 'ヤマダ ハナコ' })
  })

  it('hashes an initial password while checking: the plain password is stored nowhere', async () => {
    const { id } = await uploadChecked(
      admin,
      encodeUtf8(csv('r190010,ハシ ハナコ,,在学,,,Syokai-Pass-77')),
    )
    const rows = await rowsOf(id)
    expect(rows[0]!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/)
    // Nothing of the file is left in R2 once checked, and no row holds the password.
    const left = await env.ROSTER_UPLOADS.list({ prefix: 'roster/demo/' })
    for (const o of left.objects) {
      const text = await (await env.ROSTER_UPLOADS.get(o.key))!.text()
      expect(text).not.toContain('Syokai-Pass-77')
    }
    const dump = await env.DB.prepare('SELECT * FROM roster_import_rows WHERE import_id = ?')
      .bind(id)
      .all()
    expect(JSON.stringify(dump.results)).not.toContain('Syokai-Pass-77')
    await apply(admin, id)
    expect((await person('r190010'))!.password_hash).toBe(rows[0]!.password_hash)
  })

  it('keeps the password, and the name, of an existing person whose row has none', async () => {
    const hash = await sshaOf('univpass')
    const first = await uploadChecked(
      admin,
      encodeUtf8(csv(`r190020,モト タロウ,元 太郎,在学,,${hash},`)),
    )
    await apply(admin, first.id)
    // The next year's file: graduated, no password, no 氏名 column value.
    const next = await uploadChecked(
      admin,
      encodeUtf8(csv('r190020,モト タロウ,,卒業,2027/3/31,,')),
    )
    expect(next.row).toMatchObject({ leaving_count: 1, new_count: 0, changed_count: 0 })
    await apply(admin, next.id)
    expect(await person('r190020')).toMatchObject({
      password_hash: hash,
      name: '元 太郎',
      status: 'graduated',
      left_on: '2027-03-31',
    })
    // The same file again changes nothing.
    const again = await uploadChecked(
      admin,
      encodeUtf8(csv('r190020,モト タロウ,,卒業,2027-03-31,,')),
    )
    expect(again.row).toMatchObject({ unchanged_count: 1, leaving_count: 0, changed_count: 0 })
  })
})

describe('rows that cannot be used', () => {
  it('rejects each kind of broken row with its line number and reason', async () => {
    const ssha = await sshaOf('univpass')
    const text = csv(
      /* 2 */ 'r190101,オーケー ハナコ,"山田, ""花子""",在学,,,Hajimete-2027',
      /* 3 */ ',ナナシ,,在学,,,Hajimete-2027',
      /* 4 */ 'r19 0102,スペース,,在学,,,Hajimete-2027',
      /* 5 */ 'r190103,,,在学,,,Hajimete-2027',
      /* 6 */ 'r190104,Yamada,,在学,,,Hajimete-2027',
      /* 7 */ 'r190105,ヤマダ,,在学中,,,Hajimete-2027',
      /* 8 */ 'r190106,ヤマダ,,卒業,,,Hajimete-2027',
      /* 9 */ 'r190107,ヤマダ,,退学,2027/2/30,,Hajimete-2027',
      /* 10 */ 'r190108,ヤマダ,,在学,2027/3/31,,Hajimete-2027',
      /* 11 */ 'r190109,ヤマダ,,在学,,{SSHA}short,',
      /* 12 */ `r190110,ヤマダ,,在学,,${ssha},Hajimete-2027`,
      /* 13 */ 'r190111,ヤマダ,,在学,,,short',
      /* 14 */ 'r190112,ヤマダ,,在学,,,',
      /* 15 */ 'r190113,ヤマダ,"複数行の',
      /* 16 */ '氏名",在学,,,Hajimete-2027',
      /* 17 */ 'r190114,ヤマダ,山"田,在学,,,Hajimete-2027',
      /* 18 */ 'r190115,ヤマダ,山田,花子,在学,,,Hajimete-2027',
      /* 19 */ "r190116,やまだ ﾊﾅｺ,=cmd|' /C calc'!A0,在学,,,Hajimete-2027",
      /* 20 */ `r190117,ヤマダ,,在学,,$2b$13$${'a'.repeat(53)},`,
    )
    const { id, row } = await uploadChecked(admin, encodeUtf8(text))
    const rows = await rowsOf(id)
    const reasons = Object.fromEntries(
      rows.filter((r) => r.change === 'rejected').map((r) => [r.line, JSON.parse(r.reason!).key]),
    )
    expect(reasons).toEqual({
      3: 'rosterErrUserIdMissing',
      4: 'rosterErrUserIdInvalid',
      5: 'rosterErrKanaMissing',
      6: 'rosterErrKanaInvalid',
      7: 'rosterErrStatusInvalid',
      8: 'rosterErrLeftOnMissing',
      9: 'rosterErrLeftOnInvalid',
      10: 'rosterErrLeftOnNotLeaver',
      11: 'rosterErrHashInvalid',
      12: 'rosterErrBothPasswords',
      13: 'rosterErrPasswordInvalid',
      14: 'rosterErrNoPassword',
      15: 'rosterErrNameInvalid', // a line break inside a quoted 氏名: parsed, then refused
      17: 'rosterErrMalformed',
      18: 'rosterErrTooManyFields',
      20: 'rosterErrHashTooCostly',
    })
    expect(row).toMatchObject({ rejected_count: 16, new_count: 2 })
    // Quotes, doubled quotes and commas inside a quoted field; hiragana and half-width kana
    // made katakana; a formula kept as the data it is.
    expect(rows.find((r) => r.line === 2)).toMatchObject({ name: '山田, "花子"', change: 'new' })
    expect(rows.find((r) => r.line === 19)).toMatchObject({
      name_kana: 'ヤマダ ハナコ',
      name: "=cmd|' /C calc'!A0",
      change: 'new',
    })
    // The preview names each line and reason in words.
    const page = mainText((await admin.get(`/staff/roster/${id}`)).html)
    expect(page).toContain('r190106')
    expect(page).toContain('卒業 には 離籍日 が必要です')
    expect(page).toContain('新しい学生には パスワードハッシュ か 初期パスワード が必要です')
  })

  it('rejects every line of a duplicated ユーザID, naming the other line', async () => {
    const { id, row } = await uploadChecked(
      admin,
      encodeUtf8(
        csv(
          'r190201,ヤマダ,,在学,,,Hajimete-2027',
          'r190202,ヤマダ,,在学,,,Hajimete-2027',
          'r190201,ヤマダ,,在学,,,Hajimete-2027',
          'r190201,ヤマダ,,休学,,,Hajimete-2027',
        ),
      ),
    )
    expect(row).toMatchObject({ new_count: 1, rejected_count: 3 })
    const dup = (await rowsOf(id)).filter((r) => r.change === 'rejected')
    expect(dup.map((r) => [r.line, JSON.parse(r.reason!)])).toEqual([
      [2, { key: 'rosterErrDuplicate', params: { line: 4 } }],
      [4, { key: 'rosterErrDuplicate', params: { line: 2 } }],
      [5, { key: 'rosterErrDuplicate', params: { line: 2 } }],
    ])
    expect(mainText((await admin.get(`/staff/roster/${id}`)).html)).toContain(
      'ユーザID が 2 行目と重複',
    )
  })

  it('refuses a file that cannot be read, on the upload page, keeping nothing', async () => {
    const before = await env.DB.prepare('SELECT count(*) AS n FROM roster_imports').first<{
      n: number
    }>()
    const cases: [Uint8Array, string][] = [
      [
        Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
        'テキストの CSV として読めません',
      ],
      [Uint8Array.from([0x82, 0xa0, 0xff, 0xfe, 0x80]), 'テキストの CSV として読めません'],
      [new Uint8Array(0), 'ファイルが空です'],
      [encodeUtf8('ユーザID,氏名カナ\r\nr190301,ヤマダ\r\n'), '必須の列がありません：「在籍状況」'],
      [
        encodeUtf8('ユーザID,氏名カナ,在籍状況,学部\r\nr190301,ヤマダ,在学\r\n'),
        '説明にない列があります：「学部」',
      ],
      [encodeUtf8(HEADER + '\r\n'), '見出し行のほかに行がありません'],
    ]
    for (const [bytes, message] of cases) {
      const { res, html } = await uploadRoster(admin, bytes)
      expect(res.status).toBe(422)
      expect(mainText(html)).toContain(message)
    }
    const after = await env.DB.prepare('SELECT count(*) AS n FROM roster_imports').first<{
      n: number
    }>()
    expect(after!.n).toBe(before!.n)
  })

  it('refuses a file over 10 MB before reading it', async () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 200_000).fill(0x41)
    const { res } = await uploadRoster(admin, big)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/staff/roster?error=tooLarge')
    expect(mainText((await admin.get('/staff/roster?error=tooLarge')).html)).toContain(
      'ファイルが大きすぎます（10 MB まで）',
    )
  })
})

describe('a 20,000-row file', () => {
  it(
    'is checked through the queue in chunks and applied in one batch',
    { timeout: 240_000 },
    async () => {
      const ssha = await sshaOf('univpass') // computed once: the test is about rows, not hashing
      const lines = Array.from({ length: 20_000 }, (_, i) => {
        const n = 200_000 + i
        // Every 1000th a leaver, every 997th a duplicate of the row before.
        const id = i % 997 === 996 ? `r${n - 1}` : `r${n}`
        return i % 1000 === 999
          ? `${id},ソツギョウ ハナコ,卒業 花子,卒業,2027/3/25,${ssha},`
          : `${id},ガクセイ タロウ,学生 太郎${i},在学,,${ssha},`
      })
      const { id, row } = await uploadChecked(admin, withBom(csv(...lines)))
      expect(row.state).toBe('ready')
      expect(row.total_rows).toBe(20_000)
      expect(row.checked_rows).toBe(20_000)
      // 20 duplicates, each rejecting both its lines; the rest new.
      expect(row).toMatchObject({ rejected_count: 40, new_count: 19_960, changed_count: 0 })
      const { res } = await apply(admin, id, { skip_rejected: '1' })
      expect(res.status).toBe(303)
      const n = await env.DB.prepare(
        "SELECT count(*) AS n FROM directory_people WHERE university_id = 'demo' AND user_id BETWEEN 'r200000' AND 'r219999'",
      ).first<{ n: number }>()
      expect(n!.n).toBe(19_960)
      expect(await person('r200000')).toMatchObject({
        name: '学生 太郎0',
        password_hash: ssha,
        status: 'enrolled',
      })
      expect(await person('r200999')).toMatchObject({ status: 'graduated', left_on: '2027-03-25' })
      expect(await person('r219998')).toMatchObject({ name: '学生 太郎19998' })
      expect(await person('r219999')).toMatchObject({ status: 'graduated', name: '卒業 花子' })
      expect(await person('r200996')).toBeNull() // line 998 duplicated line 997's ID
    },
  )
})

describe('applying', () => {
  it('applies once: a second apply, or two at once, is refused with a clear message', async () => {
    const { id } = await uploadChecked(admin, encodeUtf8(csv('r190401,ニド,,在学,,,Hajimete-2027')))
    const [a, b] = await Promise.all([apply(admin, id), apply(admin, id)])
    expect([a.res.status, b.res.status].sort()).toEqual([303, 409])
    const again = await apply(admin, id)
    expect(again.res.status).toBe(409)
    expect(mainText(again.html)).toContain(
      'この取り込みは「適用済み」のため、適用も破棄もできません',
    )
    const audits = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'roster.apply' AND target_id = ?",
    )
      .bind(String(id))
      .first<{ n: number }>()
    expect(audits!.n).toBe(1)
  })

  it('is all or nothing: a batch that fails midway leaves the directory as it was', async () => {
    const base = await uploadChecked(
      admin,
      encodeUtf8(csv('r190501,マエ イチ,前 一,在学,,,Hajimete-2027')),
    )
    await apply(admin, base.id)
    const { id } = await uploadChecked(
      admin,
      encodeUtf8(
        csv(
          'r190501,アト イチ,後 一,休学,,,',
          'r190502,アト ニ,,在学,,,Hajimete-2027',
          'r190503,アト サン,,在学,,,Hajimete-2027',
        ),
      ),
    )
    // The last row's insert fails inside the batch (as a constraint would).
    await env.DB.prepare(
      "CREATE TRIGGER roster_test_boom BEFORE INSERT ON directory_people WHEN NEW.user_id = 'r190503' BEGIN SELECT RAISE(ABORT, 'boom'); END",
    ).run()
    try {
      const { res, html } = await apply(admin, id)
      expect(res.status).toBe(503)
      expect(mainText(html)).toContain('何も変わっていません')
    } finally {
      await env.DB.prepare('DROP TRIGGER roster_test_boom').run()
    }
    expect(await person('r190501')).toMatchObject({ name: '前 一', status: 'enrolled' })
    expect(await person('r190502')).toBeNull()
    expect((await importRow(id))!.state).toBe('ready')
    const audits = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'roster.apply' AND target_id = ?",
    )
      .bind(String(id))
      .first<{ n: number }>()
    expect(audits!.n).toBe(0)
    // Once the fault is gone it applies.
    expect((await apply(admin, id)).res.status).toBe(303)
    expect(await person('r190501')).toMatchObject({ name: '後 一', status: 'on_leave' })
    expect(await person('r190503')).not.toBeNull()
  })

  it('applies an import left `applying` by a request that died before its batch', async () => {
    const { id } = await uploadChecked(admin, encodeUtf8(csv('r190451,シニ,,在学,,,Hajimete-2027')))
    // A claim long past, whose batch never committed (it would have made the import applied).
    await env.DB.prepare(
      "UPDATE roster_imports SET state = 'applying', updated_at = 0 WHERE id = ?",
    )
      .bind(id)
      .run()
    expect((await apply(admin, id)).res.status).toBe(303)
    expect((await importRow(id))!.state).toBe('applied')
    expect(await person('r190451')).not.toBeNull()
  })

  it('writes an audit entry with the counts, and deletes the file', async () => {
    const { id } = await uploadChecked(
      admin,
      encodeUtf8(
        csv('r190601,カンサ,,在学,,,Hajimete-2027', 'bad id!,カンサ,,在学,,,Hajimete-2027'),
      ),
      'audit.csv',
    )
    // Rows with errors are skipped only when the administrator confirms it.
    const refused = await apply(admin, id)
    expect(refused.res.status).toBe(422)
    expect(mainText(refused.html)).toContain('エラーの行を反映しないことを確認してから')
    expect((await apply(admin, id, { skip_rejected: '1' })).res.status).toBe(303)
    const entry = await env.DB.prepare(
      "SELECT * FROM audit_log WHERE action = 'roster.apply' AND target_id = ?",
    )
      .bind(String(id))
      .first<{ after: string; university_id: string; staff_email: string }>()
    expect(entry!.university_id).toBe('demo')
    expect(JSON.parse(entry!.after)).toMatchObject({ fileName: 'audit.csv', new: 1, rejected: 1 })
    const row = await importRow(id)
    expect(row).toMatchObject({ state: 'applied', file_key: null })
  })

  it('discards an import: nothing changes, and it cannot be applied after', async () => {
    const { id } = await uploadChecked(admin, encodeUtf8(csv('r190701,ハキ,,在学,,,Hajimete-2027')))
    expect((await admin.post(`/staff/roster/${id}/discard`, {})).res.status).toBe(303)
    expect((await apply(admin, id)).res.status).toBe(409)
    expect(await person('r190701')).toBeNull()
  })
})

describe('rights', () => {
  it('lets only a 管理者 open, upload, apply or discard; another university sees nothing', async () => {
    const { id } = await uploadChecked(
      admin,
      encodeUtf8(csv('r190801,ケンリ,,在学,,,Hajimete-2027')),
    )
    for (const [role, university] of [
      ['staff', 'demo'],
      ['callcentre', null],
      ['operator', null],
    ] as const) {
      const { client } = await staffClient(role, university)
      expect((await client.get('/staff/roster')).res.status, role).toBe(403)
      expect((await client.get(`/staff/roster/${id}`)).res.status, role).toBe(403)
      expect((await client.get('/staff/roster-template.csv')).res.status, role).toBe(403)
      expect(
        (await uploadRoster(client, encodeUtf8(csv('r190802,ケンリ,,在学,,,Hajimete-2027')))).res
          .status,
        role,
      ).toBe(403)
      expect((await apply(client, id)).res.status, role).toBe(403)
      expect((await client.post(`/staff/roster/${id}/discard`, {})).res.status, role).toBe(403)
    }
    const other = (await staffClient('admin', 'second')).client
    expect((await other.get(`/staff/roster/${id}`)).res.status).toBe(404)
    expect((await apply(other, id)).res.status).toBe(404)
    expect(mainText((await other.get('/staff/roster')).html)).not.toContain(`#${id}`)
    expect((await importRow(id))!.state).toBe('ready')
    expect(await person('r190802')).toBeNull()
  })

  it('offers a template: the header and one example row, UTF-8 with a BOM', async () => {
    // The upload page's link is the one that answers (it once led to /staff/roster/template.csv).
    const href = /<a href="([^"]+)"[^>]*download/.exec((await admin.get('/staff/roster')).html)?.[1]
    expect(href).toBe('/staff/roster-template.csv')
    const res = await admin.request(href!)
    expect(res.headers.get('content-type')).toContain('text/csv')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
      .decode(bytes)
      .split('\r\n')
    expect(lines[0]).toBe(
      '\uFEFF"ユーザID","氏名カナ","氏名","在籍状況","離籍日","パスワードハッシュ","初期パスワード"',
    )
    expect(lines.length).toBe(3) // header, example, final line break
    // The template itself is a roster the upload accepts.
    const { row } = await uploadChecked(admin, bytes)
    expect(row).toMatchObject({ state: 'ready', rejected_count: 0 })
  })
})

it('shows progress while checking, with a reload link', async () => {
  const { res } = await uploadRoster(
    admin,
    encodeUtf8(csv('r190901,シンコウ,,在学,,,Hajimete-2027')),
  )
  const id = importIdOf(res)
  // Whatever the state when the page is read, it says it plainly.
  const text = mainText((await admin.get(`/staff/roster/${id}`)).html)
  expect(text).toMatch(/確認しています|適用待ち/)
  await checked(id)
})

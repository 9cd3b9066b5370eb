import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { expect } from 'vitest'
import type { Client } from './client'
import { mic } from './charge'
import { KOMOJU } from './twins'

// The fuzzing toolkit shared by the student forms (integration/fuzz.test.ts) and the
// console's (integration/console-fuzz.test.ts): nasty values, forms with fields missing,
// doubled and unknown, urlencoded and multipart bodies, and a snapshot of everything a
// refused input must leave as it was.

/** Per property: 17 properties, 3,400 inputs in all. */
export const RUNS = 200
export const LONG = 180_000

// ---- Values ----

/** Bytes that are not UTF-8 (a lone continuation byte, an overlong form, 0xFF …). */
export const notUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 24 })
  .map((b) => Uint8Array.from([0xc3, 0x28, 0xff, ...b, 0x80]))

export const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }), // any UTF-16 unit, lone surrogates too
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uFEFF',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '../../etc/passwd',
    '%00',
    '{{7*7}}',
    '${jndi:ldap://x}',
    'null',
    'undefined',
    '[object Object]',
  ),
  fc.integer({ min: 129, max: 40_000 }).map((n) => 'あ'.repeat(n)), // overlong
  notUtf8,
)

export const FULL_WIDTH = '０１２３４５６７８９'
export const toFullWidth = (s: string) =>
  s
    .replace(/[0-9]/g, (d) => FULL_WIDTH[Number(d)]!)
    .replace('-', '－')
    .replace('.', '．')

/** Amounts no student may charge (cap ¥20,000, ¥1 steps). */
export const badAmount = fc
  .oneof(
    fc.integer({ min: -1_000_000_000, max: 0 }).map(String), // zero and negative
    fc
      .double({ min: -1e6, max: 1e6, noNaN: true })
      .filter((d) => !Number.isInteger(d))
      .map(String), // fractional
    fc.bigInt({ min: 20_001n, max: 10n ** 30n }).map(String), // over the cap, huge
    fc.constantFrom('1e3', '0x10', '1_000', 'NaN', 'Infinity', '-0', '+-5', '5-'),
    fc.string({ maxLength: 12 }).map((s) => `x${s}`),
  )
  .chain((s) => fc.constantFrom(s, toFullWidth(s), ` ${s} `))

export const badId = fc.oneof(
  fc.constantFrom('0', '-1', '1.5', '1e3', 'abc', '9'.repeat(40), '%00', '０１'),
  fc.integer({ min: 900_000_000, max: 2 ** 53 }).map(String),
  fc.string({ minLength: 1, maxLength: 30 }).map((s) => `x${s}`),
)

export type Value = string | Uint8Array
export type Fields = Array<[string, Value]>

/** A form: the given fields, each sometimes missing or sent twice, plus unknown ones. */
export const form = (fields: Record<string, fc.Arbitrary<Value>>) =>
  fc
    .tuple(
      fc.tuple(
        ...Object.entries(fields).map(([name, value]) =>
          fc.tuple(
            fc.constant(name),
            value,
            fc.constantFrom('once', 'once', 'once', 'missing', 'twice'),
          ),
        ),
      ),
      fc.array(
        fc.tuple(
          nasty.filter((n): n is string => typeof n === 'string'),
          nasty,
        ),
        {
          maxLength: 2,
        },
      ),
    )
    .map(([known, extra]) => {
      const out: Fields = []
      for (const [name, value, how] of known) {
        if (how === 'missing') continue
        out.push([name, value])
        if (how === 'twice') out.push([name, value])
      }
      return [...out, ...(extra as Fields)]
    })

// ---- Bodies ----

export const bytes = (v: Value) => (typeof v === 'string' ? new TextEncoder().encode(v) : v)
export const percent = (v: Value) =>
  Array.from(bytes(v), (b) =>
    /[A-Za-z0-9*._-]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
  ).join('')

export const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) out.set(p, (at += p.length) - p.length)
  return out
}

export const encode = (fields: Fields, multipart: boolean) => {
  if (!multipart)
    return {
      type: 'application/x-www-form-urlencoded',
      body: fields.map(([k, v]) => `${percent(k)}=${percent(v)}`).join('&'),
    }
  const boundary = 'fuzzboundary7MA4YWxkTrZu0gW'
  const enc = (s: string) => new TextEncoder().encode(s)
  const parts = fields.flatMap(([k, v]) => [
    enc(
      `--${boundary}\r\nContent-Disposition: form-data; name="${String(k).replace(/["\r\n]/g, '_')}"\r\n\r\n`,
    ),
    bytes(v),
    enc('\r\n'),
  ])
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: concat([...parts, enc(`--${boundary}--\r\n`)]),
  }
}

export const post = (client: Client, path: string, fields: Fields, multipart: boolean) => {
  const { type, body } = encode([['_csrf', client.csrf], ...fields], multipart)
  return client.request(path, { method: 'POST', body, headers: { 'content-type': type } })
}

// ---- What must not change ----

export const EXEMPT_TABLES = new Set([
  'login_throttle',
  'webhook_refusals',
  'd1_migrations',
  'sqlite_sequence',
])

export const snapshot = async () => {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>()
  const out: Record<string, unknown> = {}
  for (const { name } of tables.results) {
    if (EXEMPT_TABLES.has(name)) continue
    const rows = await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()
    out[name] = rows.results.map((r) =>
      name === 'students' ? { ...r, mic_balance: null, mic_balance_at: null } : r,
    )
  }
  for (const [name, kv] of [
    ['SESSIONS', env.SESSIONS],
    ['TOKENS', env.TOKENS],
  ] as const)
    out[`kv:${name}`] = (await kv.list()).keys.map((k) => k.name)
  out['mic'] = (await mic().cards(100_000)).map((c) => [c.cardId, c.balance, c.credits])
  out['komoju'] = (await (await fetch(`${KOMOJU}/_twin/payments`)).json()) as unknown
  return JSON.stringify(out)
}

/** Runs the property; afterwards nothing outside the exempt records may differ. */
export const fuzz = async <T>(arb: fc.Arbitrary<T>, send: (input: T) => Promise<Response>) => {
  const before = await snapshot()
  const statuses = new Map<number, number>()
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      const res = await send(input)
      const text = await res.text()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      expect(res.status, text.slice(0, 300)).toBeGreaterThanOrEqual(400)
      expect(res.status, text.slice(0, 300)).toBeLessThan(500)
      // A page, or a JSON answer, that says what was wrong: never an empty or bare error.
      expect(text.length).toBeGreaterThan(10)
    }),
    { numRuns: RUNS },
  )
  // Mail goes out after the response (waitUntil): give any such stray a moment to land.
  await new Promise((r) => setTimeout(r, 50))
  expect(JSON.parse(await snapshot())).toEqual(JSON.parse(before))
  return statuses
}

export const multipart = fc.boolean()

/**
 * Runs the property where an input may also be accepted (a form that happens to be right):
 * every answer is one of `allowed` (never a 5xx), says something, and passes `check`.
 */
export const probe = async <T>(
  arb: fc.Arbitrary<T>,
  send: (input: T) => Promise<Response>,
  allowed: readonly number[],
  check: (res: Response, text: string, input: T) => void | Promise<void> = () => {},
  runs = RUNS,
) => {
  const statuses = new Map<number, number>()
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      const res = await send(input)
      const text = await res.text()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      expect(allowed, `${res.status}: ${text.slice(0, 300)}`).toContain(res.status)
      expect(text.length).toBeGreaterThan(10)
      await check(res, text, input)
    }),
    { numRuns: runs },
  )
  return statuses
}

/** Runs `f`; afterwards nothing outside the exempt records may differ. */
export const unchanged = async (f: () => Promise<unknown>) => {
  const before = await snapshot()
  const out = await f()
  await new Promise((r) => setTimeout(r, 50))
  const was = JSON.parse(before) as Record<string, unknown>
  const is = JSON.parse(await snapshot()) as Record<string, unknown>
  const changed = Object.keys({ ...was, ...is }).filter(
    (k) => JSON.stringify(was[k]) !== JSON.stringify(is[k]),
  )
  expect(changed, JSON.stringify(changed.map((k) => [k, was[k], is[k]])).slice(0, 3000)).toEqual([])
  return out
}

/** Copies as a student might type them, or anything but: full-width, signed, fractional, huge. */
export const copies = fc.oneof(
  fc.integer({ min: 0, max: 25 }).map(String),
  fc.integer({ min: 0, max: 25 }).map((n) => toFullWidth(String(n))),
  fc.integer({ min: -1_000_000, max: -1 }).map(String),
  fc.double({ min: -50, max: 50, noNaN: true }).map(String),
  fc.bigInt({ min: 21n, max: 10n ** 30n }).map(String),
  fc.constantFrom('1e1', '0x2', ' 2 ', '+1', '２０', '１．５', 'NaN', 'Infinity'),
  nasty,
)

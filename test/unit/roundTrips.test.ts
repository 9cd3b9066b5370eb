import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db'
import { universities } from '../../src/db/schema'
import {
  CallLog,
  countedEnv,
  countingRoundTrips,
  formatRoundTrips,
  overlapGroups,
  roundTripsOf,
  type Call,
  type CallKind,
} from '../../src/devRoundTrips'

/** A call made at event `start` and answered at `end` (undefined: still running). */
const call = (kind: CallKind, start: number, end?: number, statements = 1, devStatements = 0) =>
  ({ kind, op: `${kind}.op`, statements, devStatements, start, end }) satisfies Call

describe('round trips counted from the calls a request made', () => {
  it('counts calls made side by side as one round trip and a call made after an answer as another', () => {
    const calls = [call('kv', 1, 4), call('d1', 2, 3), call('d1', 5, 6)]
    expect(overlapGroups(calls).map((g) => g.length)).toEqual([2, 1])
    expect(roundTripsOf(calls, 7).roundTrips).toBe(2)
  })

  it('counts a call made in the continuation of the answer it waited for as a round trip of its own', () => {
    // Answered at 2, the next made at 3: they did not overlap.
    expect(roundTripsOf([call('d1', 1, 2), call('d1', 3, 4)], 5).roundTrips).toBe(2)
    // Made before the first was answered: one wait.
    expect(roundTripsOf([call('d1', 1, 3), call('d1', 2, 4)], 5).roundTrips).toBe(1)
  })

  it('chains overlaps: a call overlapping the group (not only its first call) joins it', () => {
    const calls = [call('kv', 1, 3), call('d1', 2, 6), call('d1', 4, 5)]
    expect(roundTripsOf(calls, 7).roundTrips).toBe(1)
  })

  it('leaves out, as background, calls still running when the response was returned', () => {
    const calls = [call('kv', 1, 2), call('kv', 3), call('d1', 4, 9)]
    const r = roundTripsOf(calls, 5)
    expect(r.roundTrips).toBe(1)
    expect(r.background.map((c) => c.start)).toEqual([3, 4])
    expect(formatRoundTrips(r)).toMatch(/; background=2 \(/)
  })

  it('counts only storage (D1, KV, R2): a fetch, a desk call or a queued message is reported apart', () => {
    const calls = [call('kv', 1, 2), call('fetch', 3, 4), call('do', 5, 6), call('queue', 7, 8)]
    const r = roundTripsOf(calls, 9)
    expect(r.roundTrips).toBe(1)
    expect(r.calls).toMatchObject({ kv: 1, fetch: 1, do: 1, queue: 1, d1: 0 })
    expect(formatRoundTrips(r)).toMatch(
      /^1; production=1; before-queue=1; production-before-queue=1; d1=0; kv=1; r2=0; queue=1; do=1; limit=0; fetch=1; background=0$/,
    )
  })

  it('counts the storage round trips made before the first message was queued', () => {
    const calls = [call('d1', 1, 2), call('queue', 3, 4), call('d1', 5, 6)]
    expect(roundTripsOf(calls, 7)).toMatchObject({ roundTrips: 2, beforeQueue: 1 })
    expect(roundTripsOf([call('d1', 1, 2)], 3).beforeQueue).toBeNull()
    // The development clock before the message: not one of production's waits.
    const dev = [call('d1', 1, 2, 1, 1), call('d1', 3, 4), call('queue', 5, 6)]
    expect(roundTripsOf(dev, 7)).toMatchObject({ beforeQueue: 2, productionBeforeQueue: 1 })
  })

  it("tells production's count without the development clock when the clock is a call of its own", () => {
    const calls = [call('d1', 1, 2, 1, 1), call('d1', 3, 4), call('kv', 3, 5)]
    const r = roundTripsOf(calls, 6)
    expect(r).toMatchObject({ roundTrips: 2, production: 1, devAlone: 1, devAlongside: 0 })
    expect(formatRoundTrips(r)).toContain('1 dev clock alone')
  })

  it('keeps the round trip of a batch the development clock rides in', () => {
    const r = roundTripsOf([call('d1', 1, 2, 4, 1)], 3)
    expect(r).toMatchObject({ roundTrips: 1, production: 1, devAlone: 0, devAlongside: 1 })
  })
})

/** The ExecutionContext a handler under test gets: nothing is waited on. */
const ctx = {
  waitUntil() {},
  passThroughOnException() {},
  props: {},
} as unknown as ExecutionContext

describe('the counting proxies around the real bindings', () => {
  it('counts a KV read beside a D1 batch as one round trip, then a query after them as a second', async () => {
    const log = new CallLog()
    const e = countedEnv(env, log)
    await Promise.all([
      e.SESSIONS.get('no-such-session'),
      e.DB.batch([e.DB.prepare('SELECT 1 AS one'), e.DB.prepare('SELECT 2 AS two')]),
    ])
    const row = await e.DB.prepare('SELECT ? AS n').bind(3).first<{ n: number }>()
    expect(row?.n).toBe(3)
    const r = roundTripsOf(log.calls, log.mark())
    expect(r).toMatchObject({ roundTrips: 2, batches: [2] })
    expect(log.calls.map((c) => c.op)).toEqual(['SESSIONS.get', 'DB.batch', 'DB.first'])
  })

  it('counts the queries drizzle makes through the counted database', async () => {
    const log = new CallLog()
    const rows = await database(countedEnv(env, log).DB).select().from(universities).limit(1)
    expect(rows).toHaveLength(1)
    expect(roundTripsOf(log.calls, log.mark()).calls.d1).toBe(1)
  })

  it("tags the development clock's statement, alone or in a batch", async () => {
    const log = new CallLog()
    const e = countedEnv(env, log)
    const clock = e.DB.prepare('SELECT value FROM dev_settings WHERE key = ?').bind(
      'clock_offset_ms',
    )
    await clock.first()
    await e.DB.batch([clock, e.DB.prepare('SELECT 1')])
    expect(log.calls.map((c) => [c.statements, c.devStatements])).toEqual([
      [1, 1],
      [2, 1],
    ])
  })

  it('reports a write nobody waited for as background', async () => {
    const log = new CallLog()
    const write = countedEnv(env, log).SESSIONS.put('round-trips-test', 'x')
    const r = roundTripsOf(log.calls, log.mark())
    await write
    expect(r.roundTrips).toBe(0)
    expect(r.background.map((c) => c.op)).toEqual(['SESSIONS.put'])
  })

  it("counts the worker's outbound fetch apart from storage", async () => {
    const handler = countingRoundTrips(async () => {
      const res = await fetch('http://mic.test/_twin/clock')
      await res.arrayBuffer()
      return new Response('ok')
    })
    const plain = await handler(new Request('http://localhost/'), env, ctx)
    expect(plain.headers.get('x-round-trips')).toBeNull()
    const res = await handler(
      new Request('http://localhost/', { headers: { 'x-bench-round-trips': '1' } }),
      env,
      ctx,
    )
    expect(res.headers.get('x-round-trips')).toMatch(/^0; production=0; .*fetch=1; background=0$/)
    expect(res.headers.get('x-round-trips-steps')).toBe('fetch GET mic.test/_twin/clock')
    // The runtime's fetch is back once no counted request runs.
    expect(fetch.name).not.toBe('countingFetch')
  })
})

describe('the development worker answers round trips when asked', () => {
  it('adds x-round-trips to a page asked with x-bench-round-trips, and nothing otherwise', async () => {
    const asked = await exports.default.fetch(
      new Request('https://example.com/login', { headers: { 'x-bench-round-trips': '1' } }),
    )
    expect(asked.status).toBe(200)
    const header = asked.headers.get('x-round-trips') ?? ''
    const [count, production] = [/^(\d+);/, /production=(\d+)/].map((re) =>
      Number(re.exec(header)?.[1]),
    )
    expect(count).toBeGreaterThanOrEqual(1)
    expect(production).toBeLessThanOrEqual(count!)
    // The development clock is read on every request: tagged as the development worker's own.
    expect(header).toMatch(/dev clock/)
    const plain = await exports.default.fetch(new Request('https://example.com/login'))
    expect(plain.headers.get('x-round-trips')).toBeNull()
  })
})

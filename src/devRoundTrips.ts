// Counting a request's round trips (development entry only: src/index.dev.ts). A request that
// carries `x-bench-round-trips: 1` is served with its bindings wrapped in counting proxies and
// answers, in `x-round-trips`, how many times it waited on storage one after the other. The
// bench (bench/run.ts) asks each page this way; every other request is served untouched, so
// the load and CPU-profile runs pay nothing. Never imported by src/index.ts (npm test checks
// the production bundle).

/** Where a call goes. D1, KV and R2 are storage; the rest are reported apart. */
export type CallKind = 'd1' | 'kv' | 'r2' | 'queue' | 'do' | 'limit' | 'fetch' | 'assets' | 'mail'

export const STORAGE_KINDS: readonly CallKind[] = ['d1', 'kv', 'r2']
const REPORTED: readonly CallKind[] = ['d1', 'kv', 'r2', 'queue', 'do', 'limit', 'fetch']

/** One call a request made through a binding (or the worker's outbound fetch). */
export interface Call {
  kind: CallKind
  /** What was called: `SESSIONS.get`, `DB.batch`, `STUDENT_DESK.apply`, `fetch GET host` … */
  op: string
  /** Statements sent (D1); 1 for anything else. */
  statements: number
  /** Of those, how many only the development worker sends (the movable clock on dev_settings). */
  devStatements: number
  /** Position in the request's order of events when it was made. */
  start: number
  /** Position when its answer came back (or it failed); undefined while it runs. */
  end?: number
}

export const HEADER = 'x-bench-round-trips'
export const RESULT_HEADER = 'x-round-trips'
export const STEPS_HEADER = 'x-round-trips-steps'

const isStorage = (c: Call) => STORAGE_KINDS.includes(c.kind)
/** A call production never makes: every statement in it is development-only. */
const devOnly = (c: Call) => c.devStatements > 0 && c.devStatements === c.statements

/**
 * Calls that overlap, in groups: sorted by when they were made, a call joins the group
 * before it when it was made before the group's last answer came back (a call made in the
 * continuation of another's answer waits for it: a round trip of its own). Event order, not
 * time: the Workers clock does not move while JavaScript runs, so two calls a millisecond
 * apart and two calls side by side can read the same time.
 */
export const overlapGroups = (calls: readonly Call[]): Call[][] => {
  const groups: Call[][] = []
  let groupEnd = -Infinity
  for (const c of [...calls].sort((a, b) => a.start - b.start)) {
    const end = c.end ?? Infinity
    if (groups.length > 0 && c.start < groupEnd) {
      groups.at(-1)!.push(c)
      groupEnd = Math.max(groupEnd, end)
    } else {
      groups.push([c])
      groupEnd = end
    }
  }
  return groups
}

/** What a request waited on, told when its response was returned (`at`, in event order). */
export interface RoundTrips {
  /** Sequential storage round trips: groups of overlapping D1/KV/R2 calls answered by `at`. */
  roundTrips: number
  /** The same without the development-only calls: what production would wait on. */
  production: number
  /** Storage round trips answered before the first message was queued (null: none queued). */
  beforeQueue: number | null
  /** The same without the development-only calls. */
  productionBeforeQueue: number | null
  /** Calls per kind that were answered by `at`. */
  calls: Record<CallKind, number>
  /** D1 batches answered by `at`, by their size. */
  batches: number[]
  /** Development-only statements answered by `at`: in calls of their own, and riding along. */
  devAlone: number
  devAlongside: number
  /** Calls still running at `at` (sent to ctx.waitUntil, or simply not awaited). */
  background: Call[]
  /** Every call answered by `at`, grouped by overlap (all kinds), in order. */
  steps: Call[][]
}

export const roundTripsOf = (calls: readonly Call[], at: number): RoundTrips => {
  const answered = calls.filter((c) => c.end !== undefined && c.end < at)
  const background = calls.filter((c) => !(c.end !== undefined && c.end < at))
  const storage = answered.filter(isStorage)
  const firstQueue = answered
    .filter((c) => c.kind === 'queue')
    .reduce((n, c) => Math.min(n, c.start), Infinity)
  const counts = Object.fromEntries(
    (['d1', 'kv', 'r2', 'queue', 'do', 'limit', 'fetch', 'assets', 'mail'] as const).map((k) => [
      k,
      answered.filter((c) => c.kind === k).length,
    ]),
  ) as Record<CallKind, number>
  const dev = answered.filter((c) => c.devStatements > 0)
  return {
    roundTrips: overlapGroups(storage).length,
    production: overlapGroups(storage.filter((c) => !devOnly(c))).length,
    beforeQueue:
      firstQueue === Infinity
        ? null
        : overlapGroups(storage.filter((c) => c.end! < firstQueue)).length,
    productionBeforeQueue:
      firstQueue === Infinity
        ? null
        : overlapGroups(storage.filter((c) => c.end! < firstQueue && !devOnly(c))).length,
    calls: counts,
    batches: answered.filter((c) => c.op.endsWith('.batch')).map((c) => c.statements),
    devAlone: dev.filter(devOnly).reduce((n, c) => n + c.devStatements, 0),
    devAlongside: dev.filter((c) => !devOnly(c)).reduce((n, c) => n + c.devStatements, 0),
    background,
    steps: overlapGroups(answered),
  }
}

const label = (c: Call) =>
  c.kind === 'd1' && (c.op.endsWith('.batch') || c.devStatements > 0)
    ? `${c.op}(${c.statements}${c.devStatements > 0 ? `, ${c.devStatements} dev clock` : ''})`
    : c.op

/**
 * The `x-round-trips` header: the count first, then the breakdown, e.g.
 * `2; production=2; d1=1 (batch of 4, 1 dev clock alongside); kv=1; r2=0; queue=0; do=0;
 * limit=0; fetch=1; background=1 (SESSIONS.put)`.
 */
export const formatRoundTrips = (r: RoundTrips) => {
  const d1Notes = [
    ...r.batches.map((n) => `batch of ${n}`),
    ...(r.devAlongside > 0 ? [`${r.devAlongside} dev clock alongside`] : []),
    ...(r.devAlone > 0 ? [`${r.devAlone} dev clock alone`] : []),
  ]
  const parts = [
    String(r.roundTrips),
    `production=${r.production}`,
    ...(r.beforeQueue === null
      ? []
      : [`before-queue=${r.beforeQueue}`, `production-before-queue=${r.productionBeforeQueue}`]),
    ...REPORTED.map(
      (k) => `${k}=${r.calls[k]}${k === 'd1' && d1Notes.length ? ` (${d1Notes.join(', ')})` : ''}`,
    ),
    ...(['assets', 'mail'] as const).filter((k) => r.calls[k] > 0).map((k) => `${k}=${r.calls[k]}`),
    `background=${r.background.length}${r.background.length ? ` (${r.background.map(label).join(', ')})` : ''}`,
  ]
  return parts.join('; ')
}

/** The `x-round-trips-steps` header: the calls in order, ` + ` side by side, ` > ` one after another. */
export const formatSteps = (r: RoundTrips) =>
  r.steps.map((g) => g.map(label).join(' + ')).join(' > ')

/** A request's calls, in the order things happened. */
export class CallLog {
  readonly calls: Call[] = []
  private events = 0

  /** A position in the order of events (the response returned, say). */
  mark() {
    return ++this.events
  }

  /** Makes a call through `run`, noting when it was made and when it was answered. */
  track<T>(kind: CallKind, op: string, run: () => T, statements = 1, devStatements = 0): T {
    const call: Call = { kind, op, statements, devStatements, start: this.mark() }
    this.calls.push(call)
    const done = () => {
      call.end = this.mark()
    }
    let result: T
    try {
      result = run()
    } catch (e) {
      done()
      throw e
    }
    const then = (result as { then?: unknown } | null)?.then
    if (typeof then === 'function')
      (then as (f: () => void, r: () => void) => unknown).call(result, done, done)
    else done()
    return result
  }
}

// ---- The counting proxies ----
/** The development clock's statement (flows/clock.ts): production never sends it. */
const isDevSql = (sql: string) => /\bdev_settings\b/.test(sql)

/** A method of a runtime object, called on the object itself (its methods need their own `this`). */
const forward = (target: object, prop: string | symbol) => {
  const value = Reflect.get(target, prop)
  return typeof value === 'function' ? value.bind(target) : value
}

const countMethods = <T extends object>(
  target: T,
  log: CallLog,
  kind: CallKind,
  name: string,
  methods: readonly string[],
): T =>
  new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && methods.includes(prop)) {
        const method = Reflect.get(t, prop) as (...a: unknown[]) => unknown
        return (...args: unknown[]) =>
          log.track(kind, `${name}.${prop}`, () => method.apply(t, args))
      }
      return forward(t, prop)
    },
  })

/** Statements given out by a counted D1 handle: the runtime's statement each wraps, its SQL. */
type Statements = WeakMap<object, { stmt: D1PreparedStatement; sql: string }>

const countStatement = (
  stmt: D1PreparedStatement,
  sql: string,
  log: CallLog,
  name: string,
  own: Statements,
): D1PreparedStatement => {
  const dev = isDevSql(sql) ? 1 : 0
  const proxy = new Proxy(stmt, {
    get(t, prop) {
      if (prop === 'bind')
        return (...args: unknown[]) => countStatement(t.bind(...args), sql, log, name, own)
      if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
        const method = Reflect.get(t, prop) as (...a: unknown[]) => unknown
        return (...args: unknown[]) =>
          log.track('d1', `${name}.${prop}`, () => method.apply(t, args), 1, dev)
      }
      return forward(t, prop)
    },
  })
  own.set(proxy, { stmt, sql })
  return proxy
}

/** `prepare`, `batch`, `exec` and `withSession` counted, of the database or of a session. */
const countD1 = <T extends D1Database | D1DatabaseSession>(
  target: T,
  log: CallLog,
  name: string,
  own: Statements,
): T =>
  new Proxy(target, {
    get(t, prop) {
      if (prop === 'prepare')
        return (sql: string) => countStatement(t.prepare(sql), sql, log, name, own)
      if (prop === 'batch')
        return (stmts: D1PreparedStatement[]) => {
          const dev = stmts.filter((s) => isDevSql(own.get(s)?.sql ?? '')).length
          return log.track(
            'd1',
            `${name}.batch`,
            () => t.batch(stmts.map((s) => own.get(s)?.stmt ?? s)),
            stmts.length,
            dev,
          )
        }
      if (prop === 'exec' && 'exec' in t)
        return (sql: string) =>
          log.track('d1', `${name}.exec`, () => t.exec(sql), 1, isDevSql(sql) ? 1 : 0)
      if (prop === 'withSession' && 'withSession' in t)
        return (constraint?: D1SessionConstraint | D1SessionBookmark) =>
          countD1(t.withSession(constraint), log, `${name}.session`, own)
      return forward(t, prop)
    },
  })

/** A Durable Object stub whose every method call is counted (RPC or fetch). */
const countStub = <T extends object>(stub: T, log: CallLog, name: string): T =>
  new Proxy(stub, {
    get(t, prop) {
      const value = Reflect.get(t, prop)
      // `then` (a stub is not a promise), symbols and plain values go through untouched.
      if (typeof prop !== 'string' || prop === 'then' || typeof value !== 'function') return value
      return (...args: unknown[]) =>
        log.track('do', `${name}.${prop}`, () => Reflect.apply(value, t, args))
    },
  })

const countNamespace = <T extends DurableObjectNamespace>(ns: T, log: CallLog, name: string): T =>
  new Proxy(ns, {
    get(t, prop) {
      if (prop === 'get' || prop === 'getByName') {
        const method = Reflect.get(t, prop) as (...a: unknown[]) => object
        return (...args: unknown[]) => countStub(method.apply(t, args), log, name)
      }
      return forward(t, prop)
    },
  })

/** What each binding is, by its name in wrangler.toml. */
const BINDINGS = {
  DB: 'd1',
  SESSIONS: 'kv',
  TOKENS: 'kv',
  CERTIFICATES: 'r2',
  ROSTER_UPLOADS: 'r2',
  PAYMENT_NOTIFICATIONS: 'queue',
  ROSTER_IMPORTS: 'queue',
  STUDENT_DESK: 'do',
  WEBHOOK_REFUSALS: 'limit',
  VERIFY_LOOKUPS: 'limit',
  ASSETS: 'assets',
  EMAIL: 'mail',
} as const satisfies Partial<Record<keyof Env, CallKind>>

const METHODS: Partial<Record<CallKind, readonly string[]>> = {
  kv: ['get', 'getWithMetadata', 'put', 'delete', 'list'],
  r2: ['head', 'get', 'put', 'delete', 'list', 'createMultipartUpload'],
  queue: ['send', 'sendBatch'],
  limit: ['limit'],
  assets: ['fetch'],
  mail: ['send'],
}

/** The bindings of `env`, each wrapped so that its calls go into `log`; anything else as is. */
export const countedEnv = (env: Env, log: CallLog): Env => {
  const out: Record<string, unknown> = { ...env }
  for (const [name, kind] of Object.entries(BINDINGS)) {
    const binding = out[name] as object | undefined
    if (!binding) continue
    out[name] =
      kind === 'd1'
        ? countD1(binding as D1Database, log, name, new WeakMap())
        : kind === 'do'
          ? countNamespace(binding as DurableObjectNamespace, log, name)
          : countMethods(binding, log, kind, name, METHODS[kind]!)
  }
  return out as unknown as Env
}

// ---- The worker's outbound fetch (M.I.C., KOMOJU, the registrar) ----
// Services call the global `fetch` when they call out, so it is replaced while a counted
// request runs, and put back when none does. A fetch is the request's when it is the only
// counted request running (the bench asks one at a time); with several, nobody's.
const running = new Set<CallLog>()
/** The runtime's fetch, kept from the first counted request on. */
let runtimeFetch: typeof fetch | null = null
let ambiguous = 0

const countingFetch: typeof fetch = (input, init) => {
  const original = runtimeFetch!
  if (running.size !== 1) {
    ambiguous++
    return original(input, init)
  }
  const [log] = running
  const req = input instanceof Request ? input : null
  const url = new URL(req ? req.url : String(input))
  const method = (init?.method ?? req?.method ?? 'GET').toUpperCase()
  return log!.track('fetch', `fetch ${method} ${url.host}${url.pathname}`, () =>
    original(input, init),
  )
}

const startCounting = (log: CallLog) => {
  runtimeFetch ??= globalThis.fetch
  if (running.size === 0) globalThis.fetch = countingFetch
  running.add(log)
}

const stopCounting = (log: CallLog) => {
  running.delete(log)
  if (running.size === 0) globalThis.fetch = runtimeFetch!
}

type FetchHandler = (req: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>

/**
 * `handler` with round trips counted for a request that asks (`x-bench-round-trips: 1`): its
 * bindings and outbound fetch counted, and the count in the response's `x-round-trips` (the
 * calls in order in `x-round-trips-steps`). Any other request goes straight to `handler`.
 */
export const countingRoundTrips =
  (handler: FetchHandler): FetchHandler =>
  async (req, env, ctx) => {
    if (req.headers.get(HEADER) !== '1') return handler(req, env, ctx)
    const log = new CallLog()
    startCounting(log)
    const before = ambiguous
    let res: Response
    try {
      res = await handler(req, countedEnv(env, log), ctx)
    } finally {
      stopCounting(log)
    }
    const r = roundTripsOf(log.calls, log.mark())
    const out = new Response(res.body, res)
    const shared = ambiguous - before
    out.headers.set(
      RESULT_HEADER,
      formatRoundTrips(r) + (shared > 0 ? `; unattributed-fetch=${shared}` : ''),
    )
    out.headers.set(STEPS_HEADER, formatSteps(r))
    return out
  }

/**
 * M.I.C., the university's IC card system, as this service sees it: read a card's
 * balance, and credit a charge to it. Every credit carries an idempotency key, so a credit
 * retried after a lost answer is applied once.
 */
export interface MicCard {
  universityId: string
  userId: string
}

export type MicFailure =
  /** M.I.C. is in a stop window; `until` is when it says it opens again, if it said. */
  | { ok: false; error: 'blackout'; until: number | null }
  /** No answer, a timeout or a server error: worth trying again later. */
  | { ok: false; error: 'unavailable'; detail: string }
  /** M.I.C. refused a credit that would take the card over its cap; it did not apply it. */
  | { ok: false; error: 'overCap'; detail: string }
  /** M.I.C. understood and refused (a suspended or reissued card …): trying again will not help. */
  | { ok: false; error: 'rejected'; detail: string }

/** The key was refused (only the connection check tells this apart from `unavailable`). */
export type MicUnauthorized = { ok: false; error: 'unauthorized'; detail: string }

export type MicResult<T> = ({ ok: true } & T) | MicFailure

export interface MicBalance {
  balance: number
  asOf: number
}

export interface MicCredit {
  creditId: string
  balance: number
  appliedAt: number
  /** True when M.I.C. had already applied this key and answered from its record. */
  replayed: boolean
}

/** One credit as M.I.C. recorded it: the card's user, the key it was sent with, when. */
export interface MicCreditRecord {
  creditId: string
  idempotencyKey: string
  userId: string
  amount: number
  appliedAt: number
}

export interface Mic {
  balance(card: MicCard): Promise<MicResult<MicBalance>>
  credit(card: MicCard, amount: number, idempotencyKey: string): Promise<MicResult<MicCredit>>
  /**
   * Whether M.I.C. accepts the key and serves the university (the operator's connection
   * check): `unauthorized` when the key is refused, `rejected` when it does not know the
   * university.
   */
  university(universityId: string): Promise<MicResult<{ id: string }> | MicUnauthorized>
  /**
   * Every credit applied to the university's cards with from ≤ appliedAt < to, all pages
   * read (突合). A failure on any page fails the whole listing: a partial list must never
   * look like a complete one.
   */
  credits(
    universityId: string,
    range: { from: number; to: number },
  ): Promise<MicResult<{ credits: MicCreditRecord[] }>>
}

export type Fetcher = (request: Request) => Promise<Response>

/** Credits asked for per page of a listing, and a bound on the pages of one listing. */
const CREDITS_PER_PAGE = 500
const CREDITS_MAX_PAGES = 200

const creditRecord = (v: unknown): MicCreditRecord | null => {
  const r = v as Record<string, unknown> | null
  if (
    typeof r?.creditId !== 'string' ||
    typeof r.idempotencyKey !== 'string' ||
    typeof r.user !== 'string' ||
    !Number.isSafeInteger(r.amount) ||
    !Number.isSafeInteger(r.appliedAt)
  )
    return null
  return {
    creditId: r.creditId,
    idempotencyKey: r.idempotencyKey,
    userId: r.user,
    amount: r.amount as number,
    appliedAt: r.appliedAt as number,
  }
}

const cardPath = (card: MicCard) =>
  `/v1/cards/${encodeURIComponent(card.universityId)}/${encodeURIComponent(card.userId)}`

/**
 * The HTTP client for M.I.C.'s API. Production gives it the real endpoint and `fetch`;
 * development and tests give it the local twin (src/adapters/mic/localMic.ts), which
 * speaks the same API.
 */
export class HttpMic implements Mic {
  constructor(
    private readonly opts: {
      baseUrl: string
      apiKey: string
      timeoutMs: number
      fetcher: Fetcher
      /** Credits per page of a listing (tests make it small to read several pages). */
      listPageSize?: number
    },
  ) {}

  private async call(
    method: 'GET' | 'POST',
    path: string,
    init: { body?: unknown; idempotencyKey?: string } = {},
  ) {
    const headers = new Headers({
      authorization: `Bearer ${this.opts.apiKey}`,
      accept: 'application/json',
    })
    if (init.body !== undefined) headers.set('content-type', 'application/json')
    if (init.idempotencyKey) headers.set('idempotency-key', init.idempotencyKey)
    const controller = new AbortController()
    const request = new Request(this.opts.baseUrl.replace(/\/$/, '') + path, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: controller.signal,
    })
    let timer: ReturnType<typeof setTimeout> | null = null
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.opts.timeoutMs)
    })
    try {
      const res: Response | 'timeout' = await Promise.race([this.opts.fetcher(request), timeout])
      if (res === 'timeout') {
        controller.abort()
        return { kind: 'timeout' as const }
      }
      const json = (await res.json().catch(() => null)) as Record<string, unknown> | null
      return {
        kind: 'response' as const,
        status: res.status,
        json: json ?? {},
        retryAfter: res.headers.get('retry-after'),
      }
    } catch (e) {
      return { kind: 'error' as const, detail: e instanceof Error ? e.message : String(e) }
    } finally {
      if (timer !== null) clearTimeout(timer)
    }
  }

  private failure(r: Awaited<ReturnType<HttpMic['call']>>): MicFailure {
    if (r.kind === 'timeout')
      return {
        ok: false,
        error: 'unavailable',
        detail: `no answer within ${this.opts.timeoutMs} ms`,
      }
    if (r.kind === 'error') return { ok: false, error: 'unavailable', detail: r.detail }
    const detail = `HTTP ${r.status} ${typeof r.json.error === 'string' ? r.json.error : ''}`.trim()
    if (r.status === 503 && r.json.error === 'blackout') {
      const until = typeof r.json.until === 'number' ? r.json.until : null
      return { ok: false, error: 'blackout', until }
    }
    if (r.status === 422 && r.json.error === 'over_cap')
      return { ok: false, error: 'overCap', detail }
    // Auth and rate limits are ours to fix or wait out; other 4xx are final answers.
    if (r.status >= 400 && r.status < 500 && ![401, 403, 408, 429].includes(r.status))
      return { ok: false, error: 'rejected', detail }
    return { ok: false, error: 'unavailable', detail }
  }

  async balance(card: MicCard): Promise<MicResult<MicBalance>> {
    const r = await this.call('GET', cardPath(card))
    if (
      r.kind === 'response' &&
      r.status === 200 &&
      typeof r.json.balance === 'number' &&
      typeof r.json.asOf === 'number'
    ) {
      return { ok: true, balance: r.json.balance, asOf: r.json.asOf }
    }
    return this.failure(r)
  }

  async credit(
    card: MicCard,
    amount: number,
    idempotencyKey: string,
  ): Promise<MicResult<MicCredit>> {
    const r = await this.call('POST', `${cardPath(card)}/credits`, {
      body: { amount },
      idempotencyKey,
    })
    if (r.kind === 'response' && (r.status === 200 || r.status === 201)) {
      const { creditId, balance, appliedAt } = r.json
      if (
        typeof creditId === 'string' &&
        typeof balance === 'number' &&
        typeof appliedAt === 'number'
      ) {
        return { ok: true, creditId, balance, appliedAt, replayed: r.status === 200 }
      }
    }
    return this.failure(r)
  }

  async university(universityId: string): Promise<MicResult<{ id: string }> | MicUnauthorized> {
    const r = await this.call('GET', `/v1/universities/${encodeURIComponent(universityId)}`)
    if (r.kind === 'response' && r.status === 200 && r.json.id === universityId)
      return { ok: true, id: universityId }
    if (r.kind === 'response' && (r.status === 401 || r.status === 403))
      return { ok: false, error: 'unauthorized', detail: `HTTP ${r.status}` }
    return this.failure(r)
  }

  async credits(
    universityId: string,
    range: { from: number; to: number },
  ): Promise<MicResult<{ credits: MicCreditRecord[] }>> {
    const credits: MicCreditRecord[] = []
    let after: string | null = null
    for (let page = 0; page < CREDITS_MAX_PAGES; page++) {
      const query = new URLSearchParams({
        from: String(range.from),
        to: String(range.to),
        limit: String(this.opts.listPageSize ?? CREDITS_PER_PAGE),
      })
      if (after !== null) query.set('after', after)
      const r = await this.call(
        'GET',
        `/v1/universities/${encodeURIComponent(universityId)}/credits?${query}`,
      )
      if (r.kind !== 'response' || r.status !== 200) return this.failure(r)
      const list = Array.isArray(r.json.credits) ? r.json.credits.map(creditRecord) : null
      const next = r.json.next
      if (!list || list.includes(null) || (next !== null && typeof next !== 'string'))
        return { ok: false, error: 'unavailable', detail: 'M.I.C. answered an unreadable list' }
      credits.push(...(list as MicCreditRecord[]))
      if (next === null) return { ok: true, credits }
      after = next
    }
    return { ok: false, error: 'unavailable', detail: `more than ${CREDITS_MAX_PAGES} pages` }
  }
}

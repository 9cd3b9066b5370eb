import assert from 'node:assert/strict'
import { it } from 'node:test'
import { percentile, runLoad, strayCapturedWebhook, type Req } from '../../bench/load.ts'
import { readDevVar } from '../../scripts/secrets.ts'
import { BASE } from './browser.ts'

/**
 * Sustained load: the capacity of the running service is measured first (as many requests
 * as 8 connections get answered), then it is held at that for 60 seconds: a mix of the
 * login page, the manual and KOMOJU-signed webhooks at /payments/komoju/webhook (whose
 * queue consumer, asking the KOMOJU twin about each payment, works in the background
 * meanwhile). No request may fail, and latency and throughput at the end must be what they
 * were at the start: nothing builds up.
 */

const CONNECTIONS = 8
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60)
const WINDOW_MS = 10_000

// The demo university's KOMOJU merchant: its webhooks are signed with this secret.
const secret = readDevVar('KOMOJU_WEBHOOK_SECRET')
const run = Date.now()
/** How far the service clock (which other tests move with /_dev/clock) is from ours. */
const clockOffset = async () => {
  const { now } = (await (await fetch(`${BASE}/_dev/ledger`)).json()) as { now: number }
  return now - Date.now()
}

/** A KOMOJU-signed `payment.captured` webhook for a payment KOMOJU does not have. */
const webhook = (i: number, offset: number) =>
  strayCapturedWebhook(secret, `load_${run}_${i}`, Date.now() + offset)

it(
  `holds its measured capacity for ${SECONDS} s without errors or growing latency`,
  {
    timeout: (SECONDS + 60) * 1000,
  },
  async () => {
    const offset = await clockOffset()
    let seq = 0 // across both runs, so that every webhook is a new event
    const mix = (): Req => {
      const i = seq++
      return i % 3 === 0
        ? { path: '/login' }
        : i % 3 === 1
          ? { path: '/manual' }
          : webhook(i, offset)
    }
    const capacity = await runLoad({
      base: BASE,
      request: mix,
      concurrency: CONNECTIONS,
      durationMs: 5000,
    })
    assert.equal(capacity.errors, 0, JSON.stringify(capacity.statuses))

    const run = await runLoad({
      base: BASE,
      request: mix,
      concurrency: CONNECTIONS,
      durationMs: SECONDS * 1000,
    })
    assert.equal(run.errors, 0, `failed requests: ${JSON.stringify(run.statuses)}`)

    const windowOf = (from: number, to: number) => {
      const inside = run.samples.filter(([at]) => at >= from && at < to)
      const sorted = Float64Array.from(inside, ([, ms]) => ms).sort()
      return {
        perSecond: inside.length / ((to - from) / 1000),
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
      }
    }
    const first = windowOf(0, WINDOW_MS)
    const last = windowOf(run.elapsedMs - WINDOW_MS, run.elapsedMs)
    console.log(
      `capacity ${capacity.perSecond.toFixed(0)}/s; first 10 s: ${first.perSecond.toFixed(0)}/s ` +
        `p50 ${first.p50.toFixed(1)} ms p99 ${first.p99.toFixed(1)} ms; last 10 s: ` +
        `${last.perSecond.toFixed(0)}/s p50 ${last.p50.toFixed(1)} ms p99 ${last.p99.toFixed(1)} ms`,
    )
    // At capacity the whole time, and no slower at the end than at the start (with room for
    // a noisy machine: a leak or a growing queue shows as a multiple, not a few percent).
    assert.ok(
      run.perSecond >= capacity.perSecond * 0.6,
      'throughput fell below the measured capacity',
    )
    assert.ok(last.perSecond >= first.perSecond * 0.7, 'throughput fell during the run')
    assert.ok(last.p50 <= first.p50 * 1.5 + 2, 'median latency grew during the run')
    assert.ok(last.p99 <= first.p99 * 2 + 10, '99th-percentile latency grew during the run')
  },
)

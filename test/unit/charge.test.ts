import { describe, expect, it } from 'vitest'
import {
  creditRetryDelayMs,
  creditStanding,
  nextPaymentStatus,
  tabOf,
} from '../../src/domain/application'
import { blackoutAt, linkOpensAt } from '../../src/domain/blackout'
import { chargeProblem, parseYen } from '../../src/domain/charge'

/** An instant given in JST wall-clock time. */
const jst = (y: number, mo: number, d: number, h: number, mi = 0) =>
  Date.UTC(y, mo - 1, d, h - 9, mi)
const DAY = 24 * 60 * 60_000

describe('blackout calendar (manual §4.1 順序11)', () => {
  const fiscal = [{ start: jst(2027, 3, 31, 20), end: jst(2027, 4, 1, 9) }]
  it('stops the link every day 2:00–5:00 JST', () => {
    expect(blackoutAt(jst(2026, 11, 25, 1, 59), [])).toBeNull()
    expect(blackoutAt(jst(2026, 11, 25, 2, 0), [])).toMatchObject({
      kind: 'daily',
      end: jst(2026, 11, 25, 5),
    })
    expect(blackoutAt(jst(2026, 11, 25, 4, 59), [])?.kind).toBe('daily')
    expect(blackoutAt(jst(2026, 11, 25, 5, 0), [])).toBeNull()
  })
  it('stops it on the last day of each month 23:30–24:00 JST, leap years included', () => {
    expect(blackoutAt(jst(2026, 11, 30, 23, 30), [])).toMatchObject({
      kind: 'monthEnd',
      end: jst(2026, 12, 1, 0),
    })
    expect(blackoutAt(jst(2026, 11, 29, 23, 45), [])).toBeNull()
    expect(blackoutAt(jst(2028, 2, 28, 23, 45), [])).toBeNull()
    expect(blackoutAt(jst(2028, 2, 29, 23, 45), [])?.kind).toBe('monthEnd')
    expect(blackoutAt(jst(2026, 12, 31, 23, 29), [])).toBeNull()
  })
  it('stops it in the university’s fiscal-year-end periods', () => {
    expect(blackoutAt(jst(2027, 3, 31, 21), fiscal)?.kind).toBe('fiscalYearEnd')
    expect(blackoutAt(jst(2027, 3, 31, 21), [])).toBeNull()
  })
  it('finds when the link opens across touching windows', () => {
    // 3/31 23:30 is month end and fiscal year end; the fiscal period runs past 2:00–5:00 to 9:00.
    expect(linkOpensAt(jst(2027, 3, 31, 23, 40), fiscal)).toBe(jst(2027, 4, 1, 9))
    expect(linkOpensAt(jst(2026, 11, 25, 2, 30), [])).toBe(jst(2026, 11, 25, 5))
    expect(linkOpensAt(jst(2026, 11, 25, 12), [])).toBe(jst(2026, 11, 25, 12))
  })
})

describe('charge amounts', () => {
  const u = { balanceCap: 20000, minCharge: 100, chargeStep: 100 }
  it('reads half- and full-width digits, separators and 円', () => {
    expect(parseYen('1000')).toBe(1000)
    expect(parseYen('１，０００円')).toBe(1000)
    expect(parseYen(' ¥2,500 ')).toBe(2500)
    for (const bad of ['-1', '1.5', '1e3', '0x10', '', '円', '１．５', '1234567890', '+5'])
      expect(parseYen(bad)).toBeNull()
  })
  it('keeps the minimum, the step and the cap, counting charges on their way', () => {
    expect(chargeProblem(1000, u, { balance: 1000, outstanding: 0 })).toBeNull()
    expect(chargeProblem(50, u, { balance: 0, outstanding: 0 })).toEqual({
      code: 'belowMinimum',
      min: 100,
    })
    expect(chargeProblem(150, u, { balance: 0, outstanding: 0 })).toEqual({
      code: 'notStep',
      step: 100,
    })
    expect(chargeProblem(19000, u, { balance: 1000, outstanding: 0 })).toBeNull()
    expect(chargeProblem(19000, u, { balance: 1000, outstanding: 100 })).toEqual({
      code: 'overCap',
      max: 18900,
    })
    expect(chargeProblem(100, u, { balance: 19950, outstanding: 0 })).toEqual({
      code: 'overCap',
      max: 0,
    })
    expect(chargeProblem(0, u, { balance: 0, outstanding: 0 })).toEqual({ code: 'notWhole' })
  })
})

describe('payment statuses only move forward', () => {
  it('lets paid win over everything and nothing undo paid', () => {
    expect(nextPaymentStatus('awaiting_payment', 'paid', 'credit_card')).toBe('paid')
    expect(nextPaymentStatus('cancelled', 'paid', 'credit_card')).toBe('paid')
    expect(nextPaymentStatus('unpaid', 'paid', 'cvs_lawson')).toBe('paid')
    expect(nextPaymentStatus('paid', 'paid', 'credit_card')).toBeNull()
    for (const late of ['failed', 'cancelled', 'expired'] as const)
      expect(nextPaymentStatus('paid', late, 'credit_card')).toBeNull()
  })
  it('expires deadline methods to 未払い and page payments to キャンセル', () => {
    expect(nextPaymentStatus('awaiting_payment', 'expired', 'payeasy')).toBe('unpaid')
    expect(nextPaymentStatus('awaiting_payment', 'expired', 'paypay')).toBe('cancelled')
    expect(nextPaymentStatus('awaiting_payment', 'failed', 'credit_card')).toBe('cancelled')
    expect(nextPaymentStatus('unpaid', 'cancelled', 'payeasy')).toBeNull()
  })
})

describe('申請一覧 tabs (manual §4.2)', () => {
  const now = jst(2026, 11, 25, 12)
  const at = (
    status: 'awaiting_payment' | 'paid' | 'unpaid' | 'cancelled',
    method: 'credit_card' | 'cvs_lawson',
    deadline = now + DAY,
  ) => tabOf({ status, paymentMethod: method, paymentDeadline: deadline }, now)
  it('puts paid no-deadline applications in 印刷可能', () => {
    expect(at('paid', 'credit_card')).toBe('printable')
    expect(at('cancelled', 'credit_card')).toBe('history')
  })
  it('keeps deadline-method applications in 印刷可能 until paid or 7 days past the deadline', () => {
    expect(at('awaiting_payment', 'cvs_lawson')).toBe('printable')
    expect(at('paid', 'cvs_lawson')).toBe('history')
    expect(at('unpaid', 'cvs_lawson', now - 6 * DAY)).toBe('printable')
    expect(at('unpaid', 'cvs_lawson', now - 7 * DAY)).toBe('history')
  })
  it('places every application in exactly one tab', () => {
    for (const status of ['awaiting_payment', 'paid', 'unpaid', 'cancelled'] as const)
      for (const method of ['credit_card', 'cvs_lawson'] as const)
        for (const d of [now + DAY, now - DAY, now - 8 * DAY])
          expect(['printable', 'history']).toContain(at(status, method, d))
  })
})

describe('where a credit stands', () => {
  const now = jst(2026, 11, 25, 2, 30)
  it('is blackout-aware', () => {
    const s = creditStanding(
      { status: 'paid', creditStatus: 'pending', creditedAt: null, nextCreditAt: now + 60_000 },
      now,
      [],
    )
    expect(s).toEqual({ kind: 'waiting', reason: 'blackout', expectedAt: jst(2026, 11, 25, 5) })
    expect(
      creditStanding(
        { status: 'paid', creditStatus: 'credited', creditedAt: now, nextCreditAt: null },
        now,
        [],
      ),
    ).toEqual({ kind: 'credited', at: now })
    expect(
      creditStanding(
        { status: 'awaiting_payment', creditStatus: 'none', creditedAt: null, nextCreditAt: null },
        now,
        [],
      ).kind,
    ).toBe('notPaid')
  })
  it('calls a fresh credit due in two minutes outside a window processing, not a stop window', () => {
    const noon = jst(2026, 11, 25, 12, 0)
    expect(
      creditStanding(
        { status: 'paid', creditStatus: 'pending', creditedAt: null, nextCreditAt: noon + 120_000 },
        noon,
        [],
      ),
    ).toMatchObject({ kind: 'waiting', reason: 'processing' })
  })
  it('backs off 1, 2, 4 … minutes up to 30', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => creditRetryDelayMs(n) / 60_000)).toEqual([
      1, 2, 4, 8, 16, 30, 30,
    ])
  })
})

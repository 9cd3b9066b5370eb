import { describe, expect, it } from 'vitest'
import { creditCauseOf, waitingHelps } from '../../src/domain/creditCause'

describe('creditCauseOf: the desk records read as causes', () => {
  it('a suspended card, whatever the state', () => {
    expect(creditCauseOf('HTTP 422 card_suspended', 'refused')).toEqual({
      kind: 'cardSuspended',
      code: 'HTTP 422 card_suspended',
    })
  })
  it('a hold over the cap, with its figures (unconfirmed credits counted in the balance)', () => {
    expect(creditCauseOf('over_cap: balance 11000 + 15000 > cap 20000', 'held')).toMatchObject({
      kind: 'overCap',
      balance: 11000,
      amount: 15000,
      cap: 20000,
    })
    expect(
      creditCauseOf('over_cap: balance 11000 + unconfirmed 500 + 9000 > cap 20000', 'held'),
    ).toMatchObject({ kind: 'overCap', balance: 11500, amount: 9000, cap: 20000 })
    expect(creditCauseOf('over_cap (M.I.C.): HTTP 422 over_cap', 'held')).toMatchObject({
      kind: 'overCap',
      balance: null,
      cap: null,
    })
  })
  it('M.I.C. not answering is temporary; an unknown refusal needs a person', () => {
    const down = creditCauseOf('no answer within 5000 ms', 'retrying')!
    expect(down.kind).toBe('micUnavailable')
    expect(waitingHelps(down)).toBe(true)
    expect(creditCauseOf('balance: HTTP 503 internal', 'retrying')!.kind).toBe('micUnavailable')
    const refused = creditCauseOf('HTTP 400 invalid_amount', 'refused')!
    expect(refused.kind).toBe('micRefused')
    expect(waitingHelps(refused)).toBe(false)
    expect(waitingHelps(creditCauseOf('HTTP 422 card_suspended', 'refused')!)).toBe(false)
  })
  it('the registrar: its window waits, its refusal is final', () => {
    expect(creditCauseOf('registrar: maintenance', 'deferred')!.kind).toBe('registrarMaintenance')
    expect(creditCauseOf('registrar: not_enrolled: x', 'refused')!.kind).toBe('registrarRefused')
    expect(creditCauseOf('registrar: HTTP 500', 'retrying')!.kind).toBe('registrarUnavailable')
  })
  it('the amount differing, nothing, and the unknown', () => {
    expect(
      creditCauseOf('amount_mismatch: gateway 1000 JPY, application 900 JPY', 'mismatch')!.kind,
    ).toBe('amountMismatch')
    expect(creditCauseOf(null)).toBeNull()
    expect(creditCauseOf('something new', 'held')!.kind).toBe('other')
  })
})

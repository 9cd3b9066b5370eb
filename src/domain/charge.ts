import type { University } from './university'

/** What the cap rule needs to know about one student's card and applications. */
export interface ChargeRoom {
  balance: number
  /** Applied for and not yet credited: awaiting payment, or paid and still on its way. */
  outstanding: number
}

/** The most this student may charge now: 残高上限額 − 現在の残高 − charges on their way. */
export const chargeableAmount = (u: Pick<University, 'balanceCap'>, room: ChargeRoom) =>
  Math.max(0, u.balanceCap - room.balance - room.outstanding)

export type ChargeProblem =
  | { code: 'notWhole' }
  | { code: 'belowMinimum'; min: number }
  | { code: 'notStep'; step: number }
  | { code: 'overCap'; max: number }

const FULL_WIDTH_DIGITS = /[０-９]/g

/**
 * Reads チャージ金額 as a student types it: half- or full-width digits, optionally with
 * thousands separators and a trailing 円. Anything else (signs, decimals, exponents) is
 * not a whole number of yen.
 */
export const parseYen = (input: string): number | null => {
  const s = input
    .trim()
    .replace(FULL_WIDTH_DIGITS, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[,，]/g, '')
    .replace(/[円¥￥]/g, '')
    .trim()
  if (!/^[0-9]{1,9}$/.test(s)) return null
  return Number(s)
}

/**
 * Checks a charge amount against the university's rules and the student's room under the
 * cap; null when it may be applied for.
 */
export const chargeProblem = (
  amount: number,
  u: Pick<University, 'balanceCap' | 'minCharge' | 'chargeStep'>,
  room: ChargeRoom,
): ChargeProblem | null => {
  if (!Number.isSafeInteger(amount) || amount <= 0) return { code: 'notWhole' }
  if (amount < u.minCharge) return { code: 'belowMinimum', min: u.minCharge }
  if (u.chargeStep > 1 && amount % u.chargeStep !== 0)
    return { code: 'notStep', step: u.chargeStep }
  const max = chargeableAmount(u, room)
  if (amount > max) return { code: 'overCap', max: max - (max % Math.max(1, u.chargeStep)) }
  return null
}

/** "1,000". */
// One formatter for the isolate: toLocaleString builds a new Intl.NumberFormat per call.
const YEN_DIGITS = new Intl.NumberFormat('en-US')
export const formatYen = (yen: number) => YEN_DIGITS.format(yen)

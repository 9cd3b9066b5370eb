/**
 * Why a credit (or a certificate's issue) stopped, read from the short record the desk keeps
 * (`applications.credit_error`). The record is written for engineers ("HTTP 422
 * card_suspended", "over_cap: balance 11000 + 15000 > cap 20000"); people are told the
 * cause in words, chosen by its kind here, the one place that reads those records. The raw
 * record stays available (`code`) for the technical staff, in small type.
 */
export type CreditCause =
  /** M.I.C. refuses the card (stopped, lost, being reissued): waiting does not help. */
  | { kind: 'cardSuspended'; code: string }
  /** M.I.C. does not know the card (or the university) at all. */
  | { kind: 'cardUnknown'; code: string }
  /**
   * The card has no room for the amount. `balance`/`cap` when the record has them; the
   * credit waits (held) and is tried again by itself once there is room.
   */
  | {
      kind: 'overCap'
      code: string
      balance: number | null
      amount: number | null
      cap: number | null
    }
  /** M.I.C. did not answer, timed out or failed: worth trying again later. */
  | { kind: 'micUnavailable'; code: string }
  /** Any other refusal M.I.C. gave: a person must look. */
  | { kind: 'micRefused'; code: string }
  /** The gateway's amount differs from the application's: nothing is credited. */
  | { kind: 'amountMismatch'; code: string }
  /** The registrar is in its maintenance window: the issue waits for it by itself. */
  | { kind: 'registrarMaintenance'; code: string }
  /** The registrar refused (not eligible, unknown student): final, the money goes back. */
  | { kind: 'registrarRefused'; code: string }
  /** The registrar did not answer or is set up wrongly: retried, then a person. */
  | { kind: 'registrarUnavailable'; code: string }
  /** A record this classifier does not know: shown as "an unexpected answer" with its code. */
  | { kind: 'other'; code: string }

export type CreditCauseKind = CreditCause['kind']

const number = (s: string | undefined) => (s === undefined ? null : Number(s))

/**
 * The cause of `creditError`, null when there is none. `creditStatus` decides between a
 * refusal and a temporary failure where the record alone does not (an HTTP 4xx from M.I.C.
 * that is kept as `refused` versus one retried).
 */
export const creditCauseOf = (
  creditError: string | null | undefined,
  creditStatus?: string,
): CreditCause | null => {
  if (!creditError) return null
  const code = creditError
  if (code.startsWith('over_cap')) {
    // "over_cap: balance 11000 + unconfirmed 500 + 15000 > cap 20000"; M.I.C.'s own refusal
    // "over_cap (M.I.C.): HTTP 422 over_cap" carries no figures.
    const m = /balance (\d+)(?: \+ unconfirmed (\d+))? \+ (\d+) > cap (\d+)/.exec(code)
    const balance = m ? Number(m[1]) + (number(m[2]) ?? 0) : null
    return { kind: 'overCap', code, balance, amount: number(m?.[3]), cap: number(m?.[4]) }
  }
  if (code.startsWith('amount_mismatch')) return { kind: 'amountMismatch', code }
  if (code.startsWith('registrar:')) {
    if (code === 'registrar: maintenance') return { kind: 'registrarMaintenance', code }
    return creditStatus === 'refused'
      ? { kind: 'registrarRefused', code }
      : { kind: 'registrarUnavailable', code }
  }
  if (/\bcard_suspended\b/.test(code)) return { kind: 'cardSuspended', code }
  if (/\b(?:unknown_card|unknown_university)\b/.test(code)) return { kind: 'cardUnknown', code }
  if (creditStatus === 'refused') return { kind: 'micRefused', code }
  if (
    /^(?:balance: )?(?:HTTP 5\d\d|HTTP 429|no answer)/.test(code) ||
    creditStatus === 'retrying' ||
    creditStatus === 'stalled'
  )
    return { kind: 'micUnavailable', code }
  return { kind: 'other', code }
}

/** Whether waiting (the service's own retries) can end this cause; otherwise a person must act. */
export const waitingHelps = (cause: CreditCause) =>
  cause.kind === 'overCap' ||
  cause.kind === 'micUnavailable' ||
  cause.kind === 'registrarMaintenance' ||
  cause.kind === 'registrarUnavailable'

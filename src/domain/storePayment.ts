/**
 * What a student needs to pay a コンビニ or Pay-easy charge, as the gateway gave it:
 * shown on 申請完了 and 申請情報 詳細 and in the payment-number mail. The gateway may leave
 * a number out (KOMOJU's models mark them optional); its instructions page then has it.
 */
export type StoreInstructions =
  | {
      kind: 'konbini'
      store: string
      /** 払込票番号 / 受付番号: the number the student pays with. */
      receipt: string | null
      /** 確認番号, for the stores that ask for one. */
      confirmationCode: string | null
      instructionsUrl: string | null
    }
  | {
      kind: 'pay_easy'
      /** 収納機関番号 */
      bankId: string | null
      /** お客様番号 */
      customerId: string | null
      /** 確認番号 */
      confirmationId: string | null
      instructionsUrl: string | null
    }

/** An application's stored instructions, or null (not a store payment, or not opened yet). */
export const storeInstructionsOf = (json: string | null): StoreInstructions | null => {
  if (!json) return null
  try {
    const v = JSON.parse(json) as StoreInstructions
    return v && (v.kind === 'konbini' || v.kind === 'pay_easy') ? v : null
  } catch {
    return null
  }
}

/**
 * Whether the gateway gave every number to pay with; when not, the student is sent to its
 * instructions page (KOMOJU's models mark the numbers optional).
 */
export const hasEveryNumber = (s: StoreInstructions | null) =>
  s === null ||
  (s.kind === 'konbini'
    ? s.receipt !== null
    : s.bankId !== null && s.customerId !== null && s.confirmationId !== null)

/** Only the gateway's own https pages (or a local twin's) are linked. */
export const safeInstructionsUrl = (url: string | null) =>
  url && /^https?:\/\//.test(url) ? url : null

/**
 * The bank account a コンビニ / Pay-easy payment is refunded to (KOMOJU's refund request):
 * checked and written the way Japanese banks' Zengin transfers need it. It is passed on to
 * the gateway and never kept, so nothing here is stored.
 */

/** 口座種別, as KOMOJU names them: 普通 (normal), 当座 (checking), 貯蓄 (savings). */
export const ACCOUNT_TYPES = ['normal', 'checking', 'savings'] as const
export type AccountType = (typeof ACCOUNT_TYPES)[number]

export interface BankAccount {
  /** 4-digit Zengin bank code. */
  bankCode: string
  bankName: string
  /** 3-digit branch code. */
  branchCode: string
  branchName: string | null
  accountType: AccountType
  /** 7 digits: a shorter number is zero-padded, as banks do. */
  accountNumber: string
  /** 口座名義 in half-width katakana and the other characters Zengin allows. */
  accountHolder: string
}

export const BANK_ACCOUNT_FIELDS = [
  'bank_code',
  'bank_name',
  'branch_code',
  'branch_name',
  'account_type',
  'account_number',
  'account_holder',
] as const
export type BankAccountField = (typeof BANK_ACCOUNT_FIELDS)[number]

/** Why a field is refused: the catalogue says it in the student's language. */
export type BankAccountProblem =
  | 'required'
  | 'bankCode'
  | 'branchCode'
  | 'accountType'
  | 'accountNumber'
  | 'holderCharacters'
  | 'holderTooLong'
  | 'tooLong'

/** Zengin's 受取人名 is 30 half-width characters (a voiced mark counts as one). */
export const HOLDER_MAX = 30
const NAME_MAX = 40

const FULL_KANA =
  'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン'
const HALF_KANA = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ'
/** Zengin has no small kana: banks register ｷﾔﾉﾝ for キャノン. */
const SMALL_KANA: Record<string, string> = {
  ァ: 'ア',
  ィ: 'イ',
  ゥ: 'ウ',
  ェ: 'エ',
  ォ: 'オ',
  ッ: 'ツ',
  ャ: 'ヤ',
  ュ: 'ユ',
  ョ: 'ヨ',
  ヮ: 'ワ',
  ヵ: 'カ',
  ヶ: 'ケ',
}
/** Every character Zengin allows in a name, after the conversion below. */
const ZENGIN = /^[0-9A-Zｦ-ﾝﾞﾟ ().,\-/]+$/

/**
 * 口座名義 as typed (full- or half-width katakana, hiragana, Latin letters in either width)
 * to Zengin's half-width form, or null when a character has no place there (kanji, …).
 */
export const toZenginKana = (typed: string): string | null => {
  const wide = typed
    .normalize('NFKC') // half-width kana to full, full-width Latin and digits to ASCII
    .replace(/[\u3041-\u3096]/g, (h) => String.fromCharCode(h.charCodeAt(0) + 0x60))
    .replace(/[ァィゥェォッャュョヮヵヶ]/g, (k) => SMALL_KANA[k]!)
    .toUpperCase()
    .normalize('NFD') // ガ to カ and its voiced mark
  let out = ''
  for (const ch of wide) {
    const i = FULL_KANA.indexOf(ch)
    if (i >= 0) out += HALF_KANA[i]
    else if (ch === '\u3099') out += 'ﾞ'
    else if (ch === '\u309a') out += 'ﾟ'
    else if (ch === 'ー' || ch === '‐' || ch === '−') out += '-'
    else if (/\s/.test(ch)) out += ' '
    else out += ch
  }
  out = out.replace(/ +/g, ' ').trim()
  return out !== '' && ZENGIN.test(out) ? out : null
}

/** Digits as typed, full-width ones included, without spaces or hyphens around them. */
const digitsOf = (typed: string) => typed.normalize('NFKC').replace(/[\s-]/g, '')

export type BankAccountInput = Partial<Record<BankAccountField, string>>

/**
 * Checks every field at once (each problem is named on its own field) and writes the
 * account as KOMOJU takes it: codes as digits, the number zero-padded to 7, the name in
 * half-width Zengin kana.
 */
export const checkBankAccount = (
  input: BankAccountInput,
):
  | { ok: true; account: BankAccount }
  | { ok: false; problems: Partial<Record<BankAccountField, BankAccountProblem>> } => {
  const problems: Partial<Record<BankAccountField, BankAccountProblem>> = {}
  const text = (f: BankAccountField) => (input[f] ?? '').trim()
  const code = (f: BankAccountField, length: number, problem: BankAccountProblem) => {
    const v = digitsOf(text(f))
    if (v === '') problems[f] = 'required'
    else if (!new RegExp(`^[0-9]{${length}}$`).test(v)) problems[f] = problem
    return v
  }
  const bankCode = code('bank_code', 4, 'bankCode')
  const branchCode = code('branch_code', 3, 'branchCode')
  const bankName = text('bank_name').normalize('NFKC')
  if (bankName === '') problems.bank_name = 'required'
  else if (bankName.length > NAME_MAX) problems.bank_name = 'tooLong'
  const branchName = text('branch_name').normalize('NFKC')
  if (branchName.length > NAME_MAX) problems.branch_name = 'tooLong'
  const accountType = text('account_type')
  if (!(ACCOUNT_TYPES as readonly string[]).includes(accountType))
    problems.account_type = 'accountType'
  const number = digitsOf(text('account_number'))
  if (number === '') problems.account_number = 'required'
  else if (!/^[0-9]{1,7}$/.test(number)) problems.account_number = 'accountNumber'
  const holderTyped = text('account_holder')
  const holder = toZenginKana(holderTyped)
  if (holderTyped === '') problems.account_holder = 'required'
  else if (holder === null) problems.account_holder = 'holderCharacters'
  else if (holder.length > HOLDER_MAX) problems.account_holder = 'holderTooLong'
  if (Object.keys(problems).length > 0) return { ok: false, problems }
  return {
    ok: true,
    account: {
      bankCode,
      bankName,
      branchCode,
      branchName: branchName || null,
      accountType: accountType as AccountType,
      accountNumber: number.padStart(7, '0'),
      accountHolder: holder!,
    },
  }
}

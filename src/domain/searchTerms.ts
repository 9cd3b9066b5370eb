import { normaliseKana } from './rosterCsv'

// 検索's terms as a person on the phone types them, read the way the records store them.

/**
 * 氏名カナ: the roster's own normalisation (NFKC, hiragana to katakana: domain/rosterCsv.ts),
 * then without spaces, so 「けんさく いちろう」, 「ｹﾝｻｸｲﾁﾛｳ」 and 「ケンサク　イチロウ」 all find
 * 「ケンサク イチロウ」 (the search compares the stored name without its spaces too).
 */
export const kanaTerm = (typed: string) => normaliseKana(typed).replace(/ /g, '')

/** ユーザID: full-width letters and digits read as ASCII, surrounding spaces dropped. */
export const userIdTerm = (typed: string) => typed.normalize('NFKC').trim()

/**
 * Characters a receipt prints, or a keyboard types, between a payment number's groups: spaces
 * of either width and every dash a Japanese keyboard may produce (the hyphen key in kana mode
 * types the long-vowel mark ー; NFKC has already made the full-width ones ASCII).
 */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212\u30fc]/g

/**
 * A コンビニ / Pay-easy number as the student reads it from the receipt, 「1234-5678-9012」
 * or 「１２３４ ５６７８ ９０１２」: its characters alone. The stored number is compared
 * without its own hyphens and spaces likewise (flows/staff/search.ts).
 */
export const paymentNumberTerm = (typed: string) => typed.normalize('NFKC').replace(SEPARATORS, '')

/**
 * The roster file (名簿 CSV) as a university's office writes it with Excel: how its bytes are
 * read (UTF-8 with or without a BOM, or Shift_JIS / CP932), how it is split into records
 * (RFC 4180), which columns it has, and what each row must say. Pure: the flows
 * (flows/roster) store, hash and compare.
 */
import { isLeaver, type StudentStatus } from './roster'
import { ROSTER_HASH_FORMATS, recognisePasswordHash } from '../security/passwordFormats'

// ---- Bytes → text ----

export type RosterEncoding = 'utf-8' | 'utf-8-bom' | 'cp932'

export type Decoded =
  { ok: true; text: string; encoding: RosterEncoding } | { ok: false; problem: 'empty' | 'notText' }

/** C0 controls other than TAB, LF and CR (and DEL): a text file from Excel has none. */
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

const decodeWith = (label: string, bytes: Uint8Array): string | null => {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return null
  }
}

/**
 * The file's text and how it was written. A BOM means UTF-8; otherwise bytes that are valid
 * UTF-8 are UTF-8 (CP932 text with any non-ASCII character practically never is); otherwise
 * CP932 decoded strictly (workerd's `shift_jis` is the WHATWG decoder: CP932 with the NEC
 * and IBM extensions Excel writes); anything else, or text with control characters, is
 * not a text file.
 */
export const decodeRoster = (bytes: Uint8Array): Decoded => {
  if (bytes.length === 0) return { ok: false, problem: 'empty' }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  const candidates: [RosterEncoding, string, Uint8Array][] = bom
    ? [['utf-8-bom', 'utf-8', bytes.subarray(3)]]
    : [
        ['utf-8', 'utf-8', bytes],
        ['cp932', 'shift_jis', bytes],
      ]
  for (const [encoding, label, body] of candidates) {
    const text = decodeWith(label, body)
    if (text === null) continue
    if (BINARY.test(text)) return { ok: false, problem: 'notText' }
    if (text.trim() === '') return { ok: false, problem: 'empty' }
    return { ok: true, text, encoding }
  }
  return { ok: false, problem: 'notText' }
}

// ---- Text → records (RFC 4180) ----

export interface CsvRecord {
  /** The physical line the record starts on (1 = the first line of the text given). */
  line: number
  fields: string[]
  /** Where the record starts and where the next one starts, as offsets in the text. */
  start: number
  end: number
  /** A quote where RFC 4180 allows none, or a quoted field never closed. */
  malformed: boolean
}

/**
 * Splits CSV text into records: fields separated by commas, records by CRLF or LF (a lone
 * CR too), a field in double quotes may hold commas, line breaks and doubled quotes; the
 * final line break is optional. A record of nothing but empty fields is skipped (Excel
 * writes them after the data). Lenient in one way only: a malformed record is returned,
 * marked, with its line, so it can be rejected by line rather than failing the file.
 */
export function* csvRecords(text: string, firstLine = 1): Generator<CsvRecord> {
  let i = 0
  let line = firstLine
  const n = text.length
  while (i < n) {
    const start = i
    const startLine = line
    const fields: string[] = []
    let malformed = false
    let field = ''
    for (;;) {
      // One field.
      if (text[i] === '"') {
        i++
        let closed = false
        while (i < n) {
          const ch = text[i]!
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"'
              i += 2
              continue
            }
            i++
            closed = true
            break
          }
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++
          field += ch
          i++
        }
        if (!closed) malformed = true
        // Anything between the closing quote and the next separator is not RFC 4180.
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          malformed = true
          field += text[i]
          i++
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') malformed = true
          field += text[i]
          i++
        }
      }
      fields.push(field)
      field = ''
      if (i < n && text[i] === ',') {
        i++
        continue
      }
      break
    }
    // The record's end of line.
    if (text[i] === '\r') i++
    if (text[i] === '\n') i++
    line++
    if (fields.every((f) => f.trim() === '') && !malformed) continue
    yield { line: startLine, fields, start, end: i, malformed }
  }
}

// ---- The columns ----

/** The documented columns, by the names the office writes in the header row. */
export const ROSTER_COLUMNS = {
  userId: 'ユーザID',
  nameKana: '氏名カナ',
  name: '氏名',
  status: '在籍状況',
  leftOn: '離籍日',
  passwordHash: 'パスワードハッシュ',
  initialPassword: '初期パスワード',
} as const
export type RosterColumn = keyof typeof ROSTER_COLUMNS

export const REQUIRED_COLUMNS: readonly RosterColumn[] = ['userId', 'nameKana', 'status']

/** 在籍状況 as written in the file. */
export const STATUS_WORDS: Record<string, StudentStatus> = {
  在学: 'enrolled',
  休学: 'on_leave',
  卒業: 'graduated',
  退学: 'withdrawn',
  除籍: 'expelled',
}

/** The template's rows: the header and one example (the upload page offers it). */
export const ROSTER_TEMPLATE: readonly (readonly string[])[] = [
  Object.values(ROSTER_COLUMNS),
  ['s2027001', 'ヤマダ ハナコ', '山田 花子', '在学', '', '', 'Hajimete-2027'],
]

export type Columns = Partial<Record<RosterColumn, number>>

export type HeaderProblem =
  | { problem: 'missingColumns'; columns: string[] }
  | { problem: 'unknownColumns'; columns: string[] }
  | { problem: 'duplicateColumns'; columns: string[] }

const byName = new Map<string, RosterColumn>(
  Object.entries(ROSTER_COLUMNS).map(([k, v]) => [v, k as RosterColumn]),
)

/**
 * Where each documented column is. Names are compared after NFKC (half-width ｶﾅ is カナ)
 * and trimming; the order is free. A column the documentation does not name is an error,
 * not ignored: a misspelt 離籍日 or 氏名 would otherwise change nothing without a word.
 */
export const readHeader = (
  fields: readonly string[],
): { ok: true; columns: Columns } | ({ ok: false } & HeaderProblem) => {
  const columns: Columns = {}
  const unknown: string[] = []
  const doubled: string[] = []
  fields.forEach((raw, index) => {
    const name = raw.normalize('NFKC').trim()
    if (name === '') return
    const column = byName.get(name)
    if (!column) unknown.push(name)
    else if (columns[column] !== undefined) doubled.push(name)
    else columns[column] = index
  })
  if (unknown.length) return { ok: false, problem: 'unknownColumns', columns: unknown }
  if (doubled.length) return { ok: false, problem: 'duplicateColumns', columns: doubled }
  const missing = REQUIRED_COLUMNS.filter((c) => columns[c] === undefined)
  if (missing.length)
    return { ok: false, problem: 'missingColumns', columns: missing.map((c) => ROSTER_COLUMNS[c]) }
  return { ok: true, columns }
}

// ---- A row ----

/** Why a row is rejected: a key of the console's catalogue and what fills it in. */
export interface RowReason {
  key: RosterReasonKey
  params?: Record<string, string | number>
}

export const ROSTER_REASON_KEYS = [
  'rosterErrMalformed',
  'rosterErrUserIdMissing',
  'rosterErrUserIdInvalid',
  'rosterErrKanaMissing',
  'rosterErrKanaInvalid',
  'rosterErrNameInvalid',
  'rosterErrStatusInvalid',
  'rosterErrLeftOnMissing',
  'rosterErrLeftOnInvalid',
  'rosterErrLeftOnNotLeaver',
  'rosterErrHashInvalid',
  'rosterErrHashTooCostly',
  'rosterErrPasswordInvalid',
  'rosterErrBothPasswords',
  'rosterErrNoPassword',
  'rosterErrDuplicate',
  'rosterErrTooManyFields',
] as const
export type RosterReasonKey = (typeof ROSTER_REASON_KEYS)[number]

/** A password as the row gives it: a hash to store as it is, or an initial one to hash. */
export type RowPassword = { hash: string } | { initial: string } | null

/** A row that passed every check, normalised. */
export interface CheckedRosterRow {
  line: number
  userId: string
  nameKana: string
  name: string | null
  status: StudentStatus
  /** YYYY-MM-DD, for 卒業 / 退学 / 除籍 only. */
  leftOn: string | null
  password: RowPassword
}

export type RowCheck =
  | { ok: true; row: CheckedRosterRow }
  | { ok: false; line: number; userId: string | null; reason: RowReason }

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/
const KATAKANA = /^[\u30A1-\u30FA\u30FC\u30FD\u30FE\u30FB ]+$/
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
export const NAME_MAX = 100
export const INITIAL_PASSWORD_MIN = 8
export const INITIAL_PASSWORD_MAX = 128

/**
 * 氏名カナ as stored: NFKC (half-width ｶﾀｶﾅ and the full-width space become standard),
 * hiragana turned into katakana (Excel's IME often types ひらがな), spaces collapsed.
 */
export const normaliseKana = (raw: string): string =>
  raw
    .normalize('NFKC')
    .replace(/[\u3041-\u3096\u309D\u309E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60))
    .replace(/\s+/g, ' ')
    .trim()

/** 離籍日 as Excel writes it (2027/3/31, 2027/03/31, 2027-03-31) → 2027-03-31, or null. */
export const parseLeftOn = (raw: string): string | null => {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(raw.normalize('NFKC').trim())
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return null
  if (y < 1900 || y > 2200) return null
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

const reject = (
  line: number,
  userId: string | null,
  key: RosterReasonKey,
  params?: RowReason['params'],
): RowCheck => ({
  ok: false,
  line,
  userId,
  reason: params ? { key, params } : { key },
})

/** A character of `s` to name in a message (the first not allowed by `allowed`). */
const firstOutside = (s: string, allowed: RegExp) => [...s].find((ch) => !allowed.test(ch)) ?? ''

/**
 * One data row checked against the documented columns. Names (氏名) are data and kept as
 * given, = + - @ included; only exports must keep a spreadsheet from reading them as
 * formulas (domain/csv.ts). Whether a row without any password is acceptable depends on
 * whether the person is new, which the flow decides (rosterErrNoPassword).
 */
export const checkRow = (record: CsvRecord, columns: Columns, width: number): RowCheck => {
  const { line, fields } = record
  const at = (c: RosterColumn) => {
    const i = columns[c]
    return i === undefined ? '' : (fields[i] ?? '')
  }
  const userIdRaw = at('userId').normalize('NFKC').trim()
  const userId = userIdRaw === '' ? null : userIdRaw.slice(0, 64)
  if (record.malformed) return reject(line, userId, 'rosterErrMalformed')
  // More fields than the header names: a comma inside an unquoted name, usually.
  if (fields.length > width && fields.slice(width).some((f) => f.trim() !== ''))
    return reject(line, userId, 'rosterErrTooManyFields', { count: fields.length, width })
  if (userIdRaw === '') return reject(line, null, 'rosterErrUserIdMissing')
  if (!USER_ID.test(userIdRaw)) return reject(line, userId, 'rosterErrUserIdInvalid')

  const nameKana = normaliseKana(at('nameKana'))
  if (nameKana === '') return reject(line, userId, 'rosterErrKanaMissing')
  if (!KATAKANA.test(nameKana) || nameKana.length > NAME_MAX)
    return reject(line, userId, 'rosterErrKanaInvalid', {
      char: firstOutside(nameKana, /[\u30A1-\u30FA\u30FC-\u30FE\u30FB ]/) || '…',
    })

  const nameRaw = at('name').trim()
  if (CONTROL.test(nameRaw) || nameRaw.length > NAME_MAX)
    return reject(line, userId, 'rosterErrNameInvalid', { max: NAME_MAX })

  const statusWord = at('status').normalize('NFKC').trim()
  const status = Object.hasOwn(STATUS_WORDS, statusWord) ? STATUS_WORDS[statusWord]! : null
  if (!status)
    return reject(line, userId, 'rosterErrStatusInvalid', { value: statusWord.slice(0, 20) })

  const leftOnRaw = at('leftOn').trim()
  let leftOn: string | null = null
  if (isLeaver(status)) {
    if (leftOnRaw === '')
      return reject(line, userId, 'rosterErrLeftOnMissing', { status: statusWord })
    leftOn = parseLeftOn(leftOnRaw)
    if (!leftOn)
      return reject(line, userId, 'rosterErrLeftOnInvalid', { value: leftOnRaw.slice(0, 20) })
  } else if (leftOnRaw !== '') {
    return reject(line, userId, 'rosterErrLeftOnNotLeaver', { status: statusWord })
  }

  const hash = at('passwordHash').trim()
  // Not trimmed: a password is exactly what the office typed.
  const initial = at('initialPassword')
  if (hash !== '' && initial !== '') return reject(line, userId, 'rosterErrBothPasswords')
  let password: RowPassword = null
  if (hash !== '') {
    const recognised = recognisePasswordHash(hash)
    if (!recognised.ok)
      return reject(
        line,
        userId,
        recognised.problem === 'too_costly' ? 'rosterErrHashTooCostly' : 'rosterErrHashInvalid',
      )
    if (!ROSTER_HASH_FORMATS.includes(recognised.format))
      return reject(line, userId, 'rosterErrHashInvalid')
    password = { hash }
  } else if (initial !== '') {
    if (
      initial.length < INITIAL_PASSWORD_MIN ||
      initial.length > INITIAL_PASSWORD_MAX ||
      CONTROL.test(initial) ||
      initial.trim() !== initial
    )
      return reject(line, userId, 'rosterErrPasswordInvalid', {
        min: INITIAL_PASSWORD_MIN,
        max: INITIAL_PASSWORD_MAX,
      })
    password = { initial }
  }
  return {
    ok: true,
    row: {
      line,
      userId: userIdRaw,
      nameKana,
      name: nameRaw === '' ? null : nameRaw,
      status,
      leftOn,
      password,
    },
  }
}

/** A row's reason as stored in roster_import_rows.reason (JSON), and back. */
export const encodeReason = (r: RowReason): string => JSON.stringify(r)
export const decodeReason = (stored: string | null): RowReason | null => {
  if (!stored) return null
  try {
    const r = JSON.parse(stored) as RowReason
    return (ROSTER_REASON_KEYS as readonly string[]).includes(r.key) ? r : null
  } catch {
    return null
  }
}

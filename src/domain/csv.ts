/**
 * CSV that opens in Excel as it is: UTF-8 with a byte-order mark (without it, Excel in a
 * Japanese locale reads Shift_JIS and garbles the kana), CRLF line ends, every field quoted.
 * A field starting with = + - @ (a formula to a spreadsheet) gets a leading apostrophe, so
 * a name typed by someone cannot run as a formula on the staff member's machine; so does one
 * starting with TAB, CR or LF, with spaces before such a character, or with its full-width
 * form (＝＋－＠, which Japanese Excel may take as the formula's).
 */
export const toCsv = (header: readonly string[], rows: readonly (readonly unknown[])[]): string =>
  '\uFEFF' + [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n'

const FORMULA = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/

const csvField = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : String(v)
  if (FORMULA.test(s)) s = `'${s}`
  return `"${s.replace(/"/g, '""')}"`
}

/** The response headers of a CSV download named `filename`. */
export const csvHeaders = (filename: string) => ({
  'content-type': 'text/csv; charset=utf-8',
  'content-disposition': `attachment; filename="${filename}"`,
})

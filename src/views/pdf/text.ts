/**
 * Line breaking for the certificate: Japanese breaks between any two characters (but not
 * before 、。」 and the like, nor after 「（), English between words; a word wider than its
 * column is cut where it must. Widths come from the font's advance widths.
 */

/** Characters a line may not start with (行頭禁則) and may not end with (行末禁則). */
const NO_START = new Set(
  '、。，．,.)）」』】〕〉》’”・ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞ！？!?：；:;%％',
)
const NO_END = new Set('(（「『【〔〈《‘“')

/** Ideographs, kana and full-width forms: each may stand alone on a line. */
const breaksAround = (ch: string) => ch.codePointAt(0)! >= 0x2e80

const units = (text: string): string[] => {
  const out: string[] = []
  let glueNext = false
  for (const ch of text) {
    const prev = out[out.length - 1]
    const last = prev ? [...prev].pop()! : ''
    const word = prev !== undefined && last !== ' ' && !breaksAround(last) && !breaksAround(ch)
    if (prev !== undefined && (glueNext || word || NO_START.has(ch)) && ch !== ' ' && last !== ' ')
      out[out.length - 1] += ch
    else out.push(ch)
    glueNext = NO_END.has(ch)
  }
  return out
}

/**
 * The lines a text takes in `width` points, `measure` giving a string's width in points.
 * Line breaks in the text are kept.
 */
export const wrap = (text: string, width: number, measure: (s: string) => number): string[] => {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const unit of units(paragraph)) {
      if (unit === ' ' && line === '') continue
      if (measure(line + unit) <= width) {
        line += unit
        continue
      }
      if (line.trim()) lines.push(line.trimEnd())
      line = unit === ' ' ? '' : unit
      // A unit wider than the column (a long e-mail address, a name without spaces) is cut.
      while (measure(line) > width) {
        const chars = [...line]
        let n = 1
        while (n < chars.length && measure(chars.slice(0, n + 1).join('')) <= width) n++
        lines.push(chars.slice(0, n).join(''))
        line = chars.slice(n).join('')
      }
    }
    if (line.trim() || lines.length === 0) lines.push(line.trimEnd())
  }
  return lines
}

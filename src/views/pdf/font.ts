import { readCff, subsetCff, type CffFont } from './cff'

/**
 * An OpenType font with CFF outlines (Noto Sans JP), read once per isolate: which glyph draws a
 * character, how wide it is, and its outlines for the subset a PDF embeds.
 */
export interface PdfFont {
  /** The PostScript name, for the PDF's /BaseFont. */
  name: string
  /** The glyph for a code point; 0 (.notdef) for a character the font lacks. */
  glyph(codePoint: number): number
  /** A glyph's advance width in 1/1000 em. */
  advance(gid: number): number
  ascent: number
  descent: number
  capHeight: number
  bbox: readonly number[]
  cff: CffFont
}

const tag = (b: Uint8Array, at: number) =>
  String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!)

export const readFont = (bytes: Uint8Array): PdfFont => {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const tables = new Map<string, { at: number; length: number }>()
  for (let i = 0, n = v.getUint16(4); i < n; i++) {
    const rec = 12 + i * 16
    tables.set(tag(bytes, rec), { at: v.getUint32(rec + 8), length: v.getUint32(rec + 12) })
  }
  const table = (name: string) => {
    const t = tables.get(name)
    if (!t) throw new Error(`font: no ${name} table`)
    return t.at
  }
  const head = table('head')
  const unitsPerEm = v.getUint16(head + 18)
  const scale = 1000 / unitsPerEm
  const hhea = table('hhea')
  const numberOfHMetrics = v.getUint16(hhea + 34)
  const hmtx = table('hmtx')
  const os2 = table('OS/2')
  const cffTable = tables.get('CFF ')
  if (!cffTable) throw new Error('font: CFF outlines expected')
  const cff = readCff(bytes.subarray(cffTable.at, cffTable.at + cffTable.length))
  return {
    name: postScriptName(v, table('name')) ?? 'NotoSansJP-Regular',
    glyph: cmapLookup(v, table('cmap')),
    advance: (gid) =>
      Math.round(v.getUint16(hmtx + 4 * Math.min(gid, numberOfHMetrics - 1)) * scale),
    ascent: Math.round(v.getInt16(os2 + 68) * scale),
    descent: Math.round(v.getInt16(os2 + 70) * scale),
    capHeight: Math.round(v.getInt16(os2 + 88) * scale),
    bbox: [0, 2, 4, 6].map((k) => Math.round(v.getInt16(head + 36 + k) * scale)),
    cff,
  }
}

/** cmap format 12 (the Windows full-Unicode subtable): sorted groups searched by halves. */
const cmapLookup = (v: DataView, cmap: number): ((cp: number) => number) => {
  for (let i = 0, n = v.getUint16(cmap + 2); i < n; i++) {
    const rec = cmap + 4 + i * 8
    const sub = cmap + v.getUint32(rec + 4)
    if (v.getUint16(rec) !== 3 || v.getUint16(rec + 2) !== 10 || v.getUint16(sub) !== 12) continue
    const groups = v.getUint32(sub + 12)
    return (cp) => {
      let lo = 0
      let hi = groups - 1
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        const g = sub + 16 + mid * 12
        if (cp < v.getUint32(g)) hi = mid - 1
        else if (cp > v.getUint32(g + 4)) lo = mid + 1
        else return v.getUint32(g + 8) + cp - v.getUint32(g)
      }
      return 0
    }
  }
  throw new Error('font: no Unicode cmap (3,10) format 12')
}

const postScriptName = (v: DataView, name: number): string | null => {
  const strings = name + v.getUint16(name + 4)
  for (let i = 0, n = v.getUint16(name + 2); i < n; i++) {
    const rec = name + 6 + i * 12
    if (v.getUint16(rec + 6) !== 6 || v.getUint16(rec) !== 3) continue
    const len = v.getUint16(rec + 8)
    const at = strings + v.getUint16(rec + 10)
    let s = ''
    for (let k = 0; k < len; k += 2) s += String.fromCharCode(v.getUint16(at + k))
    return s.replace(/[^A-Za-z0-9-]/g, '')
  }
  return null
}

/**
 * The glyphs one PDF uses, numbered in the order they are first met (1, 2 …; 0 is .notdef):
 * the numbers written in the content streams, the CIDs of the embedded subset.
 */
export class GlyphSubset {
  readonly gids: number[] = [0]
  readonly unicode: string[] = ['']
  private readonly byChar = new Map<string, number>()

  constructor(readonly font: PdfFont) {}

  /** The subset's codes for a text, two bytes each (Identity-H), as hex. */
  encode(text: string): string {
    let hex = ''
    for (const ch of text) hex += this.code(ch).toString(16).padStart(4, '0')
    return hex
  }

  /** The text's width in 1/1000 em. */
  width(text: string): number {
    let w = 0
    for (const ch of text) w += this.font.advance(this.font.glyph(ch.codePointAt(0)!))
    return w
  }

  private code(ch: string): number {
    let code = this.byChar.get(ch)
    if (code !== undefined) return code
    const gid = this.font.glyph(ch.codePointAt(0)!)
    code = gid === 0 ? 0 : this.gids.indexOf(gid)
    if (code < 0) {
      code = this.gids.length
      this.gids.push(gid)
      this.unicode.push(ch)
    }
    this.byChar.set(ch, code)
    return code
  }

  /** The embedded font program (CFF, FontFile3 /CIDFontType0C). */
  fontProgram(): Uint8Array {
    return subsetCff(this.font.cff, this.gids, this.font.name)
  }

  /** The /W array's contents: each code's advance width. */
  widths(): string {
    return `1 [${this.gids
      .slice(1)
      .map((g) => this.font.advance(g))
      .join(' ')}]`
  }

  /** The ToUnicode CMap: each code back to its character, so the text can be copied. */
  toUnicode(): string {
    const lines: string[] = []
    for (let start = 1; start < this.gids.length; start += 100) {
      const chunk = this.unicode.slice(start, start + 100)
      lines.push(`${chunk.length} beginbfchar`)
      chunk.forEach((ch, i) => {
        let utf16 = ''
        for (let k = 0; k < ch.length; k++) utf16 += ch.charCodeAt(k).toString(16).padStart(4, '0')
        lines.push(`<${(start + i).toString(16).padStart(4, '0')}> <${utf16}>`)
      })
      lines.push('endbfchar')
    }
    return [
      '/CIDInit /ProcSet findresource begin',
      '12 dict begin',
      'begincmap',
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
      '/CMapName /Adobe-Identity-UCS def',
      '/CMapType 2 def',
      '1 begincodespacerange',
      '<0000> <FFFF>',
      'endcodespacerange',
      ...lines,
      'endcmap',
      'CMapName currentdict /CMapResource defineresource pop',
      'end',
      'end',
    ].join('\n')
  }
}

import { encode as qrEncode } from 'uqr'
import type { CertificateContent, CertificateField } from '../../domain/certificateContent'
import { signatureDictionary, signPdf, type PdfSigner } from '../../security/pdfSignature'
import { GlyphSubset, type PdfFont } from './font'
import { wrap } from './text'
import { num, PdfWriter, pdfDate, textString } from './writer'

// A4 portrait in points, 20 mm margins.
const PAGE_W = 595.28
const PAGE_H = 841.89
const MARGIN = 56.7
const CONTENT_W = PAGE_W - 2 * MARGIN
/** The foot of every page (codes, QR, hint) lies below this line; content stays above it. */
const FOOT_TOP = 142
const QR_SIZE = 76
const TEXT_SIZE = 10.5
const TABLE_SIZE = 9.5

interface Page {
  ops: string[]
}

/**
 * Lays the certificate out on as many A4 pages as it takes: the content flows down from the
 * top; a row that does not fit above the foot starts a new page (a table repeats its header).
 */
class Layout {
  readonly pages: Page[] = []
  private page!: Page
  y = 0
  /** Drawn at the top of a continued page (a table's header). */
  onNewPage: (() => void) | null = null

  constructor(
    readonly glyphs: GlyphSubset,
    readonly content: CertificateContent,
  ) {
    this.newPage()
  }

  width = (s: string, size: number) => (this.glyphs.width(s) * size) / 1000

  newPage() {
    this.page = { ops: [] }
    this.pages.push(this.page)
    this.y = PAGE_H - MARGIN
    if (this.pages.length > 1) {
      // A continued page names what it continues.
      this.text(MARGIN, this.y - 10, 10, this.content.title)
      this.y -= 28
      this.onNewPage?.()
    }
  }

  /** Room for `height` points more on this page, or a new page. */
  need(height: number) {
    if (this.y - height < FOOT_TOP + 14) this.newPage()
  }

  text(x: number, baseline: number, size: number, s: string, spacing = 0) {
    if (!s) return
    const shown = `BT /F1 ${num(size)} Tf ${num(x)} ${num(baseline)} Td <${this.glyphs.encode(s)}> Tj ET`
    // Character spacing outlives the text object: q … Q keeps it to this one.
    this.page.ops.push(spacing ? `q ${num(spacing)} Tc ${shown} Q` : shown)
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.5) {
    this.page.ops.push(`${num(width)} w ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S`)
  }

  /** Wrapped lines, each aligned in [x, x + w]; moves down past them. */
  paragraph(
    s: string,
    x: number,
    w: number,
    size: number,
    align: 'left' | 'center' | 'right' = 'left',
    leading = 1.6,
  ) {
    for (const line of wrap(s, w, (t) => this.width(t, size))) {
      this.need(size * leading)
      const dx = align === 'left' ? 0 : (w - this.width(line, size)) / (align === 'center' ? 2 : 1)
      this.text(x + dx, this.y - size, size, line)
      this.y -= size * leading
    }
  }

  /** Label / value rows, the values wrapped in their column. */
  rows(fields: readonly CertificateField[], size: number, labelW: number) {
    for (const f of fields) {
      const labelLines = wrap(f.label, labelW - 12, (t) => this.width(t, size))
      const valueLines = wrap(f.value, CONTENT_W - labelW, (t) => this.width(t, size))
      const lines = Math.max(labelLines.length, valueLines.length)
      this.need(lines * size * 1.5 + size * 0.5)
      labelLines.forEach((l, i) => this.text(MARGIN, this.y - size - i * size * 1.5, size, l))
      valueLines.forEach((l, i) =>
        this.text(MARGIN + labelW, this.y - size - i * size * 1.5, size, l),
      )
      this.y -= lines * size * 1.5 + size * 0.5
    }
  }

  /** Draws on an earlier page from now on (the feet, once the page count is known). */
  usePage(index: number) {
    this.page = this.pages[index]!
  }
}

const labelWidth = (layout: Layout, fields: readonly CertificateField[], size: number) =>
  Math.min(CONTENT_W * 0.36, Math.max(60, ...fields.map((f) => layout.width(f.label, size))) + 18)

const drawTable = (layout: Layout, table: NonNullable<CertificateContent['table']>) => {
  const size = TABLE_SIZE
  const pad = 6
  const cells = [table.columns, ...table.rows]
  // Each column as wide as its widest cell; the first text column takes what is left over,
  // or gives up what is missing (its cells then wrap).
  const widths = table.columns.map(
    (_, c) => Math.max(...cells.map((r) => layout.width(r[c] ?? '', size))) + 2 * pad,
  )
  const flexible = Math.max(
    0,
    table.numeric.findIndex((n) => !n),
  )
  const others = widths.reduce((a, w, i) => (i === flexible ? a : a + w), 0)
  widths[flexible] = Math.max(CONTENT_W - others, CONTENT_W * 0.3)
  const total = widths.reduce((a, w) => a + w, 0)
  if (total > CONTENT_W)
    for (let i = 0; i < widths.length; i++) widths[i] = (widths[i]! * CONTENT_W) / total
  const lefts = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((a, w) => a + w, 0))

  const row = (cellsOfRow: readonly string[], header: boolean) => {
    const lines = cellsOfRow.map((s, c) =>
      wrap(s, widths[c]! - 2 * pad, (t) => layout.width(t, size)),
    )
    const height = Math.max(...lines.map((l) => l.length)) * size * 1.3 + size * 0.45
    if (!header) layout.need(height)
    lines.forEach((ls, c) =>
      ls.forEach((l, i) => {
        const right = !header && table.numeric[c]
        const x = right ? lefts[c]! + widths[c]! - pad - layout.width(l, size) : lefts[c]! + pad
        layout.text(x, layout.y - size - i * size * 1.3, size, l)
      }),
    )
    layout.y -= height
    if (header)
      layout.line(MARGIN, layout.y + size * 0.3, MARGIN + CONTENT_W, layout.y + size * 0.3, 0.8)
  }
  const header = () => {
    layout.line(MARGIN, layout.y, MARGIN + CONTENT_W, layout.y, 0.8)
    layout.y -= 3
    row(table.columns, true)
  }
  layout.need(size * 6)
  header()
  layout.onNewPage = header
  for (const r of table.rows) row(r, false)
  layout.onNewPage = null
  layout.line(MARGIN, layout.y + size * 0.3, MARGIN + CONTENT_W, layout.y + size * 0.3, 0.8)
  layout.y -= size
}

/** The QR code as filled rectangles, one per run of dark modules in a row. */
const qrOps = (url: string, x: number, y: number, size: number) => {
  const qr = qrEncode(url, { ecc: 'M', border: 0 })
  const m = size / qr.size
  const rects: string[] = []
  qr.data.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      if (!row[c]) continue
      let end = c
      while (row[end + 1]) end++
      rects.push(
        `${num(x + c * m)} ${num(y + size - (r + 1) * m)} ${num((end - c + 1) * m)} ${num(m)} re`,
      )
      c = end
    }
  })
  return `0 g ${rects.join(' ')} f`
}

const drawFoot = (layout: Layout, c: CertificateContent, page: number, pages: number) => {
  const ops: string[] = []
  layout.usePage(page - 1)
  layout.line(MARGIN, FOOT_TOP, MARGIN + CONTENT_W, FOOT_TOP, 0.5)
  const pageLabel = `${c.labels.page} ${page}/${pages}`
  layout.text(PAGE_W - MARGIN - layout.width(pageLabel, 8), 30, 8, pageLabel)
  if (c.sample) return ops
  const textW = CONTENT_W - QR_SIZE - 18
  const rows: [string, string, number][] = [
    [c.labels.issueNumber, c.issueNumber, 9.5],
    [c.labels.verificationCode, c.verificationCode, 11],
    ...(c.validUntil ? [[c.labels.validUntil, c.validUntil, 9.5] as [string, string, number]] : []),
  ]
  const labelW = Math.max(...rows.map(([l]) => layout.width(l, 9.5))) + 12
  let y = FOOT_TOP - 20
  for (const [label, value, size] of rows) {
    layout.text(MARGIN, y, 9.5, label)
    layout.text(MARGIN + labelW, y, size, value)
    y -= 15
  }
  y -= 2
  for (const line of wrap(c.labels.verifyHint, textW, (t) => layout.width(t, 8))) {
    layout.text(MARGIN, y, 8, line)
    y -= 11
  }
  ops.push(qrOps(c.verifyUrl, PAGE_W - MARGIN - QR_SIZE, FOOT_TOP - 12 - QR_SIZE, QR_SIZE))
  return ops
}

/** 見本 / SAMPLE across the page, translucent, along its diagonal. */
const sampleMark = (layout: Layout, text: string) => {
  const angle = Math.atan2(PAGE_H, PAGE_W)
  const w1 = layout.width(text, 1)
  const size = Math.min(170, (Math.hypot(PAGE_W, PAGE_H) * 0.6) / w1)
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)]
  const half = (w1 * size) / 2
  const rise = size * 0.35
  const x = PAGE_W / 2 - half * cos + rise * sin
  const y = PAGE_H / 2 - half * sin - rise * cos
  const m = [cos, sin, -sin, cos, x, y].map(num).join(' ')
  return `q /Sample gs 0.85 0.1 0.1 rg BT /F1 ${num(size)} Tf ${m} Tm <${layout.glyphs.encode(text)}> Tj ET Q`
}

/**
 * The certificate as an A4 PDF in its language: real text in an embedded subset of the font,
 * a QR code of its /verify address, and, given a signer, a PAdES B-B signature made at
 * `signedAt`. A 見本 carries the mark and no code.
 */
export const certificatePdf = async (
  content: CertificateContent,
  font: PdfFont,
  signer: PdfSigner | null,
  signedAt: Date,
): Promise<Uint8Array> => {
  // A 見本 is a preview, never a certificate: it is not signed either.
  if (content.sample) signer = null
  const glyphs = new GlyphSubset(font)
  const layout = new Layout(glyphs, content)

  if (content.recipient) {
    const { name, organisation } = content.recipient
    const to = [organisation, name].filter(Boolean).join('　')
    const labelW = layout.width(content.labels.recipient, 10) + 14
    layout.text(MARGIN, layout.y - 10, 10, content.labels.recipient)
    layout.paragraph(to, MARGIN + labelW, CONTENT_W - labelW, 10, 'left', 1.5)
    layout.y -= 10
  }
  layout.y -= 18
  const spacing = content.lang === 'ja' ? 6 : 0
  const titleSize = 22
  for (const line of wrap(
    content.title,
    CONTENT_W,
    (t) => layout.width(t, titleSize) + spacing * [...t].length,
  )) {
    const w = layout.width(line, titleSize) + spacing * ([...line].length - 1)
    layout.text((PAGE_W - w) / 2, layout.y - titleSize, titleSize, line, spacing)
    layout.y -= titleSize * 1.5
  }
  layout.y -= 24
  layout.rows(content.fields, TEXT_SIZE, labelWidth(layout, content.fields, TEXT_SIZE))
  if (content.table) {
    layout.y -= 10
    drawTable(layout, content.table)
    layout.rows(
      content.table.summary,
      TEXT_SIZE,
      labelWidth(layout, content.table.summary, TEXT_SIZE),
    )
  }
  layout.y -= 16
  layout.paragraph(content.statement, MARGIN, CONTENT_W, 11)
  layout.y -= 20
  // The date, then who certifies, right-aligned, kept together on one page.
  layout.need(11 * 1.6 + 12 + 11 * 1.6 + 15 * 1.6)
  layout.paragraph(content.issuedOn, MARGIN, CONTENT_W, 11)
  layout.y -= 12
  layout.paragraph(content.issuer.legalName, MARGIN + CONTENT_W * 0.3, CONTENT_W * 0.7, 11, 'right')
  layout.paragraph(
    content.issuer.universityName,
    MARGIN + CONTENT_W * 0.3,
    CONTENT_W * 0.7,
    15,
    'right',
  )

  const extraOps = layout.pages.map((_, i) => drawFoot(layout, content, i + 1, layout.pages.length))
  const marks = content.sample
    ? layout.pages.map(() => sampleMark(layout, content.labels.sample))
    : []

  // ---- the file ----
  const pdf = new PdfWriter()
  const catalog = pdf.reserve()
  const pagesRef = pdf.reserve()
  const fontRef = pdf.reserve()
  const widget = signer ? pdf.reserve() : 0
  const pageRefs: number[] = []
  for (const [i, page] of layout.pages.entries()) {
    const stream = ['0 g 0 G', ...page.ops, ...(extraOps[i] ?? []), marks[i] ?? ''].join('\n')
    const contents = await pdf.stream(stream)
    const annots = widget && i === 0 ? ` /Annots [${widget} 0 R]` : ''
    pageRefs.push(
      pdf.add(
        `<< /Type /Page /Parent ${pagesRef} 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] ` +
          `/Resources << /Font << /F1 ${fontRef} 0 R >> /ExtGState << /Sample << /ca 0.22 >> >> >> ` +
          `/Contents ${contents} 0 R${annots} >>`,
      ),
    )
  }
  pdf.set(
    pagesRef,
    `<< /Type /Pages /Kids [${pageRefs.map((r) => `${r} 0 R`).join(' ')}] /Count ${pageRefs.length} >>`,
  )
  await embedFont(pdf, fontRef, glyphs)

  let acroForm = ''
  if (signer) {
    const sig = pdf.add(signatureDictionary(pdfDate(signedAt)))
    pdf.set(
      widget,
      `<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V ${sig} 0 R ` +
        `/Rect [0 0 0 0] /F 132 /P ${pageRefs[0]} 0 R >>`,
    )
    acroForm = ` /AcroForm << /Fields [${widget} 0 R] /SigFlags 3 >>`
  }
  pdf.set(
    catalog,
    `<< /Type /Catalog /Pages ${pagesRef} 0 R /Lang (${content.lang === 'ja' ? 'ja-JP' : 'en'})` +
      ` /ViewerPreferences << /DisplayDocTitle true >>${acroForm} >>`,
  )
  const info = pdf.add(
    `<< /Title ${textString(content.title)} /Author ${textString(content.issuer.legalName)} ` +
      `/Producer (M.I.C. Online Charge) /CreationDate (${pdfDate(signedAt)}) >>`,
  )
  const id = await documentId(content, signedAt)
  const file = pdf.finish(catalog, info, id)
  return signer ? signPdf(file, signer) : file
}

/** Type0 font over a CIDFontType0 (CFF) subset, with widths and the way back to Unicode. */
const embedFont = async (pdf: PdfWriter, fontRef: number, glyphs: GlyphSubset) => {
  const font = glyphs.font
  // The subset's tag: six letters derived from the glyphs it holds (PDF 32000 9.6.4).
  let h = 2166136261
  for (const g of glyphs.gids) h = Math.imul(h ^ g, 16777619) >>> 0
  let tag = ''
  for (let i = 0; i < 6; i++, h = Math.floor(h / 26)) tag += String.fromCharCode(65 + (h % 26))
  const name = `${tag}+${font.name}`
  const program = await pdf.stream(glyphs.fontProgram(), '/Subtype /CIDFontType0C')
  const descriptor = pdf.add(
    `<< /Type /FontDescriptor /FontName /${name} /Flags 4 /FontBBox [${font.bbox.join(' ')}] ` +
      `/ItalicAngle 0 /Ascent ${font.ascent} /Descent ${font.descent} /CapHeight ${font.capHeight} ` +
      `/StemV 80 /FontFile3 ${program} 0 R >>`,
  )
  const cidFont = pdf.add(
    `<< /Type /Font /Subtype /CIDFontType0 /BaseFont /${name} ` +
      `/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ` +
      `/FontDescriptor ${descriptor} 0 R /DW 1000 /W [${glyphs.widths()}] >>`,
  )
  const toUnicode = await pdf.stream(glyphs.toUnicode())
  pdf.set(
    fontRef,
    `<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H ` +
      `/DescendantFonts [${cidFont} 0 R] /ToUnicode ${toUnicode} 0 R >>`,
  )
}

const documentId = async (c: CertificateContent, at: Date) => {
  const seed = new TextEncoder().encode(
    `${c.issueNumber}\n${c.verificationCode}\n${at.toISOString()}`,
  )
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', seed))
  return [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

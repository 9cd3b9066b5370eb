/**
 * The smallest PDF file writer the certificate needs: numbered objects, streams (deflated where
 * that helps), a classic cross-reference table and the trailer. Bodies are PDF syntax in ASCII;
 * anything else (names, titles) goes in as hex strings.
 */

const ascii = new TextEncoder()

export const concatBytes = (parts: readonly Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** zlib-wrapped deflate (what /FlateDecode reads), with the runtime's own compressor. */
export const deflate = async (data: Uint8Array): Promise<Uint8Array> => {
  const compressed = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('deflate'))
  return new Uint8Array(await new Response(compressed).arrayBuffer())
}

/** A text string (/Title, /Reason …) in UTF-16BE with its byte-order mark, as hex. */
export const textString = (s: string) => {
  let hex = 'FEFF'
  for (let i = 0; i < s.length; i++) hex += s.charCodeAt(i).toString(16).padStart(4, '0')
  return `<${hex.toUpperCase()}>`
}

/** A PDF date: D:YYYYMMDDHHmmSSZ (UTC). */
export const pdfDate = (at: Date) => `D:${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`

/** A number as PDF writes it: at most two decimals, no trailing zeros. */
export const num = (v: number) => {
  const r = Math.round(v * 100) / 100
  return Object.is(r, -0) ? '0' : String(r)
}

export class PdfWriter {
  private readonly bodies: (Uint8Array | undefined)[] = []

  /** An object number to be filled later (a page that names its parent, a font known last). */
  reserve(): number {
    this.bodies.push(undefined)
    return this.bodies.length
  }

  set(ref: number, body: string | Uint8Array) {
    this.bodies[ref - 1] = typeof body === 'string' ? ascii.encode(body) : body
  }

  add(body: string): number {
    const ref = this.reserve()
    this.set(ref, body)
    return ref
  }

  /** A stream object; `extra` adds entries to its dictionary. Deflated unless told not to. */
  async stream(data: Uint8Array | string, extra = '', compress = true, ref = this.reserve()) {
    const raw = typeof data === 'string' ? ascii.encode(data) : data
    const bytes = compress ? await deflate(raw) : raw
    const filter = compress ? ' /Filter /FlateDecode' : ''
    this.set(
      ref,
      concatBytes([
        ascii.encode(`<< /Length ${bytes.length}${filter}${extra ? ' ' + extra : ''} >>\nstream\n`),
        bytes,
        ascii.encode('\nendstream'),
      ]),
    )
    return ref
  }

  /** The whole file: header, objects, cross-reference table, trailer. */
  finish(root: number, info: number, id: string): Uint8Array {
    // The binary comment marks the file as binary for tools that guess.
    const header = Uint8Array.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', (c) => c.charCodeAt(0))
    const parts: Uint8Array[] = [header]
    let offset = header.length
    const offsets: number[] = []
    this.bodies.forEach((body, i) => {
      if (!body) throw new Error(`PDF object ${i + 1} was reserved and never written`)
      offsets.push(offset)
      const head = ascii.encode(`${i + 1} 0 obj\n`)
      const tail = ascii.encode('\nendobj\n')
      parts.push(head, body, tail)
      offset += head.length + body.length + tail.length
    })
    const xref = [
      'xref',
      `0 ${offsets.length + 1}`,
      '0000000000 65535 f\r',
      ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r`),
      'trailer',
      `<< /Size ${offsets.length + 1} /Root ${root} 0 R /Info ${info} 0 R /ID [<${id}> <${id}>] >>`,
      'startxref',
      String(offset),
      '%%EOF\n',
    ].join('\n')
    parts.push(ascii.encode(xref))
    return concatBytes(parts)
  }
}

// The certificate PDF, made in the Workers runtime with the font from the assets and the demo
// university's key, and read back by paths of the test's own: the file's structure through its
// cross-reference table, the text through the ToUnicode CMap, the glyphs in the embedded CFF,
// and the signature through pkijs/asn1js (a CMS library the worker does not use).
import * as asn1js from 'asn1js'
import { env } from 'cloudflare:workers'
import * as pkijs from 'pkijs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { CertificateContent } from '../../src/domain/certificateContent'
import { signerFor, type PdfSigner } from '../../src/security/pdfSignature'
import { certificatePdf } from '../../src/views/pdf/certificatePdf'
import type { PdfFont } from '../../src/views/pdf/font'
import { certificateFont } from '../../src/views/pdf/fontAsset'
import { enrolment, sampleOf, transcript } from '../certificateSamples'

const SIGNED_AT = new Date('2026-12-06T01:23:45Z')
let font: PdfFont
let signer: PdfSigner

beforeAll(async () => {
  font = await certificateFont(env.ASSETS)
  signer = (await signerFor(env, 'demo'))!
})

// ---- reading a PDF ----

const latin1 = (b: Uint8Array) => {
  let s = ''
  for (let i = 0; i < b.length; i += 8192)
    s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 8192)))
  return s
}

const inflate = async (b: Uint8Array) =>
  new Uint8Array(
    await new Response(
      new Blob([b as Uint8Array<ArrayBuffer>])
        .stream()
        .pipeThrough(new DecompressionStream('deflate')),
    ).arrayBuffer(),
  )

/** The file through its cross-reference table: every object where the table says it is. */
const parsePdf = (pdf: Uint8Array) => {
  const text = latin1(pdf)
  expect(text.startsWith('%PDF-1.')).toBe(true)
  expect(text.trimEnd().endsWith('%%EOF')).toBe(true)
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1])
  expect(text.slice(startxref, startxref + 4)).toBe('xref')
  const [, first, count] = /^xref\s+(\d+) (\d+)\s+/.exec(text.slice(startxref))!.map(Number)
  const table = text.slice(startxref).split(/\r?\n/).slice(2)
  const offsets = new Map<number, number>()
  for (let n = first!; n < first! + count!; n++) {
    const [offset, , kind] = table[n - first!]!.trim().split(' ')
    if (kind !== 'n') continue
    expect(text.startsWith(`${n} 0 obj`, Number(offset))).toBe(true)
    offsets.set(n, Number(offset))
  }
  const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref/.exec(text)![1]!
  const body = (n: number) => {
    const at = offsets.get(n)!
    return text.slice(at, text.indexOf('endobj', at))
  }
  const ref = (dict: string, key: string) => Number(new RegExp(`/${key} (\\d+) 0 R`).exec(dict)![1])
  const stream = async (n: number) => {
    const obj = body(n)
    const length = Number(/\/Length (\d+)/.exec(obj)![1])
    const start = offsets.get(n)! + obj.indexOf('stream\n') + 'stream\n'.length
    const raw = pdf.subarray(start, start + length)
    return obj.includes('/FlateDecode') ? inflate(raw) : raw
  }
  return { text, body, ref, stream, root: ref(trailer, 'Root') }
}

/** What a reader gets when it copies the text: each page's shown strings through ToUnicode. */
const readPdf = async (pdf: Uint8Array) => {
  const file = parsePdf(pdf)
  const pagesRef = file.ref(file.body(file.root), 'Pages')
  const kids = [...file.body(pagesRef).matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]))
  const type0 = file.body(file.ref(file.body(kids[0]!), 'F1'))
  expect(type0).toContain('/Subtype /Type0')
  expect(type0).toContain('/Encoding /Identity-H')
  const cmap = latin1(await file.stream(file.ref(type0, 'ToUnicode')))
  const toUnicode = new Map<number, string>()
  for (const m of cmap.matchAll(/<([0-9a-f]{4})> <([0-9a-f]+)>/gi))
    toUnicode.set(
      parseInt(m[1]!, 16),
      String.fromCharCode(...m[2]!.match(/.{4}/g)!.map((h) => parseInt(h, 16))),
    )
  const cidFont = file.body(Number(/\/DescendantFonts \[(\d+) 0 R\]/.exec(type0)![1]))
  expect(cidFont).toContain('/Subtype /CIDFontType0')
  const descriptor = file.body(file.ref(cidFont, 'FontDescriptor'))
  const fontFile = file.ref(descriptor, 'FontFile3')
  expect(file.body(fontFile)).toContain('/Subtype /CIDFontType0C')
  const cff = await file.stream(fontFile)
  const pages: { text: string; content: string }[] = []
  for (const kid of kids) {
    const content = latin1(await file.stream(file.ref(file.body(kid), 'Contents')))
    let text = ''
    for (const m of content.matchAll(/<([0-9a-f]*)> Tj/gi))
      for (const code of m[1]!.match(/.{4}/g) ?? [])
        text += toUnicode.get(parseInt(code, 16)) ?? '\ufffd'
    pages.push({ text, content })
  }
  const codeOf = (ch: string) => [...toUnicode].find(([, u]) => u === ch)?.[0] ?? 0
  return { file, pages, cff, codeOf, all: pages.map((p) => p.text).join('') }
}

const squash = (s: string) => s.replace(/\s+/g, '')

// ---- reading the embedded CFF (Adobe TN 5176), as little as needed ----

const cffIndex = (b: Uint8Array, at: number) => {
  const count = (b[at]! << 8) | b[at + 1]!
  if (count === 0) return { count, items: [] as Uint8Array[], end: at + 2 }
  const size = b[at + 2]!
  const off = (i: number) => {
    let v = 0
    for (let k = 0; k < size; k++) v = v * 256 + b[at + 3 + i * size + k]!
    return v
  }
  const data = at + 3 + (count + 1) * size - 1
  const items = Array.from({ length: count }, (_, i) =>
    b.subarray(data + off(i), data + off(i + 1)),
  )
  return { count, items, end: data + off(count) }
}

/** The operand before an operator in a DICT (integers only, which is what offsets are). */
const dictInt = (d: Uint8Array, op: number) => {
  let last = 0
  for (let i = 0; i < d.length;) {
    const b = d[i]!
    if (b === op) return last
    if (b === 12) i += 2
    else if (b < 22) i++
    else if (b === 28) ((last = ((d[i + 1]! << 24) | (d[i + 2]! << 16)) >> 16), (i += 3))
    else if (b === 29)
      ((last = (d[i + 1]! << 24) | (d[i + 2]! << 16) | (d[i + 3]! << 8) | d[i + 4]!), (i += 5))
    else if (b === 30) while ((d[i++]! & 15) !== 15);
    else if (b <= 246) ((last = b - 139), i++)
    else if (b <= 250) ((last = (b - 247) * 256 + d[i + 1]! + 108), (i += 2))
    else ((last = -(b - 251) * 256 - d[i + 1]! - 108), (i += 2))
  }
  throw new Error(`no operator ${op}`)
}

/** How many drawing operators (lines, curves) a Type 2 charstring holds; any subr call fails. */
const drawingOperators = (cs: Uint8Array) => {
  let n = 0
  let stack = 0
  let stems = 0
  for (let i = 0; i < cs.length;) {
    const b = cs[i]!
    if (b === 28 || b >= 32) {
      i += b === 28 ? 3 : b <= 246 ? 1 : b <= 254 ? 2 : 5
      stack++
      continue
    }
    if (b === 10 || b === 29) throw new Error('a subroutine call in a subset without subroutines')
    if ([5, 6, 7, 8, 24, 25, 26, 27, 30, 31].includes(b)) n++
    if ([1, 3, 18, 23, 19, 20].includes(b)) stems += stack >> 1
    // A hint mask's bytes follow its operator, one bit a stem.
    i += b === 12 ? 2 : b === 19 || b === 20 ? 1 + ((stems + 7) >> 3) : 1
    stack = 0
  }
  return n
}

const charStrings = (cff: Uint8Array) => {
  const names = cffIndex(cff, cff[2]!)
  const top = cffIndex(cff, names.end)
  return cffIndex(cff, dictInt(top.items[0]!, 17)).items
}

// ---- checking the signature, independently of src/security ----

const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
const sha256 = async (b: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>))

/** Every PAdES check a verifier makes; the first that fails, or 'valid'. */
const checkSignature = async (pdf: Uint8Array): Promise<string> => {
  const text = latin1(pdf)
  const sig = /\/Type \/Sig ([\s\S]*?)endobj/.exec(text)
  if (!sig) return 'no /Sig'
  if (!sig[1]!.includes('/SubFilter /ETSI.CAdES.detached')) return 'not CAdES'
  const [a, b, c, d] = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\s*\]/
    .exec(sig[1]!)!
    .slice(1)
    .map(Number)
  // The ranges cover the whole file but the /Contents hex string, brackets included.
  if (a !== 0 || c! + d! !== pdf.length) return 'the byte range does not cover the file'
  const hole = text.slice(b, c)
  if (!/^<[0-9a-f]+>$/i.test(hole) || !text.slice(b! - 10, b).endsWith('/Contents ')) return 'gap'
  const signed = new Uint8Array(b! + d!)
  signed.set(pdf.subarray(0, b))
  signed.set(pdf.subarray(c!), b)
  const digest = await sha256(signed)

  const der = Uint8Array.from(hole.slice(1, -1).match(/../g)!, (h) => parseInt(h, 16))
  const info = new pkijs.ContentInfo({
    schema: asn1js.fromBER(der as Uint8Array<ArrayBuffer>).result,
  })
  if (info.contentType !== '1.2.840.113549.1.7.2') return 'not SignedData'
  const signedData = new pkijs.SignedData({ schema: info.content })
  if (signedData.encapContentInfo.eContent) return 'not detached'
  const certificate = signedData.certificates![0] as pkijs.Certificate
  const signerInfo = signedData.signerInfos[0]!
  const attrs = signerInfo.signedAttrs!.attributes
  const attr = (oid: string) => attrs.find((x) => x.type === oid)?.values[0]
  if (attr('1.2.840.113549.1.9.5')) return 'a signingTime attribute (PAdES forbids it)'
  if (
    (attr('1.2.840.113549.1.9.3') as asn1js.ObjectIdentifier).valueBlock.toString() !==
    '1.2.840.113549.1.7.1'
  )
    return 'content-type'
  const messageDigest = new Uint8Array(
    (attr('1.2.840.113549.1.9.4') as asn1js.OctetString).valueBlock.valueHexView,
  )
  if (toHex(messageDigest) !== toHex(digest)) return 'message-digest differs from the byte ranges'
  // SigningCertificateV2 { certs: SEQUENCE OF ESSCertIDv2 { [hashAlgorithm], certHash, … } }
  const essV2 = attr('1.2.840.113549.1.9.16.2.47') as asn1js.Sequence
  const certId = (essV2.valueBlock.value[0] as asn1js.Sequence).valueBlock
    .value[0] as asn1js.Sequence
  const certHash = certId.valueBlock.value.find((v) => v instanceof asn1js.OctetString)!
  const certDer = new Uint8Array(certificate.toSchema().toBER())
  if (toHex(new Uint8Array(certHash.valueBlock.valueHexView)) !== toHex(await sha256(certDer)))
    return 'signing-certificate-v2 hash'
  // The signature is over the signed attributes as a DER SET (their [0] tag turned to 0x31).
  const signedAttrs = new Uint8Array(signerInfo.signedAttrs!.encodedValue)
  signedAttrs[0] = 0x31
  const spki = certificate.subjectPublicKeyInfo.toSchema().toBER()
  const key = await crypto.subtle.importKey(
    'spki',
    spki,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  )
  const ok = await crypto.subtle.verify(
    'RSASSA-PKCS1-v1_5',
    key,
    signerInfo.signature.valueBlock.valueHexView as Uint8Array<ArrayBuffer>,
    signedAttrs,
  )
  return ok ? 'valid' : 'the signature does not verify'
}

// ---- the tests ----

const make = (c: CertificateContent, withSigner = true) =>
  certificatePdf(c, font, withSigner ? signer : null, SIGNED_AT)

describe('certificate PDF', () => {
  it('is a well-formed A4 PDF whose every printed string can be copied back out', async () => {
    for (const lang of ['ja', 'en'] as const) {
      const content = enrolment(lang)
      const pdf = await readPdf(await make(content))
      expect(pdf.pages).toHaveLength(1)
      expect(pdf.file.body(pdf.file.ref(pdf.file.body(pdf.file.root), 'Pages'))).toContain(
        '/Count 1',
      )
      expect(pdf.file.text).toContain('/MediaBox [0 0 595.28 841.89]')
      const text = squash(pdf.all)
      const printed = [
        content.title,
        ...content.fields.flatMap((f) => [f.label, f.value]),
        content.statement,
        content.issuedOn,
        content.issuer.legalName,
        content.issuer.universityName,
        content.recipient!.name,
        content.recipient!.organisation,
        content.labels.recipient,
        content.labels.issueNumber,
        content.issueNumber,
        content.labels.verificationCode,
        content.verificationCode,
        content.labels.validUntil,
        content.validUntil!,
        content.labels.verifyHint,
      ]
      for (const s of printed) expect(text, s).toContain(squash(s))
    }
  })

  it('embeds 髙 and 﨑 as real glyphs of a subset, not the whole font', async () => {
    const pdf = await readPdf(await make(enrolment('ja')))
    const glyphs = charStrings(pdf.cff)
    expect(glyphs.length).toBeLessThan(200)
    expect(pdf.cff.length).toBeLessThan(100_000)
    for (const ch of ['髙', '﨑', '橋', '子']) {
      const code = pdf.codeOf(ch)
      expect(code, ch).toBeGreaterThan(0)
      expect(drawingOperators(glyphs[code]!), ch).toBeGreaterThan(5)
    }
    // .notdef (code 0) is never shown.
    expect(pdf.pages[0]!.content).not.toMatch(/<(?:[0-9a-f]{4})*0000(?:[0-9a-f]{4})*> Tj/)
  })

  it('spreads a long transcript over pages, each with the table header, every row once', async () => {
    const rows = 80
    const pdf = await readPdf(await make(transcript(rows)))
    expect(pdf.pages.length).toBeGreaterThanOrEqual(2)
    for (let i = 1; i <= rows; i++) expect(pdf.all.split(`第${i}回`).length - 1, `row ${i}`).toBe(1)
    const withRows = pdf.pages.filter((p) => /第\d+回/.test(p.text))
    expect(withRows.length).toBeGreaterThanOrEqual(2)
    for (const p of withRows) expect(p.text).toContain('授業科目')
    pdf.pages.forEach((p, i) => {
      expect(p.text).toContain(`${i + 1}/${pdf.pages.length}`)
      expect(p.text).toContain('K7QM-4XRT-9WHC-2PZD')
    })
    expect(squash(pdf.all)).toContain('GPA3.12')
  })

  it('keeps a long value within its column on the page', async () => {
    const content = enrolment('en')
    const pdf = await readPdf(await make(content))
    const content0 = pdf.pages[0]!.content
    // Every text position lies inside the page's margins.
    for (const m of content0.matchAll(/([\d.]+) ([\d.]+) Td/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(56)
      expect(Number(m[1])).toBeLessThan(540)
    }
    // The long department name took more than one line.
    const dept = content.fields.find((f) => f.label === 'Faculty / Department')!.value
    const shown = pdf.pages[0]!.text
    expect(shown).not.toContain(dept)
    expect(squash(shown)).toContain(squash(dept))
  })

  it('carries a PAdES signature that an independent CMS reader verifies over the byte ranges', async () => {
    const pdf = await make(enrolment('ja'))
    expect(await checkSignature(pdf)).toBe('valid')
    const sig = /\/Type \/Sig [\s\S]*?endobj/.exec(latin1(pdf))![0]
    expect(sig).toContain('/Filter /Adobe.PPKLite')
    expect(sig).toContain('/M (D:20261206012345Z)')
    expect(latin1(pdf)).toMatch(/\/AcroForm << \/Fields \[\d+ 0 R\] \/SigFlags 3 >>/)
  })

  it('fails the signature check when one byte inside the signed range changes', async () => {
    const pdf = await make(enrolment('ja'))
    const text = latin1(pdf)
    for (const at of [text.indexOf('/MediaBox') + 1, pdf.length - 10]) {
      const tampered = pdf.slice()
      tampered[at] = tampered[at]! ^ 1
      expect(await checkSignature(tampered), `byte ${at}`).not.toBe('valid')
    }
  })

  it('draws a 見本 with its mark on every page, no QR, no codes, no signature', async () => {
    for (const content of [sampleOf(enrolment('ja')), sampleOf(transcript(80))]) {
      const raw = await make(content)
      const pdf = await readPdf(raw)
      for (const p of pdf.pages) {
        expect(p.text).toContain(content.labels.sample)
        expect(p.text).not.toContain(content.verificationCode)
        expect(p.text).not.toContain(content.issueNumber)
        expect(p.content).not.toMatch(/ re\b/) // the QR's modules are the only rectangles
      }
      expect(latin1(raw)).not.toContain('/Type /Sig')
    }
    // …while the certificate itself has them.
    const real = await readPdf(await make(enrolment('ja')))
    expect(real.pages[0]!.content.match(/ re\b/g)!.length).toBeGreaterThan(50)
    expect(real.pages[0]!.text).not.toContain('見本')
  })

  it('has no signer for a university without keys', async () => {
    expect(await signerFor(env, 'nowhere')).toBeNull()
    expect(await signerFor({ ...env, CERT_SIGNING_CERT_DEMO: '' }, 'demo')).toBeNull()
    expect(await signerFor(env, 'demo2')).not.toBeNull()
  })
})

/**
 * PAdES baseline B-B signatures on the certificates: a /Sig dictionary (/SubFilter
 * /ETSI.CAdES.detached) whose /Contents holds a detached CMS SignedData over the file's
 * /ByteRange, signed with the university's key (RSASSA-PKCS1-v1_5 with SHA-256, the one every
 * PDF reader accepts) by WebCrypto. The DER is written here by hand: the few structures a
 * signature needs cost far less than a general ASN.1 library in the worker's bundle.
 */

/** Who signs a university's certificates: its private key and its X.509 certificate (DER). */
export interface PdfSigner {
  key: CryptoKey
  certificate: Uint8Array
}

// ---- DER ----

const derLength = (n: number) => {
  if (n < 0x80) return [n]
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 255)
  return [0x80 | bytes.length, ...bytes]
}

const tlv = (tag: number, ...content: Uint8Array[]) => {
  const length = content.reduce((n, c) => n + c.length, 0)
  const head = [tag, ...derLength(length)]
  const out = new Uint8Array(head.length + length)
  out.set(head)
  let at = head.length
  for (const c of content) {
    out.set(c, at)
    at += c.length
  }
  return out
}

const sequence = (...c: Uint8Array[]) => tlv(0x30, ...c)
const octets = (b: Uint8Array) => tlv(0x04, b)
const integer = (n: number) => tlv(0x02, Uint8Array.of(n))
const NULL = Uint8Array.of(0x05, 0x00)

/** SET OF, its elements in DER's order (by their encodings). */
const setOf = (tag: number, elements: Uint8Array[]) => {
  const sorted = [...elements].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
    return a.length - b.length
  })
  return tlv(tag, ...sorted)
}

const oid = (dotted: string) => {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const bytes = [a! * 40 + b!]
  for (const arc of rest) {
    const chunk = [arc & 0x7f]
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift(0x80 | (v & 0x7f))
    bytes.push(...chunk)
  }
  return tlv(0x06, Uint8Array.from(bytes))
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
}

/** A TLV inside `b` at `at`: where its contents start and where it ends. */
const readTlv = (b: Uint8Array, at: number) => {
  let len = b[at + 1]!
  let start = at + 2
  if (len & 0x80) {
    const n = len & 0x7f
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!
    start += n
  }
  return { tag: b[at]!, start, end: start + len }
}

/** The issuer Name and serial number of an X.509 certificate, as DER (the signer's id). */
const issuerAndSerial = (certificate: Uint8Array) => {
  const tbs = readTlv(certificate, readTlv(certificate, 0).start)
  let at = tbs.start
  if (certificate[at] === 0xa0) at = readTlv(certificate, at).end // [0] version
  const serial = readTlv(certificate, at)
  const algorithm = readTlv(certificate, serial.end)
  const issuer = readTlv(certificate, algorithm.end)
  return sequence(
    certificate.subarray(algorithm.end, issuer.end),
    certificate.subarray(at, serial.end),
  )
}

const sha256 = async (data: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>))

/**
 * A detached CMS SignedData (RFC 5652) over a document whose SHA-256 is `digest`, with the
 * signed attributes PAdES asks for: content-type, message-digest and ESS signing-certificate-v2
 * (and no signing-time: the PDF's /M says when).
 */
export const cmsSignedData = async (digest: Uint8Array, signer: PdfSigner) => {
  const sha256Id = sequence(oid(OID.sha256))
  const attribute = (type: string, value: Uint8Array) => sequence(oid(type), setOf(0x31, [value]))
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(digest)),
    attribute(
      OID.signingCertificateV2,
      // SigningCertificateV2 { certs: [ESSCertIDv2 { certHash }] } (hash algorithm: SHA-256, the default)
      sequence(sequence(sequence(octets(await sha256(signer.certificate))))),
    ),
  ]
  // What is signed is the attributes as a SET (tag 0x31); they are stored as [0] IMPLICIT.
  const signed = setOf(0x31, attributes)
  const signature = new Uint8Array(
    await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signer.key, signed as Uint8Array<ArrayBuffer>),
  )
  const signerInfo = sequence(
    integer(1),
    issuerAndSerial(signer.certificate),
    sha256Id,
    setOf(0xa0, attributes),
    sequence(oid(OID.rsaEncryption), NULL),
    octets(signature),
  )
  const signedData = sequence(
    integer(1),
    setOf(0x31, [sha256Id]),
    sequence(oid(OID.data)),
    tlv(0xa0, signer.certificate),
    setOf(0x31, [signerInfo]),
  )
  return sequence(oid(OID.signedData), tlv(0xa0, signedData))
}

// ---- the PDF side ----

/** Room for the CMS in /Contents, in bytes (written as twice as many hex digits). */
const SIGNATURE_ROOM = 8192
const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]'

/** The /Sig dictionary with room for the byte range and the signature, filled by signPdf. */
export const signatureDictionary = (signedAt: string) =>
  `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (${signedAt}) ` +
  `${BYTE_RANGE_PLACEHOLDER} /Contents <${'0'.repeat(SIGNATURE_ROOM * 2)}> >>`

const indexOf = (haystack: Uint8Array, needle: string, from = 0) => {
  const first = needle.charCodeAt(0)
  outer: for (let i = haystack.indexOf(first, from); i >= 0; i = haystack.indexOf(first, i + 1)) {
    for (let k = 1; k < needle.length; k++)
      if (haystack[i + k] !== needle.charCodeAt(k)) continue outer
    return i
  }
  return -1
}

/**
 * Signs a PDF written with a signatureDictionary: fills /ByteRange (everything but the
 * /Contents hex string, brackets included) and puts the CMS over those bytes into /Contents.
 */
export const signPdf = async (pdf: Uint8Array, signer: PdfSigner): Promise<Uint8Array> => {
  const range = indexOf(pdf, BYTE_RANGE_PLACEHOLDER)
  if (range < 0) throw new Error('signPdf: no signature dictionary to fill')
  const open = indexOf(pdf, '/Contents <', range) + '/Contents '.length
  const close = open + 2 + SIGNATURE_ROOM * 2
  const values = `0 ${open} ${close} ${pdf.length - close}`
  const inside = BYTE_RANGE_PLACEHOLDER.length - '/ByteRange []'.length
  const filled = `/ByteRange [${values.padEnd(inside, ' ')}]`
  const out = pdf.slice()
  out.set(
    Uint8Array.from(filled, (c) => c.charCodeAt(0)),
    range,
  )
  const signedBytes = new Uint8Array(open + out.length - close)
  signedBytes.set(out.subarray(0, open))
  signedBytes.set(out.subarray(close), open)
  const cms = await cmsSignedData(await sha256(signedBytes), signer)
  if (cms.length > SIGNATURE_ROOM) throw new Error('signPdf: the signature does not fit')
  let hex = ''
  for (const b of cms) hex += b.toString(16).padStart(2, '0')
  out.set(
    Uint8Array.from(hex, (c) => c.charCodeAt(0)),
    open + 1,
  )
  return out
}

// ---- keys ----

/** A PEM's DER; tolerates its line breaks written as the two characters \n. */
export const pemBytes = (pem: string) => {
  const body = pem
    .replace(/\\n/g, '\n')
    .replace(/-----(BEGIN|END)[^-]*-----/g, '')
    .replace(/[^A-Za-z0-9+/=]/g, '')
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0))
}

const signers = new Map<string, Promise<PdfSigner | null>>()

/**
 * The university's signer from its secrets CERT_SIGNING_KEY_<ID> (PKCS#8 PEM, RSA) and
 * CERT_SIGNING_CERT_<ID> (X.509 PEM), ID being the university's id upper-cased; null when
 * either is missing. Imported once per isolate.
 */
export const signerFor = (env: object, universityId: string): Promise<PdfSigner | null> => {
  const id = universityId.toUpperCase().replace(/[^A-Z0-9]/g, '_')
  const vars = env as Record<string, unknown>
  const keyPem = vars[`CERT_SIGNING_KEY_${id}`]
  const certPem = vars[`CERT_SIGNING_CERT_${id}`]
  if (typeof keyPem !== 'string' || typeof certPem !== 'string' || !keyPem || !certPem)
    return Promise.resolve(null)
  const cacheKey = `${id}\0${keyPem}\0${certPem}`
  let signer = signers.get(cacheKey)
  if (!signer) {
    signer = crypto.subtle
      .importKey('pkcs8', pemBytes(keyPem), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
        'sign',
      ])
      .then((key) => ({ key, certificate: pemBytes(certPem) }))
    signer.catch(() => signers.delete(cacheKey))
    signers.set(cacheKey, signer)
  }
  return signer
}

// The shape of the bundle scripts/certificatePreview.ts loads (types only).
export { certificatePdf } from '../src/views/pdf/certificatePdf.ts'
export { readFont } from '../src/views/pdf/font.ts'
export { signerFor } from '../src/security/pdfSignature.ts'
export * as samples from '../test/certificateSamples.ts'

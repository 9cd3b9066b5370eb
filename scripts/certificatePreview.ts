// `node scripts/certificatePreview.ts`: writes sample certificates to /tmp/pdf-out/ (an
// enrolment certificate in Japanese and English for 髙橋 﨑子, its 見本, a two-page
// transcript), signed with the demo key, and renders them to PNG with pdftoppm when it is
// installed; then checks them with qpdf and pdfsig when those are. For looking at the PDF.
//
//   node scripts/certificatePreview.ts            the files
//   node scripts/certificatePreview.ts --bench    CPU per one-page certificate, after warm-up
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { build } from 'esbuild'
import { copyCertificateFonts, CERTIFICATE_FONTS } from './fonts.ts'
import { demoSigningVars } from './secrets.ts'

/** The PDF code bundled as the worker would have it, for Node to run. */
const loadPdfCode = async () => {
  const out = await build({
    stdin: {
      contents: [
        "export { certificatePdf } from './src/views/pdf/certificatePdf'",
        "export { readFont } from './src/views/pdf/font'",
        "export { signerFor } from './src/security/pdfSignature'",
        "export * as samples from './test/certificateSamples'",
      ].join('\n'),
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2024',
    write: false,
  })
  const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.text).toString('base64')}`
  return (await import(url)) as typeof import('./certificatePreviewTypes.ts')
}

copyCertificateFonts()
const code = await loadPdfCode()
const font = code.readFont(new Uint8Array(readFileSync(CERTIFICATE_FONTS[0]!.to)))
const signer = await code.signerFor(demoSigningVars(), 'demo')
const at = new Date('2026-12-06T01:23:45Z')

if (process.argv.includes('--bench')) {
  const content = code.samples.enrolment('ja')
  const runs = 200
  for (let i = 0; i < 50; i++) await code.certificatePdf(content, font, signer, at)
  for (const [name, s] of [
    ['unsigned', null],
    ['signed', signer],
  ] as const) {
    const before = process.cpuUsage()
    for (let i = 0; i < runs; i++) await code.certificatePdf(content, font, s, at)
    const used = process.cpuUsage(before)
    console.log(
      `${name}: ${((used.user + used.system) / 1000 / runs).toFixed(2)} ms CPU per one-page certificate`,
    )
  }
  const t = process.cpuUsage()
  code.readFont(new Uint8Array(readFileSync(CERTIFICATE_FONTS[0]!.to)))
  const u = process.cpuUsage(t)
  console.log(
    `reading the font (once per isolate): ${((u.user + u.system) / 1000).toFixed(2)} ms CPU`,
  )
  process.exit(0)
}

const dir = '/tmp/pdf-out'
mkdirSync(dir, { recursive: true })
const files: [string, Parameters<typeof code.certificatePdf>[0]][] = [
  ['enrolment-ja', code.samples.enrolment('ja')],
  ['enrolment-en', code.samples.enrolment('en')],
  ['enrolment-ja-sample', code.samples.sampleOf(code.samples.enrolment('ja'))],
  ['transcript-ja', code.samples.transcript(45)],
]
const has = (tool: string) => spawnSync('which', [tool]).status === 0
for (const [name, content] of files) {
  const pdf = await code.certificatePdf(content, font, content.sample ? null : signer, at)
  const path = `${dir}/${name}.pdf`
  writeFileSync(path, pdf)
  console.log(`${path}: ${(pdf.length / 1024).toFixed(1)} KiB`)
  if (has('pdftoppm')) execFileSync('pdftoppm', ['-r', '80', '-png', path, `${dir}/${name}`])
  if (has('qpdf')) {
    const r = spawnSync('qpdf', ['--check', path], { encoding: 'utf8' })
    console.log(`  qpdf --check: ${r.status === 0 ? 'ok' : r.stdout + r.stderr}`)
  }
  if (has('pdfsig') && !content.sample) {
    const r = spawnSync('pdfsig', [path], { encoding: 'utf8' })
    console.log(
      r.stdout
        .split('\n')
        .map((l) => '  ' + l)
        .join('\n'),
    )
  }
}

// The certificate's font (Noto Sans JP, SIL Open Font License) is served to the worker as a
// static asset (wrangler.toml [assets], read through env.ASSETS), never bundled into its
// script. It comes from the @embedpdf/fonts-jp package into static/fonts/ (gitignored): run
// by `npm start`, `npm test`, the tests' config and the bench, and before `wrangler deploy`.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export const CERTIFICATE_FONTS = [
  {
    from: 'node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf',
    to: 'static/fonts/NotoSansJP-Regular.otf',
  },
]

/** Copies the fonts into static/fonts/ where they are missing or differ. */
export const copyCertificateFonts = () => {
  for (const { from, to } of CERTIFICATE_FONTS) {
    const [source, target] = [resolve(root, from), resolve(root, to)]
    if (!existsSync(source)) throw new Error(`${from} is missing: run npm install`)
    if (existsSync(target) && statSync(target).size === statSync(source).size) continue
    mkdirSync(dirname(target), { recursive: true })
    copyFileSync(source, target)
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  copyCertificateFonts()
  console.log(`fonts: ${CERTIFICATE_FONTS.map((f) => f.to).join(', ')}`)
}

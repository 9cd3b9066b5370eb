import { readFont, type PdfFont } from './font'

/**
 * Where the certificate's font is among the static assets (scripts/fonts.ts puts it there):
 * 4.5 MB that stay out of the worker's script, read through the ASSETS binding.
 */
export const CERTIFICATE_FONT_PATH = '/fonts/NotoSansJP-Regular.otf'

let cached: Promise<PdfFont> | null = null

/** The certificate's font, fetched and read once per isolate. */
export const certificateFont = (assets: Fetcher): Promise<PdfFont> => {
  cached ??= (async () => {
    // The assets binding answers by path; the host is not looked at.
    const res = await assets.fetch(`https://assets.invalid${CERTIFICATE_FONT_PATH}`)
    if (!res.ok) throw new Error(`the certificate font is missing from the assets (${res.status})`)
    return readFont(new Uint8Array(await res.arrayBuffer()))
  })()
  cached.catch(() => (cached = null))
  return cached
}

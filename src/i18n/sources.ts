import { consoleParts } from './console/parts.ts'
import { en } from './en.ts'
import { ja } from './ja.ts'
import type { ConsoleCatalogue } from './console/parts'
import type { Lang } from './index'
import type { Catalogues } from './load'

/**
 * The catalogues as written in src/i18n/, merged into what the worker loads from its assets.
 * For scripts/catalogues.ts (and the tests) only: importing this from the worker would put
 * every text back into its script (npm run check:bundle refuses that).
 */
export const catalogueSources = (): Catalogues => {
  const merged = (lang: Lang) =>
    Object.assign({}, ...consoleParts.map((p) => p[lang])) as ConsoleCatalogue
  return { ja, en, console: { ja: merged('ja'), en: merged('en') } }
}

import type { Catalogue } from './catalogue'
import { catalogues } from './load'

export type { Catalogue }

export type Lang = 'ja' | 'en'
export const LANGS: readonly Lang[] = ['ja', 'en']

type KeysOf<V> = { [K in keyof Catalogue]: Catalogue[K] extends V ? K : never }[keyof Catalogue]
export type TextKey = KeysOf<string>
export type ListKey = KeysOf<readonly string[]>

export type Params = Record<string, string | number>

/** Replaces `{name}` placeholders; values are plain text (views escape them). */
export const format = (template: string, params?: Params): string =>
  params
    ? template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m))
    : template

export interface Translator {
  lang: Lang
  t(key: TextKey, params?: Params): string
  list(key: ListKey): readonly string[]
  sections(key: 'manualSections'): readonly (readonly string[])[]
}

/** A text of the loaded catalogue; one missing (an out-of-date asset) throws, never a key. */
const entry = <K extends keyof Catalogue>(lang: Lang, key: K): Catalogue[K] => {
  const value = catalogues()[lang][key]
  if (value === undefined) throw new Error(`the ${lang} catalogue has no text ${key}`)
  return value
}

export const translator = (lang: Lang): Translator => ({
  lang,
  t: (key, params) => format(entry(lang, key), params),
  list: (key) => entry(lang, key),
  sections: (key) => entry(lang, key),
})

export const isLang = (value: unknown): value is Lang => value === 'ja' || value === 'en'

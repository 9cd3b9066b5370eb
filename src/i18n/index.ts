import { en } from './en'
import { ja } from './ja'

import type { Catalogue } from './catalogue'

export type { Catalogue }

export type Lang = 'ja' | 'en'
export const LANGS: readonly Lang[] = ['ja', 'en']

type KeysOf<V> = { [K in keyof Catalogue]: Catalogue[K] extends V ? K : never }[keyof Catalogue]
export type TextKey = KeysOf<string>
export type ListKey = KeysOf<readonly string[]>

const catalogues: Record<Lang, Catalogue> = { ja, en }

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

export const translator = (lang: Lang): Translator => {
  const c = catalogues[lang]
  return {
    lang,
    t: (key, params) => format(c[key], params),
    list: (key) => c[key],
    sections: (key) => c[key],
  }
}

export const isLang = (value: unknown): value is Lang => value === 'ja' || value === 'en'

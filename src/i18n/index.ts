import type { Catalogue } from './catalogue'
import { catalogues } from './load'

export type { Catalogue }

export type Lang = 'ja' | 'en'
export const LANGS: readonly Lang[] = ['ja', 'en']

type KeysOf<V> = { [K in keyof Catalogue]: Catalogue[K] extends V ? K : never }[keyof Catalogue]
export type TextKey = KeysOf<string>
export type ListKey = KeysOf<readonly string[]>

export type Params = Record<string, string | number>

/**
 * A label as a noun mid-sentence, for `{name:lower}` in an English template: "Second
 * password" reads "second password" after "The"; a first word that is an acronym or a name
 * ("ID", "M.I.C.") is left as it is. Japanese has no case: nothing changes.
 */
const midSentence = (value: string) =>
  /^\p{Lu}[\p{Ll}\s]/u.test(value) ? value[0]!.toLowerCase() + value.slice(1) : value

/**
 * Replaces `{name}` placeholders (`{name:lower}`: the value as a noun mid-sentence); values
 * are plain text (views escape them).
 */
export const format = (template: string, params?: Params): string =>
  params
    ? template.replace(/\{(\w+)(:lower)?\}/g, (m, k: string, lower?: string) =>
        k in params ? (lower ? midSentence(String(params[k])) : String(params[k])) : m,
      )
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

import { format, type Lang, type Params } from '../index'
import { catalogues } from '../load'
import type { consoleParts } from './parts'

type Part = (typeof consoleParts)[number]
/** Every part's keys (distributing over the parts, not only the keys they share). */
type KeysOf<P> = P extends { ja: Record<infer K, string> } ? K : never
export type ConsoleKey = KeysOf<Part>

/** One language of the console's catalogue: every part's texts in one record. */
export type ConsoleCatalogue = Record<ConsoleKey, string>

export type ConsoleText = (key: ConsoleKey, params?: Params) => string

export const consoleText =
  (lang: Lang): ConsoleText =>
  (key, params) => {
    const text = catalogues().console[lang][key]
    if (text === undefined) throw new Error(`the ${lang} console catalogue has no text ${key}`)
    return format(text, params)
  }

/** Whether `key` names a console text (a zod check's message may be any string). */
export const isConsoleKey = (key: string): key is ConsoleKey => key in catalogues().console.ja

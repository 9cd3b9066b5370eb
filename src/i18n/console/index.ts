import { format, type Lang, type Params } from '../index'
import { catalogues } from '../load'
import type { ConsoleKey } from './parts'

export type { ConsoleCatalogue, ConsoleKey } from './parts'

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

import { format, type Lang, type Params } from '../index'
import { admin } from './admin'
import { applications } from './applications'
import { certificates } from './certificates'
import { common } from './common'
import { reconcile } from './reconcile'
import { roster } from './roster'
import { rosterSync } from './rosterSync'
import { retention } from './retention'
import { students } from './students'
import { triage } from './triage'
import { universities } from './universities'

/**
 * The console's catalogue, one part per area of the console. A part's keys start with its
 * name (`triage…`, `app…`, …) except `common`'s.
 */
const parts = [
  common,
  triage,
  applications,
  students,
  reconcile,
  admin,
  certificates,
  universities,
  roster,
  rosterSync,
  retention,
] as const

type Part = (typeof parts)[number]
/** Every part's keys (distributing over the parts, not only the keys they share). */
type KeysOf<P> = P extends { ja: Record<infer K, string> } ? K : never
export type ConsoleKey = KeysOf<Part>

const merged = (lang: Lang) =>
  Object.assign({}, ...parts.map((p) => p[lang])) as Record<ConsoleKey, string>

const catalogues: Record<Lang, Record<ConsoleKey, string>> = { ja: merged('ja'), en: merged('en') }

export type ConsoleText = (key: ConsoleKey, params?: Params) => string

export const consoleText =
  (lang: Lang): ConsoleText =>
  (key, params) =>
    format(catalogues[lang][key], params)

/** Whether `key` names a console text (a zod check's message may be any string). */
export const isConsoleKey = (key: string): key is ConsoleKey => key in catalogues.ja

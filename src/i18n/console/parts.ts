import { admin } from './admin.ts' // .ts: scripts/catalogues.ts reads the wording in Node
import { applications } from './applications.ts'
import { certificates } from './certificates.ts'
import { common } from './common.ts'
import { reconcile } from './reconcile.ts'
import { retention } from './retention.ts'
import { roster } from './roster.ts'
import { rosterSync } from './rosterSync.ts'
import { students } from './students.ts'
import { triage } from './triage.ts'
import { universities } from './universities.ts'

/**
 * The console's catalogue as written, one part per area of the console. A part's keys start
 * with its name (`triage…`, `app…`, …) except `common`'s. Only scripts/catalogues.ts and the
 * tests import these texts: the worker reads them from its assets (../load.ts).
 */
export const consoleParts = [
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

type Part = (typeof consoleParts)[number]
/** Every part's keys (distributing over the parts, not only the keys they share). */
type KeysOf<P> = P extends { ja: Record<infer K, string> } ? K : never
export type ConsoleKey = KeysOf<Part>

/** One language of the console's catalogue: every part's texts in one record. */
export type ConsoleCatalogue = Record<ConsoleKey, string>

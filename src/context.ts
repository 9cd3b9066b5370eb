import type { Directory } from './adapters/directory'
import type { Mailer } from './adapters/mail/mailer'
import type { Db } from './db'
import type { students } from './db/schema'
import type { Clock } from './domain/time'
import type { University } from './domain/university'
import type { TokenDeps } from './flows/oneTimeUrl'
import type { Translator } from './i18n'
import type { SessionRecord } from './security/session'

export type Student = typeof students.$inferSelect

/** What a request's handlers use, built once per request from the bindings. */
export interface Deps {
  db: Db
  clock: Clock
  directory: Directory
  mailer: Mailer
  tokens: TokenDeps
  pepper: string
  devMode: boolean
}

export interface ActiveSession {
  id: string
  record: SessionRecord
  student: Student
}

export type AppEnv = {
  Bindings: Env
  Variables: {
    requestId: string
    deps: Deps
    university: University
    tr: Translator
    csrfToken: string
    session: ActiveSession | null
  }
}

/** Where a student stands in first-login onboarding (manual §2.1 → §2.2 → menu). */
export type Stage = 'email' | 'second-password' | 'ready'

export const stageOf = (s: Pick<Student, 'email' | 'secondPasswordHash'>): Stage =>
  !s.email ? 'email' : !s.secondPasswordHash ? 'second-password' : 'ready'

export const STAGE_HOME: Record<Stage, string> = {
  email: '/email/setup',
  'second-password': '/second-password/setup',
  ready: '/menu',
}

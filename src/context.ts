import type { Directory } from './adapters/directory'
import type { students } from './db/schema'
import type { StudentStatus } from './domain/roster'
import type { University } from './domain/university'
import type { FirstReads } from './flows/firstReads'
import type { TokenDeps } from './flows/oneTimeUrl'
import type { StaffMember } from './flows/staff/auth'
import type { Translator } from './i18n'
import type { ConsoleText } from './i18n/console'
import type { SessionRecord } from './security/session'
import type { Services } from './services'

/** A student's account with this service (the students table). */
export type Student = typeof students.$inferSelect

/**
 * The logged-in student: their account and their status in the university's directory (在学,
 * 休学, 卒業, 退学, 除籍), which decides what they may still do (domain/roster.ts
 * STUDENT_RIGHTS). Read with the account in one query (middleware/session.ts).
 */
export type SessionStudent = Student & { status: StudentStatus }

/** What a request's handlers use, built once per request from the bindings. */
export interface Deps extends Services {
  directory: Directory
  tokens: TokenDeps
  pepper: string
}

export interface ActiveSession {
  id: string
  record: SessionRecord
  student: SessionStudent
}

export type AppEnv = {
  Bindings: Env
  Variables: {
    requestId: string
    deps: Deps
    university: University
    /** What the request's first wave read (middleware/context.ts resolveUniversity). */
    firstReads: FirstReads
    /** Sets the development clock's offset once the first batch has read it. */
    learnClockOffset: (ms: number) => void
    tr: Translator
    csrfToken: string
    session: ActiveSession | null
    /** The operations console's signed-in member (routes/staff only). */
    staff: StaffMember | null
    staffSessionId: string | null
    /** The console's wording in the chosen language. */
    ct: ConsoleText
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

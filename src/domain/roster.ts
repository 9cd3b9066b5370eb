import { ENROLMENT_STATUSES } from './registrar'

/**
 * The university's roster (名簿): who may log in, with which status, and what each status
 * lets a student do. The one place these rights are written.
 */

/** 在学, 休学, 卒業, 退学, 除籍: the registrar's statuses, one to one (the sync maps none). */
export const STUDENT_STATUSES = ENROLMENT_STATUSES
export type StudentStatus = (typeof STUDENT_STATUSES)[number]

export const isStudentStatus = (v: unknown): v is StudentStatus =>
  typeof v === 'string' && (STUDENT_STATUSES as readonly string[]).includes(v)

/** Statuses of a student who has left the university: retention counts from `leftOn`. */
export const LEAVER_STATUSES: readonly StudentStatus[] = ['graduated', 'withdrawn', 'expelled']
export const isLeaver = (s: StudentStatus): boolean => LEAVER_STATUSES.includes(s)

/**
 * What a status lets the student do:
 * - 在学 / 休学: everything;
 * - 卒業: log in, 申請一覧, certificates; no M.I.C.チャージ (the card is returned);
 * - 退学 / 除籍: log in only to see 申請一覧 and money still on its way (and their own data).
 */
export const STUDENT_RIGHTS = {
  charge: ['enrolled', 'on_leave'],
  certificates: ['enrolled', 'on_leave', 'graduated'],
  /** Settings of the account (e-mail, second password). */
  account: ['enrolled', 'on_leave', 'graduated'],
  /**
   * The menu and every page behind login; without it, only 申請一覧 and what is still on its
   * way (payments, refunds) and their own data (middleware/session.ts LEAVER_PAGES).
   */
  menu: ['enrolled', 'on_leave', 'graduated'],
} as const satisfies Record<string, readonly StudentStatus[]>
export type StudentRight = keyof typeof STUDENT_RIGHTS

export const studentMay = (status: StudentStatus, right: StudentRight): boolean =>
  (STUDENT_RIGHTS[right] as readonly StudentStatus[]).includes(status)

/** Where a roster row comes from. */
export const ROSTER_SOURCES = ['seed', 'upload', 'registrar'] as const
export type RosterSource = (typeof ROSTER_SOURCES)[number]

/**
 * An import's life: its rows are checked (a queue works through the file), then it waits
 * for a person to apply or discard it; applying is one transaction.
 */
export const ROSTER_IMPORT_STATES = [
  'checking',
  'ready',
  'applying',
  'applied',
  'discarded',
  'failed',
] as const
export type RosterImportState = (typeof ROSTER_IMPORT_STATES)[number]

/** What a checked row would do to the directory. */
export const ROSTER_CHANGES = ['new', 'changed', 'leaving', 'unchanged', 'rejected'] as const
export type RosterChange = (typeof ROSTER_CHANGES)[number]

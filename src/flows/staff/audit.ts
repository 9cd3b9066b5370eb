import type { Db } from '../../db'
import { auditLog } from '../../db/schema'
import type { StaffPrincipal } from '../../domain/staff'
import type { ConsoleKey } from '../../i18n/console'

export interface AuditEntry {
  action: AuditAction
  universityId: string | null
  targetType: string
  targetId?: string | number | null
  applicationId?: number | null
  reason?: string | null
  before?: unknown
  after?: unknown
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v))

/**
 * Appends one entry to the audit log: who (the signed-in member), when (the service's clock),
 * what, and the state before and after. The table refuses updates and deletes.
 */
export const recordAudit = (db: Db, actor: StaffPrincipal, at: number, entry: AuditEntry) =>
  db.insert(auditLog).values({
    at,
    staffId: actor.id,
    staffEmail: actor.email,
    universityId: entry.universityId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId == null ? null : String(entry.targetId),
    applicationId: entry.applicationId ?? null,
    reason: entry.reason ?? null,
    before: json(entry.before),
    after: json(entry.after),
  })

// ---- The actions the log holds --------------------------------------------------------------

/**
 * Every action written to the audit log, with its name in the console's words (the same
 * words 申請詳細 uses for its actions where it has them): the one list
 * the 監査ログ's search offers and its rows and CSV show (never the code, e.g. `staff.role`).
 * `recordAudit` takes only these, so an action written anywhere is one the log can name.
 */
export const AUDIT_ACTIONS = {
  login: 'adminActLogin',
  'invite.accept': 'adminActInviteAccept',
  'staff.invite': 'adminActStaffInvite',
  'staff.role': 'adminActStaffRole',
  'staff.disable': 'adminActStaffDisable',
  'staff.enable': 'adminActStaffEnable',
  'staff.unlock': 'adminActStaffUnlock',
  'student.unlockLogin': 'adminActStudentUnlock',
  'student.endSessions': 'adminActStudentEndSessions',
  'application.recredit': 'appActionRecredit',
  'application.inquire': 'appActionInquire',
  'application.resend-mail': 'appActionResendMail',
  'application.credit-net': 'appActionCreditNet',
  'application.close-reversal': 'appActionCloseReversal',
  'refund.request': 'appActionRefund',
  'refund.approve': 'appActionRefundApprove',
  'refund.reject': 'appActionRefundReject',
  'event.resolve': 'adminActEventResolve',
  'reconcile.run': 'adminActReconcileRun',
  'certificate.print': 'adminActCertPrint',
  'certificate.enclose': 'adminActCertEnclose',
  'certificate.ship': 'adminActCertShip',
  'certificate.revoke': 'certActionRevoke',
  'certificate.reissue': 'certActionReissue',
  'settings.update': 'adminActSettingsUpdate',
  'settings.certificates': 'adminActSettingsCertificates',
  'roster.apply': 'adminActRosterApply',
  'roster.sync': 'adminActRosterSync',
  'retention.pseudonymise': 'adminActRetentionPseudonymise',
  'retention.delete_records': 'adminActRetentionDeleteRecords',
  'university.create': 'adminActUniversityCreate',
  'university.update': 'adminActUniversityUpdate',
  'university.suspend': 'adminActUniversitySuspend',
  'university.resume': 'adminActUniversityResume',
  'university.check': 'adminActUniversityCheck',
} as const satisfies Record<string, ConsoleKey>
export type AuditAction = keyof typeof AUDIT_ACTIONS

export const isAuditAction = (v: string): v is AuditAction => Object.hasOwn(AUDIT_ACTIONS, v)

/** The search's list, in groups a person looks under (every action in exactly one). */
export const AUDIT_ACTION_GROUPS: readonly {
  label: ConsoleKey
  actions: readonly AuditAction[]
}[] = [
  {
    label: 'adminActGroupMembers',
    actions: [
      'login',
      'invite.accept',
      'staff.invite',
      'staff.role',
      'staff.disable',
      'staff.enable',
      'staff.unlock',
    ],
  },
  { label: 'adminActGroupStudents', actions: ['student.unlockLogin', 'student.endSessions'] },
  {
    label: 'adminActGroupApplications',
    actions: [
      'application.recredit',
      'application.inquire',
      'application.resend-mail',
      'application.credit-net',
      'application.close-reversal',
      'refund.request',
      'refund.approve',
      'refund.reject',
      'event.resolve',
      'reconcile.run',
    ],
  },
  {
    label: 'adminActGroupCertificates',
    actions: [
      'certificate.print',
      'certificate.enclose',
      'certificate.ship',
      'certificate.revoke',
      'certificate.reissue',
    ],
  },
  {
    label: 'adminActGroupUniversity',
    actions: [
      'settings.update',
      'settings.certificates',
      'roster.apply',
      'roster.sync',
      'retention.pseudonymise',
      'retention.delete_records',
      'university.create',
      'university.update',
      'university.suspend',
      'university.resume',
      'university.check',
    ],
  },
]

/**
 * Who may do what in the operations console: the one place the roles' rights are written.
 * - スタッフ (`staff`): a university's staff, that university only;
 * - コールセンター (`callcentre`): the operator's call centre, every university, reading and
 *   the safe actions (nothing that sends money back or changes settings or accounts);
 * - 管理者 (`admin`): a university's administrator: what its staff do, and its settings,
 *   staff accounts, roster (名簿) and audit log;
 * - 運用者 (`operator`): the company that runs the service, above the universities: creates,
 *   connects and suspends universities and invites their first 管理者, but sees no
 *   university's students (its call centre's accounts do that).
 */
export const STAFF_ROLES = ['staff', 'callcentre', 'admin', 'operator'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

export const isStaffRole = (v: unknown): v is StaffRole =>
  typeof v === 'string' && (STAFF_ROLES as readonly string[]).includes(v)

/** Every action and page of the console that is not open to every signed-in member. */
export const STAFF_ACTIONS = {
  /** 要対応, 検索, 申請詳細, 学生 (reading). */
  read: ['staff', 'callcentre', 'admin'],
  /** 再チャージ: through the student's desk, idempotent at M.I.C. */
  recredit: ['staff', 'callcentre', 'admin'],
  /** 支払状況を照会: ask the gateway and apply its answer. */
  inquire: ['staff', 'callcentre', 'admin'],
  /** メール再送. */
  resendMail: ['staff', 'callcentre', 'admin'],
  /** ログインロック解除. */
  unlockLogin: ['staff', 'callcentre', 'admin'],
  /** 全セッション終了. */
  endSessions: ['staff', 'callcentre', 'admin'],
  /** 返金 request and its approval (by another member): money leaves, so not the call centre. */
  refund: ['staff', 'admin'],
  /**
   * 対応済みにする: an event that matched no application, or was dead-lettered, was looked
   * into and dealt with outside the application (it leaves 要対応). Not the call centre: it
   * hides a payment from the list.
   */
  resolveEvent: ['staff', 'admin'],
  /** 突合: run and read the reconciliation, download its CSV. */
  reconcile: ['staff', 'callcentre', 'admin'],
  /**
   * 証明書: open a student's certificate PDF, and the 郵送 work (印刷, 封入, 発送). The
   * university's own office does it: the call centre sees the queue but prints nothing.
   */
  certificates: ['staff', 'admin'],
  /** 失効 and 再発行 of an issued certificate, with a reason. */
  revokeCertificate: ['staff', 'admin'],
  /** 大学設定. */
  settings: ['admin'],
  /** スタッフ: invite, change role, disable. */
  manageStaff: ['admin'],
  /** 監査ログ. */
  audit: ['admin'],
  /** 名簿: upload a roster, apply or discard it, sync from the registrar. */
  roster: ['admin'],
  /** 大学: create, connect, check, suspend and resume universities; invite a first 管理者. */
  universities: ['operator'],
} as const satisfies Record<string, readonly StaffRole[]>
export type StaffAction = keyof typeof STAFF_ACTIONS

export interface StaffPrincipal {
  id: number
  email: string
  name: string
  role: StaffRole
  /** The member's university; null for the call centre, which serves every university. */
  universityId: string | null
}

export const can = (member: Pick<StaffPrincipal, 'role'>, action: StaffAction): boolean =>
  (STAFF_ACTIONS[action] as readonly StaffRole[]).includes(member.role)

/** Whether the member may see (and act on) `universityId`'s data at all. */
export const seesUniversity = (
  member: Pick<StaffPrincipal, 'universityId'>,
  universityId: string,
): boolean => member.universityId === null || member.universityId === universityId

/**
 * The universities whose data the member's queries are limited to: one, or every one (null)
 * for the call centre. Every console query filters by it.
 */
export const universityScope = (member: Pick<StaffPrincipal, 'universityId'>): string | null =>
  member.universityId

/** Roles a university's 管理者 may give in an invitation or a change: its own university's. */
export const ASSIGNABLE_ROLES: readonly StaffRole[] = ['staff', 'admin']

/** Staff sessions: 15 minutes idle, 8 hours at most. */
export const STAFF_SESSION_IDLE_MS = 15 * 60_000
export const STAFF_SESSION_MAX_MS = 8 * 60 * 60_000
/** An invitation URL works once, for 30 minutes. */
export const STAFF_INVITE_TTL_MS = 30 * 60_000
/** Something that has needed a person this long is mailed to the university's staff once. */
export const NEEDS_PERSON_ALERT_MS = 30 * 60_000

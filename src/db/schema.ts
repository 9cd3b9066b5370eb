import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { APPLICATION_KINDS, CREDIT_STATUSES, PAYMENT_STATUSES } from '../domain/application'
import { CERTIFICATE_TYPES } from '../domain/registrar'
import { PAYMENT_METHODS } from '../domain/paymentMethods'
import { STAFF_ROLES } from '../domain/staff'
import {
  ROSTER_CHANGES,
  ROSTER_IMPORT_STATES,
  ROSTER_SOURCES,
  STUDENT_STATUSES,
} from '../domain/roster'

/** Times are integer milliseconds since the epoch (UTC); money is integer yen. */
const createdAt = () =>
  integer('created_at')
    .notNull()
    .default(sql`(unixepoch() * 1000)`)

/** A university the service is operated for, with its own settings and branding. */
export const universities = sqliteTable('universities', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  nameEn: text('name_en').notNull(),
  /** 発行者 on receipts. */
  legalName: text('legal_name').notNull(),
  callCentreName: text('call_centre_name').notNull(),
  callCentrePhone: text('call_centre_phone').notNull(),
  callCentreHours: text('call_centre_hours').notNull(),
  mailFrom: text('mail_from').notNull(),
  mailFromName: text('mail_from_name').notNull(),
  /**
   * The English values of the settings students read (issue 22): English pages and mails use
   * them. '' only on a row made before they existed, until its staff fill them in.
   */
  legalNameEn: text('legal_name_en').notNull().default(''),
  callCentreNameEn: text('call_centre_name_en').notNull().default(''),
  callCentreHoursEn: text('call_centre_hours_en').notNull().default(''),
  mailFromNameEn: text('mail_from_name_en').notNull().default(''),
  /**
   * Where the console sends a student whose money is already on the card (a refund after the
   * credit is the university office's, not the gateway's), in Japanese and English (issue 21).
   */
  cardMoneyDesk: text('card_money_desk').notNull().default(''),
  cardMoneyDeskEn: text('card_money_desk_en').notNull().default(''),
  /** 残高上限額 in yen. */
  balanceCap: integer('balance_cap').notNull(),
  minCharge: integer('min_charge').notNull().default(1),
  chargeStep: integer('charge_step').notNull().default(1),
  /** JSON array of enabled payment method codes. */
  paymentMethods: text('payment_methods').notNull(),
  paymentDeadlineDays: integer('payment_deadline_days').notNull(),
  /** JSON array of { start, end } ISO-8601 instants: the fiscal-year-end blackout periods. */
  fiscalYearEndBlackouts: text('fiscal_year_end_blackouts').notNull().default('[]'),
  /**
   * The university's own merchant account at the payment gateway: "default" uses the
   * KOMOJU_SECRET_KEY / KOMOJU_WEBHOOK_SECRET secrets, any other name NAME uses
   * KOMOJU_SECRET_KEY_NAME / KOMOJU_WEBHOOK_SECRET_NAME.
   */
  gatewayAccount: text('gateway_account').notNull().default('default'),
  /** Where alerts go when something needs a person (a credit handed over to staff). */
  staffAlertEmail: text('staff_alert_email'),
  /**
   * 各種証明書のオンライン申請: the catalogue, postage, the PDF's validity and the office's
   * contact (JSON CertificateSettings, domain/certificates.ts). '{}': no certificates offered.
   */
  certificateSettings: text('certificate_settings').notNull().default('{}'),
  /**
   * Suspended by the operator (運用者): its students see a page that says so and nothing new
   * is applied for; webhooks are still accepted, kept and applied, so nothing paid is lost.
   */
  suspendedAt: integer('suspended_at'),
  suspendedReason: text('suspended_reason'),
  /** How many years after leaving a leaver's personal data is kept (then pseudonymised). */
  retentionYears: integer('retention_years').notNull().default(5),
  /**
   * The registrar's "changed since" cursor: every change the registrar reported up to this
   * instant is in the directory. Null: never synced.
   */
  rosterSyncedThrough: integer('roster_synced_through'),
  /**
   * Moves on every change of the row, and a new row gets one never used before (triggers,
   * migrations/0012, from universityVersions): each isolate keeps the university it last read
   * and re-reads it only when this has moved, checked in the same D1 batch as the request's
   * other reads (flows/firstReads.ts).
   */
  version: integer('version').notNull().default(0),
  createdAt: createdAt(),
})

/**
 * The last version given to any university row (one row, id 1). Taken from one counter, a
 * version is never given twice, so a row deleted and made again (by hand) never looks like
 * the copy an isolate kept of the old one.
 */
export const universityVersions = sqliteTable('university_versions', {
  id: integer('id').primaryKey(),
  last: integer('last').notNull(),
})

/** Which hostnames serve which university. */
export const universityHosts = sqliteTable('university_hosts', {
  hostname: text('hostname').primaryKey(),
  universityId: text('university_id')
    .notNull()
    .references(() => universities.id),
})

/**
 * The university's own directory of people (ユーザID + university password + status), kept
 * current from the university's roster (名簿): a CSV upload or the registrar's list of
 * changes. The D1 directory adapter authenticates against it.
 */
export const directoryPeople = sqliteTable(
  'directory_people',
  {
    universityId: text('university_id')
      .notNull()
      .references(() => universities.id),
    userId: text('user_id').notNull(),
    /**
     * The service's own format, or a legacy one a directory exported (upgraded on the next
     * successful login). Null: no password yet (known only from the registrar): cannot log in.
     */
    passwordHash: text('password_hash'),
    nameKana: text('name_kana').notNull(),
    /** 氏名 as the roster gives it (kanji), when it does. */
    name: text('name'),
    status: text('status', { enum: STUDENT_STATUSES }).notNull().default('enrolled'),
    /** The JST day (YYYY-MM-DD) a 卒業 / 退学 / 除籍 student left; retention counts from it. */
    leftOn: text('left_on'),
    /** Where the row last came from. */
    source: text('source', { enum: ROSTER_SOURCES }).notNull().default('seed'),
    updatedAt: integer('updated_at'),
  },
  (t) => [
    primaryKey({ columns: [t.universityId, t.userId] }),
    index('directory_people_left').on(t.universityId, t.leftOn),
  ],
)

/** A student's account with this service: what the directory does not hold. */
export const students = sqliteTable(
  'students',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    universityId: text('university_id')
      .notNull()
      .references(() => universities.id),
    userId: text('user_id').notNull(),
    nameKana: text('name_kana').notNull(),
    email: text('email'),
    secondPasswordHash: text('second_password_hash'),
    /** 前回ログイン日時: the login before the current one. */
    lastLoginAt: integer('last_login_at'),
    currentLoginAt: integer('current_login_at'),
    /** Bumped when credentials change, ending every older session. */
    credentialEpoch: integer('credential_epoch').notNull().default(0),
    /** The card balance as M.I.C. last reported it, shown when M.I.C. cannot be reached. */
    micBalance: integer('mic_balance'),
    micBalanceAt: integer('mic_balance_at'),
    /** Personal data removed after the university's retention period (user_id is then `removed-<id>`). */
    pseudonymisedAt: integer('pseudonymised_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('students_university_user').on(t.universityId, t.userId),
    index('students_university_email').on(t.universityId, t.email),
  ],
)

/** Failed-attempt counters for login throttling, per account and per client. */
export const loginThrottle = sqliteTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: integer('window_started_at').notNull(),
  lockedUntil: integer('locked_until'),
})

/** Every mail sent, with its outcome. The body is kept only in development. */
export const mailLog = sqliteTable(
  'mail_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    universityId: text('university_id').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    kind: text('kind').notNull(),
    transport: text('transport').notNull(),
    result: text('result', { enum: ['sent', 'failed'] }).notNull(),
    error: text('error'),
    body: text('body'),
    /** The application the mail is about, for the console's タイムライン. */
    applicationId: integer('application_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('mail_log_created').on(t.createdAt),
    index('mail_log_application').on(t.applicationId),
  ],
)

/**
 * An application (申請): here always an M.I.C.チャージ of quantity 1. Its id is the
 * 発行申請番号. Payment status and credit status move only forward.
 */
export const applications = sqliteTable(
  'applications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    universityId: text('university_id')
      .notNull()
      .references(() => universities.id),
    studentId: integer('student_id')
      .notNull()
      .references(() => students.id),
    /** M.I.C.チャージ, or a certificate order (its lines in certificate_lines). */
    kind: text('kind', { enum: APPLICATION_KINDS }).notNull().default('mic_charge'),
    quantity: integer('quantity').notNull().default(1),
    amount: integer('amount').notNull(),
    paymentMethod: text('payment_method', { enum: PAYMENT_METHODS }).notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull().default('awaiting_payment'),
    /** Why an application is キャンセル or 未払い: what the provider said. */
    paymentOutcome: text('payment_outcome', { enum: ['failed', 'cancelled', 'expired'] }),
    /** The 申請 form's one-time key: a double submission finds the same application. */
    requestKey: text('request_key').notNull(),
    /** The student's language when applying, for the mails sent later. */
    lang: text('lang', { enum: ['ja', 'en'] })
      .notNull()
      .default('ja'),
    provider: text('provider').notNull(),
    providerPaymentId: text('provider_payment_id'),
    /** The gateway's hosted session, for methods paid on its page. */
    providerSessionId: text('provider_session_id'),
    paymentUrl: text('payment_url'),
    /** コンビニ / Pay-easy: everything the gateway gave to pay with (JSON StoreInstructions). */
    paymentDetails: text('payment_details'),
    /** Pay-easy: the telephone number the gateway asks for. */
    contactPhone: text('contact_phone'),
    /** コンビニ / Pay-easy: the number the student pays with. */
    paymentNumber: text('payment_number'),
    paymentDeadline: integer('payment_deadline').notNull(),
    /** Past its deadline and the gateway's answer left it open: when to ask again. */
    reconcileAfter: integer('reconcile_after'),
    paidAt: integer('paid_at'),
    creditStatus: text('credit_status', { enum: CREDIT_STATUSES }).notNull().default('none'),
    creditAttempts: integer('credit_attempts').notNull().default(0),
    nextCreditAt: integer('next_credit_at'),
    creditedAt: integer('credited_at'),
    /**
     * When a credit request was first sent to M.I.C. and may have been applied: from then on
     * only M.I.C.'s idempotent answer decides, and no refund is offered. Cleared when M.I.C.
     * answers that it did not apply it.
     */
    creditSentAt: integer('credit_sent_at'),
    micCreditId: text('mic_credit_id'),
    creditError: text('credit_error'),
    /** The gateway's refund, when the money went back. */
    refundedAt: integer('refunded_at'),
    /**
     * When KOMOJU was last asked about this application's payment and held it as captured
     * in full: a credit that waited longer than a minute asks again right before it is sent.
     */
    gatewayCheckedAt: integer('gateway_checked_at'),
    /** How much of the payment the gateway gave back, as it last said (refunds, chargebacks). */
    gatewayRefunded: integer('gateway_refunded').notNull().default(0),
    /** Whether any of that was a chargeback (the card company took it back), not a refund. */
    gatewayChargeback: integer('gateway_chargeback', { mode: 'boolean' }).notNull().default(false),
    /**
     * What is credited to the card when it is not the whole amount: staff chose to credit
     * the net of a partly refunded payment. Null: the amount.
     */
    creditAmount: integer('credit_amount'),
    /** A refund or chargeback after the credit (`reversed`): when and by whom staff closed it. */
    reversalResolvedAt: integer('reversal_resolved_at'),
    reversalResolvedBy: integer('reversal_resolved_by'),
    reversalNote: text('reversal_note'),
    /** The one alert to staff about money the gateway gave back (partly, or after the credit). */
    returnAlertAt: integer('return_alert_at'),
    completionMailAt: integer('completion_mail_at'),
    deadlineMailAt: integer('deadline_mail_at'),
    errorMailAt: integer('error_mail_at'),
    heldMailAt: integer('held_mail_at'),
    /** The alert to the university's staff that this credit needs a person. */
    staffAlertAt: integer('staff_alert_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('applications_request').on(t.studentId, t.requestKey),
    uniqueIndex('applications_provider_payment').on(t.provider, t.providerPaymentId),
    index('applications_provider_session').on(t.provider, t.providerSessionId),
    index('applications_student').on(t.studentId, t.createdAt),
    index('applications_credit_due').on(t.creditStatus, t.nextCreditAt),
    index('applications_awaiting').on(t.status, t.paymentDeadline),
  ],
)

/** One application row as the code reads it. */
export type Application = typeof applications.$inferSelect

/**
 * Payment-gateway webhooks as received from the queue, one row per event id. A webhook is
 * only a hint; `outcome` says what asking the gateway about its payment led to.
 */
export const paymentNotifications = sqliteTable('payment_notifications', {
  eventId: text('event_id').primaryKey(),
  provider: text('provider').notNull(),
  type: text('type').notNull(),
  payload: text('payload').notNull(),
  receivedAt: integer('received_at').notNull(),
  universityId: text('university_id'),
  paymentId: text('payment_id'),
  /** applied | unmatched (no application has this payment: for staff) | ignored */
  outcome: text('outcome'),
  applicationId: integer('application_id'),
  /** Set once the event has been applied to its application. */
  appliedAt: integer('applied_at'),
  /** Set when delivery gave up and the message reached the dead-letter queue. */
  deadLetteredAt: integer('dead_lettered_at'),
  /** The alert to the university's staff that this event needs a person (unmatched, dead-lettered). */
  staffAlertAt: integer('staff_alert_at'),
  /** A member looked into it and said what was done (the reason is in the audit log). */
  resolvedAt: integer('resolved_at'),
  resolvedBy: integer('resolved_by'),
})

/**
 * Webhooks the endpoint refused, counted per university, reason and hour (UTC hour start):
 * for staff and the gateway's support. A count, not a row per refusal, so a flood of forged
 * webhooks costs at most one row per reason and hour; the endpoint's rate limit caps the
 * writes. `last_detail` keeps the start of the latest refused body.
 */
export const webhookRefusals = sqliteTable(
  'webhook_refusals',
  {
    universityId: text('university_id').notNull(),
    reason: text('reason').notNull(),
    hourStart: integer('hour_start').notNull(),
    count: integer('count').notNull(),
    lastAt: integer('last_at').notNull(),
    lastDetail: text('last_detail'),
  },
  (t) => [
    primaryKey({ columns: [t.universityId, t.reason, t.hourStart] }),
    index('webhook_refusals_hour').on(t.hourStart),
  ],
)

/**
 * An application's story for the console's タイムライン, written by triggers on
 * `applications` (migrations/0006): created, payment opened, every payment-status and
 * credit-status change and every credit attempt with M.I.C.'s answer. Webhooks, mails and
 * staff actions are read from their own tables. Append-only.
 */
export const applicationEvents = sqliteTable(
  'application_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationId: integer('application_id').notNull(),
    at: integer('at').notNull(),
    /** applied | opened | payment | credit */
    kind: text('kind').notNull(),
    /** JSON: what changed (from, to, attempt, M.I.C.'s answer …). */
    detail: text('detail').notNull(),
  },
  (t) => [index('application_events_application').on(t.applicationId, t.id)],
)

/** A member of the operations console. */
export const staffMembers = sqliteTable(
  'staff_members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Lower-case; one account per address across the service. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    /** Null for the call centre (every university). */
    universityId: text('university_id').references(() => universities.id),
    passwordHash: text('password_hash').notNull(),
    /** RFC 6238 secret, base32. */
    totpSecret: text('totp_secret').notNull(),
    /** The time step of the last code accepted: each code works once. */
    totpLastStep: integer('totp_last_step'),
    /** Bumped on a role change or disabling: ends the member's sessions. */
    credentialEpoch: integer('credential_epoch').notNull().default(0),
    disabledAt: integer('disabled_at'),
    invitedBy: integer('invited_by'),
    lastLoginAt: integer('last_login_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('staff_members_email').on(t.email)],
)

/** An invitation to the console: a one-time URL (30 minutes, once) of which only the hash is kept. */
export const staffInvites = sqliteTable('staff_invites', {
  tokenHash: text('token_hash').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  role: text('role', { enum: STAFF_ROLES }).notNull(),
  universityId: text('university_id').references(() => universities.id),
  /** The TOTP secret the invitee enrols, shown as a QR code on the invitation page. */
  totpSecret: text('totp_secret').notNull(),
  invitedBy: integer('invited_by').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
})

/**
 * Every staff action and settings change: who, when, what, before and after. Append-only:
 * triggers (migrations/0006) refuse any UPDATE or DELETE.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    staffId: integer('staff_id').notNull(),
    staffEmail: text('staff_email').notNull(),
    /** The university acted on (null: none in particular). */
    universityId: text('university_id'),
    action: text('action').notNull(),
    /** What was acted on: application / student / university / staff / refund … */
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    applicationId: integer('application_id'),
    reason: text('reason'),
    /** JSON. */
    before: text('before'),
    /** JSON. */
    after: text('after'),
  },
  (t) => [
    index('audit_log_university_at').on(t.universityId, t.at),
    index('audit_log_application').on(t.applicationId),
  ],
)

/** 返金 asked for by one member and approved (or rejected) by another. */
export const refundRequests = sqliteTable(
  'refund_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationId: integer('application_id').notNull(),
    universityId: text('university_id').notNull(),
    requestedBy: integer('requested_by').notNull(),
    requestedAt: integer('requested_at').notNull(),
    reason: text('reason').notNull(),
    decidedBy: integer('decided_by'),
    decidedAt: integer('decided_at'),
    decision: text('decision', { enum: ['approved', 'rejected'] }),
    /** What the refund led to (the gateway's answer), or why it was rejected. */
    result: text('result'),
    staffAlertAt: integer('staff_alert_at'),
  },
  (t) => [
    // At most one request waiting per application.
    uniqueIndex('refund_requests_open')
      .on(t.applicationId)
      .where(sql`decided_at IS NULL`),
    index('refund_requests_university').on(t.universityId, t.requestedAt),
  ],
)

/**
 * A refund of a コンビニ / Pay-easy payment through KOMOJU's refund request: KOMOJU pays the
 * student's bank account by hand later, or rejects the request. The account itself is sent
 * to KOMOJU and kept nowhere: this row holds only what the service must remember to finish
 * it (the credit state to go back to if KOMOJU rejects it) and what staff are shown.
 */
export const cashRefunds = sqliteTable(
  'cash_refunds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationId: integer('application_id').notNull(),
    universityId: text('university_id').notNull(),
    requestedAt: integer('requested_at').notNull(),
    /** The credit state the application left for `refunding`, to go back to on a rejection. */
    previousCreditStatus: text('previous_credit_status', { enum: CREDIT_STATUSES }).notNull(),
    /** KOMOJU's id of the refund request, once it answered. */
    gatewayRequestId: text('gateway_request_id'),
    /**
     * null while KOMOJU has not decided; completed (refunded), rejected, or lost (our request
     * got no answer and KOMOJU does not have it).
     */
    outcome: text('outcome', { enum: ['completed', 'rejected', 'lost'] }),
    decidedAt: integer('decided_at'),
  },
  (t) => [
    // At most one request under way per application.
    uniqueIndex('cash_refunds_open')
      .on(t.applicationId)
      .where(sql`outcome IS NULL`),
    index('cash_refunds_application').on(t.applicationId, t.id),
  ],
)

/** 突合: one comparison of the gateway, our applications and M.I.C. for a university's day. */
export const reconciliationRuns = sqliteTable(
  'reconciliation_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    universityId: text('university_id').notNull(),
    /** The JST day compared, YYYY-MM-DD. */
    day: text('day').notNull(),
    ranAt: integer('ran_at').notNull(),
    /** The member who asked for it; null for the nightly cron. */
    ranBy: integer('ran_by'),
    gatewayCount: integer('gateway_count').notNull().default(0),
    applicationCount: integer('application_count').notNull().default(0),
    micCount: integer('mic_count').notNull().default(0),
    differenceCount: integer('difference_count').notNull().default(0),
    /** Set when a side could not be read: the run compared nothing. */
    error: text('error'),
  },
  (t) => [index('reconciliation_runs_university_day').on(t.universityId, t.day, t.id)],
)

/** A difference a reconciliation found. */
export const reconciliationDifferences = sqliteTable(
  'reconciliation_differences',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id').notNull(),
    /** paid_not_credited | credited_without_payment | amount_differs | refunded_but_credited | unknown_payment */
    kind: text('kind').notNull(),
    applicationId: integer('application_id'),
    paymentId: text('payment_id'),
    micCreditId: text('mic_credit_id'),
    gatewayAmount: integer('gateway_amount'),
    applicationAmount: integer('application_amount'),
    micAmount: integer('mic_amount'),
    detail: text('detail'),
  },
  (t) => [index('reconciliation_differences_run').on(t.runId)],
)

/**
 * A certificate order's delivery and issue, one per application of kind `certificate`.
 * The issue rides on the application's credit states (domain/application.ts): `pending`
 * to be issued, `deferred` / `retrying` while the registrar cannot answer, `credited` once
 * every certificate is issued, `refused` when the registrar refused after payment.
 */
export const certificateOrders = sqliteTable(
  'certificate_orders',
  {
    applicationId: integer('application_id').primaryKey(),
    universityId: text('university_id').notNull(),
    studentId: integer('student_id').notNull(),
    /** pdf: 電子 (PDF), downloaded by the student and, if named, a recipient; post: 郵送. */
    delivery: text('delivery', { enum: ['pdf', 'post'] }).notNull(),
    /**
     * The university's site the student ordered on (https://host): the QR code's /verify
     * and the recipient's link point there.
     */
    siteOrigin: text('site_origin').notNull(),
    /** 提出先, printed on the certificate (both or neither). */
    recipientName: text('recipient_name'),
    recipientOrganisation: text('recipient_organisation'),
    /** Where the recipient's link is mailed (電子 only). */
    recipientEmail: text('recipient_email'),
    /** 郵送: JSON PostalAddress (domain/certificates.ts). */
    postalAddress: text('postal_address'),
    /** 厳封: each certificate in an envelope sealed by the office. */
    sealed: integer('sealed', { mode: 'boolean' }).notNull().default(false),
    postage: integer('postage').notNull().default(0),
    /** 郵送's work in the console: to_print → printed → enclosed → shipped. */
    postStatus: text('post_status', { enum: ['to_print', 'printed', 'enclosed', 'shipped'] }),
    trackingNumber: text('tracking_number'),
    printedAt: integer('printed_at'),
    enclosedAt: integer('enclosed_at'),
    shippedAt: integer('shipped_at'),
    /** When the recipient's link was mailed. */
    recipientMailAt: integer('recipient_mail_at'),
    /** When the student was told the certificates are ready (or why they cannot be). */
    issuedMailAt: integer('issued_mail_at'),
  },
  (t) => [index('certificate_orders_post').on(t.universityId, t.postStatus)],
)

/** One line of a certificate order's 内訳: a type in a language, its copies and fee. */
export const certificateLines = sqliteTable(
  'certificate_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationId: integer('application_id').notNull(),
    type: text('type', { enum: CERTIFICATE_TYPES }).notNull(),
    language: text('language', { enum: ['ja', 'en'] }).notNull(),
    copies: integer('copies').notNull(),
    /** 単金 in yen, as the catalogue said when the student applied. */
    unitFee: integer('unit_fee').notNull(),
    /** The registrar's ledger entry, once it issued (its key: certificateIssueKey). */
    registrarIssuanceId: text('registrar_issuance_id'),
  },
  (t) => [index('certificate_lines_application').on(t.applicationId, t.id)],
)

/** One issued certificate (one copy), its signed PDF in the CERTIFICATES bucket. */
export const certificates = sqliteTable(
  'certificates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationId: integer('application_id').notNull(),
    lineId: integer('line_id').notNull(),
    universityId: text('university_id').notNull(),
    copy: integer('copy').notNull(),
    type: text('type', { enum: CERTIFICATE_TYPES }).notNull(),
    language: text('language', { enum: ['ja', 'en'] }).notNull(),
    /** 発行番号 as printed. */
    issueNumber: text('issue_number').notNull(),
    /** 照合番号 (normalised: upper case, no hyphens): what /verify looks up. */
    verificationCode: text('verification_code').notNull(),
    /** Whose certificate it is, as printed (for /verify). */
    holderName: text('holder_name').notNull(),
    /** The object's key in the bucket; its SHA-256 (hex) as issued. */
    objectKey: text('object_key').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    issuedAt: integer('issued_at').notNull(),
    /** Downloadable until (電子); /verify says 期限切れ after it. */
    validUntil: integer('valid_until').notNull(),
    revokedAt: integer('revoked_at'),
    revokedBy: integer('revoked_by'),
    revokeReason: text('revoke_reason'),
    /** 再発行: the certificate this one replaces (revoked with it). */
    replacesId: integer('replaces_id'),
  },
  (t) => [
    uniqueIndex('certificates_code').on(t.verificationCode),
    uniqueIndex('certificates_copy')
      .on(t.lineId, t.copy)
      .where(sql`replaces_id IS NULL`),
    index('certificates_application').on(t.applicationId, t.id),
  ],
)

/**
 * A recipient's link to an order's certificates (電子 to a named recipient): no account
 * needed. Only the token's hash is kept; it ends with the certificates' validity.
 */
export const recipientLinks = sqliteTable('recipient_links', {
  tokenHash: text('token_hash').primaryKey(),
  applicationId: integer('application_id').notNull(),
  email: text('email').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
})

/** Development-only settings (the clock override). Never read in production. */
export const devSettings = sqliteTable('dev_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

export type CertificateOrder = typeof certificateOrders.$inferSelect
export type CertificateLine = typeof certificateLines.$inferSelect
export type Certificate = typeof certificates.$inferSelect

/**
 * One roster import (名簿の取り込み): an uploaded CSV or a registrar sync. Its rows are
 * checked into roster_import_rows first (the preview); applying writes them to the
 * directory all at once, or not at all.
 */
export const rosterImports = sqliteTable(
  'roster_imports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    universityId: text('university_id')
      .notNull()
      .references(() => universities.id),
    source: text('source', { enum: ROSTER_SOURCES }).notNull(),
    state: text('state', { enum: ROSTER_IMPORT_STATES }).notNull(),
    fileName: text('file_name'),
    /** Where the uploaded file waits while it is checked (R2), removed once applied or discarded. */
    fileKey: text('file_key'),
    /** utf-8, utf-8-bom or cp932: as detected. */
    encoding: text('encoding'),
    totalRows: integer('total_rows').notNull().default(0),
    checkedRows: integer('checked_rows').notNull().default(0),
    newCount: integer('new_count').notNull().default(0),
    changedCount: integer('changed_count').notNull().default(0),
    leavingCount: integer('leaving_count').notNull().default(0),
    unchangedCount: integer('unchanged_count').notNull().default(0),
    rejectedCount: integer('rejected_count').notNull().default(0),
    /** Why the import as a whole failed (an unreadable file), for the console. */
    error: text('error'),
    /** The staff member who uploaded or asked for the sync; null: the nightly cron. */
    createdBy: integer('created_by'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    appliedAt: integer('applied_at'),
    appliedBy: integer('applied_by'),
  },
  (t) => [index('roster_imports_university').on(t.universityId, t.createdAt)],
)

/** One row of an import as checked: what it would change, or why it is rejected. */
export const rosterImportRows = sqliteTable(
  'roster_import_rows',
  {
    importId: integer('import_id')
      .notNull()
      .references(() => rosterImports.id),
    /** The line in the file (1 = the header), or the position in the registrar's list. */
    line: integer('line').notNull(),
    userId: text('user_id'),
    nameKana: text('name_kana'),
    name: text('name'),
    status: text('status', { enum: STUDENT_STATUSES }),
    leftOn: text('left_on'),
    /** Already in the service's or a documented legacy format: never a plain password. */
    passwordHash: text('password_hash'),
    change: text('change', { enum: ROSTER_CHANGES }).notNull(),
    /** Why a row is rejected: a message key of the console's catalogue, with its detail. */
    reason: text('reason'),
  },
  (t) => [
    primaryKey({ columns: [t.importId, t.line] }),
    index('roster_import_rows_change').on(t.importId, t.change, t.line),
    index('roster_import_rows_user').on(t.importId, t.userId),
  ],
)

import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

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
  /** 残高上限額 in yen. */
  balanceCap: integer('balance_cap').notNull(),
  minCharge: integer('min_charge').notNull().default(1),
  chargeStep: integer('charge_step').notNull().default(1),
  /** JSON array of enabled payment method codes. */
  paymentMethods: text('payment_methods').notNull(),
  paymentDeadlineDays: integer('payment_deadline_days').notNull(),
  /** JSON array of { start, end } ISO-8601 instants: the fiscal-year-end blackout periods. */
  fiscalYearEndBlackouts: text('fiscal_year_end_blackouts').notNull().default('[]'),
  createdAt: createdAt(),
})

/** Which hostnames serve which university. */
export const universityHosts = sqliteTable('university_hosts', {
  hostname: text('hostname').primaryKey(),
  universityId: text('university_id')
    .notNull()
    .references(() => universities.id),
})

/**
 * The university's own directory of people (ユーザID + university password), as the
 * university would hand it to us. The D1 directory adapter authenticates against it.
 */
export const directoryPeople = sqliteTable(
  'directory_people',
  {
    universityId: text('university_id')
      .notNull()
      .references(() => universities.id),
    userId: text('user_id').notNull(),
    passwordHash: text('password_hash').notNull(),
    nameKana: text('name_kana').notNull(),
  },
  (t) => [primaryKey({ columns: [t.universityId, t.userId] })],
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
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('mail_log_created').on(t.createdAt)],
)

/** Payment-provider notifications as received from the queue, one row per provider event. */
export const paymentNotifications = sqliteTable('payment_notifications', {
  eventId: text('event_id').primaryKey(),
  provider: text('provider').notNull(),
  type: text('type').notNull(),
  payload: text('payload').notNull(),
  receivedAt: integer('received_at').notNull(),
  /** Set when delivery gave up and the message reached the dead-letter queue. */
  deadLetteredAt: integer('dead_lettered_at'),
})

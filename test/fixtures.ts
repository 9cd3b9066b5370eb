import {
  DEMO_HOSTS,
  DEMO_STAFF,
  DEMO_STAFF_PASSWORD,
  DEMO_TOTP_SECRET,
  DEMO_UNIVERSITY,
} from '../src/db/demo'
import { env } from 'cloudflare:workers'
import { hashSecret } from '../src/security/crypto'
import { sealTotpSecret, totpKeys } from '../src/security/totpSeal'

/** Directory people the tests log in as. Each test file uses its own, so files stay independent. */
export const PASSWORD = 'univpass'
/** A university password that happens to satisfy every second-password rule. */
export const STRONG_UNIVERSITY_PASSWORD = 'Univ2024pass'

export const PEOPLE = [
  ...Array.from({ length: 300 }, (_, i) => ({
    userId: `test${String(i + 1).padStart(4, '0')}`,
    nameKana: 'テスト ハナコ',
    password: PASSWORD,
  })),
  { userId: 'strong01', nameKana: 'ツヨイ タロウ', password: STRONG_UNIVERSITY_PASSWORD },
  // Certificate orders (test/integration/certificates.test.ts): the registrar twin is given
  // each one's record by the test that uses it.
  ...Array.from({ length: 40 }, (_, i) => ({
    userId: `cert${String(i + 1).padStart(2, '0')}`,
    nameKana: 'タカハシ サキコ',
    password: PASSWORD,
  })),
  // Fuzzing the certificate forms and /verify (test/integration/fuzz.test.ts), given their
  // registrar records there.
  ...Array.from({ length: 4 }, (_, i) => ({
    userId: `certf${String(i + 1).padStart(2, '0')}`,
    nameKana: 'ファズ ハナコ',
    password: PASSWORD,
  })),
  // The student's messages (test/integration/student-words*.test.ts, issue 22).
  ...Array.from({ length: 12 }, (_, i) => ({
    userId: `words${String(i + 1).padStart(2, '0')}`,
    nameKana: 'コトバ ハナコ',
    password: PASSWORD,
  })),
  // Retention and the data download (test/integration/retention.test.ts, my-data.test.ts).
  ...Array.from({ length: 40 }, (_, i) => ({
    userId: `test${1201 + i}`,
    nameKana: 'テスト ハナコ',
    password: PASSWORD,
  })),
  // The console's 再チャージ and refund mails (test/integration/console-retry.test.ts): cards
  // of their own at the M.I.C. twin, which every test file shares.
  ...Array.from({ length: 12 }, (_, i) => ({
    userId: `retry${String(i + 1).padStart(2, '0')}`,
    nameKana: 'テスト ハナコ',
    password: PASSWORD,
  })),
]

export const SECOND_UNIVERSITY = {
  ...DEMO_UNIVERSITY,
  id: 'second',
  name: 'セカンド大学',
  nameEn: 'Second University',
  legalName: '学校法人 セカンド学園',
  legalNameEn: 'Second Gakuen Educational Foundation',
  mailFromNameEn: 'Second University M.I.C. Online Charge',
  cardMoneyDesk: 'セカンド大学 学生課',
  cardMoneyDeskEn: 'Student Affairs Office, Second University',
  callCentrePhone: '03-0000-0000',
  mailFrom: 'noreply@second-u.example',
  // A university with its own rules: fewer methods, a ¥500 step, a lower cap.
  balanceCap: 10000,
  minCharge: 500,
  chargeStep: 500,
  paymentMethods: JSON.stringify(['credit_card', 'cvs_lawson', 'paypay']),
}

/** Seeds D1 the way scripts/seed.ts does for `npm start`, with fewer people. */
export const seed = async (db: D1Database, pepper: string) => {
  // Each password is hashed once and its hash stored for everyone who has it: a PBKDF2 hash
  // at 100,000 iterations for each of ~400 people was most of every test file's setup (the
  // seed runs per file). One salt shared by test accounts with the same password proves the
  // same things; tests of hashing itself make their own.
  const hashes = new Map<string, Promise<string>>()
  const hashOnce = (password: string) => {
    let hash = hashes.get(password)
    if (!hash) hashes.set(password, (hash = hashSecret(password, pepper)))
    return hash
  }
  const insertUniversity = (u: typeof DEMO_UNIVERSITY) =>
    db
      .prepare(
        `INSERT OR IGNORE INTO universities (id, name, name_en, legal_name, call_centre_name, call_centre_phone, call_centre_hours, mail_from, mail_from_name, balance_cap, min_charge, charge_step, payment_methods, payment_deadline_days, fiscal_year_end_blackouts, gateway_account, staff_alert_email, certificate_settings, legal_name_en, call_centre_name_en, call_centre_hours_en, mail_from_name_en, card_money_desk, card_money_desk_en)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        u.id,
        u.name,
        u.nameEn,
        u.legalName,
        u.callCentreName,
        u.callCentrePhone,
        u.callCentreHours,
        u.mailFrom,
        u.mailFromName,
        u.balanceCap,
        u.minCharge,
        u.chargeStep,
        u.paymentMethods,
        u.paymentDeadlineDays,
        u.fiscalYearEndBlackouts,
        u.gatewayAccount,
        u.staffAlertEmail,
        u.certificateSettings,
        u.legalNameEn,
        u.callCentreNameEn,
        u.callCentreHoursEn,
        u.mailFromNameEn,
        u.cardMoneyDesk,
        u.cardMoneyDeskEn,
      )
  const people = await Promise.all(
    PEOPLE.map(async (p) =>
      db
        .prepare(
          'INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (?, ?, ?, ?)',
        )
        .bind(DEMO_UNIVERSITY.id, p.userId, await hashOnce(p.password), p.nameKana),
    ),
  )
  const secondPerson = db
    .prepare(
      'INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (?, ?, ?, ?)',
    )
    .bind(SECOND_UNIVERSITY.id, 'test0001', await hashOnce(PASSWORD), 'セカンド ハナコ')
  const secondStudent = db
    .prepare(
      'INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (?, ?, ?, ?)',
    )
    .bind(SECOND_UNIVERSITY.id, 'second02', await hashOnce(PASSWORD), 'セカンド ジロウ')
  await db.batch([
    insertUniversity(DEMO_UNIVERSITY),
    insertUniversity(SECOND_UNIVERSITY),
    db.prepare(
      "INSERT OR IGNORE INTO university_hosts (hostname, university_id) VALUES ('second.example', 'second')",
    ),
    // As npm start seeds them: production mode (which has no fallback host) serves demo here.
    ...DEMO_HOSTS.map((h) =>
      db
        .prepare('INSERT OR IGNORE INTO university_hosts (hostname, university_id) VALUES (?, ?)')
        .bind(h, DEMO_UNIVERSITY.id),
    ),
    ...people,
    secondPerson,
    secondStudent,
    // The console's demo accounts as npm start seeds them (demo2's member serves 'second').
    ...(await Promise.all(
      DEMO_STAFF.map(async (m) =>
        db
          .prepare(
            'INSERT OR IGNORE INTO staff_members (email, name, role, university_id, password_hash, totp_secret) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .bind(
            m.email,
            m.name,
            m.role,
            m.universityId === 'demo2' ? SECOND_UNIVERSITY.id : m.universityId,
            await hashOnce(DEMO_STAFF_PASSWORD),
            // Sealed, as the demo seed writes it (src/security/totpSeal.ts).
            await sealTotpSecret(await totpKeys(env.TOTP_KEYS), DEMO_TOTP_SECRET, m.email),
          ),
      ),
    )),
  ])
}

// Writes the demo seed as SQL (the university, its hosts, and demo0001…demo1000 in its
// directory) and applies it to the local D1. Hashing 1,000 passwords takes a while, so the
// SQL is cached under .wrangler/ and reused while the pepper is unchanged.
// Run with Node 24 (type stripping): `node scripts/seed.ts`.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import {
  DEMO2_HOSTS,
  DEMO2_STUDENT,
  DEMO2_UNIVERSITY,
  DEMO_HOSTS,
  DEMO_PASSWORD,
  DEMO_STAFF,
  DEMO_STAFF_PASSWORD,
  DEMO_TOTP_SECRET,
  DEMO_UNIVERSITY,
  demoStudents,
} from '../src/db/demo.ts'
import { sealTotpSecret, totpKeys } from '../src/security/totpSeal.ts'
import { hashSecret as hash, ITERATIONS, readDevVar, readPepper, sqlValue as q } from './secrets.ts'

const pepper = readPepper()
// The console's TOTP secrets are sealed under the development TOTP_KEYS, as the service writes them.
const totpKeyConfig = readDevVar('TOTP_KEYS')
const key = createHash('sha256')
  .update(`${pepper}|${ITERATIONS}|${JSON.stringify(DEMO_UNIVERSITY)}|${totpKeyConfig}|v4`)
  .digest('hex')
  .slice(0, 16)
const file = `.wrangler/seed-${key}.sql`

if (!existsSync(file)) {
  const started = Date.now()
  const u = DEMO_UNIVERSITY
  const university = (v: typeof DEMO_UNIVERSITY, hosts: readonly string[]) => [
    `INSERT INTO universities (id, name, name_en, legal_name, call_centre_name, call_centre_phone, call_centre_hours, mail_from, mail_from_name, balance_cap, min_charge, charge_step, payment_methods, payment_deadline_days, fiscal_year_end_blackouts, gateway_account, staff_alert_email, certificate_settings, legal_name_en, call_centre_name_en, call_centre_hours_en, mail_from_name_en, card_money_desk, card_money_desk_en) VALUES (${[v.id, v.name, v.nameEn, v.legalName, v.callCentreName, v.callCentrePhone, v.callCentreHours, v.mailFrom, v.mailFromName, v.balanceCap, v.minCharge, v.chargeStep, v.paymentMethods, v.paymentDeadlineDays, v.fiscalYearEndBlackouts, v.gatewayAccount, v.staffAlertEmail, v.certificateSettings, v.legalNameEn, v.callCentreNameEn, v.callCentreHoursEn, v.mailFromNameEn, v.cardMoneyDesk, v.cardMoneyDeskEn].map(q).join(', ')}) ON CONFLICT(id) DO NOTHING;`,
    ...hosts.map(
      (h) =>
        `INSERT OR IGNORE INTO university_hosts (hostname, university_id) VALUES (${q(h)}, ${q(v.id)});`,
    ),
  ]
  const lines = [
    ...university(DEMO_UNIVERSITY, DEMO_HOSTS),
    ...university(DEMO2_UNIVERSITY, DEMO2_HOSTS),
    `INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (${q(DEMO2_UNIVERSITY.id)}, ${q(DEMO2_STUDENT.userId)}, ${q(await hash(DEMO_PASSWORD, pepper))}, ${q(DEMO2_STUDENT.nameKana)});`,
  ]
  for (const m of DEMO_STAFF)
    lines.push(
      `INSERT OR IGNORE INTO staff_members (email, name, role, university_id, password_hash, totp_secret) VALUES (${[m.email, m.name, m.role, m.universityId, await hash(DEMO_STAFF_PASSWORD, pepper), await sealTotpSecret(await totpKeys(totpKeyConfig), DEMO_TOTP_SECRET, m.email)].map(q).join(', ')});`,
    )
  const people = demoStudents()
  const hashes: string[] = []
  // A few at a time: libuv's thread pool spreads them over the cores.
  for (let i = 0; i < people.length; i += 8) {
    hashes.push(
      ...(await Promise.all(people.slice(i, i + 8).map(() => hash(DEMO_PASSWORD, pepper)))),
    )
  }
  people.forEach((p, i) =>
    lines.push(
      `INSERT OR IGNORE INTO directory_people (university_id, user_id, password_hash, name_kana) VALUES (${q(u.id)}, ${q(p.userId)}, ${q(hashes[i]!)}, ${q(p.nameKana)});`,
    ),
  )
  mkdirSync('.wrangler', { recursive: true })
  writeFileSync(file, lines.join('\n') + '\n')
  console.log(
    `seed: hashed ${people.length} demo passwords in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
}

// `--persist-to=DIR` seeds another local state (the e2e run keeps its own).
const persist = process.argv.filter((a) => a.startsWith('--persist-to='))
execFileSync('wrangler', ['d1', 'execute', 'DB', '--local', `--file=${file}`, ...persist], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
console.log(
  'seed: demo (demo0001…demo1000), demo2 (demo2s001) and the console accounts are in the local D1',
)

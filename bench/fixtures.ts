// The benchmark's data, written as SQL into its own local D1 after the demo seed: every
// demo student with an account (e-mail and second password set), 100 finished
// applications for the student whose 申請一覧 is measured, and two unpaid applications for
// each of the 1,000 students for the end-to-end crediting run. The service clock is
// pinned to 12:00 JST today, away from M.I.C.'s nightly stop.
import { DEMO_UNIVERSITY, demoStudents } from '../src/db/demo.ts'
import { hashSecret, sqlValue as q } from '../scripts/secrets.ts'

export const SECOND_PASSWORD = 'bench-second-pass'
export const LIST_STUDENT = 'demo0001'
export const LIST_SIZE = 100
export const CREDIT_STUDENTS = 1000
export const CREDITS_PER_STUDENT = 2

export interface PaidEvent {
  eventId: string
  type: 'paid'
  paymentId: string
  merchantRef: string
  amount: number
  method: 'credit_card'
  occurredAt: number
}

const JST = 9 * 3600_000
const DAY = 86_400_000

export const noonJstOffset = (now = Date.now()) =>
  Math.floor((now + JST) / DAY) * DAY - JST + 12 * 3600_000 - now

export const benchFixtures = async (pepper: string, clockOffsetMs: number) => {
  const now = Date.now() + clockOffsetMs
  const u = DEMO_UNIVERSITY.id
  const secondHash = await hashSecret(SECOND_PASSWORD, pepper)
  const people = demoStudents()
  const lines = [
    `INSERT INTO dev_settings (key, value) VALUES ('clock_offset_ms', ${q(String(clockOffsetMs))}) ON CONFLICT(key) DO UPDATE SET value = excluded.value;`,
  ]
  people.forEach((p, i) =>
    lines.push(
      `INSERT INTO students (id, university_id, user_id, name_kana, email, second_password_hash, created_at) VALUES (${i + 1}, ${q(u)}, ${q(p.userId)}, ${q(p.nameKana)}, ${q(`${p.userId}@student.demo-u.example`)}, ${q(secondHash)}, ${now});`,
    ),
  )
  const listStudent = people.findIndex((p) => p.userId === LIST_STUDENT) + 1
  let id = 0
  const app = (
    student: number,
    amount: number,
    status: string,
    credit: string,
    paid: boolean,
    at: number,
  ) => {
    id++
    lines.push(
      `INSERT INTO applications (id, university_id, student_id, amount, payment_method, status, request_key, provider, provider_payment_id, payment_deadline, paid_at, credit_status, credited_at, created_at, updated_at) VALUES (${id}, ${q(u)}, ${student}, ${amount}, 'credit_card', ${q(status)}, ${q(`bench-${id}`)}, 'sandbox', ${q(`pay_bench_${id}`)}, ${at + DAY}, ${paid ? at : 'NULL'}, ${q(credit)}, ${credit === 'credited' ? at : 'NULL'}, ${at}, ${at});`,
    )
    return id
  }
  for (let i = 0; i < LIST_SIZE; i++)
    app(
      listStudent,
      1000 + (i % 10) * 100,
      'paid',
      'credited',
      true,
      now - (LIST_SIZE - i) * 60_000,
    )
  const events: PaidEvent[] = []
  for (let round = 0; round < CREDITS_PER_STUDENT; round++)
    for (let s = 1; s <= CREDIT_STUDENTS; s++) {
      const amount = 500 + ((s * 7 + round * 3) % 30) * 100
      const appId = app(s, amount, 'awaiting_payment', 'none', false, now)
      events.push({
        eventId: `evt_bench_${appId}`,
        type: 'paid',
        paymentId: `pay_bench_${appId}`,
        merchantRef: String(appId),
        amount,
        method: 'credit_card',
        occurredAt: now,
      })
    }
  return { sql: lines.join('\n') + '\n', events, listApplication: 1 }
}

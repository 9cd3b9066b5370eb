/**
 * The demo data shared by `npm start` (scripts/seed.ts) and the tests. Node loads it
 * directly, so its imports name their .ts files and import nothing that imports more.
 */
import { PAYMENT_METHODS } from '../domain/paymentMethods.ts'

/**
 * The demo university's certificates (CertificateSettings, domain/certificates.ts), stored
 * as JSON in universities.certificate_settings.
 */
export const DEMO_CERTIFICATE_SETTINGS = {
  catalogue: [
    {
      type: 'enrolment',
      languages: ['ja', 'en'],
      fee: 300,
      yearlyLimit: null,
      statuses: ['enrolled'],
      deliveries: ['pdf', 'post'],
    },
    {
      type: 'transcript',
      languages: ['ja', 'en'],
      fee: 300,
      yearlyLimit: null,
      statuses: ['enrolled', 'on_leave', 'graduated', 'withdrawn'],
      deliveries: ['pdf', 'post'],
    },
    {
      type: 'expected_graduation',
      languages: ['ja', 'en'],
      fee: 300,
      yearlyLimit: null,
      statuses: ['enrolled'],
      deliveries: ['pdf', 'post'],
    },
    {
      type: 'graduation',
      languages: ['ja', 'en'],
      fee: 300,
      yearlyLimit: null,
      statuses: ['graduated'],
      deliveries: ['pdf', 'post'],
    },
    {
      type: 'health',
      languages: ['ja', 'en'],
      fee: 200,
      yearlyLimit: null,
      statuses: ['enrolled'],
      deliveries: ['pdf', 'post'],
    },
    // 学割証: free, ten a year, on paper only (a station takes the original).
    {
      type: 'student_discount',
      languages: ['ja'],
      fee: 0,
      yearlyLimit: 10,
      statuses: ['enrolled'],
      deliveries: ['post'],
    },
  ],
  postage: { domestic: 140, international: 1200 },
  validityDays: 90,
  // The issuer's English name is the university's own (legalNameEn, 大学設定); this old place
  // stays empty (certificates read it only while legal_name_en is).
  issuerEn: '',
  office: {
    name: { ja: 'デモ大学 学務課 証明書係', en: 'Registrar’s Office, Demo University' },
    phone: '06-6809-4300',
    email: 'gakumu@demo-u.example',
  },
}

export const DEMO_UNIVERSITY = {
  id: 'demo',
  name: 'デモ大学',
  nameEn: 'Demo University',
  legalName: '学校法人 デモ学園',
  callCentreName: '証明書発行サービス コールセンター',
  callCentrePhone: '06-6809-4327',
  callCentreHours: '24時間',
  mailFrom: 'noreply@demo-u.example',
  mailFromName: 'デモ大学 M.I.C.オンラインチャージシステム',
  legalNameEn: 'Demo Gakuen Educational Foundation',
  callCentreNameEn: 'Online Service Call Centre',
  callCentreHoursEn: '24 hours a day',
  mailFromNameEn: 'Demo University M.I.C. Online Charge',
  cardMoneyDesk: 'デモ大学 学生支援課（本館1階、平日 9:00〜17:00、06-6809-4310）',
  cardMoneyDeskEn: 'Student Support Office, Demo University (Main Building 1F, weekdays 9:00–17:00, 06-6809-4310)',
  balanceCap: 20000,
  minCharge: 1,
  chargeStep: 1,
  paymentMethods: JSON.stringify(PAYMENT_METHODS),
  paymentDeadlineDays: 7,
  // 2027-03-31 20:00 JST to 2027-04-01 09:00 JST.
  fiscalYearEndBlackouts: JSON.stringify([
    { start: '2027-03-31T11:00:00Z', end: '2027-04-01T00:00:00Z' },
  ]),
  // Its merchant account at KOMOJU: the KOMOJU_SECRET_KEY / KOMOJU_WEBHOOK_SECRET secrets.
  gatewayAccount: 'default',
  staffAlertEmail: 'mic-alerts@demo-u.example',
  certificateSettings: JSON.stringify(DEMO_CERTIFICATE_SETTINGS),
}

export const DEMO_HOSTS = ['localhost', '127.0.0.1']

/**
 * A second university, so that one university's staff seeing only its own data can be tried
 * by hand: served on demo2.localhost (browsers resolve *.localhost to this machine).
 */
export const DEMO2_UNIVERSITY = {
  ...DEMO_UNIVERSITY,
  id: 'demo2',
  name: 'デモ第二大学',
  nameEn: 'Demo University 2',
  legalName: '学校法人 デモ第二学園',
  mailFrom: 'noreply@demo2-u.example',
  mailFromName: 'デモ第二大学 M.I.C.オンラインチャージシステム',
  legalNameEn: 'Demo Gakuen 2 Educational Foundation',
  mailFromNameEn: 'Demo University 2 M.I.C. Online Charge',
  cardMoneyDesk: 'デモ第二大学 学生課（平日 9:00〜17:00）',
  cardMoneyDeskEn: 'Student Affairs Office, Demo University 2 (weekdays 9:00–17:00)',
  // As the M.I.C. twin knows demo2 (twins/mic/wrangler.toml): its own cap, no fiscal-year stop.
  balanceCap: 30000,
  fiscalYearEndBlackouts: '[]',
  // Its own merchant at the KOMOJU twin: KOMOJU_SECRET_KEY_DEMO2 / KOMOJU_WEBHOOK_SECRET_DEMO2.
  gatewayAccount: 'demo2',
  staffAlertEmail: 'mic-alerts@demo2-u.example',
}
export const DEMO2_HOSTS = ['demo2.localhost']
/** demo2's one student (same university password as the demo students). */
export const DEMO2_STUDENT = { userId: 'demo2s001', nameKana: 'ニシ サクラ' }

/**
 * The console's demo accounts (development only, written in the README): one password and
 * one TOTP secret for all, so any authenticator app (or `npm run totp`) gives the code.
 */
export const DEMO_STAFF_PASSWORD = 'Staffpass2026'
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXP'
export const DEMO_STAFF = [
  { email: 'staff@demo.example', name: 'デモ スタッフ', role: 'staff', universityId: 'demo' },
  {
    email: 'callcenter@demo.example',
    name: 'コールセンター オペレーター',
    role: 'callcentre',
    universityId: null,
  },
  { email: 'admin@demo.example', name: 'デモ 管理者', role: 'admin', universityId: 'demo' },
  { email: 'staff@demo2.example', name: 'デモ第二 スタッフ', role: 'staff', universityId: 'demo2' },
  { email: 'operator@demo.example', name: 'デモ 運用者', role: 'operator', universityId: null },
] as const
export const DEMO_PASSWORD = 'univpass'
export const DEMO_STUDENT_COUNT = 1000

const FAMILY = [
  'ムコガワ',
  'タナカ',
  'スズキ',
  'サトウ',
  'タカハシ',
  'ワタナベ',
  'イトウ',
  'ヤマモト',
  'ナカムラ',
  'コバヤシ',
  'カトウ',
  'ヨシダ',
  'ヤマダ',
  'ササキ',
  'マツモト',
  'イノウエ',
  'キムラ',
]
const GIVEN = [
  'リン',
  'ハナコ',
  'ユイ',
  'サクラ',
  'アオイ',
  'ミサキ',
  'ナナミ',
  'ヒナ',
  'カエデ',
  'マイ',
  'アヤカ',
  'ミオ',
  'ユナ',
  'リコ',
  'エミ',
  'シオリ',
  'チヒロ',
  'モモカ',
  'ノゾミ',
]

export const demoUserId = (n: number) => `demo${String(n).padStart(4, '0')}`

/** demo0001 … demo1000, each with a katakana name. */
export const demoStudents = (count = DEMO_STUDENT_COUNT) =>
  Array.from({ length: count }, (_, i) => ({
    userId: demoUserId(i + 1),
    nameKana: `${FAMILY[i % FAMILY.length]} ${GIVEN[(i * 7) % GIVEN.length]}`,
  }))

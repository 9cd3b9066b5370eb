import type { GradeRow, Status, StoredRecord } from './record'

/**
 * The registrar's records as the twin starts with them (and returns to on reset): one for
 * every demo student demo0001…demo1000 of university `demo`, and demo2's demo2s001. Made
 * by a function of the student number alone, so every run sees the same records. The names
 * follow the service's demo roster (src/db/demo.ts: the family name cycles through 17, the
 * given name steps by 7 through 19) with the kanji and the registered romanisation the
 * registrar holds; the special students below are the registrar's own and may differ.
 */

export const DEMO_COUNT = 1000
export const demoUser = (n: number) => `demo${String(n).padStart(4, '0')}`

const FAMILY: readonly [string, string, string][] = [
  ['ムコガワ', '武庫川', 'MUKOGAWA'],
  ['タナカ', '田中', 'TANAKA'],
  ['スズキ', '鈴木', 'SUZUKI'],
  ['サトウ', '佐藤', 'SATO'],
  ['タカハシ', '高橋', 'TAKAHASHI'],
  ['ワタナベ', '渡辺', 'WATANABE'],
  ['イトウ', '伊藤', 'ITO'],
  ['ヤマモト', '山本', 'YAMAMOTO'],
  ['ナカムラ', '中村', 'NAKAMURA'],
  ['コバヤシ', '小林', 'KOBAYASHI'],
  ['カトウ', '加藤', 'KATO'],
  ['ヨシダ', '吉田', 'YOSHIDA'],
  ['ヤマダ', '山田', 'YAMADA'],
  ['ササキ', '佐々木', 'SASAKI'],
  ['マツモト', '松本', 'MATSUMOTO'],
  ['イノウエ', '井上', 'INOUE'],
  ['キムラ', '木村', 'KIMURA'],
]
const GIVEN: readonly [string, string, string][] = [
  ['リン', '凛', 'Rin'],
  ['ハナコ', '花子', 'Hanako'],
  ['ユイ', '結衣', 'Yui'],
  ['サクラ', '桜', 'Sakura'],
  ['アオイ', '葵', 'Aoi'],
  ['ミサキ', '美咲', 'Misaki'],
  ['ナナミ', '七海', 'Nanami'],
  ['ヒナ', '陽菜', 'Hina'],
  ['カエデ', '楓', 'Kaede'],
  ['マイ', '舞', 'Mai'],
  ['アヤカ', '彩花', 'Ayaka'],
  ['ミオ', '美緒', 'Mio'],
  ['ユナ', '優奈', 'Yuna'],
  ['リコ', '莉子', 'Riko'],
  ['エミ', '恵美', 'Emi'],
  ['シオリ', '栞', 'Shiori'],
  ['チヒロ', '千尋', 'Chihiro'],
  ['モモカ', '桃花', 'Momoka'],
  ['ノゾミ', '希', 'Nozomi'],
]

type Course = readonly [code: string, ja: string, en: string, credits: number]

interface Faculty {
  code: string
  faculty: [string, string]
  department: [string, string]
  degree: [string, string]
  courses: readonly Course[]
}

const COMMON: readonly Course[] = [
  ['GEN101', '英語コミュニケーションI', 'English Communication I', 2],
  ['GEN102', '英語コミュニケーションII', 'English Communication II', 2],
  ['GEN110', '情報リテラシー', 'Information Literacy', 2],
  ['GEN120', '日本国憲法', 'The Constitution of Japan', 2],
  ['GEN130', '健康・スポーツ科学', 'Health and Sports Science', 1],
  ['GEN140', 'キャリアデザイン', 'Career Design', 2],
]

const FACULTIES: readonly Faculty[] = [
  {
    code: 'E',
    faculty: ['経済学部', 'Faculty of Economics'],
    department: ['経済学科', 'Department of Economics'],
    degree: ['学士（経済学）', 'Bachelor of Economics'],
    courses: [
      ['ECO101', 'ミクロ経済学入門', 'Introduction to Microeconomics', 2],
      ['ECO102', 'マクロ経済学入門', 'Introduction to Macroeconomics', 2],
      ['ECO201', '計量経済学', 'Econometrics', 2],
      ['ECO210', '財政学', 'Public Finance', 2],
      ['ECO220', '金融論', 'Money and Banking', 2],
      ['ECO230', '日本経済史', 'Economic History of Japan', 2],
      ['ECO301', '国際経済学', 'International Economics', 2],
      ['ECO390', '経済学演習', 'Seminar in Economics', 4],
    ],
  },
  {
    code: 'L',
    faculty: ['文学部', 'Faculty of Letters'],
    department: ['日本語日本文学科', 'Department of Japanese Language and Literature'],
    degree: ['学士（文学）', 'Bachelor of Arts'],
    courses: [
      ['JLL101', '日本文学史', 'History of Japanese Literature', 2],
      ['JLL102', '日本語学概論', 'Introduction to Japanese Linguistics', 2],
      ['JLL201', '古典文学講読', 'Readings in Classical Literature', 2],
      ['JLL210', '近代文学論', 'Modern Japanese Literature', 2],
      ['JLL220', '漢文学', 'Sino-Japanese Literature', 2],
      ['JLL230', '書道', 'Calligraphy', 1],
      ['JLL301', '日本語教育学', 'Teaching Japanese as a Second Language', 2],
      ['JLL390', '日本文学演習', 'Seminar in Japanese Literature', 4],
    ],
  },
  {
    code: 'J',
    faculty: ['法学部', 'Faculty of Law'],
    department: ['法律学科', 'Department of Law'],
    degree: ['学士（法学）', 'Bachelor of Laws'],
    courses: [
      ['LAW101', '法学入門', 'Introduction to Law', 2],
      ['LAW102', '憲法I', 'Constitutional Law I', 2],
      ['LAW201', '民法総則', 'Civil Law: General Provisions', 4],
      ['LAW210', '刑法総論', 'Criminal Law: General Part', 2],
      ['LAW220', '行政法', 'Administrative Law', 2],
      ['LAW230', '商法', 'Commercial Law', 2],
      ['LAW301', '国際法', 'International Law', 2],
      ['LAW390', '法律学演習', 'Seminar in Law', 4],
    ],
  },
  {
    code: 'S',
    faculty: ['理工学部', 'Faculty of Science and Engineering'],
    department: ['情報科学科', 'Department of Information Science'],
    degree: ['学士（理学）', 'Bachelor of Science'],
    courses: [
      ['INF101', 'プログラミング基礎', 'Fundamentals of Programming', 2],
      ['INF102', '線形代数', 'Linear Algebra', 2],
      ['INF201', 'データ構造とアルゴリズム', 'Data Structures and Algorithms', 2],
      ['INF210', '確率統計', 'Probability and Statistics', 2],
      ['INF220', 'オペレーティングシステム', 'Operating Systems', 2],
      ['INF230', '情報科学実験', 'Laboratory Work in Information Science', 4],
      ['INF301', '機械学習', 'Machine Learning', 2],
      ['INF390', '卒業研究', 'Graduation Research', 4],
    ],
  },
]

/** A small deterministic generator (mulberry32), seeded by the student. */
const random = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(r: () => number, list: readonly T[]) => list[Math.floor(r() * list.length)]!
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const DAY = 86_400_000

/** Grades, most of them A or B; a few S, C and the odd F. */
const GRADE_WEIGHTS: readonly [GradeRow['grade'], number][] = [
  ['S', 0.15],
  ['A', 0.35],
  ['B', 0.3],
  ['C', 0.14],
  ['F', 0.06],
]
const gradeOf = (r: () => number): GradeRow['grade'] => {
  let x = r()
  for (const [g, w] of GRADE_WEIGHTS) if ((x -= w) < 0) return g
  return 'B'
}

/**
 * The terms whose grades are in: every term from entry to 2026 spring (the grades of
 * 2026 fall are not in yet), at most eight; four courses a term, the faculty's and the
 * common ones, and a 認定 (P) for an internship in the second year.
 */
const gradesFor = (r: () => number, f: Faculty, entry: number, lastYear = 2026): GradeRow[] => {
  const terms: [number, 'spring' | 'fall'][] = []
  for (let y = entry; y <= lastYear && terms.length < 8; y++) {
    terms.push([y, 'spring'])
    if (y < lastYear || lastYear < 2026) terms.push([y, 'fall'])
  }
  const pool = [...COMMON, ...f.courses]
  const grades: GradeRow[] = []
  terms.forEach(([year, term], i) => {
    // Courses in order of the curriculum, four a term, never the same one twice.
    for (let k = 0; k < 4; k++) {
      const c = pool[(i * 4 + k) % pool.length]!
      if (grades.some((g) => g.code === c[0])) continue
      grades.push({
        code: c[0],
        course: { ja: c[1], en: c[2] },
        year,
        term,
        credits: c[3],
        grade: gradeOf(r),
      })
    }
    if (year === entry + 1 && term === 'fall')
      grades.push({
        code: 'CAR200',
        course: { ja: 'インターンシップ', en: 'Internship' },
        year,
        term,
        credits: 2,
        grade: 'P',
      })
  })
  return grades
}

const healthFor = (r: () => number, year: number) => ({
  checked_on: `${year}-04-${String(8 + Math.floor(r() * 20)).padStart(2, '0')}`,
  height_cm: Math.round((150 + r() * 25) * 10) / 10,
  weight_kg: Math.round((42 + r() * 25) * 10) / 10,
  vision: {
    right: pick(r, ['1.5', '1.2', '1.0', '0.8', '0.5']),
    left: pick(r, ['1.5', '1.2', '1.0', '0.8', '0.5']),
    corrected: r() < 0.4,
  },
  chest_xray: { ja: '異常なし', en: 'No abnormal findings' },
  overall: { ja: '異常なし', en: 'No abnormality' },
})

const UNPAID_FEES = {
  code: 'unpaid_fees',
  description: { ja: '学費未納（2026年度後期）', en: 'Tuition unpaid (fall semester 2026)' },
  since: '2026-10-31',
}

/** One student's record as the registrar holds it, from the student number n alone. */
const demoRecord = (n: number): StoredRecord => {
  const i = n - 1
  const r = random(n * 2654435761)
  const [familyKana, familyKanji, familyRoman] = FAMILY[i % FAMILY.length]!
  const [givenKana, givenKanji, givenRoman] = GIVEN[(i * 7) % GIVEN.length]!
  let name = {
    kanji: `${familyKanji} ${givenKanji}`,
    kana: `${familyKana} ${givenKana}`,
    roman: `${familyRoman} ${givenRoman}`,
  }
  let status: Status = 'enrolled'
  // Entered in 2023…2026: first to fourth year in the academic year 2026.
  let entry = 2023 + (n % 4)
  let f = FACULTIES[n % FACULTIES.length]!
  let leave: StoredRecord['leave'] = null
  let leftOn: string | null = null
  let holds: StoredRecord['holds'] = []
  let graduation: StoredRecord['graduation'] = { on: `${entry + 4}-03-20`, expected: true }
  let lastYear = 2026

  if (n === 991 || n === 992) {
    status = 'graduated'
    entry = 2022
    lastYear = 2025
    if (n === 991) f = FACULTIES[0]! // 経済学部: 学士（経済学）
    graduation = { on: '2026-03-20', expected: false }
  }
  if (n === 993) {
    status = 'on_leave'
    leave = { from: '2026-10-01', to: '2027-03-31' }
    // A half year away puts graduation back by one.
    graduation = { on: `${entry + 5}-03-20`, expected: true }
  }
  if (n === 994) holds = [UNPAID_FEES]
  if (n === 995) {
    status = 'withdrawn'
    graduation = null
    leftOn = '2026-09-30'
  }
  if (n === 996) name = { kanji: '髙橋 﨑子', kana: 'タカハシ サキコ', roman: 'TAKAHASHI Sakiko' }
  if (n === 997) name = { kanji: '山﨑 希', kana: 'ヤマサキ ノゾミ', roman: 'YAMASAKI Nozomi' }

  // Born between 2 April and 1 April eighteen years before entry (the school year).
  const born = Date.UTC(entry - 19, 3, 2) + Math.floor(r() * 365) * DAY
  const grades = gradesFor(r, f, entry, lastYear)
  return {
    student_number: `${String(entry % 100).padStart(2, '0')}${f.code}${String(n).padStart(4, '0')}`,
    status,
    name,
    date_of_birth: iso(born),
    faculty: { ja: f.faculty[0], en: f.faculty[1] },
    department: { ja: f.department[0], en: f.department[1] },
    enrolled_on: `${entry}-04-01`,
    graduation,
    left_on: leftOn,
    degree: status === 'withdrawn' ? null : { ja: f.degree[0], en: f.degree[1] },
    leave,
    grades,
    health: n === 998 ? null : healthFor(r, lastYear),
    holds,
  }
}

/** demo2's one student: a second-year in the Faculty of Law. */
const demo2Record = (): StoredRecord => {
  const r = random(20_001)
  const f = FACULTIES[2]!
  return {
    student_number: '25J0001',
    status: 'enrolled',
    name: { kanji: '西 咲良', kana: 'ニシ サクラ', roman: 'NISHI Sakura' },
    date_of_birth: '2006-08-14',
    faculty: { ja: f.faculty[0], en: f.faculty[1] },
    department: { ja: f.department[0], en: f.department[1] },
    enrolled_on: '2025-04-01',
    graduation: { on: '2029-03-20', expected: true },
    left_on: null,
    degree: { ja: f.degree[0], en: f.degree[1] },
    leave: null,
    grades: gradesFor(r, f, 2025),
    health: healthFor(r, 2026),
    holds: [],
  }
}

/**
 * When every seeded record last changed, as the registrar's list of changes tells it: the
 * start of the academic year 2026 (a fixed instant, so a run from any clock sees the same).
 */
export const SEEDED_AT = Date.parse('2026-04-01T00:00:00+09:00')

const DEMO_USER = /^demo(\d{4})$/

/** The seeded record of a student, or null when the registrar starts without one. */
export const seededRecord = (university: string, user: string): StoredRecord | null => {
  if (university === 'demo2') return user === 'demo2s001' ? demo2Record() : null
  if (university !== 'demo') return null
  const m = DEMO_USER.exec(user)
  const n = m ? Number(m[1]) : 0
  return n >= 1 && n <= DEMO_COUNT ? demoRecord(n) : null
}

/** Every seeded student, as [university, user]. */
export const seededStudents = (): [string, string][] => [
  ...Array.from({ length: DEMO_COUNT }, (_, i): [string, string] => ['demo', demoUser(i + 1)]),
  ['demo2', 'demo2s001'],
]

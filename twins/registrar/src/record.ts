import { z } from 'zod'

/**
 * A student's record as the registrar (学務システム) keeps it and answers it: snake_case
 * JSON, dates as YYYY-MM-DD. GPA and credits earned are not stored: the registrar derives
 * them from the grades every time, so a changed grade changes them.
 */

export const CERTIFICATES = [
  'enrolment',
  'transcript',
  'expected_graduation',
  'graduation',
  'health',
  'student_discount',
] as const
export type Certificate = (typeof CERTIFICATES)[number]

/** 在学, 休学, 卒業, 退学, 除籍 (removed by the university: unpaid fees, the years ran out …). */
export const STATUSES = ['enrolled', 'on_leave', 'graduated', 'withdrawn', 'expelled'] as const
export type Status = (typeof STATUSES)[number]

export const GRADES = ['S', 'A', 'B', 'C', 'F', 'P'] as const
/** Grade points; P (認定) earns credits but no points and stays out of the GPA. */
const POINTS: Record<string, number> = { S: 4, A: 3, B: 2, C: 1, F: 0 }

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a date')
const text = z.string().trim().min(1).max(200)
const bilingual = z.object({ ja: text, en: text })

const grade = z.object({
  code: z.string().regex(/^[A-Z0-9-]{2,16}$/),
  course: bilingual,
  year: z.number().int().min(1900).max(2200),
  term: z.enum(['spring', 'fall', 'full_year']),
  credits: z.number().int().min(0).max(20),
  grade: z.enum(GRADES),
})

const health = z.object({
  checked_on: day,
  height_cm: z.number().min(50).max(250),
  weight_kg: z.number().min(20).max(300),
  vision: z.object({ right: z.string().max(8), left: z.string().max(8), corrected: z.boolean() }),
  chest_xray: bilingual,
  overall: bilingual,
})

export const holdSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, 'a code like unpaid_fees'),
  description: bilingual,
  since: day,
})
export type Hold = z.infer<typeof holdSchema>

/** What the registrar stores of a student (everything but the derived GPA and credits). */
export const storedRecord = z.object({
  student_number: z.string().regex(/^[A-Z0-9]{4,16}$/),
  status: z.enum(STATUSES),
  name: z.object({
    kanji: text,
    kana: text,
    // The romanisation as registered (passport Hepburn): FAMILY Given.
    roman: z.string().regex(/^[A-Z][A-Z' -]*[A-Z] [A-Z][A-Za-z' -]*$/, 'FAMILY Given'),
  }),
  date_of_birth: day,
  faculty: bilingual,
  department: bilingual,
  enrolled_on: day,
  graduation: z.object({ on: day, expected: z.boolean() }).nullable(),
  // 退学日 / 除籍日 as the office recorded it (a graduate left on graduation.on); records
  // written before the registrar kept it read as null.
  left_on: day.nullable().default(null),
  degree: bilingual.nullable(),
  leave: z.object({ from: day, to: day }).nullable(),
  grades: z.array(grade).max(400),
  health: health.nullable(),
  holds: z.array(holdSchema).max(20),
})
export type StoredRecord = z.infer<typeof storedRecord>

export type GradeRow = StoredRecord['grades'][number]

/**
 * GPA the usual way: Σ(points × credits) / Σ credits over graded courses (F counts, P does
 * not), two decimals; null before the first grade.
 */
export const gpaOf = (grades: readonly GradeRow[]) => {
  let points = 0
  let credits = 0
  for (const g of grades) {
    const p = POINTS[g.grade]
    if (p === undefined) continue
    points += p * g.credits
    credits += g.credits
  }
  return credits === 0 ? null : Math.round((points / credits) * 100) / 100
}

/** Credits earned: every passed course (P included, F not). */
export const creditsEarnedOf = (grades: readonly GradeRow[]) =>
  grades.filter((g) => g.grade !== 'F').reduce((n, g) => n + g.credits, 0)

/** The record as the API answers it: the stored one with the user and the derived figures. */
export const answered = (userId: string, r: StoredRecord) => ({
  user_id: userId,
  ...r,
  gpa: gpaOf(r.grades),
  credits_earned: creditsEarnedOf(r.grades),
})
export type AnsweredRecord = ReturnType<typeof answered>

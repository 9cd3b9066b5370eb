import { eq, sql } from 'drizzle-orm'
import type { Deps, Student } from '../context'
import { students } from '../db/schema'
import { brokenSecondPasswordRules, type SecondPasswordRule } from '../domain/secondPassword'
import type { TextKey, Translator } from '../i18n'
import { hashSecret } from '../security/crypto'
import type { FieldErrors } from '../views/components'

const RULE_TEXT: Record<SecondPasswordRule, TextKey> = {
  minLength: 'ruleMinLength',
  upper: 'ruleUpper',
  lower: 'ruleLower',
  digit: 'ruleDigit',
  onlyAlnum: 'ruleOnlyAlnum',
}

/** The form fields every new-second-password form (設定, 変更, 再設定) uses. */
export interface NewSecondPasswordForm {
  second_password: string
  second_password_confirm: string
}

/**
 * Checks a new second password against every rule of manual §2.2 and its confirmation,
 * and that it is not the student's university password. Empty when it may be set.
 * `label` names the field in messages (第2パスワード, or 新しい第2パスワード when changing).
 */
export const newSecondPasswordErrors = async (
  deps: Deps,
  tr: Translator,
  student: Pick<Student, 'universityId' | 'userId'>,
  form: NewSecondPasswordForm,
  label: TextKey,
): Promise<FieldErrors> => {
  const field = tr.t(label)
  const broken = brokenSecondPasswordRules(form.second_password)
  if (broken.length > 0) {
    return {
      second_password: {
        text: tr.t('secondPasswordBrokenRules', { field }),
        items: broken.map((r) => tr.t(RULE_TEXT[r])),
      },
    }
  }
  if (form.second_password !== form.second_password_confirm) {
    return { second_password_confirm: { text: tr.t('secondPasswordMismatch', { field }) } }
  }
  if (
    await deps.directory.authenticate(student.universityId, student.userId, form.second_password)
  ) {
    return { second_password: { text: tr.t('secondPasswordIsUniversityPassword') } }
  }
  return {}
}

/**
 * Stores a new second password. `endOtherSessions` bumps the credential epoch, which
 * ends every session opened before; the caller re-issues its own.
 */
export const storeSecondPassword = async (
  deps: Deps,
  studentId: number,
  password: string,
  endOtherSessions: boolean,
) =>
  deps.db
    .update(students)
    .set({
      secondPasswordHash: await hashSecret(password, deps.pepper),
      ...(endOtherSessions ? { credentialEpoch: sql`${students.credentialEpoch} + 1` } : {}),
    })
    .where(eq(students.id, studentId))
    .returning()
    .get()

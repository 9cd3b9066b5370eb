import type { Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { isConsoleKey, type ConsoleKey, type ConsoleText } from '../../i18n/console'
import type { FieldError, FieldErrors } from '../../views/components'
import { formValidator } from '../forms'

/**
 * The console's forms, checked like the student's (routes/forms.ts): zod for shape with
 * codes as messages, turned into the console's wording here, and a bad form re-rendered on
 * its own page with the problems named.
 */
export const requiredField = (max: number) =>
  z
    .string({ error: 'required' })
    .trim()
    .min(1, { error: 'required' })
    .max(max, { error: 'tooLong' })

export const optionalText = (max: number) =>
  z.string({ error: 'tooLong' }).trim().max(max, { error: 'tooLong' }).default('')

export const secretText = (max: number) =>
  z.string({ error: 'required' }).min(1, { error: 'required' }).max(max, { error: 'tooLong' })

export const errorsFromConsoleIssues = (
  issues: readonly z.core.$ZodIssue[],
  labels: Record<string, ConsoleKey>,
  ct: ConsoleText,
): FieldErrors => {
  const errors: FieldErrors = {}
  for (const issue of issues) {
    const name = String(issue.path[0] ?? '')
    if (errors[name] || !(name in labels)) continue
    const field = ct(labels[name]!)
    const error: FieldError =
      issue.message === 'tooLong' && issue.code === 'too_big'
        ? { text: ct('tooLong', { field, max: Number(issue.maximum) }) }
        : issue.message !== 'required' && issue.message !== 'tooLong' && isConsoleKey(issue.message)
          ? { text: ct(issue.message, { field }) }
          : { text: ct('required', { field }) }
    errors[name] = error
  }
  return errors
}

/**
 * A console form, checked like the student's (routes/forms.ts). A refinement may use any
 * console key as its message (`{ error: 'invalidEmail' }`); it is shown with `{field}`
 * filled in.
 */
export const consoleForm = <T extends z.ZodType>(
  schema: T,
  labels: Record<string, ConsoleKey>,
  onInvalid: (
    c: Context<AppEnv>,
    errors: FieldErrors,
    raw: unknown,
  ) => Response | Promise<Response>,
) =>
  formValidator(
    schema,
    (issues, c) => errorsFromConsoleIssues(issues, labels, c.get('ct')),
    onInvalid,
  )

/** Only the string fields of what was posted, to refill a form (never secrets). */
export { refill } from '../forms'

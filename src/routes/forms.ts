import { zValidator } from '@hono/zod-validator'
import type { Context, MiddlewareHandler } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../context'
import type { TextKey, Translator } from '../i18n'
import type { FieldError, FieldErrors } from '../views/components'

/**
 * Form fields are checked in two steps: zod for shape (present, a string, not too long),
 * then the domain rules in the handler. zod messages are codes, turned into the
 * student's language here.
 */
export const requiredText = (max: number) =>
  z
    .string({ error: 'required' })
    .trim()
    .min(1, { error: 'required' })
    .max(max, { error: 'tooLong' })

/** The client's address, for login throttling (the student's and the console's logins). */
export const clientOf = (c: Context<AppEnv>) => c.req.header('cf-connecting-ip') ?? 'unknown'

/** A secret is never trimmed: spaces would be a broken rule, not noise. */
export const requiredSecret = (max: number) =>
  z.string({ error: 'required' }).min(1, { error: 'required' }).max(max, { error: 'tooLong' })

export const optionalSecret = (max: number) =>
  z.string({ error: 'required' }).max(max, { error: 'tooLong' }).default('')

export const errorsFromIssues = (
  issues: readonly z.core.$ZodIssue[],
  labels: Record<string, TextKey>,
  tr: Translator,
): FieldErrors => {
  const errors: FieldErrors = {}
  for (const issue of issues) {
    const name = String(issue.path[0] ?? '')
    if (errors[name] || !(name in labels)) continue
    const field = tr.t(labels[name]!)
    const error: FieldError =
      issue.message === 'tooLong' && issue.code === 'too_big'
        ? { text: tr.t('tooLong', { field, max: Number(issue.maximum) }) }
        : { text: tr.t('required', { field }) }
    errors[name] = error
  }
  return errors
}

/** Only the string fields of what was posted, to refill a form (never secrets). */
export const refill = (data: unknown, names: readonly string[]): Record<string, string> => {
  const out: Record<string, string> = {}
  const record = (data ?? {}) as Record<string, unknown>
  for (const n of names)
    if (typeof record[n] === 'string') out[n] = (record[n] as string).slice(0, 300)
  return out
}

/**
 * zValidator for a form whose bad input re-renders the same page with the problems
 * named: never a bare 400. `toErrors` turns zod's issues into the page's messages.
 */
export const formValidator = <T extends z.ZodType>(
  schema: T,
  toErrors: (issues: readonly z.core.$ZodIssue[], c: Context<AppEnv>) => FieldErrors,
  onInvalid: (
    c: Context<AppEnv>,
    errors: FieldErrors,
    raw: unknown,
  ) => Response | Promise<Response>,
): MiddlewareHandler<AppEnv, string, { in: { form: z.input<T> }; out: { form: z.output<T> } }> =>
  // The hook's context is the app's; zValidator cannot infer it through this wrapper.
  zValidator('form', schema, async (result, context) => {
    if (!result.success) {
      const c = context as unknown as Context<AppEnv>
      c.status(422)
      return onInvalid(c, toErrors(result.error.issues, c), result.data)
    }
  }) as never

/** A student form: messages in the student's language (labels from the student catalogue). */
export const validForm = <T extends z.ZodObject>(
  schema: T,
  labels: Record<keyof z.infer<T> & string, TextKey>,
  onInvalid: (
    c: Context<AppEnv>,
    errors: FieldErrors,
    raw: unknown,
  ) => Response | Promise<Response>,
) => formValidator(schema, (issues, c) => errorsFromIssues(issues, labels, c.get('tr')), onInvalid)

/**
 * What only the operator (運用者) sets on a university, beside the 大学設定 an administrator
 * edits (domain/settings.ts, where the retention of leavers' data is too): its id and its
 * gateway account. Plain functions over what the form sent.
 */
import type { SettingsProblem } from './settings'

/**
 * A university's id: lower-case letters, digits and hyphens, 2–32, starting with a letter. It
 * becomes part of secret names (REGISTRAR_API_KEY_<ID>) and of M.I.C.'s and the registrar's
 * URLs, and never changes once created.
 */
const UNIVERSITY_ID = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/

/**
 * A gateway account name: "default" (KOMOJU_SECRET_KEY) or a name NAME whose secrets are
 * KOMOJU_SECRET_KEY_NAME / KOMOJU_WEBHOOK_SECRET_NAME.
 */
const GATEWAY_ACCOUNT = /^[a-z][a-z0-9_]{0,30}$/

export const UNIVERSITY_ACCOUNT_FIELDS = ['id', 'gateway_account'] as const
export type UniversityAccountField = (typeof UNIVERSITY_ACCOUNT_FIELDS)[number]
export type UniversityAccountForm = Record<UniversityAccountField, string>

export type UniversityAccountProblem =
  SettingsProblem | { code: 'idInvalid' } | { code: 'idTaken' } | { code: 'gatewayAccountInvalid' }

export interface UniversityAccount {
  id: string
  gatewayAccount: string
}

export type UniversityAccountReading =
  | { ok: true; account: UniversityAccount }
  | { ok: false; problems: Partial<Record<UniversityAccountField, UniversityAccountProblem>> }

type Read<T> = { value: T } | { problem: UniversityAccountProblem }

const slug = (raw: string, pattern: RegExp, invalid: UniversityAccountProblem): Read<string> => {
  const v = raw.trim().toLowerCase()
  if (v === '') return { problem: { code: 'required' } }
  return pattern.test(v) ? { value: v } : { problem: invalid }
}

/** Reads the operator's own fields; the id only when a university is created (it never changes). */
export const readUniversityAccount = (
  form: UniversityAccountForm,
  opts: { creating: boolean },
): UniversityAccountReading => {
  const problems: Partial<Record<UniversityAccountField, UniversityAccountProblem>> = {}
  const take = <T>(field: UniversityAccountField, r: Read<T>): T | undefined => {
    if ('problem' in r) {
      problems[field] = r.problem
      return undefined
    }
    return r.value
  }
  const id = opts.creating
    ? take('id', slug(form.id, UNIVERSITY_ID, { code: 'idInvalid' }))
    : form.id
  const gatewayAccount = take(
    'gateway_account',
    slug(form.gateway_account, GATEWAY_ACCOUNT, { code: 'gatewayAccountInvalid' }),
  )
  if (Object.keys(problems).length > 0) return { ok: false, problems }
  return {
    ok: true,
    account: { id: id!, gatewayAccount: gatewayAccount! },
  }
}

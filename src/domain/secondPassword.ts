/** The manual's five second-password rules (§2.2), in the manual's order. */
export const SECOND_PASSWORD_RULES = ['minLength', 'upper', 'lower', 'digit', 'onlyAlnum'] as const
export type SecondPasswordRule = (typeof SECOND_PASSWORD_RULES)[number]

const checks: Record<SecondPasswordRule, (p: string) => boolean> = {
  minLength: (p) => p.length >= 8,
  upper: (p) => /[A-Z]/.test(p),
  lower: (p) => /[a-z]/.test(p),
  digit: (p) => /[0-9]/.test(p),
  onlyAlnum: (p) => /^[A-Za-z0-9]*$/.test(p),
}

/** Every rule the candidate breaks, so the form can name each one. Empty means acceptable. */
export const brokenSecondPasswordRules = (candidate: string): SecondPasswordRule[] =>
  SECOND_PASSWORD_RULES.filter((rule) => !checks[rule](candidate))

/** Upper bound on what we hash: long enough for any real password, short enough to bound CPU. */
export const SECRET_MAX_LENGTH = 128

import { section } from './section'

/** The console's triage wording; every key starts with `triage`. */
export const triage = section({
  ja: {},
  en: {},
})

import { section } from './section'

/** The console's admin wording; every key starts with `admin`. */
export const admin = section({
  ja: {},
  en: {},
})

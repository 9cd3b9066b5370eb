import { section } from './section'

/** The console's applications wording; every key starts with `applications`. */
export const applications = section({
  ja: {},
  en: {},
})

import { section } from './section'

/** The console's students wording; every key starts with `students`. */
export const students = section({
  ja: {},
  en: {},
})

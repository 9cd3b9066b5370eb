import { section } from './section'

/** The console's reconcile wording; every key starts with `reconcile`. */
export const reconcile = section({
  ja: {},
  en: {},
})

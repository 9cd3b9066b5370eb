import type { TextKey } from './i18n'

/** The one error type: a code the error page turns into a message, and an HTTP status. */
export class AppError extends Error {
  constructor(
    readonly code: 'notFound' | 'unknownHost' | 'csrf' | 'badRequest',
    readonly status: 404 | 403 | 400,
  ) {
    super(code)
  }
}

export const ERROR_TEXT: Record<AppError['code'], { title: TextKey; message: TextKey }> = {
  notFound: { title: 'notFoundTitle', message: 'notFound' },
  unknownHost: { title: 'unknownHostTitle', message: 'unknownHost' },
  csrf: { title: 'forbiddenTitle', message: 'csrfFailed' },
  badRequest: { title: 'badRequestTitle', message: 'badRequest' },
}

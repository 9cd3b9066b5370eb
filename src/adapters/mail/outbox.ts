import type { MailTransport } from './index'

/**
 * Development delivery: the mail goes nowhere but the mail log, whose body column is
 * kept in development, and /_dev/mail shows it.
 */
export class OutboxTransport implements MailTransport {
  readonly name = 'outbox'
  async deliver() {}
}

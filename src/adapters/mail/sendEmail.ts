import type { Mail, MailTransport } from './index'

/** Cloudflare Email Service through the `send_email` binding. */
export class SendEmailTransport implements MailTransport {
  readonly name = 'send_email'
  constructor(private readonly binding: SendEmail) {}

  async deliver(mail: Mail) {
    await this.binding.send({
      from: { email: mail.from.address, name: mail.from.name },
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
    })
  }
}

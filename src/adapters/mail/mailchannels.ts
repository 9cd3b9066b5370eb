import type { Mail, MailTransport } from './index'

/** The MailChannels Email API (`POST /tx/v1/send` with an API key). */
export class MailChannelsTransport implements MailTransport {
  readonly name = 'mailchannels'
  constructor(
    private readonly apiKey: string,
    private readonly endpoint: string,
    // Wrapped: Workers refuse a global fetch called as a method of another object.
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async deliver(mail: Mail) {
    const res = await this.fetcher(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: mail.to }] }],
        from: { email: mail.from.address, name: mail.from.name },
        subject: mail.subject,
        content: [{ type: 'text/plain; charset=utf-8', value: mail.text }],
      }),
    })
    if (!res.ok)
      throw new Error(`MailChannels answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
  }
}

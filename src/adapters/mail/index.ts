/** One outgoing mail, plain text (the manual's mails are plain text). */
export interface Mail {
  from: { address: string; name: string }
  to: string
  subject: string
  text: string
}

/** A way of delivering mail. `deliver` throws when the mail was not accepted. */
export interface MailTransport {
  readonly name: string
  deliver(mail: Mail): Promise<void>
}

import type { Db } from '../../db'
import { mailLog } from '../../db/schema'
import type { Clock } from '../../domain/time'
import type { Mail, MailTransport } from './index'
import { MailChannelsTransport } from './mailchannels'
import { OutboxTransport } from './outbox'
import { SendEmailTransport } from './sendEmail'

export interface Mailer {
  /** Delivers and records the mail; resolves to whether it was accepted. Never throws. */
  send(
    mail: Mail & { kind: string; universityId: string; applicationId?: number },
  ): Promise<boolean>
}

/** Picks the transport named by MAIL_TRANSPORT. */
export const transportFor = (
  env: Pick<Env, 'MAIL_TRANSPORT' | 'EMAIL' | 'MAILCHANNELS_API_KEY' | 'MAILCHANNELS_API_URL'>,
): MailTransport => {
  switch (env.MAIL_TRANSPORT) {
    case 'outbox':
      return new OutboxTransport()
    case 'mailchannels':
      return new MailChannelsTransport(env.MAILCHANNELS_API_KEY, env.MAILCHANNELS_API_URL)
    case 'send_email':
      return new SendEmailTransport(env.EMAIL)
    default:
      throw new Error(`Unknown MAIL_TRANSPORT: ${env.MAIL_TRANSPORT}`)
  }
}

/**
 * Every mail is recorded with its outcome. Bodies may carry one-time URLs, so they are
 * stored only when `keepBodies` (development).
 */
export const recordingMailer = (deps: {
  db: Db
  clock: Clock
  transport: MailTransport
  keepBodies: boolean
}): Mailer => ({
  async send(mail) {
    let error: string | null = null
    try {
      await deps.transport.deliver(mail)
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
      console.error('mail delivery failed', {
        kind: mail.kind,
        transport: deps.transport.name,
        error,
      })
    }
    await deps.db.insert(mailLog).values({
      universityId: mail.universityId,
      toAddress: mail.to,
      subject: mail.subject,
      kind: mail.kind,
      transport: deps.transport.name,
      result: error ? 'failed' : 'sent',
      error,
      body: deps.keepBodies ? mail.text : null,
      applicationId: mail.applicationId ?? null,
      createdAt: deps.clock(),
    })
    return error === null
  },
})

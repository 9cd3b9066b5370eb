import type { mailLog } from '../../db/schema'
import { formatJstDateTime } from '../../domain/time'

type MailRow = typeof mailLog.$inferSelect

const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g

/** A mail body with its URLs as links; everything else stays text (escaped by JSX). */
const Linked = ({ text }: { text: string }) => (
  <>
    {text.split(URL_PATTERN).map((part, i) => (i % 2 === 1 ? <a href={part}>{part}</a> : part))}
  </>
)

/** Development only: every mail the service has sent, newest first. */
export const DevMailPage = ({ mails }: { mails: MailRow[] }) => (
  <>
    <p>
      Development outbox: {mails.length} mail(s), newest first. <a href="/_dev/mail">Reload</a>
    </p>
    {mails.map((m) => (
      <article class="card mail" data-mail-id={m.id} data-to={m.toAddress} data-kind={m.kind}>
        <h2>{m.subject}</h2>
        <dl>
          <dt>To</dt>
          <dd class="mono">{m.toAddress}</dd>
          <dt>Time</dt>
          <dd>{formatJstDateTime(m.createdAt)}</dd>
          <dt>Kind / transport / result</dt>
          <dd>
            {m.kind} / {m.transport} / {m.result}
            {m.error ? ` (${m.error})` : ''}
          </dd>
        </dl>
        <pre class="mail-body">{m.body === null ? '(body not kept)' : <Linked text={m.body} />}</pre>
      </article>
    ))}
  </>
)

import { failImport } from './flows/roster/imports'
import { checkChunk, rosterChunk } from './flows/roster/upload'
import { servicesFor } from './services'

export const ROSTER_QUEUE = 'roster-imports'
/** wrangler.toml's max_retries for the roster queue: the last delivery marks the import failed. */
export const ROSTER_MAX_RETRIES = 5

/**
 * The roster queue's consumer: each message is one chunk of an uploaded roster to check
 * (flows/roster/upload.ts checkChunk). A chunk that fails is retried; one that fails on
 * its last delivery fails its import, which the console then shows, instead of an import
 * left checking for ever.
 */
export async function rosterQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const s = await servicesFor(env)
  for (const message of batch.messages) {
    const parsed = rosterChunk.safeParse(message.body)
    if (!parsed.success) {
      console.error('malformed roster chunk', { id: message.id })
      message.ack()
      continue
    }
    try {
      await checkChunk(s, env.ROSTER_UPLOADS, env.PEPPER, parsed.data)
      message.ack()
    } catch (error) {
      console.error('roster chunk not checked', {
        importId: parsed.data.importId,
        attempts: message.attempts,
        error: String(error),
        stack: (error as Error).stack,
      })
      if (message.attempts > ROSTER_MAX_RETRIES) {
        await failImport(s, parsed.data.importId, 'checkFailed').catch(() => undefined)
        message.ack()
      } else message.retry({ delaySeconds: 10 * message.attempts })
    }
  }
}

import { queue } from './queue'
import { ROSTER_QUEUE, rosterQueue } from './rosterQueue'

/**
 * Each queue to its consumer, for both workers (index.ts, index.dev.ts): the roster's
 * chunks, else the payment notifications (and their dead letters).
 */
export const queues: ExportedHandlerQueueHandler<Env> = (batch, env, ctx) =>
  batch.queue === ROSTER_QUEUE ? rosterQueue(batch, env) : queue(batch, env, ctx)

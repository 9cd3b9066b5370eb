import { database, type Db } from '../db'
import { devSettings } from '../db/schema'
import { systemClock, type Clock } from '../domain/time'

const OFFSET_KEY = 'clock_offset_ms'

/**
 * The service's clock. In development it can be moved (/_dev/clock) to see blackout
 * windows and deadlines without waiting for them; the offset lives in D1 so the worker,
 * the queue consumer, the cron, the Durable Objects and the local M.I.C. all agree.
 * Production never reads it.
 */
export const clockFor = async (db: Db, devMode: boolean): Promise<Clock> => {
  if (!devMode) return systemClock
  const offset = await devClockOffset(db)
  return offset === 0 ? systemClock : () => Date.now() + offset
}

/**
 * A request's clock. Production's is the system's. In development the offset is learnt in the
 * request's first D1 batch (flows/firstReads.ts), so the movable clock costs no round trip
 * of its own; nothing reads the clock before that batch (the middleware runs it first).
 */
export const requestClock = (devMode: boolean) => {
  let offset = 0
  const clock: Clock = devMode ? () => Date.now() + offset : systemClock
  return {
    clock,
    learnOffset: (ms: number) => {
      offset = ms
    },
  }
}

/** The development clock's statement, read in a request's first batch (development only). */
export const DEV_CLOCK_SQL = `SELECT value FROM dev_settings WHERE key = '${OFFSET_KEY}'`
export const offsetOf = (row: { value: string } | null | undefined) => {
  const offset = Number(row?.value ?? 0)
  return Number.isFinite(offset) ? offset : 0
}

/** The time now by the service clock, for code that holds only the bindings. */
export const serviceNow = async (env: Pick<Env, 'DB' | 'APP_ENV'>) =>
  (await clockFor(database(env.DB), env.APP_ENV === 'development'))()

export const devClockOffset = async (db: Db) => {
  // Plain SQL: development reads it on every request, and drizzle's query builder costs
  // more CPU than the query (bench/profile.ts).
  return offsetOf(await db.$client.prepare(DEV_CLOCK_SQL).first<{ value: string }>())
}

export const setDevClockOffset = async (db: Db, offsetMs: number) => {
  await db
    .insert(devSettings)
    .values({ key: OFFSET_KEY, value: String(Math.round(offsetMs)) })
    .onConflictDoUpdate({ target: devSettings.key, set: { value: String(Math.round(offsetMs)) } })
}

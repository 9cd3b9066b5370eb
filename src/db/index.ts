import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1'

export type Db = DrizzleD1Database & { $client: D1Database }

const handles = new WeakMap<D1Database, Db>()

/**
 * The drizzle handle for a D1 binding, one per binding and isolate. Built without the
 * schema: the service uses the query builder only (never `db.query`), and building the
 * relational configuration cost about 1.6 ms of CPU on every request (bench/profile.ts).
 */
export const database = (d1: D1Database): Db => {
  let db = handles.get(d1)
  if (!db) {
    db = drizzle(d1) as Db
    handles.set(d1, db)
  }
  return db
}

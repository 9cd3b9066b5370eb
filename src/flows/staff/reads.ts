import { getTableColumns, type Table } from 'drizzle-orm'

// The console's busiest pages (要対応, 申請詳細) read everything they show in ONE D1
// `batch()`: one round trip after the session, however many tables they draw on. Their
// statements are plain SQL, with columns from the schema (db/columns.ts): drizzle's query
// builder and row mapping cost more CPU than the queries themselves (bench/profile.ts).

export type Row = Record<string, unknown>

/** A statement and how its rows become what the caller wants. */
export interface Read<T> {
  statement: D1PreparedStatement
  decode: (rows: Row[]) => T
}

/** A condition of a WHERE: plain SQL, or SQL with its `?` values in order; null: left out. */
export type Condition = string | readonly [string, ...unknown[]] | null

/** A statement from its head (SELECT … FROM …), conditions and tail (ORDER BY …). */
export const select = <T>(
  d1: D1Database,
  head: string,
  conditions: readonly Condition[],
  tail: string,
  tailValues: readonly unknown[],
  decode: (rows: Row[]) => T,
): Read<T> => {
  const where: string[] = []
  const values: unknown[] = []
  for (const c of conditions) {
    if (c === null) continue
    if (typeof c === 'string') where.push(c)
    else {
      where.push(c[0])
      values.push(...c.slice(1))
    }
  }
  const sql = `${head}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${tail}`
  return { statement: d1.prepare(sql).bind(...values, ...tailValues), decode }
}

type Decoded<T extends readonly Read<unknown>[]> = {
  [K in keyof T]: T[K] extends Read<infer R> ? R : never
}

/** Runs reads in one D1 batch (one round trip) and decodes each one's rows. */
export const batchOf = async <T extends readonly Read<unknown>[]>(
  d1: D1Database,
  reads: T,
): Promise<Decoded<T>> => {
  if (reads.length === 0) return [] as unknown as Decoded<T>
  const results = await d1.batch<Row>(reads.map((r) => r.statement))
  return reads.map((r, i) => r.decode(results[i]!.results)) as unknown as Decoded<T>
}

/**
 * A table's row as drizzle would give it, from a plain select of `selectColumns(table, …)`:
 * SQLite keeps booleans as 0 and 1, drizzle's boolean columns read them as true and false.
 * Every other column the console reads is stored as it is read (integers, texts).
 */
export const rowDecoder = <T>(table: Table) => {
  const booleans = Object.entries(getTableColumns(table))
    .filter(([, column]) => column.columnType === 'SQLiteBoolean')
    .map(([key]) => key)
  return (row: Row): T => {
    for (const key of booleans) if (key in row) row[key] = Boolean(row[key])
    return row as T
  }
}

import { getTableColumns, type Table } from 'drizzle-orm'

/**
 * A table's columns for a plain SQL select, each aliased to the name drizzle gives it
 * (`name_kana AS "nameKana"`), built once from the schema so it cannot drift from it. For
 * the queries every request runs, where drizzle's query builder costs more CPU than the
 * query itself (bench/profile.ts).
 */
export const selectColumns = (table: Table, alias: string) =>
  Object.entries(getTableColumns(table))
    .map(([key, column]) => `${alias}.${column.name} AS "${key}"`)
    .join(', ')

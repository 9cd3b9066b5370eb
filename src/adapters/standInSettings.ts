/**
 * The switches of the local stand-ins (M.I.C. twin, sandbox gateway): one JSON value per
 * key in the Durable Object's own `settings` table, read over the given defaults.
 */
export const SETTINGS_TABLE =
  'CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);'

export const readSetting = <T extends object>(sql: SqlStorage, key: string, defaults: T): T => {
  const row = sql
    .exec<{ value: string }>('SELECT value FROM settings WHERE key = ?', key)
    .toArray()[0]
  return row ? { ...defaults, ...(JSON.parse(row.value) as Partial<T>) } : defaults
}

export const writeSetting = (sql: SqlStorage, key: string, value: object) => {
  sql.exec(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    key,
    JSON.stringify(value),
  )
}

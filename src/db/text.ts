import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'

// Text searches that hold at any length. D1 refuses a LIKE or GLOB pattern of more than 50
// bytes (its documented limit), which a 17-character kana name or a long e-mail address
// already is: instr() and substr() take a term of any length and read its % and _ as
// themselves, so nothing typed needs escaping.

/** `column` contains `term`. */
export const containsText = (column: SQLWrapper | SQL, term: string): SQL =>
  sql`instr(${column}, ${term}) > 0`

/** `column` begins with `prefix`. */
export const startsWithText = (column: SQLWrapper | SQL, prefix: string): SQL =>
  sql`substr(${column}, 1, ${[...prefix].length}) = ${prefix}`

/** A clock is passed in wherever time matters, so rules can be tested at any instant. */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()

const JST_OFFSET_MS = 9 * 60 * 60 * 1000
const pad = (n: number) => String(n).padStart(2, '0')

/** The wall-clock parts of an instant in Asia/Tokyo (no daylight saving, always UTC+9). */
export const jstParts = (ms: number) => {
  const d = new Date(ms + JST_OFFSET_MS)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  }
}

/** "2024/07/19 22:09", the manual's format for 前回ログイン日時. */
export const formatJstDateTime = (ms: number): string => {
  const p = jstParts(ms)
  return `${p.year}/${pad(p.month)}/${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`
}

/** "2024/07/19". */
export const formatJstDate = (ms: number): string => {
  const p = jstParts(ms)
  return `${p.year}/${pad(p.month)}/${pad(p.day)}`
}

/** "2024年7月19日 21時59分", the manual's format for 支払日 in mails. */
export const formatJstJapanese = (ms: number): string => {
  const p = jstParts(ms)
  return `${p.year}年${p.month}月${p.day}日 ${p.hour}時${pad(p.minute)}分`
}

/** "21:59". */
export const formatJstTime = (ms: number): string => {
  const p = jstParts(ms)
  return `${pad(p.hour)}:${pad(p.minute)}`
}

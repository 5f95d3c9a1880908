/** A budget period: `used` counts the current one only (UTC boundaries). */
export type Period = 'none' | 'day' | 'week' | 'month'

/** The UTC period that contains `now`, as epoch milliseconds; `null`s for `none`. */
export function periodBounds(
  period: Period,
  now: number,
): { start: number | null; end: number | null } {
  if (period === 'none') return { start: null, end: null }
  const date = new Date(now)
  const year = date.getUTCFullYear()
  const month = date.getUTCMonth()
  const day = date.getUTCDate()
  if (period === 'day') {
    return { start: Date.UTC(year, month, day), end: Date.UTC(year, month, day + 1) }
  }
  if (period === 'week') {
    // ISO weeks start on Monday: getUTCDay() is 0 for Sunday.
    const sinceMonday = (date.getUTCDay() + 6) % 7
    return {
      start: Date.UTC(year, month, day - sinceMonday),
      end: Date.UTC(year, month, day - sinceMonday + 7),
    }
  }
  return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) }
}

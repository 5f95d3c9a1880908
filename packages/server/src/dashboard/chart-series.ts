/** One coloured series of a stacked chart: a value per day. */
export interface ChartSeries {
  label: string
  /** CSS class that colours it (`s0`…`s7`, `s-other`, …). */
  className: string
  values: number[]
}

/** At most this many series get their own colour; the rest are summed into "Other". */
export const MAX_SERIES = 6

/**
 * Turns grouped rows (a day, a key such as an agent, and a value) into chart series over
 * `days`: the `max` keys with the largest totals in their own colours, largest first, and the
 * rest summed as "Other". Days with no row count 0.
 */
export function seriesByTop<Row>(
  rows: readonly Row[],
  days: readonly string[],
  pick: (row: Row) => { day: string; key: string; value: number },
  max = MAX_SERIES,
): ChartSeries[] {
  const dayIndex = new Map(days.map((day, index) => [day, index]))
  const totals = new Map<string, number>()
  const picked = rows.map(pick)
  for (const row of picked) totals.set(row.key, (totals.get(row.key) ?? 0) + row.value)
  const ranked = [...totals.entries()]
    .sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : 1))
    .map(([key]) => key)
  const own = ranked.slice(0, ranked.length > max ? max - 1 : max)
  const series = new Map<string, ChartSeries>(
    own.map((key, index) => [
      key,
      { label: key, className: `s${index}`, values: days.map(() => 0) },
    ]),
  )
  const other: ChartSeries = { label: 'Other', className: 's-other', values: days.map(() => 0) }
  for (const row of picked) {
    const index = dayIndex.get(row.day)
    if (index === undefined) continue
    const target = series.get(row.key) ?? other
    target.values[index] = (target.values[index] ?? 0) + row.value
  }
  const result = [...series.values()]
  if (own.length < ranked.length) result.push(other)
  return result
}

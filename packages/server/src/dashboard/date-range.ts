/** The ranges the range picker offers, in days. */
export const RANGE_PRESETS = [7, 14, 30, 90] as const

/** The range a page shows when none is asked for. */
export const DEFAULT_RANGE_DAYS = 14

/** The longest custom range, in days (a year and a day, so any calendar year fits). */
export const MAX_RANGE_DAYS = 366

const DAY_MS = 86_400_000
const datePattern = /^\d{4}-\d{2}-\d{2}$/

/** A span of whole UTC days. */
export interface DateRange {
  /** First day, `YYYY-MM-DD` (inclusive). */
  first: string
  /** Last day, `YYYY-MM-DD` (inclusive). */
  last: string
  /** Every day of the range, in order. */
  days: string[]
  /** `7`, `14`, `30` or `90` for a preset; `null` for custom dates. */
  preset: number | null
  /** For the API: `since` (inclusive) and `until` (exclusive), ISO dates. */
  since: string
  until: string
}

/** `YYYY-MM-DD` of an epoch-ms time, UTC. */
export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10)
}

function parseDay(value: string | undefined): number | undefined {
  if (value === undefined || !datePattern.test(value)) return undefined
  const time = Date.parse(`${value}T00:00:00Z`)
  // Date.parse accepts 2026-02-31 (as March 3rd): only a round trip proves the date is real.
  return Number.isNaN(time) || utcDay(time) !== value ? undefined : time
}

function rangeOf(firstTime: number, lastTime: number, preset: number | null): DateRange {
  const days: string[] = []
  for (let time = firstTime; time <= lastTime; time += DAY_MS) days.push(utcDay(time))
  return {
    first: utcDay(firstTime),
    last: utcDay(lastTime),
    days,
    preset,
    since: utcDay(firstTime),
    until: utcDay(lastTime + DAY_MS),
  }
}

/**
 * The range a page's query asks for: `range=7|14|30|90` (days up to today), or `from` and
 * `to` dates (inclusive, UTC). Anything else falls back to the default, with a message saying
 * why, so a bad link still shows a page.
 */
export function parseDateRange(
  query: { range?: string | undefined; from?: string | undefined; to?: string | undefined },
  now: number,
): { range: DateRange; error: string | null } {
  const today = Date.parse(`${utcDay(now)}T00:00:00Z`)
  const preset = (days: number) => rangeOf(today - (days - 1) * DAY_MS, today, days)
  if (query.from !== undefined || query.to !== undefined) {
    const from = parseDay(query.from)
    const to = parseDay(query.to)
    if (from === undefined || to === undefined) {
      return { range: preset(DEFAULT_RANGE_DAYS), error: 'From and to must be dates (YYYY-MM-DD).' }
    }
    if (from > to) {
      return { range: preset(DEFAULT_RANGE_DAYS), error: 'The range must start before it ends.' }
    }
    if ((to - from) / DAY_MS + 1 > MAX_RANGE_DAYS) {
      return {
        range: preset(DEFAULT_RANGE_DAYS),
        error: `A range may span at most ${MAX_RANGE_DAYS} days.`,
      }
    }
    return { range: rangeOf(from, to, null), error: null }
  }
  if (query.range === undefined) return { range: preset(DEFAULT_RANGE_DAYS), error: null }
  const days = Number(query.range)
  if (!(RANGE_PRESETS as readonly number[]).includes(days)) {
    return { range: preset(DEFAULT_RANGE_DAYS), error: 'Unknown range; showing the default.' }
  }
  return { range: preset(days), error: null }
}

/** The query string that selects `range` again (to keep it across links). */
export function rangeQuery(range: DateRange): Record<string, string> {
  return range.preset === null
    ? { from: range.first, to: range.last }
    : { range: String(range.preset) }
}

import { z } from 'zod'

/** The largest number of units any field accepts (`api.md`: at most 10^15). */
export const MAX_UNITS = 1_000_000_000_000_000

/** Message for a schema's issues: "is required" when the field is absent, else `message`. */
export function fieldError(message: string): (issue: { input: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : message)
}

const unitsMessage = 'must be a non-negative integer no greater than 10^15'

/** Units: a non-negative integer, at most 10^15. No fraction, string, `null` or negative. */
export function units(description: string) {
  const error = fieldError(unitsMessage)
  return z
    .number({ error })
    .int({ error })
    .min(0, { error })
    .max(MAX_UNITS, { error })
    .meta({ description })
}

/** A positive count of units (grants). */
export function positiveUnits(description: string) {
  const error = fieldError('must be a positive integer no greater than 10^15')
  return z
    .number({ error })
    .int({ error })
    .min(1, { error })
    .max(MAX_UNITS, { error })
    .meta({ description })
}

// Control characters (C0, DEL, C1) are what the contract forbids in caller-chosen ids.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to match them
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/
// A lone surrogate (from a JSON escape like "\ud800") is not valid UTF-8 text.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Printable text of 1–`maxLength` characters: no control characters, valid UTF-16. */
export function printable(description: string, maxLength = 200) {
  const message = `must be 1–${maxLength} printable characters (no control characters)`
  const error = fieldError(message)
  return (
    z
      .string({ error })
      .min(1, { error })
      // Characters are code points, as JSON Schema's maxLength counts them: an emoji is one
      // character, not the two UTF-16 units zod's .max() would count.
      .refine(
        (value) =>
          codePoints(value, maxLength) <= maxLength &&
          !controlCharacters.test(value) &&
          !loneSurrogate.test(value),
        { error: message },
      )
      // The refinement is invisible to JSON Schema; maxLength and the pattern document it.
      .meta({ description, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]+$' })
  )
}

/** The number of code points in `value`, counting no further than `limit + 1`. */
function codePoints(value: string, limit: number): number {
  // Fewer UTF-16 units than the limit means fewer code points too: the common case costs nothing.
  if (value.length <= limit) return value.length
  let count = 0
  for (const _ of value) if (++count > limit) break
  return count
}

/** A caller-chosen identifier (`agent_id`, `customer_id`, `run_id`, idempotency keys). */
export function identifier(description: string) {
  return printable(description, 200)
}

/** An id the server made (`rsv_…`, `key_…`): any short printable string; unknown ones are 404. */
export function serverId(description: string) {
  return printable(description, 200)
}

/** A JSON object of at most 4 KiB serialized (UTF-8). */
export function metadata(description: string) {
  const message = 'must be a JSON object of at most 4 KiB serialized'
  return z
    .record(z.string(), z.unknown(), { error: fieldError(message) })
    .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= 4096, { error: message })
    .meta({ description })
}

/** A time in a query string: ISO 8601 date-time with offset, or a date (UTC midnight). */
export function timeQuery(description: string) {
  const message = 'must be an ISO 8601 date-time (e.g. 2026-01-31T00:00:00Z) or date (2026-01-31)'
  return z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: fieldError(message) })
    .meta({ description })
}

/** A page size in a query string: 1..200, default 50. */
export function limitQuery() {
  const error = fieldError('must be an integer from 1 to 200')
  return z.coerce
    .number({ error })
    .int({ error })
    .min(1, { error })
    .max(200, { error })
    .meta({ description: 'Page size, 1–200.', default: 50 })
}

/** A timestamp in a response: ISO 8601, UTC. */
export function timestamp(description: string) {
  return z.string().meta({ description, format: 'date-time' })
}

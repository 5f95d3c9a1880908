// What the SDK adds to a stream part that differs between two identical calls: its timing
// measurements (ai 7 `performance`), and the ids and timestamps a real provider makes up (in
// parts and in `providerMetadata`).
const VARYING_KEYS = new Set(['id', 'timestamp', 'itemId', 'responseId'])

/**
 * A stream part without what differs between two identical calls, to compare the parts a caller
 * gets through the middleware with those of the bare model. Text-block ids (`text-start.id`,
 * `text-delta.id`) are kept when `keepIds` is set, which the mock models make stable.
 */
export function stablePart(part: unknown, keepIds = true): unknown {
  return JSON.parse(
    JSON.stringify(part, (key, value: unknown) => {
      if (key === 'performance') return undefined
      if (!keepIds && VARYING_KEYS.has(key)) return undefined
      return value
    }),
  )
}

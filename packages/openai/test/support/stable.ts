const VOLATILE = new Set(['id', 'created', 'created_at', 'item_id', 'call_id'])

/**
 * A streamed chunk or event without what differs between two identical requests to the fake
 * (ids, timestamps), for comparing a gated stream with a bare one.
 */
export function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !VOLATILE.has(key))
      .map(([key, entry]) => [key, stable(entry)]),
  )
}

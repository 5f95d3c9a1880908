/** The first backoff delay, doubled on every further attempt. */
const INITIAL_DELAY_MS = 500
/** The longest backoff delay. */
const MAX_DELAY_MS = 8000
/** The longest server-requested wait (`Retry-After`) the client honours. */
const MAX_RETRY_AFTER_MS = 60_000

/**
 * How long to wait before retry number `retry` (0 for the first retry): the server's
 * `retry-after-ms` or `Retry-After` (seconds or an HTTP date) when it is between 0 and 60 s,
 * else exponential backoff from 0.5 s, doubling, capped at 8 s, with up to 25% jitter subtracted
 * so that many clients do not retry in step.
 */
export function retryDelay(
  retry: number,
  headers: Headers | undefined,
  random: () => number = Math.random,
  now: () => number = Date.now,
): number {
  const requested = requestedDelay(headers, now)
  if (requested !== undefined && requested >= 0 && requested <= MAX_RETRY_AFTER_MS) return requested
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS)
  return Math.round(base * (1 - random() * 0.25))
}

function requestedDelay(headers: Headers | undefined, now: () => number): number | undefined {
  if (headers === undefined) return undefined
  const milliseconds = headers.get('retry-after-ms')
  if (milliseconds !== null && milliseconds.trim() !== '') {
    const value = Number(milliseconds)
    if (Number.isFinite(value)) return value
  }
  const retryAfter = headers.get('retry-after')
  if (retryAfter === null || retryAfter.trim() === '') return undefined
  const seconds = Number(retryAfter)
  if (Number.isFinite(seconds)) return seconds * 1000
  const date = Date.parse(retryAfter)
  return Number.isNaN(date) ? undefined : date - now()
}

/** Whether an answer with this status may succeed when sent again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

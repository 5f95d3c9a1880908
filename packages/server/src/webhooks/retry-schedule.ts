const MINUTE = 60_000
const HOUR = 60 * MINUTE

/**
 * How long to wait after each failed attempt before the next: exponential at first, then
 * capped at 8 hours, about 24 hours in all (plus jitter), as Stripe and Lago retry for a day or
 * more. The n-th entry follows the n-th failed attempt.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
  8 * HOUR,
]

/** Attempts per delivery: the first, then one per retry delay. */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1

/** The largest share of a delay added as random jitter (so retries to one endpoint spread). */
export const WEBHOOK_RETRY_JITTER = 0.1

/**
 * The wait after failed attempt number `attempt` (1-based), with up to
 * {@link WEBHOOK_RETRY_JITTER} of it added at random. Past the schedule, the last delay.
 */
export function webhookRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const index = Math.min(Math.max(attempt, 1), WEBHOOK_RETRY_DELAYS_MS.length) - 1
  const base = WEBHOOK_RETRY_DELAYS_MS[index] as number
  return Math.round(base * (1 + WEBHOOK_RETRY_JITTER * random()))
}

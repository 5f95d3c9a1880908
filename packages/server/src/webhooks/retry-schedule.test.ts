import { describe, expect, it } from 'vitest'
import {
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_MS,
  webhookRetryDelayMs,
} from './retry-schedule.js'

describe('webhook retry schedule', () => {
  it('retries about a day, in 10 attempts, each wait longer or equal', () => {
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(10)
    const total = WEBHOOK_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0)
    expect(total / 3_600_000).toBeGreaterThan(22)
    expect(total / 3_600_000).toBeLessThan(26)
    for (let index = 1; index < WEBHOOK_RETRY_DELAYS_MS.length; index++) {
      expect(WEBHOOK_RETRY_DELAYS_MS[index]).toBeGreaterThanOrEqual(
        WEBHOOK_RETRY_DELAYS_MS[index - 1] as number,
      )
    }
  })

  it('adds up to 10% jitter, and keeps the last delay past the schedule', () => {
    expect(webhookRetryDelayMs(1, () => 0)).toBe(60_000)
    expect(webhookRetryDelayMs(1, () => 1)).toBe(66_000)
    expect(webhookRetryDelayMs(2, () => 0.5)).toBe(315_000)
    expect(webhookRetryDelayMs(9, () => 0)).toBe(8 * 3_600_000)
    expect(webhookRetryDelayMs(42, () => 0)).toBe(8 * 3_600_000)
  })
})

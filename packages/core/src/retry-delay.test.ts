import { describe, expect, it } from 'vitest'
import { isRetryableStatus, retryDelay } from './retry-delay'

const noJitter = () => 0
const fullJitter = () => 1

describe('retryDelay', () => {
  it('backs off exponentially from 0.5 s, doubling, capped at 8 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((retry) => retryDelay(retry, undefined, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ])
  })

  it('subtracts up to 25% jitter', () => {
    expect(retryDelay(1, undefined, fullJitter)).toBe(750)
    expect(retryDelay(0, undefined, () => 0.5)).toBe(438)
  })

  it('honours Retry-After in seconds, and retry-after-ms before it', () => {
    expect(retryDelay(0, new Headers({ 'retry-after': '3' }), noJitter)).toBe(3000)
    expect(retryDelay(0, new Headers({ 'retry-after': '0' }), noJitter)).toBe(0)
    expect(
      retryDelay(0, new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }), noJitter),
    ).toBe(250)
  })

  it('honours Retry-After as an HTTP date', () => {
    const now = () => Date.parse('2026-11-28T12:00:00Z')
    const headers = new Headers({ 'retry-after': 'Sat, 28 Nov 2026 12:00:05 GMT' })
    expect(retryDelay(0, headers, noJitter, now)).toBe(5000)
  })

  it('ignores a Retry-After past 60 s, or unreadable, and backs off instead', () => {
    expect(retryDelay(2, new Headers({ 'retry-after': '61' }), noJitter)).toBe(2000)
    expect(retryDelay(0, new Headers({ 'retry-after': 'soon' }), noJitter)).toBe(500)
    expect(retryDelay(0, new Headers({ 'retry-after': '60' }), noJitter)).toBe(60_000)
  })
})

describe('isRetryableStatus', () => {
  it('retries 408, 409, 429 and 5xx only', () => {
    const retried = [400, 401, 403, 404, 408, 409, 413, 415, 422, 429, 500, 502, 503, 504].filter(
      isRetryableStatus,
    )
    expect(retried).toEqual([408, 409, 429, 500, 502, 503, 504])
  })
})

import { describe, expect, it } from 'vitest'
import { createId, idLowerBound } from './ids.js'

describe('createId', () => {
  it('carries the prefix and 26 base32 characters', () => {
    expect(createId('evt')).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/)
  })

  it('sorts by time, and strictly increases within one millisecond', () => {
    const now = Date.UTC(2026, 5, 1)
    const sameMillisecond = Array.from({ length: 1000 }, () => createId('dec', now))
    expect([...sameMillisecond].sort()).toEqual(sameMillisecond)
    expect(new Set(sameMillisecond).size).toBe(1000)
    const later = createId('dec', now + 1)
    expect(later > (sameMillisecond.at(-1) as string)).toBe(true)
  })

  it('never goes backwards when the clock does', () => {
    const first = createId('rsv', Date.UTC(2030, 0, 1))
    const earlier = createId('rsv', Date.UTC(2029, 0, 1))
    expect(earlier > first).toBe(true)
  })
})

describe('idLowerBound', () => {
  it('is at most every id made at or after its time, and above ids of earlier times', () => {
    const time = Date.UTC(2026, 2, 1)
    const bound = idLowerBound('evt', time)
    expect(bound).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{10}$/)
    for (const offset of [0, 1, 1000, 86_400_000 * 400]) {
      expect(createId('evt', time + offset) >= bound).toBe(true)
    }
    // Ids made earlier sort below it (this process's clock has not gone past 2026 above).
    expect(`evt_${'0'.repeat(26)}` < bound).toBe(true)
    expect(idLowerBound('evt', time - 1) < bound).toBe(true)
  })
})

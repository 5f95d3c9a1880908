import { describe, expect, it } from 'vitest'
import { compactNumber, niceScale } from './chart-scale.js'

describe('niceScale', () => {
  it('rounds the top up to a step of 1, 2, 2.5 or 5 × 10^n', () => {
    expect(niceScale(97)).toEqual({ top: 100, ticks: [0, 25, 50, 75, 100] })
    expect(niceScale(1234)).toEqual({ top: 1500, ticks: [0, 500, 1000, 1500] })
    expect(niceScale(8)).toEqual({ top: 8, ticks: [0, 2, 4, 6, 8] })
  })

  it('never steps by a fraction, and draws an empty axis for nothing', () => {
    expect(niceScale(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] })
    expect(niceScale(1)).toEqual({ top: 1, ticks: [0, 1] })
    expect(niceScale(0)).toEqual({ top: 4, ticks: [0, 1, 2, 3, 4] })
  })

  it('covers the maximum for any size', () => {
    for (const max of [5, 17, 99, 101, 999, 10_001, 123_456_789, 1e15]) {
      const scale = niceScale(max)
      expect(scale.top).toBeGreaterThanOrEqual(max)
      expect(scale.ticks.length).toBeGreaterThanOrEqual(2)
      expect(scale.ticks.length).toBeLessThanOrEqual(6)
      expect(scale.ticks.every(Number.isInteger)).toBe(true)
    }
  })
})

describe('compactNumber', () => {
  it('shortens thousands and millions', () => {
    expect(compactNumber(999)).toBe('999')
    expect(compactNumber(1500)).toBe('1.5k')
    expect(compactNumber(2000)).toBe('2k')
    expect(compactNumber(2_500_000)).toBe('2.5M')
    expect(compactNumber(1e15)).toBe('1000T')
  })
})

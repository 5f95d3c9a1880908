import { describe, expect, it } from 'vitest'
import { periodBounds } from './periods.js'

const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString())

describe('periodBounds', () => {
  it('has no bounds for period none', () => {
    expect(periodBounds('none', Date.UTC(2026, 0, 1))).toEqual({ start: null, end: null })
  })

  it('cuts days at UTC midnight, the last millisecond still in the day', () => {
    const bounds = periodBounds('day', Date.UTC(2026, 1, 28, 23, 59, 59, 999))
    expect([iso(bounds.start), iso(bounds.end)]).toEqual([
      '2026-02-28T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ])
    expect(iso(periodBounds('day', Date.UTC(2026, 2, 1)).start)).toBe('2026-03-01T00:00:00.000Z')
  })

  it('starts weeks on Monday (ISO), also from a Sunday and across a year', () => {
    const sunday = periodBounds('week', Date.UTC(2026, 2, 15, 12)) // Sunday 15 March 2026
    expect([iso(sunday.start), iso(sunday.end)]).toEqual([
      '2026-03-09T00:00:00.000Z',
      '2026-03-16T00:00:00.000Z',
    ])
    const monday = periodBounds('week', Date.UTC(2026, 2, 16))
    expect(iso(monday.start)).toBe('2026-03-16T00:00:00.000Z')
    const newYear = periodBounds('week', Date.UTC(2027, 0, 1)) // Friday
    expect(iso(newYear.start)).toBe('2026-12-28T00:00:00.000Z')
  })

  it('runs months from the 1st to the 1st, including December and February', () => {
    const december = periodBounds('month', Date.UTC(2026, 11, 31, 23))
    expect([iso(december.start), iso(december.end)]).toEqual([
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ])
    const leap = periodBounds('month', Date.UTC(2028, 1, 29))
    expect(iso(leap.end)).toBe('2028-03-01T00:00:00.000Z')
  })
})

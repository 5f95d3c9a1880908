import { describe, expect, it } from 'vitest'
import { parseDateRange, rangeQuery } from './date-range.js'

const now = Date.UTC(2026, 2, 10, 15, 30)

describe('parseDateRange', () => {
  it('defaults to the last 14 days, today included', () => {
    const { range, error } = parseDateRange({}, now)
    expect(error).toBeNull()
    expect(range).toMatchObject({ first: '2026-02-25', last: '2026-03-10', preset: 14 })
    expect(range.days).toHaveLength(14)
    expect(range.since).toBe('2026-02-25')
    expect(range.until).toBe('2026-03-11')
    expect(rangeQuery(range)).toEqual({ range: '14' })
  })

  it('takes a preset, and refuses other numbers', () => {
    expect(parseDateRange({ range: '7' }, now).range.days[0]).toBe('2026-03-04')
    const odd = parseDateRange({ range: '8' }, now)
    expect(odd.error).toMatch(/Unknown range/)
    expect(odd.range.preset).toBe(14)
  })

  it('takes custom dates, inclusive, across a month end', () => {
    const { range, error } = parseDateRange({ from: '2026-01-30', to: '2026-02-02' }, now)
    expect(error).toBeNull()
    expect(range.days).toEqual(['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02'])
    expect(range.until).toBe('2026-02-03')
    expect(rangeQuery(range)).toEqual({ from: '2026-01-30', to: '2026-02-02' })
  })

  it('refuses impossible, reversed and too long ranges with a message', () => {
    expect(parseDateRange({ from: '2026-02-31', to: '2026-03-01' }, now).error).toMatch(/dates/)
    expect(parseDateRange({ from: '2026-03-01' }, now).error).toMatch(/dates/)
    expect(parseDateRange({ from: '2026-03-02', to: '2026-03-01' }, now).error).toMatch(/start/)
    expect(parseDateRange({ from: '2024-01-01', to: '2026-01-01' }, now).error).toMatch(/366/)
    expect(parseDateRange({ from: '2025-01-01', to: '2025-12-31' }, now).error).toBeNull()
  })
})

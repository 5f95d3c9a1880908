import { describe, expect, it } from 'vitest'
import { seriesByTop } from './chart-series.js'

const days = ['2026-01-01', '2026-01-02']
const pick = (row: { day: string; agent: string; units: number }) => ({
  day: row.day,
  key: row.agent,
  value: row.units,
})

describe('seriesByTop', () => {
  it('gives each key its values per day, largest total first, 0 where nothing happened', () => {
    const series = seriesByTop(
      [
        { day: '2026-01-01', agent: 'small', units: 1 },
        { day: '2026-01-02', agent: 'big', units: 9 },
        { day: '2026-01-01', agent: 'big', units: 2 },
      ],
      days,
      pick,
    )
    expect(series).toEqual([
      { label: 'big', className: 's0', values: [2, 9] },
      { label: 'small', className: 's1', values: [1, 0] },
    ])
  })

  it('sums keys past the limit into Other, and ignores days outside the range', () => {
    const rows = ['a', 'b', 'c', 'd'].map((agent, index) => ({
      day: '2026-01-01',
      agent,
      units: 10 - index,
    }))
    rows.push({ day: '2025-12-31', agent: 'a', units: 100 })
    const series = seriesByTop(rows, days, pick, 3)
    expect(series.map((item) => [item.label, item.values])).toEqual([
      ['a', [10, 0]],
      ['b', [9, 0]],
      ['Other', [15, 0]],
    ])
  })
})

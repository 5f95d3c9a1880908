import { describe, expect, it } from 'vitest'
import {
  formatCount,
  formatDay,
  formatMetadata,
  formatPercent,
  formatReason,
  formatTime,
} from './format.js'

describe('format', () => {
  it('formats counts, with 0 as a value and null as a dash', () => {
    expect(formatCount(1_234_567)).toBe('1,234,567')
    expect(formatCount(0)).toBe('0')
    expect(formatCount(null)).toBe('—')
  })

  it('formats times and days in UTC', () => {
    expect(formatTime('2026-03-10T14:05:09.123Z')).toBe('2026-03-10 14:05:09')
    expect(formatTime(null)).toBe('—')
    expect(formatDay('2026-03-01')).toBe('Mar 1')
  })

  it('formats shares, reasons and metadata', () => {
    expect(formatPercent(1, 8)).toBe('13%')
    expect(formatPercent(0, 0)).toBe('—')
    expect(formatReason('ceiling_exceeded')).toBe('Ceiling exceeded')
    expect(formatReason(null)).toBe('Approved')
    expect(formatMetadata({})).toBe('')
    expect(formatMetadata({ a: 'x'.repeat(100) }, 10)).toBe('{"a":"xxx…')
  })
})

import { describe, expect, it } from 'vitest'
import type { Balance } from '../../schemas/objects.js'
import { balanceSegments } from './balance-bar.js'

const balance = (granted: number, used: number, reserved: number): Balance => ({
  customer_id: 'c',
  granted_units: granted,
  used_units: used,
  reserved_units: reserved,
  remaining_units: Math.max(0, granted - used - reserved),
  overage_units: Math.max(0, used - granted),
  unlimited: false,
  period: 'none',
  period_start: null,
  period_end: null,
})

describe('balanceSegments', () => {
  it('splits the grant into used, reserved and remaining', () => {
    expect(balanceSegments(balance(1000, 250, 100))).toEqual({
      used: 250,
      reserved: 100,
      remaining: 650,
      overage: 0,
    })
  })

  it('draws overage past the end of the grant, on a bar as long as usage plus holds', () => {
    const parts = balanceSegments(balance(100, 150, 50))
    expect(parts.used + parts.reserved + parts.remaining + parts.overage).toBeCloseTo(1000)
    expect(parts).toEqual({ used: 500, reserved: 250, remaining: 0, overage: 250 })
  })

  it('draws an empty grant as an empty bar, without dividing by zero', () => {
    expect(balanceSegments(balance(0, 0, 0))).toEqual({
      used: 0,
      reserved: 0,
      remaining: 0,
      overage: 0,
    })
  })
})

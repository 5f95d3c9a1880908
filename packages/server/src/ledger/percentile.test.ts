import { describe, expect, it } from 'vitest'
import { percentile } from './percentile.js'

describe('percentile (nearest rank)', () => {
  it('is undefined without values', () => {
    expect(percentile([], 0.9)).toBeUndefined()
  })

  it('takes the ceil(p × n)-th smallest value', () => {
    expect(percentile([5], 0.9)).toBe(5)
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 0.9)).toBe(9)
    expect(
      percentile(
        Array.from({ length: 50 }, (_, index) => index + 1),
        0.9,
      ),
    ).toBe(45)
    expect(percentile([0, 0, 0, 100], 0.9)).toBe(100)
  })
})

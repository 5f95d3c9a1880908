import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from './invalid-argument-error'
import { TokensError } from './tokens-error'
import { UnpricedModelError } from './unpriced-model-error'

describe('errors', () => {
  it('carry the shared agentbill marker and their own, checked without instanceof', () => {
    const unpriced = new UnpricedModelError('x')
    const invalid = new InvalidArgumentError('maxOutputTokens', 'bad')
    expect(TokensError.isInstance(unpriced)).toBe(true)
    expect(TokensError.isInstance(invalid)).toBe(true)
    expect(UnpricedModelError.isInstance(unpriced)).toBe(true)
    expect(UnpricedModelError.isInstance(invalid)).toBe(false)
    expect(InvalidArgumentError.isInstance(invalid)).toBe(true)
    expect(invalid.field).toBe('maxOutputTokens')
    expect(invalid.message).toContain('maxOutputTokens')
    expect(unpriced.name).toBe('UnpricedModelError')
    expect(unpriced).toBeInstanceOf(Error)
    expect((unpriced as unknown as Record<symbol, unknown>)[Symbol.for('agentbill.error')]).toBe(
      true,
    )
  })

  it('recognise an error from another copy of the package by its markers', () => {
    const foreign = Object.assign(new Error('copy'), {
      [Symbol.for('agentbill.error')]: true,
      [Symbol.for('agentbill.error.UnpricedModelError')]: true,
    })
    expect(UnpricedModelError.isInstance(foreign)).toBe(true)
    expect(TokensError.isInstance(new Error('plain'))).toBe(false)
    expect(TokensError.isInstance(null)).toBe(false)
    expect(TokensError.isInstance('agentbill.error')).toBe(false)
  })
})

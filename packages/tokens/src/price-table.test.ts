import { describe, expect, it } from 'vitest'
import { resolveModel } from './model-info'
import { getModelPrice } from './model-price'
import { PRICE_TABLE, PRICE_TABLE_DATE } from './price-table'

describe('price table', () => {
  it('is dated with a real calendar day', () => {
    expect(PRICE_TABLE_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(new Date(`${PRICE_TABLE_DATE}T00:00:00Z`).toISOString().slice(0, 10)).toBe(
      PRICE_TABLE_DATE,
    )
  })

  it('has sane rows: positive prices, cached ≤ input, output ≥ input', () => {
    for (const [model, price] of Object.entries(PRICE_TABLE)) {
      expect(price.input, model).toBeGreaterThan(0)
      expect(price.output, model).toBeGreaterThanOrEqual(price.input)
      if (price.cachedInput !== undefined) {
        expect(price.cachedInput, model).toBeGreaterThan(0)
        expect(price.cachedInput, model).toBeLessThanOrEqual(price.input)
      }
      // Keys are bare ids, so lookups through bareModelId find them.
      expect(model, model).toBe(model.toLowerCase())
    }
  })

  it('covers current OpenAI, Anthropic and Google models', () => {
    for (const provider of ['openai', 'anthropic', 'google'] as const) {
      const models = Object.keys(PRICE_TABLE).filter(
        (model) => resolveModel(model).provider === provider,
      )
      expect(models.length, provider).toBeGreaterThanOrEqual(8)
    }
  })

  it('resolves snapshots and prefixes, and reports unknown models as unpriced', () => {
    expect(getModelPrice('gpt-4o-mini-2024-07-18')).toEqual(PRICE_TABLE['gpt-4o-mini'])
    expect(getModelPrice('gpt-4-0613')).toEqual(PRICE_TABLE['gpt-4'])
    expect(getModelPrice('claude-3-5-haiku-20241022')).toEqual(PRICE_TABLE['claude-3-5-haiku'])
    expect(getModelPrice('google/gemini-2.5-flash')).toEqual(PRICE_TABLE['gemini-2.5-flash'])
    expect(getModelPrice('gpt-4o-audio-preview')).toBeUndefined()
    expect(getModelPrice('my-model')).toBeUndefined()
    expect(getModelPrice('constructor')).toBeUndefined()
    expect(getModelPrice('__proto__')).toBeUndefined()
  })

  it('lets user prices override and extend the table', () => {
    const prices = { 'gpt-4o': { input: 1, output: 2 }, 'my-model': { input: 3, output: 4 } }
    expect(getModelPrice('gpt-4o-2024-08-06', prices)).toEqual({ input: 1, output: 2 })
    expect(getModelPrice('my-model', prices)).toEqual({ input: 3, output: 4 })
    expect(getModelPrice('gpt-4.1', prices)).toEqual(PRICE_TABLE['gpt-4.1'])
  })
})

import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from './invalid-argument-error'
import type { NormalizedUsage } from './normalized-usage'
import { priceUsage } from './price-usage'
import { TokensError } from './tokens-error'
import { defaultPolicy, tokensPolicy } from './tokens-policy'
import { applyPolicy } from './units-policy'
import { UnpricedModelError } from './unpriced-model-error'
import { usd, usdPolicy } from './usd-policy'
import { weightedPolicy } from './weighted-policy'

const usage = (
  inputTokens: number,
  outputTokens: number,
  cachedInputTokens = 0,
  reasoningTokens = 0,
): NormalizedUsage => ({
  inputTokens,
  cachedInputTokens,
  outputTokens,
  reasoningTokens,
})
const zero = usage(0, 0)

describe('default policy: one unit per 1,000 tokens, rounded up', () => {
  it.each([
    [0, 0, 0],
    [1, 0, 1],
    [0, 1, 1],
    [999, 1, 1],
    [1000, 0, 1],
    [1000, 1, 2],
    [600, 600, 2],
    [123_456, 654_321, 778],
  ])('%i in + %i out → %i units', (input, output, units) => {
    expect(defaultPolicy(usage(input, output), 'gpt-4o')).toBe(units)
  })

  it('counts cached and reasoning tokens once (they are inside the totals)', () => {
    expect(defaultPolicy(usage(1000, 1000, 1000, 1000), 'o3')).toBe(2)
  })

  it('takes another block size and rejects a bad one', () => {
    expect(tokensPolicy({ tokensPerUnit: 1 })(usage(3, 4), 'x')).toBe(7)
    expect(tokensPolicy({ tokensPerUnit: 100 })(usage(150, 0), 'x')).toBe(2)
    for (const tokensPerUnit of [0, -1, 1.5, Number.NaN]) {
      expect(() => tokensPolicy({ tokensPerUnit })).toThrow(InvalidArgumentError)
    }
  })
})

describe('usd policy: list price, 1 unit = $0.001, rounded up', () => {
  it('prices uncached input, cached input and output separately', () => {
    // gpt-4o: $2.50 in, $1.25 cached, $10 out per 1M.
    // 800 × 2.5 + 200 × 1.25 + 500 × 10 = 7,250 µ$ = $0.00725 → 8 units
    expect(usd(usage(1000, 500, 200), 'gpt-4o')).toBe(8)
    // exactly $0.010 → 10 units, no floating-point spill into 11
    expect(usd(usage(0, 1000), 'gpt-4o')).toBe(10)
    expect(usd(usage(4000, 0), 'gpt-4o')).toBe(10)
    // cached input without a cached price is billed at the input price
    expect(usd(usage(1_000_000, 0, 1_000_000), 'gpt-4')).toBe(30_000)
  })

  it('rounds any spend up to a whole unit and keeps 0 at 0', () => {
    expect(usd(usage(1, 0), 'gpt-5-nano')).toBe(1)
    expect(usd(zero, 'gpt-5-nano')).toBe(0)
    expect(usd(zero, 'claude-opus-4-5')).toBe(0)
  })

  it('resolves dated snapshots and provider prefixes', () => {
    expect(usd(usage(0, 1000), 'gpt-4o-2024-08-06')).toBe(10)
    expect(usd(usage(0, 1000), 'openai/gpt-4o')).toBe(10)
    expect(usd(usage(0, 1000), 'claude-sonnet-4-5-20250929')).toBe(15)
    expect(usd(usage(0, 1000), 'anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe(15)
    expect(usd(usage(0, 1000), 'models/gemini-2.5-pro')).toBe(10)
  })

  it('throws UnpricedModelError for an unpriced model instead of charging $0', () => {
    const error = (() => {
      try {
        usd(usage(10, 10), 'my-private-model')
      } catch (caught) {
        return caught
      }
    })()
    expect(UnpricedModelError.isInstance(error)).toBe(true)
    expect(TokensError.isInstance(error)).toBe(true)
    expect((error as UnpricedModelError).model).toBe('my-private-model')
    expect(() => usd(zero, 'my-private-model')).toThrow(UnpricedModelError)
  })

  it('falls back to a stated policy or a user price when asked', () => {
    const fallback = usdPolicy({ onUnpriced: tokensPolicy() })
    expect(fallback(usage(1500, 0), 'my-private-model')).toBe(2)
    const own = usdPolicy({
      prices: { 'my-private-model': { input: 1, output: 2 }, 'gpt-4o': { input: 1, output: 1 } },
    })
    expect(own(usage(1_000_000, 1_000_000), 'my-private-model')).toBe(3000)
    expect(own(usage(0, 1000), 'gpt-4o-2024-08-06')).toBe(1)
  })

  it('supports another unit size and rejects bad options', () => {
    expect(usdPolicy({ usdPerUnit: 0.01 })(usage(0, 1000), 'gpt-4o')).toBe(1)
    expect(usdPolicy({ usdPerUnit: 0.000001 })(usage(1, 0), 'gpt-4o-mini')).toBe(1)
    expect(() => usdPolicy({ usdPerUnit: 0 })).toThrow(InvalidArgumentError)
    expect(() => usdPolicy({ prices: { x: { input: -1, output: 1 } } })).toThrow(
      /prices\["x"\]\.input/,
    )
  })
})

describe('weighted policy', () => {
  it('weights each kind of token with exact arithmetic', () => {
    const policy = weightedPolicy({ input: 0.001, output: 0.004 })
    expect(policy(usage(3000, 0), 'x')).toBe(3) // 3000 × 0.001 is 3.0000000000000004 in floats
    expect(policy(usage(1000, 1000), 'x')).toBe(5)
    expect(policy(usage(1, 0), 'x')).toBe(1)
    expect(policy(zero, 'x')).toBe(0)
  })

  it('defaults cached to the input weight and reasoning to the output weight', () => {
    expect(weightedPolicy({ input: 0.1, output: 1 })(usage(10, 10, 10, 10), 'x')).toBe(11)
    const distinct = weightedPolicy({ input: 1, cachedInput: 0.1, output: 2, reasoning: 3 })
    // 90 × 1 + 10 × 0.1 + 6 × 2 + 4 × 3 = 115
    expect(distinct(usage(100, 10, 10, 4), 'x')).toBe(115)
  })

  it('rejects negative or non-finite weights, naming them', () => {
    expect(() => weightedPolicy({ input: -1, output: 1 })).toThrow(/weights\.input/)
    expect(() => weightedPolicy({ input: 1, output: Number.POSITIVE_INFINITY })).toThrow(
      /weights\.output/,
    )
  })
})

describe('applyPolicy and priceUsage', () => {
  it('accepts the user’s own function and checks what it returns', () => {
    expect(applyPolicy((value) => value.outputTokens * 2, usage(1, 5), 'x')).toBe(10)
    for (const bad of [0.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => applyPolicy(() => bad, zero, 'x')).toThrow(InvalidArgumentError)
    }
  })

  it('rejects malformed usage before calling the policy', () => {
    expect(() => applyPolicy(defaultPolicy, usage(1.5, 0), 'x')).toThrow(/usage\.inputTokens/)
    expect(() => applyPolicy(defaultPolicy, usage(1, 0, 2), 'x')).toThrow(InvalidArgumentError)
  })

  it('normalises any usage shape and prices it in one call', () => {
    expect(
      priceUsage({
        model: 'gpt-4o',
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 500,
          prompt_tokens_details: { cached_tokens: 200 },
        },
        policy: usd,
      }),
    ).toEqual({ usage: usage(1000, 500, 200), units: 8 })
    expect(
      priceUsage({ model: 'gpt-4o', usage: { input_tokens: 0, output_tokens: 0 } }).units,
    ).toBe(0)
    expect(
      priceUsage({
        model: 'gpt-4o',
        usage: undefined,
        fallback: { inputTokens: 10, outputTokens: 995 },
      }).units,
    ).toBe(2)
    expect(() => priceUsage({ model: 'gpt-4o', usage: { nothing: true } })).toThrow(/usage/)
  })
})

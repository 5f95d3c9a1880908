import { describe, expect, it } from 'vitest'
import { normalizeUsage } from './normalize-usage'

const usage = (
  inputTokens: number,
  cachedInputTokens: number,
  outputTokens: number,
  reasoningTokens: number,
) => ({
  inputTokens,
  cachedInputTokens,
  outputTokens,
  reasoningTokens,
})

describe('normalizeUsage', () => {
  it('reads OpenAI Chat Completions usage', () => {
    expect(
      normalizeUsage({
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 128, audio_tokens: 0 },
      }),
    ).toEqual(usage(1200, 1024, 300, 128))
    expect(normalizeUsage({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 })).toEqual(
      usage(12, 0, 5, 0),
    )
  })

  it('reads OpenAI Responses usage', () => {
    expect(
      normalizeUsage({
        input_tokens: 900,
        input_tokens_details: { cached_tokens: 512 },
        output_tokens: 700,
        output_tokens_details: { reasoning_tokens: 600 },
        total_tokens: 1600,
      }),
    ).toEqual(usage(900, 512, 700, 600))
  })

  it('reads AI SDK v3/v4 nested usage, deriving missing totals from their parts', () => {
    expect(
      normalizeUsage({
        inputTokens: { total: 100, noCache: 40, cacheRead: 60, cacheWrite: 0 },
        outputTokens: { total: 50, text: 20, reasoning: 30 },
      }),
    ).toEqual(usage(100, 60, 50, 30))
    expect(
      normalizeUsage({
        inputTokens: { total: undefined, noCache: 40, cacheRead: 60, cacheWrite: 5 },
        outputTokens: { total: undefined, text: 20, reasoning: 30 },
      }),
    ).toEqual(usage(105, 60, 50, 30))
  })

  it('treats wholly missing AI SDK totals as not reported: fallback, else 0 beside a reported total', () => {
    const partial = { inputTokens: { total: undefined }, outputTokens: { total: 7 } }
    expect(normalizeUsage(partial)).toEqual(usage(0, 0, 7, 0))
    expect(normalizeUsage(partial, { fallback: { inputTokens: 42 } })).toEqual(usage(42, 0, 7, 0))
    expect(normalizeUsage({ inputTokens: {}, outputTokens: {} })).toBeUndefined()
    expect(
      normalizeUsage({ inputTokens: {}, outputTokens: {} }, { fallback: { outputTokens: 3 } }),
    ).toEqual(usage(0, 0, 3, 0))
  })

  it('reads AI SDK v2 flat usage', () => {
    expect(
      normalizeUsage({
        inputTokens: 10,
        outputTokens: 20,
        totalTokens: 30,
        reasoningTokens: 5,
        cachedInputTokens: 4,
      }),
    ).toEqual(usage(10, 4, 20, 5))
    expect(
      normalizeUsage({ inputTokens: 10, outputTokens: undefined, totalTokens: undefined }),
    ).toEqual(usage(10, 0, 0, 0))
  })

  it('adds v2 reasoning to output when totalTokens shows it was reported beside it', () => {
    expect(
      normalizeUsage({ inputTokens: 10, outputTokens: 20, totalTokens: 35, reasoningTokens: 5 }),
    ).toEqual(usage(10, 0, 25, 5))
  })

  it('reads LangChain usage_metadata and llmOutput.tokenUsage', () => {
    expect(
      normalizeUsage({
        input_tokens: 350,
        output_tokens: 240,
        total_tokens: 590,
        input_token_details: { cache_read: 100, cache_creation: 200 },
        output_token_details: { reasoning: 200 },
      }),
    ).toEqual(usage(350, 100, 240, 200))
    expect(normalizeUsage({ promptTokens: 11, completionTokens: 4, totalTokens: 15 })).toEqual(
      usage(11, 0, 4, 0),
    )
    expect(normalizeUsage({ completionTokens: 4 })).toEqual(usage(0, 0, 4, 0))
  })

  it('unwraps one level: { usage }, { usage_metadata }, { tokenUsage }, { usageMetadata }', () => {
    expect(
      normalizeUsage({ id: 'chatcmpl-1', usage: { prompt_tokens: 3, completion_tokens: 2 } }),
    ).toEqual(usage(3, 0, 2, 0))
    expect(normalizeUsage({ usage_metadata: { input_tokens: 3, output_tokens: 2 } })).toEqual(
      usage(3, 0, 2, 0),
    )
    expect(normalizeUsage({ tokenUsage: { promptTokens: 3, completionTokens: 2 } })).toEqual(
      usage(3, 0, 2, 0),
    )
  })

  it('adds raw Anthropic cache reads and writes to input tokens', () => {
    expect(
      normalizeUsage({
        input_tokens: 10,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 200,
        output_tokens: 50,
      }),
    ).toEqual(usage(1210, 1000, 50, 0))
  })

  it('reads raw Gemini usageMetadata, where candidates exclude thoughts', () => {
    expect(
      normalizeUsage({
        usageMetadata: {
          promptTokenCount: 100,
          cachedContentTokenCount: 20,
          candidatesTokenCount: 30,
          thoughtsTokenCount: 70,
          totalTokenCount: 200,
        },
      }),
    ).toEqual(usage(100, 20, 100, 70))
  })

  it('ignores negative and non-numeric fields, rounds fractions up, clamps subsets', () => {
    expect(normalizeUsage({ prompt_tokens: -5, completion_tokens: 'ten' })).toBeUndefined()
    expect(normalizeUsage({ prompt_tokens: 2.2, completion_tokens: Number.NaN })).toEqual(
      usage(3, 0, 0, 0),
    )
    expect(
      normalizeUsage({
        prompt_tokens: 10,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 50 },
        completion_tokens_details: { reasoning_tokens: 9 },
      }),
    ).toEqual(usage(10, 10, 5, 5))
  })

  it('keeps zero usage as zero, and returns undefined for unrecognised input', () => {
    expect(normalizeUsage({ prompt_tokens: 0, completion_tokens: 0 })).toEqual(usage(0, 0, 0, 0))
    for (const value of [undefined, null, 42, 'usage', [], {}, { foo: 1 }]) {
      expect(normalizeUsage(value)).toBeUndefined()
    }
  })
})

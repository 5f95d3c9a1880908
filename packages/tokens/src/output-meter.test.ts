import { getEncoding, type Tiktoken } from 'js-tiktoken'
import { beforeAll, describe, expect, it } from 'vitest'
import { corpus, seededRandom } from './__fixtures__/corpus'
import { preloadTokenizer } from './count-tokens'
import { InvalidArgumentError } from './invalid-argument-error'
import { createOutputMeter } from './output-meter'
import { tokensPolicy } from './tokens-policy'

let o200k: Tiktoken
beforeAll(async () => {
  o200k = getEncoding('o200k_base')
  await preloadTokenizer('gpt-4o')
})

/** Splits a text into stream-like deltas of 1–12 code units (surrogate pairs may split). */
function deltas(text: string, seed: number): string[] {
  const random = seededRandom(seed)
  const result: string[] = []
  for (let index = 0; index < text.length; ) {
    const size = 1 + Math.floor(random() * 12)
    result.push(text.slice(index, index + size))
    index += size
  }
  return result
}

describe('createOutputMeter', () => {
  for (const [name, text] of corpus.filter(([, text]) => text.length < 20_000)) {
    it(`counts a streamed ${name} text exactly`, async () => {
      const meter = createOutputMeter({ model: 'gpt-4o', inputTokens: 7 })
      for (const delta of deltas(text, 1)) meter.add(delta)
      const expected = o200k.encode(text, [], []).length
      expect(meter.text).toBe(text)
      expect(meter.tokens).toBe(expected)
      expect(meter.exact).toBe(true)
      const finished = await meter.finish()
      expect(finished.usage).toEqual({
        inputTokens: 7,
        cachedInputTokens: 0,
        outputTokens: expected,
        reasoningTokens: 0,
      })
      expect(finished.exact).toBe(true)
    })
  }

  it('answers wouldExceed exactly as the exact count would, at every chunk', () => {
    const text = corpus.find(([name]) => name === 'english')?.[1] ?? ''
    const policy = tokensPolicy({ tokensPerUnit: 1 })
    const total = o200k.encode(text, [], []).length
    for (const limit of [10, Math.floor(total / 2) + 5, total + 4, total + 100]) {
      const meter = createOutputMeter({ model: 'gpt-4o', policy, inputTokens: 5 })
      let streamed = ''
      for (const delta of deltas(text, limit)) {
        meter.add(delta)
        streamed += delta
        const exactUnits = 5 + o200k.encode(streamed, [], []).length
        expect(meter.wouldExceed(limit), `limit ${limit} after ${streamed.length} chars`).toBe(
          exactUnits > limit,
        )
      }
    }
  })

  it('keeps its cheap bound at or above the exact count across re-tokenised chunk boundaries', () => {
    // If the bound ever fell below the exact count, wouldExceed(exact - 1) would answer false.
    const policy = tokensPolicy({ tokensPerUnit: 1 })
    const random = seededRandom(99)
    for (const [name, text] of corpus.filter(
      ([, text]) => text.length > 0 && text.length < 3_000,
    )) {
      const meter = createOutputMeter({ model: 'gpt-4o', policy })
      let streamed = ''
      let nextCheck = 1
      for (const [index, delta] of deltas(text, 7).entries()) {
        meter.add(delta)
        streamed += delta
        if (index + 1 < nextCheck) continue
        nextCheck = index + 2 + Math.floor(random() * 6) // several deltas between checks
        const exact = o200k.encode(streamed, [], []).length
        expect(meter.wouldExceed(exact - 1), `${name} at ${streamed.length} chars`).toBe(true)
        expect(meter.wouldExceed(exact), `${name} at ${streamed.length} chars`).toBe(false)
      }
    }
  })

  it('prices the call with the policy, input included, and keeps 0 at 0', async () => {
    const empty = createOutputMeter({ model: 'gpt-4o' })
    expect(empty.tokens).toBe(0)
    expect(empty.units).toBe(0)
    expect(empty.wouldExceed(0)).toBe(false)
    expect((await empty.finish()).units).toBe(0)
    const meter = createOutputMeter({ model: 'gpt-4o', inputTokens: 999 })
    meter.add('Hello')
    expect(meter.units).toBe(1)
    meter.add(' world')
    expect(meter.units).toBe(2)
    expect(meter.wouldExceed(1)).toBe(true)
    expect(meter.wouldExceed(2)).toBe(false)
  })

  it('approximates providers without a public tokenizer and says so', async () => {
    const text = corpus.find(([name]) => name === 'english')?.[1] ?? ''
    const meter = createOutputMeter({ model: 'claude-sonnet-4-5' })
    for (const delta of deltas(text, 3)) meter.add(delta)
    const expected = Math.ceil(o200k.encode(text, [], []).length * 1.4)
    expect(meter.tokens).toBe(expected)
    expect(meter.exact).toBe(false)
    const finished = await meter.finish()
    expect(finished.usage.outputTokens).toBe(expected)
    expect(finished.exact).toBe(false)
  })

  it('rejects bad input, naming the field', () => {
    expect(() => createOutputMeter({ model: '' })).toThrow(InvalidArgumentError)
    expect(() => createOutputMeter({ model: 'gpt-4o', inputTokens: -1 })).toThrow(/inputTokens/)
    const meter = createOutputMeter({ model: 'gpt-4o' })
    expect(() => meter.add(42 as unknown as string)).toThrow(/textDelta/)
    expect(() => meter.wouldExceed(Number.NaN)).toThrow(/limitUnits/)
  })
})

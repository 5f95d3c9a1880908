import { getEncoding } from 'js-tiktoken'
import { describe, expect, it } from 'vitest'
import { corpus } from './__fixtures__/corpus'
import { isTokenizerLoaded } from './count-tokens'
import { estimateCall, estimateCallSync } from './estimate-call'
import type { ChatMessage } from './message-types'
import { createOutputMeter } from './output-meter'
import { tokensPolicy } from './tokens-policy'
import { utf8Length } from './utf8-length'

// Runs in its own module graph (vitest isolates files): nothing is loaded when it starts. The
// steps depend on each other, so this is one test.
describe('lazy encodings', () => {
  it('start unloaded, answer with an upper bound synchronously, and count exactly near a limit', async () => {
    expect(isTokenizerLoaded('gpt-4o')).toBe(false)
    const english = corpus.find(([name]) => name === 'english')?.[1] ?? ''
    const messages: ChatMessage[] = [{ role: 'user', content: english }]
    const policy = tokensPolicy({ tokensPerUnit: 1 })

    const bound = estimateCallSync({ model: 'gpt-4o', messages, maxOutputTokens: 100, policy })
    expect(bound.method).toBe('upper-bound')
    expect(bound.exact).toBe(false)
    expect(bound.promptTokens).toBe(3 + 4 /* "user" */ + utf8Length(english) + 3)

    // A meter before the encoding is ready: bound = UTF-8 bytes, and it stops rather than overspends.
    const meter = createOutputMeter({ model: 'gpt-4o', policy })
    meter.add(english)
    expect(meter.exact).toBe(false)
    expect(meter.tokens).toBe(utf8Length(english))
    expect(meter.wouldExceed(utf8Length(english))).toBe(false)
    expect(meter.wouldExceed(utf8Length(english) - 1)).toBe(true)

    // Far from the limit: the bound is returned at once (the exact count could only be lower).
    const far = await estimateCall({
      model: 'gpt-4o',
      messages,
      maxOutputTokens: 100,
      policy,
      remainingUnits: 1e9,
    })
    expect(far.method).toBe('upper-bound')
    expect(far.units).toBe(bound.units)

    // At the limit: waits for the exact count.
    const near = await estimateCall({
      model: 'gpt-4o',
      messages,
      maxOutputTokens: 100,
      policy,
      remainingUnits: bound.units - 1,
    })
    expect(near.method).toBe('tokenizer')
    expect(near.exact).toBe(true)
    const o200k = getEncoding('o200k_base')
    expect(near.promptTokens).toBe(3 + 1 + o200k.encode(english, [], []).length + 3)
    expect(near.promptTokens).toBeLessThan(bound.promptTokens)
    expect(isTokenizerLoaded('gpt-4o')).toBe(true)
    // Each encoding loads on its own: cl100k is still not loaded.
    expect(isTokenizerLoaded('gpt-4')).toBe(false)

    // The meter created earlier is exact now.
    expect(meter.exact).toBe(true)
    expect(meter.tokens).toBe(o200k.encode(english, [], []).length)
  })
})

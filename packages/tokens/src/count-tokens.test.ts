import { getEncoding, type Tiktoken } from 'js-tiktoken'
import { beforeAll, describe, expect, it } from 'vitest'
import { corpus } from './__fixtures__/corpus'
import { countTokens } from './count-tokens'
import { utf8Length } from './utf8-length'

// js-tiktoken is the reference: OpenAI's ranks and splitting, an independent implementation.
// Special-token strings in user text are plain text to the API, hence encode(text, [], []).
let o200k: Tiktoken
let cl100k: Tiktoken
beforeAll(() => {
  o200k = getEncoding('o200k_base')
  cl100k = getEncoding('cl100k_base')
})

describe('countTokens equals js-tiktoken', () => {
  for (const [name, text] of corpus) {
    it(`o200k_base (gpt-4o): ${name}`, async () => {
      expect(await countTokens('gpt-4o', text)).toBe(o200k.encode(text, [], []).length)
    })
    it(`cl100k_base (gpt-4): ${name}`, async () => {
      expect(await countTokens('gpt-4', text)).toBe(cl100k.encode(text, [], []).length)
    })
  }

  it('uses o200k_base for the gpt-4.1, gpt-5 and o-series families', async () => {
    const text = corpus.find(([name]) => name === 'code')?.[1] ?? ''
    const expected = o200k.encode(text, [], []).length
    for (const model of [
      'gpt-4.1-mini',
      'gpt-5',
      'gpt-5.4-nano',
      'o3',
      'o4-mini-2025-04-16',
      'openai/gpt-4o',
    ]) {
      expect(await countTokens(model, text)).toBe(expected)
    }
    expect(expected).not.toBe(cl100k.encode(text, [], []).length)
  })

  it('counts special-token strings as text instead of throwing', async () => {
    expect(await countTokens('gpt-4o', '<|endoftext|>')).toBe(
      o200k.encode('<|endoftext|>', [], []).length,
    )
    expect(await countTokens('gpt-4o', '<|endoftext|>')).toBeGreaterThan(1)
  })
})

describe('approximation for providers without a public tokenizer', () => {
  it('is o200k_base × the provider factor, rounded up, never zero for text', async () => {
    const text = corpus.find(([name]) => name === 'english')?.[1] ?? ''
    const base = o200k.encode(text, [], []).length
    expect(await countTokens('claude-sonnet-4-5', text)).toBe(Math.ceil(base * 1.4))
    expect(await countTokens('gemini-2.5-pro', text)).toBe(Math.ceil(base * 1.2))
    expect(await countTokens('llama-3.1-70b', text)).toBe(Math.ceil(base * 1.25))
    expect(await countTokens('claude-haiku-4-5', 'x')).toBe(2)
  })
})

describe('utf8Length', () => {
  it('is an upper bound of the exact count for every fixture', () => {
    for (const [, text] of corpus) {
      expect(utf8Length(text)).toBeGreaterThanOrEqual(o200k.encode(text, [], []).length)
      expect(utf8Length(text)).toBeGreaterThanOrEqual(cl100k.encode(text, [], []).length)
    }
  })

  it('equals TextEncoder byte length, lone surrogates included', () => {
    const encoder = new TextEncoder()
    for (const text of [...corpus.map(([, text]) => text), '\ud800', 'a\udc00b', '\ud83d']) {
      expect(utf8Length(text)).toBe(encoder.encode(text).length)
    }
  })
})

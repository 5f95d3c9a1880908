import { describe, expect, it } from 'vitest'
import { bareModelId } from './model-id'
import { resolveModel } from './model-info'

describe('bareModelId', () => {
  it.each([
    ['gpt-4o', 'gpt-4o'],
    ['openai/gpt-4o', 'gpt-4o'],
    ['OpenAI/GPT-4o ', 'gpt-4o'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['ft:gpt-4o-mini-2024-07-18:acme::abc123', 'gpt-4o-mini-2024-07-18'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5-20250929-v1:0'],
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5-20251001-v1:0'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
  ])('%s → %s', (model, bare) => {
    expect(bareModelId(model)).toBe(bare)
  })
})

describe('resolveModel', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['gpt-5.4-mini', 'o200k_base'],
    ['gpt-5-chat-latest', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['o4-mini-2025-04-16', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-0613', 'cl100k_base'],
    ['gpt-4-turbo-2024-04-09', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['ft:gpt-3.5-turbo-0125:acme::x', 'cl100k_base'],
  ])('%s uses %s', (model, encoding) => {
    const info = resolveModel(model)
    expect(info.encoding).toBe(encoding)
    expect(info.provider).toBe('openai')
    expect(info.approximationFactor).toBe(1)
  })

  it.each([
    ['claude-sonnet-4-5', 'anthropic', 1.4],
    ['anthropic/claude-opus-4-1', 'anthropic', 1.4],
    ['gemini-2.5-flash', 'google', 1.2],
    ['mistral-large-latest', 'mistral', 1.25],
    ['llama-3.3-70b', 'other', 1.25],
    ['gpt-6-sol', 'openai', 1.1],
  ])('%s is approximated (%s × %d)', (model, provider, factor) => {
    const info = resolveModel(model)
    expect(info.encoding).toBeNull()
    expect(info.provider).toBe(provider)
    expect(info.approximationFactor).toBe(factor)
  })

  it('knows max output and clamps the default allowance to it', () => {
    expect(resolveModel('gpt-4o').maxOutputTokens).toBe(16384)
    expect(resolveModel('gpt-4.1').maxOutputTokens).toBe(32768)
    expect(resolveModel('gpt-5').maxOutputTokens).toBe(128000)
    expect(resolveModel('gpt-5').defaultOutputTokens).toBe(8192)
    expect(resolveModel('claude-opus-4-1-20250805').maxOutputTokens).toBe(32000)
    expect(resolveModel('claude-opus-4-5').maxOutputTokens).toBe(64000)
    expect(resolveModel('claude-3-haiku-20240307').defaultOutputTokens).toBe(4096)
    expect(resolveModel('gemini-2.0-flash').maxOutputTokens).toBe(8192)
    expect(resolveModel('unknown-model').maxOutputTokens).toBeUndefined()
  })

  it('picks the image rule of the model family', () => {
    expect(resolveModel('gpt-4o').imageRule).toEqual({ kind: 'tiles', base: 85, tile: 170 })
    expect(resolveModel('gpt-4o-mini').imageRule).toEqual({ kind: 'tiles', base: 2833, tile: 5667 })
    expect(resolveModel('gpt-5').imageRule).toEqual({ kind: 'tiles', base: 70, tile: 140 })
    expect(resolveModel('o3').imageRule).toEqual({ kind: 'tiles', base: 75, tile: 150 })
    expect(resolveModel('gpt-4.1-mini').imageRule).toEqual({ kind: 'patches', multiplier: 1.62 })
    expect(resolveModel('gpt-5-nano').imageRule).toEqual({ kind: 'patches', multiplier: 2.46 })
    expect(resolveModel('o4-mini').imageRule).toEqual({ kind: 'patches', multiplier: 1.72 })
    expect(resolveModel('claude-sonnet-4-5').imageRule.kind).toBe('area')
  })
})

import { describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from './api-key.js'

describe('generateApiKey', () => {
  it('makes agb_ + 32 base62 characters, its SHA-256, prefix and last four', () => {
    const generated = generateApiKey()
    expect(generated.key).toMatch(/^agb_[0-9A-Za-z]{32}$/)
    expect(generated.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(generated.hash).toBe(hashApiKey(generated.key))
    expect(generated.prefix).toBe(generated.key.slice(0, 8))
    expect(generated.last4).toBe(generated.key.slice(-4))
  })

  it('never repeats, and uses the whole alphabet', () => {
    const keys = Array.from({ length: 500 }, () => generateApiKey().key)
    expect(new Set(keys).size).toBe(500)
    const characters = new Set(keys.join('').replaceAll('agb_', ''))
    expect(characters.size).toBe(62)
  })
})

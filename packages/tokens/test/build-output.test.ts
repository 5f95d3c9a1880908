import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// Importing the package must cost nothing measurable: the encodings (2.4 MB of ranks for
// o200k_base) may only be reached through dynamic import(). And the root stays runtime-neutral.
describe('built package', () => {
  for (const file of ['index.js', 'index.cjs']) {
    it(`${file} loads gpt-tokenizer only lazily and imports no node: module`, () => {
      const url = new URL(`../dist/${file}`, import.meta.url)
      expect(existsSync(url), `dist/${file} is missing: build the package first (pnpm build)`).toBe(
        true,
      )
      const code = readFileSync(url, 'utf8')
      const mentions = code.match(/[^\n]*gpt-tokenizer[^\n]*/g) ?? []
      expect(mentions.length).toBeGreaterThan(0)
      for (const line of mentions) {
        for (const specifier of line.matchAll(
          /(import|require)\s*\(?\s*["']gpt-tokenizer[^"']*["']/g,
        )) {
          expect(specifier[0], line).toMatch(
            /^import\s*\(\s*["']gpt-tokenizer\/encoding\/(o200k_base|cl100k_base)["']/,
          )
        }
        expect(line).not.toMatch(/from\s*["']gpt-tokenizer/)
      }
      expect(code).not.toMatch(/["']node:/)
    })
  }
})

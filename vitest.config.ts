import { defineConfig } from 'vitest/config'

// Every package and example is its own vitest project with its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
  },
})

import { defineProject } from 'vitest/config'

export default defineProject({
  define: { __PACKAGE_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    name: '@agentbill/ai-sdk',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The first estimate in a process loads the tokenizer (~0.5 s); the real server starts per file.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})

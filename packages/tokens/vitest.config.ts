import { defineProject } from 'vitest/config'

export default defineProject({
  define: { __PACKAGE_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    name: '@agentbill/tokens',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Loading an encoding takes ~0.5 s (js-tiktoken's ~2 s); the long-input fixtures need headroom
    // on a loaded 2-core machine.
    testTimeout: 30_000,
  },
})

import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: '@agentbill/example-mcp-host',
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
  },
})

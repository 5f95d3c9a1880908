import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: '@agentbill/example-langchain-agent',
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
  },
})

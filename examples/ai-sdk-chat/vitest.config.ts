import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: '@agentbill/example-ai-sdk-chat',
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
  },
})

import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: '@agentbill/demo',
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
  },
})

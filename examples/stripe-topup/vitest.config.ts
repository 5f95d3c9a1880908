import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: '@agentbill/example-stripe-topup',
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
  },
})

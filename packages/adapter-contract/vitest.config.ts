import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: '@agentbill/adapter-contract', include: ['src/**/*.test.ts'] },
})

import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: '@agentbill/fake-openai', include: ['src/**/*.test.ts'] },
})

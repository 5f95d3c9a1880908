import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

export default defineProject({
  define: { __PACKAGE_VERSION__: JSON.stringify('0.0.0-test') },
  // The README's guide (examples/) imports the package by its published name.
  resolve: {
    alias: { '@agentbill/langchain': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  test: {
    name: '@agentbill/langchain',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
  },
})

import { defineProject } from 'vitest/config'

export default defineProject({
  define: { __PACKAGE_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    name: '@agentbill/mcp',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The end-to-end tests start a real AgentBill server and spawn the built binary; the
    // server-down cases wait through the client's retries (~1.5 s).
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})

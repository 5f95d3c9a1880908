import { runExample } from '@agentbill/example-support'
import { expect, it } from 'vitest'

it('runs the three lines against a real server and prints the ledger', async () => {
  const run = await runExample(new URL('./main.ts', import.meta.url))
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('started a local AgentBill server')
  expect(run.stdout).toContain('preflight approved: 990 units left')
  expect(run.stdout).toMatch(/recorded 10 units \(event evt_\w+\)/)
  expect(run.stdout).toContain('a 30-unit run under a 20-unit ceiling: blocked (ceiling_exceeded)')
  expect(run.stdout).toContain('balance of user_123: granted 1000, used 10, remaining 990')
})

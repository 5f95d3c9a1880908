import { runExample } from '@agentbill/example-support'
import { expect, it } from 'vitest'

it('an MCP host lists the tools and gates work with them over stdio', async () => {
  const run = await runExample(new URL('./main.ts', import.meta.url))
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('Tools: preflight, record, release, balance (read-only)')
  expect(run.stdout).toMatch(/preflight: .*approved/i)
  expect(run.stdout).toMatch(/rsv_\w+/)
  expect(run.stdout).toMatch(/record: .*24/)
  expect(run.stdout).toMatch(/balance: .*976/)
  expect(run.stdout).toMatch(/preflight: .*budget_exhausted/)
  expect(run.stdout).toMatch(/record \[tool error\]: .*units/)
})

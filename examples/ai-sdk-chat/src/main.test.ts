import { runExample } from '@agentbill/example-support'
import { expect, it } from 'vitest'

it('streams for a customer with budget and answers 402 before streaming for one without', async () => {
  const run = await runExample(new URL('./main.ts', import.meta.url))
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('POST /api/chat as alice → 200 text/plain')
  expect(run.stdout).toContain(
    'This is the local model answering: What does AgentBill do before a model call?',
  )
  expect(run.stdout).toContain('POST /api/chat as bob → 402 application/json')
  expect(run.stdout).toMatch(
    /"reason":"budget_exhausted","customer_id":"bob".*"upgrade_url":"https:\/\/example\.com\/upgrade\?customer=bob"/,
  )
  expect(run.stdout).toMatch(
    /alice used [1-9]\d* units; bob's preflight: blocked \(budget_exhausted\), the model was never called\./,
  )
})

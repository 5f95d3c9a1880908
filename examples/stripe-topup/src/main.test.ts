import { runExample } from '@agentbill/example-support'
import { expect, it } from 'vitest'

it('grants a purchase once, refuses a forged one, and unblocks the customer', async () => {
  const run = await runExample(new URL('./main.ts', import.meta.url))
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(run.stdout).toContain(
    'acme wants 20 units: blocked (budget_exhausted), upgrade at https://example.com/buy-units?customer=acme',
  )
  expect(run.stdout).toMatch(
    /Stripe delivers checkout\.session\.completed: 200 \{"received":true,"grant":"(gnt_\w+)"\}/,
  )
  const grants = [...run.stdout.matchAll(/"grant":"(gnt_\w+)"/g)].map((match) => match[1])
  // The redelivery answers with the same grant: granted once.
  expect(grants).toHaveLength(2)
  expect(grants[0]).toBe(grants[1])
  expect(run.stdout).toMatch(
    /A forged event with 500000 units: 400 \{"error":"Signature check failed/,
  )
  expect(run.stdout).toContain('acme wants 20 units again: approved')
  expect(run.stdout).toContain("acme's balance: granted 550, used 50, remaining 500")
})

import { BudgetExceededError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { findBudgetExceededError } from './find-budget-exceeded-error'

const blocked = new BudgetExceededError(
  {
    reason: 'budget_exhausted',
    remainingUnits: 0,
    estimatedUnits: 3,
    upgradeUrl: null,
    runId: null,
    preflightId: 'dec_1',
  },
  { customerId: 'c', agentId: 'a' },
)

describe('findBudgetExceededError', () => {
  it('finds the error itself, inside a RetryError, or as a cause', () => {
    expect(findBudgetExceededError(blocked)).toBe(blocked)
    expect(findBudgetExceededError({ name: 'AI_RetryError', lastError: blocked })).toBe(blocked)
    expect(findBudgetExceededError(new Error('wrapped', { cause: blocked }))).toBe(blocked)
  })

  it('is undefined for other failures and non-errors', () => {
    expect(findBudgetExceededError(new Error('rate limited'))).toBeUndefined()
    expect(findBudgetExceededError('text')).toBeUndefined()
    expect(findBudgetExceededError(null)).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import type { GatedCall } from '../gated-call'
import type { PreflightApproved } from '../resources/preflight'
import { AgentBillAPIError } from './agent-bill-api-error'
import { AgentBillConnectionError } from './agent-bill-connection-error'
import { AgentBillError } from './agent-bill-error'
import { AgentBillTimeoutError } from './agent-bill-timeout-error'
import { AllowanceExceededError } from './allowance-exceeded-error'
import { BudgetExceededError } from './budget-exceeded-error'

describe('the error hierarchy', () => {
  it('recognises errors from another copy of the package by their symbol, not their class', () => {
    // A structural copy, as a second bundled copy of the package would make.
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('agentbill.error')]: true,
      [Symbol.for('agentbill.error.budget-exceeded')]: true,
    })
    expect(AgentBillError.isInstance(foreign)).toBe(true)
    expect(BudgetExceededError.isInstance(foreign)).toBe(true)
    expect(AgentBillAPIError.isInstance(foreign)).toBe(false)
    expect(AgentBillError.isInstance(new Error('plain'))).toBe(false)
    expect(AgentBillError.isInstance('a string')).toBe(false)
  })

  it('makes a timeout a kind of connection error, and both AgentBillErrors', () => {
    const timeout = new AgentBillTimeoutError(100)
    expect(AgentBillConnectionError.isInstance(timeout)).toBe(true)
    expect(AgentBillError.isInstance(timeout)).toBe(true)
    expect(timeout).toBeInstanceOf(Error)
    expect(AgentBillTimeoutError.isInstance(new AgentBillConnectionError())).toBe(false)
  })

  it('builds API errors from the status and body in one place', () => {
    const response = new Response(null, { status: 400, headers: { 'x-request-id': 'req_1' } })
    const error = AgentBillAPIError.fromResponse(response, {
      error: { type: 'invalid_request', message: 'units must be an integer', param: 'units' },
    })
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request',
      param: 'units',
      requestId: 'req_1',
    })
    expect(error.message).toBe('400 invalid_request: units must be an integer (param: units)')
    const bare = AgentBillAPIError.fromResponse(new Response(null, { status: 429 }), 'not json')
    expect(bare).toMatchObject({ status: 429, type: 'rate_limited', param: null })
  })

  it('says why a run was blocked and where to upgrade', () => {
    const error = new BudgetExceededError(
      {
        reason: 'budget_exhausted',
        remainingUnits: 3,
        estimatedUnits: 10,
        upgradeUrl: 'https://x.test/up',
        runId: 'run_1',
        preflightId: 'dec_1',
      },
      { customerId: 'user_1', agentId: 'a' },
    )
    expect(error.message).toBe(
      'Blocked: customer "user_1" has 3 units left, 10 needed. Upgrade: https://x.test/up',
    )
    expect(error).toMatchObject({
      runId: 'run_1',
      upgradeUrl: 'https://x.test/up',
      remainingUnits: 3,
    })
  })
})

describe('AllowanceExceededError', () => {
  function stoppedCall(remainingUnits: number | null, runRemainingUnits: number | null): GatedCall {
    const preflight = { remainingUnits, runRemainingUnits } as PreflightApproved
    return {
      agentId: 'a',
      customerId: 'c',
      runId: 'run_1',
      ceiling: 30,
      preflight,
      allowanceUnits: 12,
    } as GatedCall
  }

  it('names the tighter limit: the run ceiling when it leaves less than the budget', () => {
    expect(new AllowanceExceededError(stoppedCall(500, 2), 13).reason).toBe('ceiling_exceeded')
    expect(new AllowanceExceededError(stoppedCall(2, 500), 13).reason).toBe('budget_exhausted')
    expect(new AllowanceExceededError(stoppedCall(null, 2), 13).reason).toBe('ceiling_exceeded')
    expect(new AllowanceExceededError(stoppedCall(2, null), 13).reason).toBe('budget_exhausted')
  })

  it('is an AgentBillError but not a BudgetExceededError: this call did spend', () => {
    const error = new AllowanceExceededError(stoppedCall(500, 2), 13)
    expect(AgentBillError.isInstance(error)).toBe(true)
    expect(AllowanceExceededError.isInstance(error)).toBe(true)
    expect(BudgetExceededError.isInstance(error)).toBe(false)
    expect(error).toMatchObject({
      allowanceUnits: 12,
      usedUnits: 13,
      runId: 'run_1',
      customerId: 'c',
    })
  })
})

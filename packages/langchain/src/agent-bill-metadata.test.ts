import { AgentBillValidationError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { agentBillMetadata, callContextFromMetadata } from './agent-bill-metadata'

describe('agentBillMetadata', () => {
  it('writes only the fields given, 0 included', () => {
    expect(agentBillMetadata({ customerId: 'user_1', ceiling: 0 })).toEqual({
      agentbill_customer_id: 'user_1',
      agentbill_ceiling: 0,
    })
  })

  it('round-trips through callContextFromMetadata', () => {
    const context = { customerId: 'c', agentId: 'a', runId: 'r', ceiling: 12 }
    expect(callContextFromMetadata(agentBillMetadata(context))).toEqual(context)
  })
})

describe('callContextFromMetadata', () => {
  it('ignores metadata it does not own', () => {
    expect(callContextFromMetadata({ ls_model_name: 'gpt-4o', langgraph_step: 3 })).toEqual({})
    expect(callContextFromMetadata(undefined)).toEqual({})
  })

  it.each([
    ['agentbill_customer_id', 42],
    ['agentbill_agent_id', null],
    ['agentbill_run_id', { id: 'r' }],
    ['agentbill_ceiling', '10'],
    ['agentbill_ceiling', 2.5],
    ['agentbill_ceiling', -1],
  ])('refuses %s = %j, naming the field', (key, value) => {
    let caught: unknown
    try {
      callContextFromMetadata({ [key]: value })
    } catch (error) {
      caught = error
    }
    expect(AgentBillValidationError.isInstance(caught)).toBe(true)
    expect(caught).toMatchObject({ param: `metadata.${key}` })
  })
})

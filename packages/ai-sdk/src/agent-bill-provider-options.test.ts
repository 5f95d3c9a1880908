import { AgentBillValidationError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { readProviderOptions } from './agent-bill-provider-options'

describe('readProviderOptions', () => {
  it('reads the agentbill fields and ignores other providers', () => {
    expect(
      readProviderOptions({
        openai: { user: 'x' },
        agentbill: { customerId: 'c', agentId: 'a', runId: 'r', ceiling: 0 },
      }),
    ).toEqual({ customerId: 'c', agentId: 'a', runId: 'r', ceiling: 0 })
    expect(readProviderOptions(undefined)).toEqual({})
    expect(readProviderOptions({ openai: {} })).toEqual({})
    expect(readProviderOptions({ agentbill: { customerId: undefined } })).toEqual({})
  })

  it.each([
    [{ agentbill: 'c' }, 'providerOptions.agentbill'],
    [{ agentbill: { customerId: 1 } }, 'providerOptions.agentbill.customerId'],
    [{ agentbill: { ceiling: -1 } }, 'providerOptions.agentbill.ceiling'],
    [{ agentbill: { ceiling: '5' } }, 'providerOptions.agentbill.ceiling'],
    [{ agentbill: { run_id: 'r' } }, 'providerOptions.agentbill.run_id'],
  ])('refuses %j naming %s', (providerOptions, param) => {
    const error = (() => {
      try {
        readProviderOptions(providerOptions)
      } catch (caught) {
        return caught
      }
    })()
    expect(AgentBillValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ param })
  })
})

import { AgentBillValidationError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import {
  agentBillHeaders,
  CALL_CONTEXT_HEADERS,
  readCallContext,
  removeCallContextHeaders,
} from './call-context-headers'

describe('agentBillHeaders', () => {
  it('writes only the fields given, and reads back the same context', () => {
    const headers = agentBillHeaders({ customerId: 'user_1', ceiling: 0 })
    expect(headers).toEqual({ 'x-agentbill-customer-id': 'user_1', 'x-agentbill-ceiling': '0' })
    expect(readCallContext(headers)).toEqual({ customerId: 'user_1', ceiling: 0 })
  })

  it('refuses a ceiling that is not a non-negative integer', () => {
    expect(() => agentBillHeaders({ ceiling: -1 })).toThrow(AgentBillValidationError)
    expect(() => agentBillHeaders({ ceiling: 1.5 })).toThrow(/ceiling/)
  })
})

describe('readCallContext', () => {
  it('reads every header shape the SDK accepts, case-insensitively', () => {
    expect(readCallContext(new Headers({ 'X-AgentBill-Agent-Id': 'a' }))).toEqual({ agentId: 'a' })
    expect(readCallContext([['X-AGENTBILL-RUN-ID', 'run_1']])).toEqual({ runId: 'run_1' })
    expect(readCallContext({ 'x-agentbill-customer-id': ['first', 'second'] })).toEqual({
      customerId: 'second',
    })
    const parsed = {
      values: new Headers({ 'x-agentbill-agent-id': 'b' }),
      nulls: new Set<string>(),
    }
    expect(readCallContext(parsed)).toEqual({ agentId: 'b' })
  })

  it('lets later sources win, and a null unset what an earlier one set', () => {
    const defaults = agentBillHeaders({ agentId: 'default-agent', customerId: 'default' })
    expect(readCallContext(defaults, { 'x-agentbill-customer-id': 'request' })).toEqual({
      agentId: 'default-agent',
      customerId: 'request',
    })
    expect(readCallContext(defaults, { 'x-agentbill-customer-id': null })).toEqual({
      agentId: 'default-agent',
    })
  })

  it('ignores other headers and empty sources', () => {
    expect(readCallContext(undefined, null, { authorization: 'Bearer x' })).toEqual({})
  })

  it('names the header of a bad ceiling', () => {
    const error = (() => {
      try {
        readCallContext({ 'x-agentbill-ceiling': 'ten' })
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toMatchObject({ param: CALL_CONTEXT_HEADERS.ceiling })
  })
})

describe('removeCallContextHeaders', () => {
  it('removes the context headers and keeps the others', () => {
    const headers = new Headers({
      ...agentBillHeaders({ agentId: 'a', customerId: 'c', runId: 'r', ceiling: 5 }),
      authorization: 'Bearer x',
    })
    removeCallContextHeaders(headers)
    expect([...headers.keys()]).toEqual(['authorization'])
  })
})

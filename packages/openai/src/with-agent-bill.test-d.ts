import type { AgentBill } from 'agentbill'
import type { AzureOpenAI, OpenAI } from 'openai'
import { describe, expectTypeOf, it } from 'vitest'
import { withAgentBill } from './with-agent-bill'

declare const bill: AgentBill
declare const openai: OpenAI
declare const azure: AzureOpenAI

describe('withAgentBill types', () => {
  it('returns the type it was given', () => {
    expectTypeOf(withAgentBill(openai, { client: bill })).toEqualTypeOf<OpenAI>()
    expectTypeOf(withAgentBill(azure, { client: bill })).toEqualTypeOf<AzureOpenAI>()
    expectTypeOf(withAgentBill(openai, { client: bill }).withOptions({})).toEqualTypeOf<OpenAI>()
  })

  it('keeps the typed overloads of create', () => {
    const gated = withAgentBill(openai, { client: bill })
    const streamed = gated.chat.completions.create({ model: 'm', messages: [], stream: true })
    expectTypeOf(streamed.withResponse).toBeFunction()
    expectTypeOf<Awaited<typeof streamed>>().toHaveProperty('tee')
    expectTypeOf(gated.responses.create({ model: 'm', input: 'x' })).resolves.toHaveProperty(
      'output_text',
    )
  })

  it('refuses options it does not know', () => {
    // @ts-expect-error `customer` is not an option
    withAgentBill(openai, { client: bill, customer: 'x' })
  })
})

import { type FakeOpenAI, startFakeOpenAI } from '@agentbill/fake-openai'
import OpenAI from 'openai'
import { afterAll } from 'vitest'
import type { ContractCall, ContractHarness, ContractResult } from './contract-harness'
import { defaultPolicyUnits, describeAdapterContract } from './describe-adapter-contract'

// The contract run against the lifecycle written out by hand with the core client's
// `beginCall` and the real openai SDK (on the local fake provider): proof that the contract
// itself can pass and fail, before any adapter uses it, and a reference for adapter authors.
let fake: FakeOpenAI
afterAll(() => fake?.close())

async function referenceHarness(): Promise<ContractHarness> {
  fake = await startFakeOpenAI()
  const openai = new OpenAI({ apiKey: 'sk-fake', baseURL: fake.baseURL, maxRetries: 2 })

  async function complete(
    call: ContractCall,
  ): Promise<ContractResult & { usage?: { inputTokens: number; outputTokens: number } }> {
    const request = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: call.prompt }],
    }
    if (!call.stream) {
      const completion = await openai.chat.completions.create(request)
      return {
        text: completion.choices[0]?.message.content ?? '',
        usage: {
          inputTokens: completion.usage?.prompt_tokens ?? 0,
          outputTokens: completion.usage?.completion_tokens ?? 0,
        },
      }
    }
    const stream = await openai.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: unknown[] = []
    let text = ''
    let usage: { inputTokens: number; outputTokens: number } | undefined
    for await (const chunk of stream) {
      const { id: _id, created: _created, ...stable } = chunk
      chunks.push(stable)
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage)
        usage = {
          inputTokens: chunk.usage.prompt_tokens,
          outputTokens: chunk.usage.completion_tokens,
        }
    }
    return { text, chunks, ...(usage === undefined ? {} : { usage }) }
  }

  return {
    name: 'reference (beginCall by hand)',
    streaming: true,
    providerCalls: () => fake.modelCalls,
    async call(call) {
      const { answer } = call
      if (answer.kind === 'text')
        fake.script({ kind: 'text', text: answer.text, usage: answer.usage })
      else if (answer.kind === 'error') fake.script({ kind: 'error', status: answer.status })
      else
        fake.script(
          { kind: 'error', status: answer.status, retryAfterMs: 1 },
          { kind: 'text', text: answer.text, usage: answer.usage },
        )
      if (call.bare) return complete(call)
      const gated = await call.bill.beginCall({
        defaults: { agentId: call.agentId, customerId: call.customerId },
        estimatedUnits: 5,
      })
      try {
        const result = await complete(call)
        await gated.record(defaultPolicyUnits(result.usage ?? { inputTokens: 0, outputTokens: 0 }))
        return result
      } catch (error) {
        await gated.release()
        throw error
      }
    },
  }
}

describeAdapterContract(referenceHarness)

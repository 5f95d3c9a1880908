import { type ContractHarness, describeAdapterContract } from '@agentbill/adapter-contract'
import { type FakeOpenAI, startFakeOpenAI } from '@agentbill/fake-openai'
import { createOpenAI } from '@ai-sdk/openai'
import type { LanguageModelV4 } from '@ai-sdk/provider'
import { afterAll, describe } from 'vitest'
import { aiV7Driver } from './support/ai-v7-driver'

// The shared adapter contract through a real provider package: `@ai-sdk/openai` over HTTP to the
// local OpenAI-compatible fake, for both of its model kinds.
let fake: FakeOpenAI | undefined
afterAll(() => fake?.close())

async function openaiHarness(
  name: string,
  createModel: (provider: ReturnType<typeof createOpenAI>) => LanguageModelV4,
): Promise<ContractHarness> {
  fake ??= await startFakeOpenAI()
  const server = fake
  const provider = createOpenAI({ apiKey: 'sk-fake', baseURL: server.baseURL })
  const driver = aiV7Driver({ name, createModel: () => createModel(provider), keepIds: false })
  return {
    name,
    streaming: true,
    providerCalls: () => server.modelCalls,
    async call(call) {
      const { answer } = call
      if (answer.kind === 'text')
        server.script({ kind: 'text', text: answer.text, usage: answer.usage })
      else if (answer.kind === 'error') server.script({ kind: 'error', status: answer.status })
      else
        server.script(
          // `retry-after-ms: 1`, which the SDK honours, keeps the retry fast.
          { kind: 'error', status: answer.status, retryAfterMs: 1 },
          { kind: 'text', text: answer.text, usage: answer.usage },
        )
      const driverCall = {
        bill: call.bare ? null : call.bill,
        agentId: call.agentId,
        customerId: call.customerId,
        prompt: call.prompt,
      }
      return call.stream ? driver.stream(driverCall) : driver.generate(driverCall)
    },
  }
}

describe('@ai-sdk/openai chat completions', () => {
  describeAdapterContract(() =>
    openaiHarness('@ai-sdk/openai chat (fake-openai)', (provider) => provider.chat('gpt-4o-mini')),
  )
})

describe('@ai-sdk/openai responses', () => {
  describeAdapterContract(() =>
    openaiHarness('@ai-sdk/openai responses (fake-openai)', (provider) =>
      provider.responses('gpt-4o-mini'),
    ),
  )
})

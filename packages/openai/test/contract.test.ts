import {
  type ContractCall,
  type ContractHarness,
  type ContractResult,
  describeAdapterContract,
} from '@agentbill/adapter-contract'
import { type FakeOpenAI, startFakeOpenAI } from '@agentbill/fake-openai'
import OpenAI from 'openai'
import { afterAll, describe } from 'vitest'
import { withAgentBill } from '../src/index'
import { stable } from './support/stable'

// The shared adapter contract, against @agentbill/fake-openai (a local OpenAI-compatible HTTP
// server) and a real AgentBill server, for both endpoints, streamed and not. Streamed chat calls
// go out without `include_usage` on both sides: the wrapper adds it, so the chunk comparison
// proves the extra usage chunk (and the `usage: null` fields) never reach the caller.
const fakes: FakeOpenAI[] = []
afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()))
})

function scriptAnswer(fake: FakeOpenAI, answer: ContractCall['answer']): void {
  if (answer.kind === 'text') fake.script({ kind: 'text', text: answer.text, usage: answer.usage })
  else if (answer.kind === 'error') fake.script({ kind: 'error', status: answer.status })
  else
    fake.script(
      { kind: 'error', status: answer.status, retryAfterMs: 1 },
      { kind: 'text', text: answer.text, usage: answer.usage },
    )
}

async function harness(endpoint: 'chat' | 'responses'): Promise<ContractHarness> {
  const fake = await startFakeOpenAI()
  fakes.push(fake)
  const bare = new OpenAI({ apiKey: 'sk-fake', baseURL: fake.baseURL, maxRetries: 2 })

  const client = (call: ContractCall): OpenAI =>
    call.bare
      ? bare
      : withAgentBill(bare, {
          client: call.bill,
          agentId: call.agentId,
          customerId: call.customerId,
        })

  async function chat(call: ContractCall): Promise<ContractResult> {
    const openai = client(call)
    const request = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: call.prompt }],
    }
    if (!call.stream) {
      const completion = await openai.chat.completions.create(request)
      return { text: completion.choices[0]?.message.content ?? '' }
    }
    const stream = await openai.chat.completions.create({ ...request, stream: true })
    const chunks: unknown[] = []
    let text = ''
    for await (const chunk of stream) {
      chunks.push(stable(chunk))
      text += chunk.choices[0]?.delta.content ?? ''
    }
    return { text, chunks }
  }

  async function responses(call: ContractCall): Promise<ContractResult> {
    const openai = client(call)
    const request = { model: 'gpt-4o-mini', input: call.prompt }
    if (!call.stream) {
      const response = await openai.responses.create(request)
      return { text: response.output_text }
    }
    const stream = await openai.responses.create({ ...request, stream: true })
    const chunks: unknown[] = []
    let text = ''
    for await (const event of stream) {
      chunks.push(stable(event))
      if (event.type === 'response.output_text.delta') text += event.delta
    }
    return { text, chunks }
  }

  return {
    name: `@agentbill/openai ${endpoint === 'chat' ? 'chat.completions' : 'responses'}`,
    streaming: true,
    providerCalls: () => fake.modelCalls,
    async call(call) {
      scriptAnswer(fake, call.answer)
      return endpoint === 'chat' ? chat(call) : responses(call)
    },
  }
}

describe('chat.completions.create', () => {
  describeAdapterContract(() => harness('chat'))
})

describe('responses.create', () => {
  describeAdapterContract(() => harness('responses'))
})

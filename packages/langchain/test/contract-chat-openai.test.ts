import {
  type ContractCall,
  type ContractHarness,
  type ContractResult,
  describeAdapterContract,
} from '@agentbill/adapter-contract'
import { type FakeOpenAI, startFakeOpenAI } from '@agentbill/fake-openai'
import type { AIMessageChunk } from '@langchain/core/messages'
import { ChatOpenAI } from '@langchain/openai'
import type { AgentBill } from 'agentbill'
import { afterAll } from 'vitest'
import { AgentBillCallbackHandler } from '../src/agent-bill-callback-handler'
import { agentBillMetadata } from '../src/agent-bill-metadata'

// The shared contract with a realistic provider: LangChain's ChatOpenAI pointed at the local
// OpenAI-compatible fake. ChatOpenAI retries a 429 itself (its AsyncCaller), inside one model run,
// but only when the error says when to retry: a Retry-After header or, as OpenAI's own 429s do,
// "Please try again in …" in the message (a bare 429 is taken for a capacity error and thrown).
let fake: FakeOpenAI
afterAll(() => fake?.close())

/** A streamed chunk without what differs between two identical requests (ids). */
function stableChunk(chunk: AIMessageChunk): unknown {
  const { id: _id, ...responseMetadata } = chunk.response_metadata as Record<string, unknown>
  return {
    content: chunk.content,
    additional_kwargs: chunk.additional_kwargs,
    response_metadata: responseMetadata,
    tool_call_chunks: chunk.tool_call_chunks,
    usage_metadata: chunk.usage_metadata,
  }
}

async function chatOpenAIHarness(): Promise<ContractHarness> {
  fake = await startFakeOpenAI()
  const model = new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'sk-fake',
    configuration: { baseURL: fake.baseURL },
    maxRetries: 2,
  })
  const handlers = new WeakMap<AgentBill, AgentBillCallbackHandler>()
  const handlerFor = (bill: AgentBill, agentId: string) => {
    let handler = handlers.get(bill)
    if (handler === undefined) {
      handler = new AgentBillCallbackHandler({ client: bill, agentId })
      handlers.set(bill, handler)
    }
    return handler
  }

  async function complete(call: ContractCall): Promise<ContractResult> {
    const config = call.bare
      ? {}
      : {
          callbacks: [handlerFor(call.bill, call.agentId)],
          metadata: agentBillMetadata({ customerId: call.customerId }),
        }
    if (!call.stream) {
      const message = await model.invoke(call.prompt, config)
      return { text: message.text }
    }
    const chunks: unknown[] = []
    let text = ''
    for await (const chunk of await model.stream(call.prompt, config)) {
      chunks.push(stableChunk(chunk))
      text += chunk.text
    }
    return { text, chunks }
  }

  return {
    name: 'langchain callback handler, ChatOpenAI',
    streaming: true,
    providerCalls: () => fake.modelCalls,
    call(call) {
      const { answer } = call
      if (answer.kind === 'text')
        fake.script({ kind: 'text', text: answer.text, usage: answer.usage })
      else if (answer.kind === 'error') fake.script({ kind: 'error', status: answer.status })
      else
        fake.script(
          {
            kind: 'error',
            status: answer.status,
            message: 'Rate limit reached for gpt-4o-mini. Please try again in 1ms.',
            retryAfterMs: 1,
          },
          { kind: 'text', text: answer.text, usage: answer.usage },
        )
      return complete(call)
    },
  }
}

describeAdapterContract(chatOpenAIHarness)

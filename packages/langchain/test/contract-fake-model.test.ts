import {
  type ContractAnswer,
  type ContractHarness,
  describeAdapterContract,
} from '@agentbill/adapter-contract'
import { AIMessage, type BaseMessage } from '@langchain/core/messages'
import type { Runnable } from '@langchain/core/runnables'
import { fakeModel } from '@langchain/core/testing'
import type { AgentBill } from 'agentbill'
import { AgentBillCallbackHandler } from '../src/agent-bill-callback-handler'
import { agentBillMetadata } from '../src/agent-bill-metadata'

// The shared contract with LangChain's own test model, `fakeModel()` from @langchain/core/testing
// (the older fakes in utils/testing drop usage_metadata). It has no retries of its own, so the
// "retried call" case uses LangChain's `withRetry()`: each attempt is a model run of its own
// under one parent run, so the failed attempt's hold is released and only the answer is billed.
// fakeModel() cannot stream (its `stream` yields the whole answer as one chunk): the streaming
// cases run with ChatOpenAI in contract-chat-openai.test.ts.
function error(status: number): Error {
  return Object.assign(new Error(`Fake error ${status}`), { status })
}

function answerMessage(answer: Extract<ContractAnswer, { text: string }>): AIMessage {
  const { inputTokens, outputTokens } = answer.usage
  return new AIMessage({
    content: answer.text,
    usage_metadata: {
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
    },
  })
}

function fakeModelHarness(): ContractHarness {
  let providerCalls = 0
  const handlers = new WeakMap<AgentBill, AgentBillCallbackHandler>()

  return {
    name: 'langchain callback handler, fakeModel()',
    streaming: false,
    providerCalls: () => providerCalls,
    async call(call) {
      const model = fakeModel()
      const { answer } = call
      let runnable: Runnable<string, BaseMessage> = model
      if (answer.kind === 'text') model.respond(answerMessage(answer))
      else if (answer.kind === 'error') model.respond(error(answer.status))
      else {
        model.respond(error(answer.status)).respond(answerMessage(answer))
        runnable = model.withRetry({ stopAfterAttempt: 2 })
      }
      let handler = handlers.get(call.bill)
      if (handler === undefined) {
        handler = new AgentBillCallbackHandler({ client: call.bill, agentId: call.agentId })
        handlers.set(call.bill, handler)
      }
      try {
        const message = await runnable.invoke(
          call.prompt,
          call.bare
            ? {}
            : {
                callbacks: [handler],
                metadata: agentBillMetadata({ customerId: call.customerId }),
              },
        )
        return { text: message.text }
      } finally {
        providerCalls += model.callCount
      }
    },
  }
}

describeAdapterContract(fakeModelHarness)

import type {
  LanguageModelV4,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider'
import {
  generateText,
  simulateReadableStream,
  stepCountIs,
  streamText,
  tool,
  wrapLanguageModel,
} from 'ai'
import { MockLanguageModelV4 } from 'ai/test'
import { z } from 'zod'
import { agentBillMiddleware } from '../../src/index'
import type { DriverCall, MajorDriver } from './major-driver'
import {
  type ProviderStep,
  providerError,
  type ScriptedProvider,
  textDeltas,
} from './scripted-provider'
import { stablePart } from './stable-part'

let toolCallCount = 0

function usageV4(usage: { inputTokens: number; outputTokens: number }): LanguageModelV4Usage {
  return {
    inputTokens: {
      total: usage.inputTokens,
      noCache: usage.inputTokens,
      cacheRead: undefined,
      cacheWrite: undefined,
    },
    outputTokens: { total: usage.outputTokens, text: usage.outputTokens, reasoning: undefined },
  }
}

function generateResult(
  step: Exclude<ProviderStep, { kind: 'error' }>,
): LanguageModelV4GenerateResult {
  if (step.kind === 'text') {
    return {
      content: [{ type: 'text', text: step.text }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: usageV4(step.usage),
      warnings: [],
    }
  }
  return {
    content: [
      {
        type: 'tool-call',
        toolCallId: `call-${++toolCallCount}`,
        toolName: step.toolName,
        input: JSON.stringify(step.input),
      },
    ],
    finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
    usage: usageV4(step.usage),
    warnings: [],
  }
}

function streamParts(step: Exclude<ProviderStep, { kind: 'error' }>): LanguageModelV4StreamPart[] {
  const start: LanguageModelV4StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    {
      type: 'response-metadata',
      id: 'response-1',
      modelId: 'mock-model-id',
      timestamp: new Date(0),
    },
  ]
  if (step.kind === 'text') {
    return [
      ...start,
      { type: 'text-start', id: 'text-1' },
      ...textDeltas(step.text).map(
        (delta): LanguageModelV4StreamPart => ({ type: 'text-delta', id: 'text-1', delta }),
      ),
      { type: 'text-end', id: 'text-1' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usageV4(step.usage),
      },
    ]
  }
  const id = `call-${++toolCallCount}`
  const input = JSON.stringify(step.input)
  return [
    ...start,
    { type: 'tool-input-start', id, toolName: step.toolName },
    { type: 'tool-input-delta', id, delta: input },
    { type: 'tool-input-end', id },
    { type: 'tool-call', toolCallId: id, toolName: step.toolName, input },
    {
      type: 'finish',
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: usageV4(step.usage),
    },
  ]
}

/** `MockLanguageModelV4` answering from the scripted provider. */
export function mockModelV4(
  provider: ScriptedProvider,
  modelId = 'mock-model-id',
): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    modelId,
    doGenerate: async () => {
      const step = provider.next()
      if (step.kind === 'error') throw providerError(step.status)
      return generateResult(step)
    },
    doStream: async () => {
      const step = provider.next()
      if (step.kind === 'error') throw providerError(step.status)
      return { stream: simulateReadableStream({ chunks: streamParts(step) }) }
    },
  })
}

/** Options of {@link aiV7Driver}. */
export interface AiV7DriverOptions {
  name: string
  /** A new bare model for each call. */
  createModel: () => LanguageModelV4
  /** Whether stream parts keep their ids and timestamps (stable only with mock models). */
  keepIds: boolean
}

/** ai 7 (spec v4) over any model: `MockLanguageModelV4`, or `@ai-sdk/openai` on the fake. */
export function aiV7Driver(options: AiV7DriverOptions): MajorDriver {
  const model = (call: DriverCall) => {
    const bare = options.createModel()
    if (call.bill === null) return bare
    return wrapLanguageModel({
      model: bare,
      middleware: agentBillMiddleware({
        client: call.bill,
        agentId: call.agentId,
        ...(call.ceiling === undefined ? {} : { ceiling: call.ceiling }),
      }),
    })
  }
  const settings = (call: DriverCall) => ({
    model: model(call),
    prompt: call.prompt,
    providerOptions: { agentbill: { customerId: call.customerId } },
    ...(call.maxOutputTokens === undefined ? {} : { maxOutputTokens: call.maxOutputTokens }),
  })
  const tools = {
    lookup: tool({
      description: 'Looks a word up.',
      inputSchema: z.object({ query: z.string() }),
      execute: async ({ query }) => `Nothing found for ${query}.`,
    }),
  }
  return {
    name: options.name,
    async generate(call) {
      const result = await generateText(settings(call))
      return { text: result.text }
    },
    async stream(call) {
      // The error parts are read below; the SDK's default onError would also log them.
      const result = streamText({ ...settings(call), onError: () => undefined })
      const chunks: unknown[] = []
      let text = ''
      for await (const part of result.fullStream) {
        if (part.type === 'error') throw part.error
        if (part.type === 'text-delta') text += part.text
        chunks.push(stablePart(part, options.keepIds))
      }
      return { text, chunks }
    },
    async streamOutcome(call) {
      const onErrors: unknown[] = []
      const result = streamText({
        ...settings(call),
        onError: ({ error }) => void onErrors.push(error),
      })
      const errors: unknown[] = []
      let text = ''
      for await (const part of result.fullStream) {
        if (part.type === 'error') errors.push(part.error)
        if (part.type === 'text-delta') text += part.text
      }
      return { text, errors, onErrors }
    },
    async toolLoop(call) {
      const loop = { ...settings(call), tools, stopWhen: stepCountIs(10) }
      if (!call.stream) {
        let steps = 0
        try {
          const result = await generateText({ ...loop, onStepFinish: () => void steps++ })
          return { steps, text: result.text, error: undefined }
        } catch (error) {
          return { steps, text: '', error }
        }
      }
      let steps = 0
      let text = ''
      let error: unknown
      const result = streamText({ ...loop, onError: () => undefined })
      for await (const part of result.fullStream) {
        if (part.type === 'finish-step') steps++
        if (part.type === 'text-delta') text += part.text
        if (part.type === 'error') error ??= part.error
      }
      return { steps, text, error }
    },
  }
}

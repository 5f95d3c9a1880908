import {
  generateText,
  simulateReadableStream,
  stepCountIs,
  streamText,
  tool,
  wrapLanguageModel,
} from 'ai-v5'
import { MockLanguageModelV2 } from 'ai-v5/test'
import { z } from 'zod'
import { agentBillMiddleware } from '../../src/index'
import type { DriverCall, MajorDriver } from '../support/major-driver'
import {
  type ProviderStep,
  providerError,
  type ScriptedProvider,
  textDeltas,
} from '../support/scripted-provider'
import { stablePart } from '../support/stable-part'

// Spec v3 types, read off the mock so they are ai 5's own.
type GenerateResult = Awaited<ReturnType<MockLanguageModelV2['doGenerate']>>
type StreamResult = Awaited<ReturnType<MockLanguageModelV2['doStream']>>
type StreamPart = StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never
type Usage = GenerateResult['usage']

let toolCallCount = 0

function usageV2(usage: { inputTokens: number; outputTokens: number }): Usage {
  // Spec v2's flat shape.
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    totalTokens: usage.inputTokens + usage.outputTokens,
  }
}

function generateResult(step: Exclude<ProviderStep, { kind: 'error' }>): GenerateResult {
  const usage = usageV2(step.usage)
  if (step.kind === 'text') {
    return {
      content: [{ type: 'text', text: step.text }],
      finishReason: 'stop',
      usage,
      warnings: [],
    }
  }
  return {
    content: [
      {
        type: 'tool-call',
        toolCallId: `v2-call-${++toolCallCount}`,
        toolName: step.toolName,
        input: JSON.stringify(step.input),
      },
    ],
    finishReason: 'tool-calls',
    usage,
    warnings: [],
  }
}

function streamParts(step: Exclude<ProviderStep, { kind: 'error' }>): StreamPart[] {
  const usage = usageV2(step.usage)
  const start: StreamPart[] = [
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
        (delta): StreamPart => ({ type: 'text-delta', id: 'text-1', delta }),
      ),
      { type: 'text-end', id: 'text-1' },
      { type: 'finish', finishReason: 'stop', usage },
    ]
  }
  const id = `v2-call-${++toolCallCount}`
  const input = JSON.stringify(step.input)
  return [
    ...start,
    { type: 'tool-input-start', id, toolName: step.toolName },
    { type: 'tool-input-delta', id, delta: input },
    { type: 'tool-input-end', id },
    { type: 'tool-call', toolCallId: id, toolName: step.toolName, input },
    { type: 'finish', finishReason: 'tool-calls', usage },
  ]
}

/** `MockLanguageModelV2` (ai 5) answering from the scripted provider. */
export function mockModelV2(provider: ScriptedProvider): MockLanguageModelV2 {
  return new MockLanguageModelV2({
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

/** ai 5 (spec v2) with `MockLanguageModelV2`. */
export function aiV5Driver(provider: ScriptedProvider): MajorDriver {
  const model = (call: DriverCall) => {
    const bare = mockModelV2(provider)
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
    name: 'ai 5 (MockLanguageModelV2)',
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
        chunks.push(stablePart(part))
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

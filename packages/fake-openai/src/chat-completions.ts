import type { ServerResponse } from 'node:http'
import { approximateTokens } from './approximate-tokens'
import type { ConversationTurn, OfferedTool } from './default-brain'
import type { FakeBehavior, FakeUsage } from './fake-behavior'
import { StreamWriter, splitIntoChunks } from './stream-writer'

interface ChatRequest {
  model?: string
  messages?: Array<{ role?: string; content?: unknown; tool_call_id?: string }>
  tools?: Array<{ type?: string; function?: { name?: string; parameters?: unknown } }>
  stream?: boolean
  stream_options?: { include_usage?: boolean }
}

/** The turns and tools of a chat completions request. */
export function readChatRequest(body: unknown): {
  turns: ConversationTurn[]
  tools: OfferedTool[]
} {
  const request = (body ?? {}) as ChatRequest
  const turns = (request.messages ?? []).map((message) => ({
    role: normalizeRole(message.role),
    text: contentText(message.content),
  }))
  const tools = (request.tools ?? []).flatMap((tool) =>
    tool.function?.name === undefined
      ? []
      : [{ name: tool.function.name, parameters: tool.function.parameters }],
  )
  return { turns, tools }
}

/** The fake's prompt size for a chat request: its text plus four tokens a message, plus three. */
export function chatPromptTokens(body: unknown): number {
  const request = (body ?? {}) as ChatRequest
  const messages = (request.messages ?? []).reduce(
    (sum, message) => sum + approximateTokens(contentText(message.content)) + 4,
    3,
  )
  const tools = approximateTokens(JSON.stringify(request.tools ?? []))
  return messages + (request.tools === undefined ? 0 : tools)
}

let sequence = 0

/** Answers a chat completions request with `behavior` (text or tool calls), streamed or not. */
export async function answerChat(
  body: unknown,
  behavior: Extract<FakeBehavior, { kind: 'text' | 'tool-calls' }>,
  response: ServerResponse,
): Promise<void> {
  const request = (body ?? {}) as ChatRequest
  const id = `chatcmpl-fake-${++sequence}`
  const created = Math.floor(Date.now() / 1000)
  const model = request.model ?? 'fake-model'
  const toolCalls =
    behavior.kind === 'tool-calls'
      ? behavior.calls.map((call, index) => ({
          id: `call_fake_${sequence}_${index}`,
          type: 'function' as const,
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        }))
      : []
  const text = behavior.kind === 'text' ? behavior.text : ''
  const generated =
    text + toolCalls.map((call) => call.function.name + call.function.arguments).join('')
  const usage = usageOf(behavior.usage, chatPromptTokens(body), approximateTokens(generated))
  const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop'

  if (request.stream !== true) {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_fake',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: toolCalls.length > 0 ? null : text,
              refusal: null,
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage,
      }),
    )
    return
  }

  const includeUsage = request.stream_options?.include_usage === true
  const writer = new StreamWriter(response)
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  })
  const delayMs = behavior.kind === 'text' ? behavior.chunkDelayMs : undefined
  await writer.send(chunk({ role: 'assistant', content: '', refusal: null }, null))
  for (const piece of splitIntoChunks(text)) {
    if (!(await writer.send(chunk({ content: piece }, null), { delayMs }))) return
  }
  for (const [index, call] of toolCalls.entries()) {
    await writer.send(
      chunk(
        {
          tool_calls: [
            {
              index,
              id: call.id,
              type: 'function',
              function: { name: call.function.name, arguments: '' },
            },
          ],
        },
        null,
      ),
    )
    await writer.send(
      chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments } }] }, null),
    )
  }
  await writer.send(chunk({}, finishReason))
  if (includeUsage) {
    await writer.send({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_fake',
      choices: [],
      usage,
    })
  }
  await writer.send('[DONE]')
  writer.end()
}

export function usageOf(
  usage: FakeUsage | undefined,
  promptTokens: number,
  completionTokens: number,
) {
  const prompt = usage?.inputTokens ?? promptTokens
  const completion = usage?.outputTokens ?? Math.max(1, completionTokens)
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: usage?.cachedInputTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage?.reasoningTokens ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}

function normalizeRole(role: string | undefined): ConversationTurn['role'] {
  if (role === 'system' || role === 'developer') return 'system'
  if (role === 'assistant') return 'assistant'
  if (role === 'tool' || role === 'function') return 'tool'
  return 'user'
}

/** The text of a message's content: a string, or the text parts of an array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((part: unknown) => {
      if (typeof part === 'string') return part
      if (
        typeof part === 'object' &&
        part !== null &&
        'text' in part &&
        typeof part.text === 'string'
      )
        return part.text
      return ''
    })
    .join('')
}

import type { ServerResponse } from 'node:http'
import { approximateTokens } from './approximate-tokens'
import { contentText, usageOf } from './chat-completions'
import type { ConversationTurn, OfferedTool } from './default-brain'
import type { FakeBehavior } from './fake-behavior'
import { StreamWriter, splitIntoChunks } from './stream-writer'

interface ResponsesRequest {
  model?: string
  input?: unknown
  instructions?: string | null
  tools?: Array<{ type?: string; name?: string; parameters?: unknown }>
  stream?: boolean
}

interface InputItem {
  type?: string
  role?: string
  content?: unknown
  output?: unknown
}

/** The turns and tools of a Responses request. */
export function readResponsesRequest(body: unknown): {
  turns: ConversationTurn[]
  tools: OfferedTool[]
} {
  const request = (body ?? {}) as ResponsesRequest
  const turns: ConversationTurn[] = []
  if (typeof request.instructions === 'string')
    turns.push({ role: 'system', text: request.instructions })
  if (typeof request.input === 'string') turns.push({ role: 'user', text: request.input })
  else if (Array.isArray(request.input)) {
    for (const item of request.input as InputItem[]) {
      if (item.type === 'function_call_output')
        turns.push({
          role: 'tool',
          text: typeof item.output === 'string' ? item.output : JSON.stringify(item.output),
        })
      else if (item.type === 'function_call') turns.push({ role: 'assistant', text: '' })
      else if (item.role !== undefined) {
        const role =
          item.role === 'assistant'
            ? 'assistant'
            : item.role === 'system' || item.role === 'developer'
              ? 'system'
              : 'user'
        turns.push({ role, text: contentText(item.content) })
      }
    }
  }
  const tools = (request.tools ?? []).flatMap((tool) =>
    tool.type === 'function' && tool.name !== undefined
      ? [{ name: tool.name, parameters: tool.parameters }]
      : [],
  )
  return { turns, tools }
}

/** The fake's prompt size for a Responses request. */
export function responsesPromptTokens(body: unknown): number {
  const { turns } = readResponsesRequest(body)
  const request = (body ?? {}) as ResponsesRequest
  const tools = request.tools === undefined ? 0 : approximateTokens(JSON.stringify(request.tools))
  return turns.reduce((sum, turn) => sum + approximateTokens(turn.text) + 4, 3) + tools
}

let sequence = 0

/** Answers a Responses request with `behavior`, streamed (typed events) or not. */
export async function answerResponses(
  body: unknown,
  behavior: Extract<FakeBehavior, { kind: 'text' | 'tool-calls' }>,
  response: ServerResponse,
): Promise<void> {
  const request = (body ?? {}) as ResponsesRequest
  const id = `resp_fake_${++sequence}`
  const created = Math.floor(Date.now() / 1000)
  const model = request.model ?? 'fake-model'
  const text = behavior.kind === 'text' ? behavior.text : ''
  const calls =
    behavior.kind === 'tool-calls'
      ? behavior.calls.map((call, index) => ({
          ...call,
          index,
          serialized: JSON.stringify(call.arguments),
        }))
      : []
  const generated = text + calls.map((call) => call.name + call.serialized).join('')
  const chatUsage = usageOf(
    behavior.usage,
    responsesPromptTokens(body),
    approximateTokens(generated),
  )
  const usage = {
    input_tokens: chatUsage.prompt_tokens,
    input_tokens_details: { cached_tokens: chatUsage.prompt_tokens_details.cached_tokens },
    output_tokens: chatUsage.completion_tokens,
    output_tokens_details: {
      reasoning_tokens: chatUsage.completion_tokens_details.reasoning_tokens,
    },
    total_tokens: chatUsage.total_tokens,
  }
  const messageId = `msg_fake_${sequence}`
  const messageItem = {
    type: 'message',
    id: messageId,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  }
  const callItems = calls.map((call) => ({
    type: 'function_call',
    id: `fc_fake_${sequence}_${call.index}`,
    call_id: `call_fake_${sequence}_${call.index}`,
    name: call.name,
    arguments: call.serialized,
    status: 'completed',
  }))
  const output = calls.length > 0 ? callItems : [messageItem]
  const envelope = (status: string, items: unknown[], withUsage: boolean) => ({
    id,
    object: 'response',
    created_at: created,
    status,
    model,
    output: items,
    output_text: calls.length > 0 ? '' : text,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: request.tools ?? [],
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    metadata: {},
    temperature: 1,
    top_p: 1,
    text: { format: { type: 'text' } },
    usage: withUsage ? usage : null,
  })

  if (request.stream !== true) {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify(envelope('completed', output, true)))
    return
  }

  const writer = new StreamWriter(response)
  let sequenceNumber = 0
  const emit = (type: string, data: Record<string, unknown>, delayMs?: number) =>
    writer.send(
      { type, sequence_number: sequenceNumber++, ...data },
      { event: type, ...(delayMs === undefined ? {} : { delayMs }) },
    )
  await emit('response.created', { response: envelope('in_progress', [], false) })
  await emit('response.in_progress', { response: envelope('in_progress', [], false) })
  if (calls.length === 0) {
    const delayMs = behavior.kind === 'text' ? behavior.chunkDelayMs : undefined
    await emit('response.output_item.added', {
      output_index: 0,
      item: { ...messageItem, status: 'in_progress', content: [] },
    })
    await emit('response.content_part.added', {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    })
    for (const piece of splitIntoChunks(text)) {
      if (
        !(await emit(
          'response.output_text.delta',
          { item_id: messageId, output_index: 0, content_index: 0, delta: piece, logprobs: [] },
          delayMs,
        ))
      )
        return
    }
    await emit('response.output_text.done', {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      text,
      logprobs: [],
    })
    await emit('response.content_part.done', {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      part: messageItem.content[0],
    })
    await emit('response.output_item.done', { output_index: 0, item: messageItem })
  } else {
    for (const [outputIndex, item] of callItems.entries()) {
      await emit('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, arguments: '', status: 'in_progress' },
      })
      await emit('response.function_call_arguments.delta', {
        item_id: item.id,
        output_index: outputIndex,
        delta: item.arguments,
      })
      await emit('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: outputIndex,
        arguments: item.arguments,
      })
      await emit('response.output_item.done', { output_index: outputIndex, item })
    }
  }
  await emit('response.completed', { response: envelope('completed', output, true) })
  writer.end()
}

import { readImageDimensions } from './image-dimensions'
import { imageTokens } from './image-tokens'
import { InvalidArgumentError } from './invalid-argument-error'
import {
  type ChatMessage,
  type ContentPart,
  type ImageDetail,
  type ResponseInput,
  type ToolDefinition,
  UNKNOWN_PART_TOKENS,
} from './message-types'
import type { ModelInfo } from './model-info'
import { type FunctionTool, renderFunctionTools, toFunctionTool } from './tool-schema'

/** The prompt of one call: chat `messages`, or Responses `input` (+ `instructions`), and `tools`. */
export interface PromptParts {
  /** Chat Completions messages. Give either `messages` or `input`. */
  messages?: readonly ChatMessage[]
  /** Responses API `input`. Give either `messages` or `input`. */
  input?: ResponseInput
  /** Responses API `instructions` (counted as a leading system message). */
  instructions?: string | null
  /** Tools declared on the request, in Chat, Responses or AI SDK form. */
  tools?: readonly ToolDefinition[]
}

/** @internal A prompt split into what each rule counted. */
export interface PromptCount {
  /** Text, names, chat overhead, tool schemas and tool calls, in the counter's tokens. */
  textTokens: number
  /** Images, by the model's image rule. */
  imageTokens: number
  /** Parts of unknowable size (audio, files, item references), {@link UNKNOWN_PART_TOKENS} each. */
  otherTokens: number
  /** Whether every part was counted by a published rule from known inputs. */
  exact: boolean
}

// OpenAI cookbook "How to count tokens with tiktoken" (num_tokens_from_messages): every message
// costs 3 tokens plus its role, content and name (+1 when a name is present); every reply is
// primed with 3 more.
const TOKENS_PER_MESSAGE = 3
const TOKENS_PER_NAME = 1
const REPLY_PRIMING_TOKENS = 3
// hmarr/openai-chat-tokens (gpt-tokenizer's countChatCompletionTokens): function definitions add
// 9 tokens around the rendered namespace, 4 fewer when a system message exists; a function-role
// message costs 2 fewer; a call's name and arguments cost 3 more.
const FUNCTION_DEFINITIONS_OVERHEAD = 9
const SYSTEM_WITH_FUNCTIONS_DEDUCTION = 4
const FUNCTION_ROLE_DISCOUNT = 2
const FUNCTION_CALL_OVERHEAD = 3

/**
 * Counts a prompt with `count` (an exact encoding, a byte upper bound, or an approximation).
 * @internal
 */
export function countPrompt(
  parts: PromptParts,
  model: ModelInfo,
  count: (text: string) => number,
): PromptCount {
  const messages = promptMessages(parts)
  const state: PromptCount = { textTokens: 0, imageTokens: 0, otherTokens: 0, exact: true }

  const functions: FunctionTool[] = []
  const tools = parts.tools ?? []
  if (!Array.isArray(tools)) throw new InvalidArgumentError('tools', 'expected an array')
  tools.forEach((tool: unknown, index) => {
    if (typeof tool !== 'object' || tool === null) {
      throw new InvalidArgumentError(`tools[${index}]`, 'expected a tool object')
    }
    const definition = tool as ToolDefinition
    const fn = toFunctionTool(definition)
    if (fn !== undefined) functions.push(fn)
    else {
      state.textTokens += count(JSON.stringify(definition))
      state.exact = false
    }
  })
  const hasFunctions = functions.length > 0
  let systemPadded = false

  messages.forEach((message, index) => {
    const field = parts.messages !== undefined ? `messages[${index}]` : `input[${index}]`
    if (typeof message !== 'object' || message === null || typeof message.role !== 'string') {
      throw new InvalidArgumentError(`${field}.role`, 'expected a message with a string role')
    }
    let tokens = TOKENS_PER_MESSAGE + count(message.role)
    const content = message.content
    if (typeof content === 'string') {
      // With functions, the first system message is rendered with a trailing newline.
      const padded =
        hasFunctions &&
        !systemPadded &&
        message.role === 'system' &&
        content !== '' &&
        !content.endsWith('\n')
      if (message.role === 'system' && hasFunctions) systemPadded = true
      if (content !== '') tokens += count(padded ? `${content}\n` : content)
    } else if (Array.isArray(content)) {
      content.forEach((part: unknown, partIndex) => {
        tokens += countPart(part, `${field}.content[${partIndex}]`, model, count, state)
      })
    } else if (content !== undefined && content !== null) {
      throw new InvalidArgumentError(
        `${field}.content`,
        'expected a string, an array of parts or null',
      )
    }
    if (typeof message.name === 'string' && message.name !== '') {
      tokens += count(message.name) + TOKENS_PER_NAME
    }
    if (typeof message.tool_call_id === 'string' && message.tool_call_id !== '') {
      tokens += count(message.tool_call_id)
    }
    if (message.function_call !== undefined && message.function_call !== null) {
      tokens += countCall(message.function_call.name, message.function_call.arguments, count)
    }
    for (const call of message.tool_calls ?? []) {
      tokens += countCall(call?.function?.name, call?.function?.arguments, count)
    }
    if (message.role === 'function') tokens -= FUNCTION_ROLE_DISCOUNT
    state.textTokens += tokens
  })

  state.textTokens += REPLY_PRIMING_TOKENS
  if (hasFunctions) {
    state.textTokens += count(renderFunctionTools(functions)) + FUNCTION_DEFINITIONS_OVERHEAD
    if (messages.some((message) => message.role === 'system')) {
      state.textTokens -= SYSTEM_WITH_FUNCTIONS_DEDUCTION
    }
  }
  return state
}

function countCall(
  name: string | undefined,
  args: string | undefined,
  count: (text: string) => number,
): number {
  let tokens = FUNCTION_CALL_OVERHEAD
  if (typeof name === 'string' && name !== '') tokens += count(name)
  if (typeof args === 'string' && args !== '') tokens += count(args)
  return tokens
}

function countPart(
  part: unknown,
  field: string,
  model: ModelInfo,
  count: (text: string) => number,
  state: PromptCount,
): number {
  if (typeof part !== 'object' || part === null) {
    throw new InvalidArgumentError(field, 'expected a content part object')
  }
  const record = part as Record<string, unknown>
  switch (record.type) {
    case 'text':
    case 'input_text':
    case 'output_text': {
      if (typeof record.text !== 'string')
        throw new InvalidArgumentError(`${field}.text`, 'expected a string')
      return count(record.text)
    }
    case 'refusal':
      return typeof record.refusal === 'string' ? count(record.refusal) : 0
    case 'image_url':
    case 'image':
    case 'input_image': {
      const image = readImagePart(record)
      const result = imageTokens(model.imageRule, image.size, image.detail)
      state.imageTokens += result.tokens
      if (!result.exact) state.exact = false
      return 0
    }
    case 'input_audio':
    case 'file':
    case 'input_file':
    case 'item_reference':
      state.otherTokens += UNKNOWN_PART_TOKENS
      state.exact = false
      return 0
    default:
      state.exact = false
      return count(JSON.stringify(part))
  }
}

function readImagePart(record: Record<string, unknown>): {
  size: { width: number; height: number } | undefined
  detail: ImageDetail | undefined
} {
  let source: unknown
  let detail: unknown
  if (record.type === 'image_url') {
    const imageUrl = record.image_url
    const inner =
      typeof imageUrl === 'object' && imageUrl !== null ? (imageUrl as Record<string, unknown>) : {}
    source = typeof imageUrl === 'string' ? imageUrl : inner.url
    detail = inner.detail
  } else {
    source = record.data ?? record.image_url ?? record.url
    detail = record.detail
    const width = record.width
    const height = record.height
    if (typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0) {
      return { size: { width, height }, detail: asDetail(detail) }
    }
  }
  const size =
    source instanceof Uint8Array || (typeof source === 'string' && source.startsWith('data:'))
      ? readImageDimensions(source)
      : typeof source === 'string' && record.type === 'image' && !/^https?:/.test(source)
        ? readImageDimensions(source)
        : undefined
  return { size, detail: asDetail(detail) }
}

function asDetail(value: unknown): ImageDetail | undefined {
  return value === 'low' || value === 'high' || value === 'auto' ? value : undefined
}

/** Chat messages for the prompt: `messages` as given, or Responses `input` mapped onto them. */
function promptMessages(parts: PromptParts): readonly ChatMessage[] {
  if (parts.messages !== undefined && parts.input !== undefined) {
    throw new InvalidArgumentError(
      'input',
      'give either messages (Chat Completions) or input (Responses), not both',
    )
  }
  const leading: ChatMessage[] =
    typeof parts.instructions === 'string' && parts.instructions !== ''
      ? [{ role: 'system', content: parts.instructions }]
      : []
  if (parts.messages !== undefined) {
    if (!Array.isArray(parts.messages))
      throw new InvalidArgumentError('messages', 'expected an array of messages')
    return leading.length > 0 ? [...leading, ...parts.messages] : parts.messages
  }
  const input = parts.input
  if (input === undefined) {
    if (leading.length > 0) return leading
    throw new InvalidArgumentError(
      'messages',
      'required: give messages (Chat Completions) or input (Responses)',
    )
  }
  if (typeof input === 'string') return [...leading, { role: 'user', content: input }]
  if (!Array.isArray(input))
    throw new InvalidArgumentError('input', 'expected a string or an array of items')
  return [...leading, ...input.map((item: unknown, index) => responseItemToMessage(item, index))]
}

function responseItemToMessage(item: unknown, index: number): ChatMessage {
  if (typeof item !== 'object' || item === null) {
    throw new InvalidArgumentError(`input[${index}]`, 'expected an input item object')
  }
  const record = item as Record<string, unknown>
  switch (record.type) {
    case undefined:
    case 'message':
      return {
        role: typeof record.role === 'string' ? record.role : 'user',
        content: record.content as ChatMessage['content'],
      }
    case 'function_call':
      return {
        role: 'assistant',
        tool_calls: [
          {
            function: {
              name: typeof record.name === 'string' ? record.name : '',
              arguments: typeof record.arguments === 'string' ? record.arguments : '',
            },
          },
        ],
      }
    case 'function_call_output':
      return {
        role: 'tool',
        content: record.output as ChatMessage['content'],
        ...(typeof record.call_id === 'string' ? { tool_call_id: record.call_id } : {}),
      }
    case 'reasoning': {
      const summary = Array.isArray(record.summary) ? record.summary : []
      const text = summary
        .map((entry: unknown) =>
          typeof entry === 'object' &&
          entry !== null &&
          typeof (entry as Record<string, unknown>).text === 'string'
            ? (entry as Record<string, string>).text
            : '',
        )
        .join('\n')
      return { role: 'assistant', content: text }
    }
    case 'item_reference':
      // A stored item of unknown size (the estimate is a stated constant, inexact).
      return { role: 'user', content: [{ type: 'file', file: {} }] }
    default:
      // Other items (computer calls, built-in tool calls…): counted as an unknown part, i.e.
      // from their JSON text, and the estimate is marked inexact.
      return { role: 'user', content: [record as unknown as ContentPart] }
  }
}

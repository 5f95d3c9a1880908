import type {
  ChatMessage,
  ContentPart,
  EstimateCallRequest,
  ToolDefinition,
} from '@agentbill/tokens'
import type { Serialized } from '@langchain/core/load/serializable'
import { type BaseMessage, isAIMessage, isToolMessage } from '@langchain/core/messages'

/** What a model call looks like to the estimator, without the policy or the defaults. */
export type ModelCallRequest = Pick<
  EstimateCallRequest,
  'model' | 'messages' | 'tools' | 'maxOutputTokens'
>

/**
 * Maps the arguments of `handleChatModelStart` (one message list) to the neutral prompt shape
 * `@agentbill/tokens` counts: OpenAI chat messages, the tools the request declares, the output
 * cap, and the model id.
 */
export function chatModelCallRequest(
  llm: Serialized,
  messages: readonly BaseMessage[],
  extraParams: Record<string, unknown> | undefined,
  metadata: Record<string, unknown> | undefined,
): ModelCallRequest {
  const invocation = invocationParams(extraParams)
  const tools = invocation.tools
  return {
    model: modelId(llm, invocation, metadata),
    messages: messages.map(toChatMessage),
    ...(Array.isArray(tools) ? { tools: tools as ToolDefinition[] } : {}),
    maxOutputTokens: maxOutputTokens(invocation, metadata),
  }
}

/** The same for `handleLLMStart` (one text prompt of a completion model). */
export function llmCallRequest(
  llm: Serialized,
  prompt: string,
  extraParams: Record<string, unknown> | undefined,
  metadata: Record<string, unknown> | undefined,
): ModelCallRequest {
  const invocation = invocationParams(extraParams)
  return {
    model: modelId(llm, invocation, metadata),
    messages: [{ role: 'user', content: prompt }],
    maxOutputTokens: maxOutputTokens(invocation, metadata),
  }
}

function invocationParams(extraParams: Record<string, unknown> | undefined) {
  const params = extraParams?.invocation_params
  return isRecord(params) ? params : {}
}

/**
 * The model id: what the request sends (`invocation_params.model`), else LangSmith's
 * `ls_model_name`, else the model's constructor arguments, else its class name — so a model
 * that names nothing is still billed (under the default policy the name only picks the
 * tokenizer; an unknown one is approximated).
 */
function modelId(
  llm: Serialized,
  invocation: Record<string, unknown>,
  metadata: Record<string, unknown> | undefined,
): string {
  const kwargs = 'kwargs' in llm && isRecord(llm.kwargs) ? llm.kwargs : {}
  const candidates = [
    invocation.model,
    invocation.model_name,
    invocation.modelName,
    metadata?.ls_model_name,
    kwargs.model,
    kwargs.model_name,
    kwargs.modelName,
    llm.id.at(-1),
  ]
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate
  }
  return 'unknown'
}

/** The request's output cap: OpenAI's field names first, then LangSmith's `ls_max_tokens`. */
function maxOutputTokens(
  invocation: Record<string, unknown>,
  metadata: Record<string, unknown> | undefined,
): number | null {
  const candidates = [
    invocation.max_tokens,
    invocation.max_completion_tokens,
    invocation.max_output_tokens,
    invocation.maxTokens,
    invocation.maxOutputTokens,
    metadata?.ls_max_tokens,
  ]
  for (const candidate of candidates) {
    // -1 means "no cap" for some LangChain models; only a positive integer is a cap.
    if (typeof candidate === 'number' && Number.isSafeInteger(candidate) && candidate > 0)
      return candidate
  }
  return null
}

const ROLES: Readonly<Record<string, ChatMessage['role']>> = {
  human: 'user',
  ai: 'assistant',
  system: 'system',
  developer: 'developer',
  tool: 'tool',
  function: 'function',
}

function toChatMessage(message: BaseMessage): ChatMessage {
  const type = message.type
  const role =
    ROLES[type] ?? ('role' in message && typeof message.role === 'string' ? message.role : type)
  const chat: ChatMessage = { role, content: toContent(message.content) }
  if (typeof message.name === 'string' && message.name !== '') chat.name = message.name
  if (isToolMessage(message)) chat.tool_call_id = message.tool_call_id
  if (isAIMessage(message) && message.tool_calls !== undefined && message.tool_calls.length > 0) {
    chat.tool_calls = message.tool_calls.map((call) => ({
      type: 'function' as const,
      function: { name: call.name, arguments: JSON.stringify(call.args) },
    }))
  }
  return chat
}

function toContent(content: unknown): ChatMessage['content'] {
  if (typeof content === 'string') return content
  // LangChain blocks (text, image_url, standard image/file blocks) are close enough to OpenAI's
  // parts; the estimator counts a block it does not know from its JSON text.
  if (Array.isArray(content)) return content as ContentPart[]
  return null
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

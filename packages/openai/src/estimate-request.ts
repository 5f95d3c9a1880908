import type {
  ChatMessage,
  EstimateCallRequest,
  ResponseInput,
  ToolDefinition,
  UnitsPolicy,
} from '@agentbill/tokens'
import { AgentBillValidationError } from 'agentbill'
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions'
import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses'

/** The two model endpoints the wrapper gates. */
export type ModelEndpoint = 'chat.completions' | 'responses'

/** What the estimate needs beside the request body. */
export interface EstimateSettings {
  policy: UnitsPolicy
  defaultOutputTokens: number | undefined
}

/**
 * Maps a request body of either endpoint to the neutral request `@agentbill/tokens` estimates.
 * The SDK's message and item types are the shapes the tokens package was written against; the
 * casts only widen the SDK's closed unions to its open ones.
 * @throws {AgentBillValidationError} `body` when the request has no JSON object body
 */
export function estimateRequest(
  endpoint: ModelEndpoint,
  body: unknown,
  settings: EstimateSettings,
): EstimateCallRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AgentBillValidationError('body', `expected the ${endpoint} request body as an object`)
  }
  const common = {
    policy: settings.policy,
    ...(settings.defaultOutputTokens === undefined
      ? {}
      : { defaultOutputTokens: settings.defaultOutputTokens }),
  }
  if (endpoint === 'chat.completions') {
    const chat = body as ChatCompletionCreateParamsBase
    return {
      model: chat.model,
      messages: chat.messages as readonly ChatMessage[],
      ...(chat.tools === undefined ? {} : { tools: chat.tools as readonly ToolDefinition[] }),
      maxOutputTokens: chat.max_completion_tokens ?? chat.max_tokens ?? null,
      ...common,
    } satisfies EstimateCallRequest
  }
  const responses = body as ResponseCreateParamsBase
  return {
    model: responses.model ?? '',
    input: (responses.input ?? []) as ResponseInput,
    instructions: typeof responses.instructions === 'string' ? responses.instructions : null,
    ...(responses.tools === undefined
      ? {}
      : { tools: responses.tools as readonly ToolDefinition[] }),
    maxOutputTokens: responses.max_output_tokens ?? null,
    ...common,
  } satisfies EstimateCallRequest
}

import type { ChatMessage, ContentPart, ToolCall } from '@agentbill/tokens'
import type {
  LanguageModelV4CallOptions,
  LanguageModelV4Prompt,
  LanguageModelV4ToolResultOutput,
} from '@ai-sdk/provider'

type ResponseFormat = LanguageModelV4CallOptions['responseFormat']

/**
 * Maps an AI SDK prompt (spec v2, v3 and v4: the shapes differ only in how file data is held) to
 * the neutral chat messages `@agentbill/tokens` counts. Only what the estimate needs is mapped:
 * text, images, tool calls and tool results; a JSON response schema is counted as the system text
 * providers turn it into.
 * @internal
 */
export function toChatMessages(
  prompt: LanguageModelV4Prompt,
  responseFormat?: ResponseFormat,
): ChatMessage[] {
  const messages: ChatMessage[] = []
  for (const message of prompt) {
    switch (message.role) {
      case 'system':
        messages.push({ role: 'system', content: message.content })
        break
      case 'user': {
        const content: ContentPart[] = []
        for (const part of message.content) {
          if (part.type === 'text') content.push({ type: 'text', text: part.text })
          else content.push(fileToPart(part.data, part.mediaType, part.filename))
        }
        messages.push({ role: 'user', content })
        break
      }
      case 'assistant': {
        const content: ContentPart[] = []
        const toolCalls: ToolCall[] = []
        const toolResults: ChatMessage[] = []
        for (const part of message.content) {
          switch (part.type) {
            case 'text':
            case 'reasoning':
              content.push({ type: 'text', text: part.text })
              break
            case 'file':
            case 'reasoning-file':
              content.push(fileToPart(part.data, part.mediaType))
              break
            case 'tool-call':
              toolCalls.push({
                id: part.toolCallId,
                type: 'function',
                function: { name: part.toolName, arguments: asText(part.input) },
              })
              break
            case 'tool-result':
              // A provider-executed tool's result, sent back inside the assistant turn.
              toolResults.push(toolMessage(part.toolCallId, part.output))
              break
            default:
              // `custom` parts carry provider data with no text of their own.
              break
          }
        }
        messages.push({
          role: 'assistant',
          content,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        })
        messages.push(...toolResults)
        break
      }
      case 'tool':
        for (const part of message.content) {
          if (part.type === 'tool-result') messages.push(toolMessage(part.toolCallId, part.output))
          // Approval responses are turned into tool results by the SDK before they reach a model.
        }
        break
    }
  }
  if (responseFormat?.type === 'json' && responseFormat.schema !== undefined) {
    messages.push({ role: 'system', content: JSON.stringify(responseFormat.schema) })
  }
  return messages
}

function toolMessage(toolCallId: string, output: LanguageModelV4ToolResultOutput): ChatMessage {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return { role: 'tool', tool_call_id: toolCallId, content: output.value }
    case 'json':
    case 'error-json':
      return { role: 'tool', tool_call_id: toolCallId, content: JSON.stringify(output.value) }
    case 'execution-denied':
      return { role: 'tool', tool_call_id: toolCallId, content: output.reason ?? 'denied' }
    case 'content': {
      const content: ContentPart[] = []
      for (const item of output.value) {
        if (item.type === 'text') content.push({ type: 'text', text: item.text })
        else if (item.type === 'file') content.push(fileToPart(item.data, item.mediaType))
        else {
          // Spec v2 and v3 name a file item `media` (base64 `data` beside its `mediaType`).
          const media = item as { data?: unknown; mediaType?: unknown }
          if (typeof media.mediaType === 'string')
            content.push(fileToPart(media.data, media.mediaType))
        }
      }
      return { role: 'tool', tool_call_id: toolCallId, content }
    }
    default:
      return { role: 'tool', tool_call_id: toolCallId, content: asText(output) }
  }
}

/**
 * A file part: spec v4 wraps its data (`{ type: 'data' | 'url' | 'reference' | 'text' }`); v2 and
 * v3 hold bytes, a base64 string or a URL directly.
 */
function fileToPart(data: unknown, mediaType: string, filename?: string): ContentPart {
  const image = mediaType.startsWith('image/')
  if (data instanceof URL) return image ? { type: 'image', url: data.href } : unknownFile(filename)
  if (data instanceof Uint8Array || typeof data === 'string') {
    return image ? { type: 'image', data } : unknownFile(filename)
  }
  if (typeof data === 'object' && data !== null && 'type' in data) {
    const wrapped = data as { type: string; data?: unknown; url?: unknown; text?: unknown }
    if (wrapped.type === 'text' && typeof wrapped.text === 'string') {
      return { type: 'text', text: wrapped.text }
    }
    if (wrapped.type === 'data') return fileToPart(wrapped.data, mediaType, filename)
    if (wrapped.type === 'url') return fileToPart(wrapped.url, mediaType, filename)
  }
  // A provider file reference: its size is unknown, so the model's worst case (images) or the
  // stated constant (other files) is counted.
  return image ? { type: 'image' } : unknownFile(filename)
}

function unknownFile(filename: string | undefined): ContentPart {
  return { type: 'file', file: filename === undefined ? {} : { filename } }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null)
}

import type { ModelEndpoint } from './estimate-request'
import { isRecord } from './output-tally'

/**
 * The text a non-streamed answer generated — message content, refusals, tool-call names and
 * arguments, reasoning summaries — for billing an answer that came without usage (some
 * OpenAI-compatible servers omit it).
 */
export function outputTextOf(endpoint: ModelEndpoint, body: unknown): string[] {
  if (!isRecord(body)) return []
  const texts: string[] = []
  const add = (value: unknown) => {
    if (typeof value === 'string' && value !== '') texts.push(value)
  }
  if (endpoint === 'chat.completions') {
    for (const choice of Array.isArray(body.choices) ? body.choices : []) {
      const message = isRecord(choice) && isRecord(choice.message) ? choice.message : undefined
      if (message === undefined) continue
      add(message.content)
      add(message.refusal)
      for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
        if (!isRecord(call) || !isRecord(call.function)) continue
        add(call.function.name)
        add(call.function.arguments)
      }
    }
    return texts
  }
  for (const item of Array.isArray(body.output) ? body.output : []) {
    if (!isRecord(item)) continue
    add(item.name)
    add(item.arguments)
    for (const part of [
      ...(Array.isArray(item.content) ? item.content : []),
      ...(Array.isArray(item.summary) ? item.summary : []),
    ]) {
      if (!isRecord(part)) continue
      add(part.text)
      add(part.refusal)
    }
  }
  return texts
}

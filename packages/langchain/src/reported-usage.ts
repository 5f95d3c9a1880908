import { type NormalizedUsage, normalizeUsage } from '@agentbill/tokens'
import { isAIMessage } from '@langchain/core/messages'
import type { ChatGeneration, Generation, LLMResult } from '@langchain/core/outputs'

/**
 * The usage the provider reported for one model run: the message's `usage_metadata`, else
 * `llmOutput.tokenUsage`. Never `llmOutput.estimatedTokenUsage`: that is LangChain's own guess
 * (and computing it may try to download an encoding), not what the provider charged.
 * @returns `undefined` when the model reported nothing
 */
export function reportedUsage(output: LLMResult): NormalizedUsage | undefined {
  const generation = output.generations[0]?.[0]
  const message =
    generation !== undefined && isChatGeneration(generation) ? generation.message : undefined
  if (message !== undefined && isAIMessage(message) && message.usage_metadata !== undefined) {
    const usage = normalizeUsage(message.usage_metadata)
    if (usage !== undefined) return usage
  }
  const tokenUsage = output.llmOutput?.tokenUsage
  return tokenUsage === undefined ? undefined : normalizeUsage(tokenUsage)
}

/**
 * Everything the model generated, as text: the generations' text, or their messages' text, and
 * the tool calls' names and arguments (they are output tokens too). Counted to bill a model that
 * reports no usage.
 */
export function generatedText(output: LLMResult): string {
  const pieces: string[] = []
  for (const generations of output.generations) {
    for (const generation of generations) {
      // A stream that yielded nothing ends with an undefined generation.
      if (generation === undefined) continue
      const message = isChatGeneration(generation) ? generation.message : undefined
      const text = generation.text !== '' ? generation.text : (message?.text ?? '')
      if (text !== '') pieces.push(text)
      if (message !== undefined && isAIMessage(message)) {
        for (const call of message.tool_calls ?? []) {
          pieces.push(call.name, JSON.stringify(call.args))
        }
      }
    }
  }
  return pieces.join('\n')
}

function isChatGeneration(generation: Generation): generation is ChatGeneration {
  return 'message' in generation && generation.message !== undefined
}

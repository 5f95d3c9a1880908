import type { LanguageModelV4Prompt } from '@ai-sdk/provider'
import { ExpiringMap } from './expiring-map'

/** How long a tool call stays linked to its run: as long as a hold lives by default. */
const LINK_TTL_MS = 15 * 60_000
const MAX_LINKS = 10_000

/**
 * Links the steps of one tool loop into one run without any help from the caller.
 *
 * The middleware sees each step of a multi-step `generateText`/`streamText` as a separate model
 * call, and the SDK passes nothing that identifies the loop. But every step after the first
 * answers the tool calls of the step before: its prompt ends with tool results whose ids are the
 * ids of the tool calls the previous step returned. So each step's tool-call ids are remembered
 * with its run id, and a prompt that ends with results for one of them continues that run. A new
 * user turn ends with a user message and starts a new run. (Kept in this process for
 * {@link LINK_TTL_MS}: a client-side tool whose result comes back to another server instance
 * starts a new run; name the run in `providerOptions.agentbill.runId` to join them.)
 * @internal
 */
export class RunLinks {
  readonly #links = new ExpiringMap<string, string>({ ttlMs: LINK_TTL_MS, maxEntries: MAX_LINKS })

  /** Remembers that `toolCallId` was made in `runId`. */
  link(toolCallId: string, runId: string): void {
    this.#links.set(toolCallId, runId)
  }

  /** The run a prompt continues: the run of the tool calls its trailing tool results answer. */
  find(prompt: LanguageModelV4Prompt): string | undefined {
    if (this.#links.size === 0) return undefined
    for (let index = prompt.length - 1; index >= 0; index--) {
      const message = prompt[index]
      if (message?.role === 'tool') {
        for (const part of message.content) {
          if (part.type !== 'tool-result') continue
          const runId = this.#links.get(part.toolCallId)
          if (runId !== undefined) return runId
        }
        continue
      }
      return undefined
    }
    return undefined
  }
}

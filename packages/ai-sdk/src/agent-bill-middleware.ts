import type {
  LanguageModelV4GenerateResult,
  LanguageModelV4Middleware,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider'
import type { LanguageModelMiddleware } from 'ai'
import { gateStream } from './gate-stream'
import { type AgentBillMiddlewareOptions, resolveMiddlewareOptions } from './middleware-options'
import { beginModelCall, type MiddlewareState } from './model-call'
import { RetryAttempts } from './retry-attempts'
import { RunLinks } from './run-links'

// Tool-loop links and failed attempts are shared by every middleware made for one client, so a
// loop whose `prepareStep` switches between two wrapped models stays one run.
const states = new WeakMap<object, MiddlewareState>()

function stateFor(client: object): MiddlewareState {
  let state = states.get(client)
  if (state === undefined) {
    state = { links: new RunLinks(), retries: new RetryAttempts() }
    states.set(client, state)
  }
  return state
}

/**
 * A Vercel AI SDK language model middleware that gates every call of the model it wraps —
 * `generateText`, `streamText`, `generateObject`, `streamObject`, and each step of a tool loop —
 * through AgentBill: before the call, its estimate (prompt, tools, output cap) is preflighted with
 * a hold, and a blocked call throws `BudgetExceededError` without reaching the model; after it,
 * the usage is recorded exactly once. Streams pass through unchanged and are ended at the run's
 * ceiling or the customer's budget.
 *
 * One object serves `ai` 5, 6 and 7; its type is the `LanguageModelMiddleware` of the `ai` you
 * installed.
 *
 * @throws {AgentBillValidationError} for a bad option (when called, not on the first model call).
 * @example
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o-mini'),
 *   middleware: agentBillMiddleware({ client: bill, agentId: 'support-bot', ceiling: 50 }),
 * })
 * const { text } = await generateText({
 *   model,
 *   prompt: 'Summarize my last invoice.',
 *   providerOptions: { agentbill: { customerId: user.id } },
 * })
 */
export function agentBillMiddleware(options: AgentBillMiddlewareOptions): LanguageModelMiddleware {
  const settings = resolveMiddlewareOptions(options)
  const state = stateFor(settings.client)

  const hooks = {
    async wrapGenerate({ doGenerate, params, model }): Promise<LanguageModelV4GenerateResult> {
      const call = await beginModelCall(settings, state, params, model)
      let result: LanguageModelV4GenerateResult
      try {
        result = await doGenerate()
      } catch (error) {
        await call.fail(error)
        throw error
      }
      const output: string[] = []
      for (const part of result.content) {
        if (part.type === 'text' || part.type === 'reasoning') output.push(part.text)
        else if (part.type === 'tool-call') {
          output.push(part.input)
          call.linkToolCall(part.toolCallId)
        }
      }
      await call.recordUsage(result.usage, () => {
        const meter = call.createMeter()
        meter.add(output.join(''))
        return meter.tokens
      })
      return result
    },

    async wrapStream({ doStream, params, model }): Promise<LanguageModelV4StreamResult> {
      const call = await beginModelCall(settings, state, params, model)
      let result: LanguageModelV4StreamResult
      try {
        result = await doStream()
      } catch (error) {
        await call.fail(error)
        throw error
      }
      return { ...result, stream: gateStream(result.stream, call) }
    },
  } satisfies Pick<LanguageModelV4Middleware, 'wrapGenerate' | 'wrapStream'>

  const middleware = {
    // Not read at run time by ai 5, 6 or 7 (verified, and tested per major): these say what each
    // major's types expect (v2: `middlewareVersion`, v3: `specificationVersion`); ai 7 accepts both.
    specificationVersion: 'v3',
    middlewareVersion: 'v2',
    ...hooks,
  } as const
  // One runtime object for three majors: the hooks read v2, v3 and v4 shapes (usage flat or
  // nested, file data bare or wrapped). Its type is the installed `ai`'s own middleware type,
  // which each major's tests check (tsconfig.ai-v6.json, tsconfig.ai-v5.json).
  return middleware as unknown as LanguageModelMiddleware
}

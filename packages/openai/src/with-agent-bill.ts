import { defaultPolicy } from '@agentbill/tokens'
import { AgentBillValidationError, resolveAdapterOptions } from 'agentbill'
import type { OpenAI } from 'openai'
import type { AgentBillOpenAIOptions } from './agent-bill-openai-options'
import { gatedClientClass, isGatedClient } from './gated-client-class'
import type { GateSettings } from './model-call'

/**
 * Returns a copy of `openai`, of the same class and type, on which every model call
 * (`chat.completions.create` and `responses.create`, streamed or not, and every helper built on
 * them) is gated: estimated, preflighted with a hold — a blocked call throws
 * `BudgetExceededError` before any request leaves the process — sent, and recorded with its
 * actual usage (or released when the provider fails). `openai` itself is left untouched.
 *
 * @example
 * const bill = new AgentBill()
 * const openai = withAgentBill(new OpenAI(), { client: bill, agentId: 'researcher', customerId: 'user_42' })
 * const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
 * @throws {AgentBillValidationError} for a bad option (naming it), or a client already wrapped
 */
export function withAgentBill<Client extends OpenAI>(
  openai: Client,
  options: AgentBillOpenAIOptions,
): Client {
  if (
    typeof openai !== 'object' ||
    openai === null ||
    typeof openai.withOptions !== 'function' ||
    typeof openai.post !== 'function'
  ) {
    throw new AgentBillValidationError('openai', 'expected an OpenAI client (new OpenAI(…))')
  }
  if (isGatedClient(openai)) {
    throw new AgentBillValidationError(
      'openai',
      'this client is already wrapped by withAgentBill; give per-call context with agentBillHeaders() instead',
    )
  }
  const settings = resolveSettings(options)
  const Gated = gatedClientClass(openai.constructor as typeof OpenAI, settings)
  // `withOptions({})` is the SDK's own copy of a client (options, credentials, private state);
  // re-pointing the copy's prototype makes it the gated subclass without touching `openai`.
  const copy = openai.withOptions({})
  Object.setPrototypeOf(copy, Gated.prototype)
  return copy
}

function resolveSettings(options: AgentBillOpenAIOptions): GateSettings {
  const shared = resolveAdapterOptions(options, 'withAgentBill', ['includeUsage'])
  if (options.includeUsage !== undefined && typeof options.includeUsage !== 'boolean') {
    throw new AgentBillValidationError('includeUsage', 'must be a boolean')
  }
  return {
    bill: shared.client,
    defaults: shared.defaults,
    policy: options.units ?? defaultPolicy,
    defaultOutputTokens: shared.defaultOutputTokens,
    includeUsage: options.includeUsage ?? true,
    ttlSeconds: shared.ttlSeconds,
  }
}

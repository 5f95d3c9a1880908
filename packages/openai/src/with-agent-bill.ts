import { defaultPolicy } from '@agentbill/tokens'
import { AgentBillValidationError } from 'agentbill'
import type { OpenAI } from 'openai'
import type { AgentBillOpenAIOptions } from './agent-bill-openai-options'
import { gatedClientClass, isGatedClient } from './gated-client-class'
import type { GateSettings } from './model-call'

const OPTION_KEYS = new Set([
  'client',
  'agentId',
  'customerId',
  'ceiling',
  'units',
  'defaultOutputTokens',
  'includeUsage',
  'ttlSeconds',
])

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
  if (typeof options !== 'object' || options === null) {
    throw new AgentBillValidationError('options', 'expected an object with at least `client`')
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new AgentBillValidationError(key, `unknown option of withAgentBill`)
    }
  }
  const { client } = options
  if (typeof client !== 'object' || client === null || typeof client.beginCall !== 'function') {
    throw new AgentBillValidationError('client', 'expected an AgentBill client (new AgentBill(…))')
  }
  checkOptionalText('agentId', options.agentId)
  checkOptionalText('customerId', options.customerId)
  checkOptionalInteger('ceiling', options.ceiling, 0)
  checkOptionalInteger('defaultOutputTokens', options.defaultOutputTokens, 1)
  checkOptionalInteger('ttlSeconds', options.ttlSeconds, 1)
  if (options.units !== undefined && typeof options.units !== 'function') {
    throw new AgentBillValidationError('units', 'expected a units policy, (usage, model) => units')
  }
  if (options.includeUsage !== undefined && typeof options.includeUsage !== 'boolean') {
    throw new AgentBillValidationError('includeUsage', 'expected a boolean')
  }
  return {
    bill: client,
    defaults: {
      ...(options.agentId === undefined ? {} : { agentId: options.agentId }),
      ...(options.customerId === undefined ? {} : { customerId: options.customerId }),
      ...(options.ceiling === undefined ? {} : { ceiling: options.ceiling }),
    },
    policy: options.units ?? defaultPolicy,
    defaultOutputTokens: options.defaultOutputTokens,
    includeUsage: options.includeUsage ?? true,
    ttlSeconds: options.ttlSeconds,
  }
}

function checkOptionalText(param: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
    throw new AgentBillValidationError(param, 'expected a non-empty string')
  }
}

function checkOptionalInteger(param: string, value: unknown, minimum: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < minimum)) {
    throw new AgentBillValidationError(
      param,
      `expected an integer ≥ ${minimum}, got ${String(value)}`,
    )
  }
}

import {
  applyPolicy,
  type CallEstimate,
  createOutputMeter,
  estimateCall,
  type NormalizedUsage,
  normalizeUsage,
  type OutputMeter,
} from '@agentbill/tokens'
import type { LanguageModelV4CallOptions } from '@ai-sdk/provider'
import { AgentBillAPIError, type CallContext, currentRun, type GatedCall } from 'agentbill'
import { readProviderOptions } from './agent-bill-provider-options'
import type { MiddlewareSettings } from './middleware-options'
import { callFingerprint, type FailedAttempt, type RetryAttempts } from './retry-attempts'
import type { RunLinks } from './run-links'
import { toChatMessages } from './to-chat-messages'
import { VERSION } from './version'

/** What the middleware keeps between calls, per AgentBill client. @internal */
export interface MiddlewareState {
  links: RunLinks
  retries: RetryAttempts
}

/** The model as the middleware's hooks see it. @internal */
export interface ModelIdentity {
  readonly modelId: string
  readonly provider: string
}

/** How a call's usage was known. */
type Measured = 'provider' | 'counted'

/** Why a call ended early, when it did. */
type Stopped = 'allowance' | 'aborted' | 'error'

/**
 * Begins one gated model call: estimates it from the prompt, the tools and the output cap, then
 * preflights it with a hold through `client.beginCall` (which throws `BudgetExceededError` before
 * the model is called).
 * @internal
 */
export async function beginModelCall(
  settings: MiddlewareSettings,
  state: MiddlewareState,
  params: LanguageModelV4CallOptions,
  model: ModelIdentity,
): Promise<ModelCall> {
  const context = readProviderOptions(params.providerOptions)
  const estimate = await estimateCall({
    model: model.modelId,
    messages: toChatMessages(params.prompt, params.responseFormat),
    tools: params.tools ?? [],
    maxOutputTokens: params.maxOutputTokens ?? null,
    policy: settings.policy,
    ...(settings.defaultOutputTokens === undefined
      ? {}
      : { defaultOutputTokens: settings.defaultOutputTokens }),
  })
  const scopeRunId = currentRun()?.runId
  const fingerprint = () => callFingerprint(model.modelId, params, scopeRunId)
  const retried = state.retries.waiting ? state.retries.take(fingerprint()) : undefined
  const attempt: FailedAttempt = retried ?? {
    idempotencyKey: crypto.randomUUID(),
    // One run per logical call by default; a later step of a tool loop continues its loop's run.
    defaultRunId: state.links.find(params.prompt) ?? `run_${crypto.randomUUID()}`,
  }
  const begin = (idempotencyKey: string) =>
    settings.client.beginCall({
      call: context,
      defaults: { ...settings.defaults, runId: attempt.defaultRunId },
      estimatedUnits: estimate.units,
      idempotencyKey,
      ...(settings.ttlSeconds === undefined ? {} : { ttlSeconds: settings.ttlSeconds }),
    })
  let gated: GatedCall
  try {
    gated = await begin(attempt.idempotencyKey)
  } catch (error) {
    // A retry whose request differs after all (its estimate changed): decide it afresh.
    if (retried === undefined || !isIdempotencyConflict(error)) throw error
    attempt.idempotencyKey = crypto.randomUUID()
    gated = await begin(attempt.idempotencyKey)
  }
  return new ModelCall({ settings, state, model, estimate, gated, attempt, fingerprint, context })
}

interface ModelCallParts {
  settings: MiddlewareSettings
  state: MiddlewareState
  model: ModelIdentity
  estimate: CallEstimate
  gated: GatedCall
  attempt: FailedAttempt
  fingerprint: () => string
  context: CallContext
}

/**
 * One model call that passed its preflight. It ends exactly once: `record…` bills what was used
 * (settling the hold), `fail` releases the hold.
 * @internal
 */
export class ModelCall {
  readonly gated: GatedCall
  readonly estimate: CallEstimate
  readonly #parts: ModelCallParts

  constructor(parts: ModelCallParts) {
    this.#parts = parts
    this.gated = parts.gated
    this.estimate = parts.estimate
  }

  /** A meter for this call's streamed output, its units covering the prompt too. */
  createMeter(): OutputMeter {
    return createOutputMeter({
      model: this.#parts.model.modelId,
      policy: this.#parts.settings.policy,
      inputTokens: this.estimate.promptTokens,
    })
  }

  /** Remembers a tool call this step made, so the loop's next step continues this run. */
  linkToolCall(toolCallId: string): void {
    if (this.gated.runId !== null) this.#parts.state.links.link(toolCallId, this.gated.runId)
  }

  /**
   * Records the usage the provider reported; totals it left out are taken from the estimate
   * (input) and from `countOutput` (output), which is only called when needed.
   */
  async recordUsage(
    reported: unknown,
    countOutput: () => number,
    stopped?: Stopped,
  ): Promise<void> {
    let measured: Measured = 'provider'
    const fallback = {
      inputTokens: this.estimate.promptTokens,
      get outputTokens() {
        measured = 'counted'
        return countOutput()
      },
    }
    const usage = normalizeUsage(reported, { fallback }) ?? {
      inputTokens: this.estimate.promptTokens,
      cachedInputTokens: 0,
      outputTokens: fallback.outputTokens,
      reasoningTokens: 0,
    }
    const { modelId } = this.#parts.model
    await this.#record(
      applyPolicy(this.#parts.settings.policy, usage, modelId),
      usage,
      measured,
      stopped,
    )
  }

  /** Records a stream that was ended at its allowance: the prompt plus the output delivered. */
  async recordDelivered(deliveredText: string): Promise<number> {
    const meter = this.createMeter()
    meter.add(deliveredText)
    const { usage, units } = await meter.finish()
    await this.#record(units, usage, 'counted', 'allowance')
    return units
  }

  /**
   * The provider failed: frees the hold. A failure the SDK will retry is remembered, so the retry
   * re-enters with the same idempotency key and gets this call's decision back.
   */
  async fail(error: unknown): Promise<void> {
    await this.gated.release()
    if (isRetryable(error))
      this.#parts.state.retries.remember(this.#parts.fingerprint(), this.#parts.attempt)
  }

  /** Reports a failure nobody awaits to the `onError` option. */
  reportError(error: unknown): void {
    this.#parts.settings.onError(error)
  }

  async #record(
    units: number,
    usage: NormalizedUsage,
    measured: Measured,
    stopped: Stopped | undefined,
  ): Promise<void> {
    const { model } = this.#parts
    await this.gated.record(units, {
      metadata: {
        adapter: `@agentbill/ai-sdk@${VERSION}`,
        provider: model.provider,
        model: model.modelId,
        ...usage,
        measured,
        ...(stopped === undefined ? {} : { stopped }),
      },
    })
  }
}

function isRetryable(error: unknown): boolean {
  // The SDK retries APICallError and GatewayError with `isRetryable: true` (429, 5xx, resets).
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { isRetryable?: unknown }).isRetryable === true
  )
}

function isIdempotencyConflict(error: unknown): boolean {
  return AgentBillAPIError.isInstance(error) && error.status === 422
}

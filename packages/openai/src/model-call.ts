import {
  applyPolicy,
  type CallEstimate,
  createOutputMeter,
  estimateCall,
  type NormalizedUsage,
  normalizeUsage,
  type UnitsPolicy,
} from '@agentbill/tokens'
import type { AgentBill, CallContext, GatedCall } from 'agentbill'
import { AllowanceExceededError } from 'agentbill'
import { readCallContext } from './call-context-headers'
import { estimateRequest, type ModelEndpoint } from './estimate-request'
import { isRecord, OutputTally } from './output-tally'
import { outputTextOf } from './output-text'
import type { RequestOptions } from './sdk-types'

/** The wrapper's resolved options, shared by every client derived from one `withAgentBill`. */
export interface GateSettings {
  bill: Pick<AgentBill, 'beginCall'>
  defaults: CallContext
  policy: UnitsPolicy
  defaultOutputTokens: number | undefined
  includeUsage: boolean
  ttlSeconds: number | undefined
}

/** How a streamed call ended. */
export type StreamOutcome =
  /** The provider finished the stream. */
  | 'completed'
  /** The caller stopped reading (`break`, `return()`, cancel) or aborted the request. */
  | 'stopped'
  /** The wrapper stopped it at the call's allowance. */
  | 'cut'
  /** The stream failed (a provider error event, a dropped connection). */
  | 'failed'

/**
 * One gated model call, from its preflight to its record or release. Made once per logical
 * request in the client's `post`, so the SDK's own retries (which happen below `post`) never
 * preflight or bill again. Every path ends it exactly once.
 */
export class ModelCall {
  readonly endpoint: ModelEndpoint
  readonly #settings: GateSettings
  readonly #defaultHeaders: unknown
  #gated: GatedCall | undefined
  #estimate: CallEstimate | undefined
  #stream = false
  #injectedUsage = false
  #parseRequested = false
  #rawRequested = false
  #settlement: Promise<number | undefined> | undefined

  constructor(endpoint: ModelEndpoint, settings: GateSettings, defaultHeaders: unknown) {
    this.endpoint = endpoint
    this.#settings = settings
    this.#defaultHeaders = defaultHeaders
  }

  /** The caller awaits the parsed answer (`then`, `withResponse`, a helper). */
  markParse(): void {
    this.#parseRequested = true
  }

  /** The caller asked for the raw `Response` (`asResponse()`). */
  markRaw(): void {
    this.#rawRequested = true
  }

  /** Whether the caller reads the raw body itself: `asResponse()` without parsing. */
  get readsRawBody(): boolean {
    return this.#rawRequested && !this.#parseRequested
  }

  /** The gated call (after a successful preflight). */
  get gatedCall(): GatedCall {
    if (this.#gated === undefined) throw new Error('The call has not been preflighted')
    return this.#gated
  }

  /**
   * Estimates the request, preflights it with a hold (throwing `BudgetExceededError` when
   * blocked, before anything is sent), and returns the options to send.
   */
  async prepare(options: RequestOptions | undefined): Promise<RequestOptions> {
    const resolved = options ?? {}
    const body = resolved.body
    const estimate = await estimateCall(estimateRequest(this.endpoint, body, this.#settings))
    const call = readCallContext(this.#defaultHeaders, resolved.headers)
    this.#gated = await this.#settings.bill.beginCall({
      call,
      defaults: this.#settings.defaults,
      estimatedUnits: estimate.units,
      ...(this.#settings.ttlSeconds === undefined ? {} : { ttlSeconds: this.#settings.ttlSeconds }),
    })
    this.#estimate = estimate
    const request = body as { stream?: unknown; stream_options?: unknown }
    this.#stream = request.stream === true
    // After the preflight's round trip the caller's synchronous chaining (`.asResponse()`) is
    // known: a raw body is handed over untouched, so it gets no injected option.
    if (
      this.endpoint === 'chat.completions' &&
      this.#stream &&
      this.#settings.includeUsage &&
      !this.readsRawBody &&
      !(isRecord(request.stream_options) && request.stream_options.include_usage === true)
    ) {
      this.#injectedUsage = true
      const streamOptions = isRecord(request.stream_options) ? request.stream_options : {}
      return {
        ...resolved,
        body: { ...request, stream_options: { ...streamOptions, include_usage: true } },
      }
    }
    return resolved
  }

  /** The request failed (after the SDK's retries) or was aborted before an answer: release. */
  requestFailed(): Promise<number | undefined> {
    if (this.#gated === undefined) return Promise.resolve(undefined)
    const gated = this.#gated
    this.#settlement ??= gated.release().then(() => undefined)
    return this.#settlement
  }

  /** A tally for the streamed answer of this call. */
  createTally(): OutputTally {
    return new OutputTally({
      endpoint: this.endpoint,
      model: this.#model(),
      policy: this.#settings.policy,
      promptTokens: this.#promptTokens(),
      hideInjectedUsage: this.#injectedUsage,
    })
  }

  /**
   * Records a non-streamed answer: the provider's usage, or (when it sent none) the prompt
   * estimate plus a count of the answer's text. Resolves with the units recorded.
   */
  settleBody(body: unknown): Promise<number | undefined> {
    this.#settlement ??= (async () => {
      const usage = normalizeUsage(isRecord(body) ? body.usage : undefined)
      if (usage !== undefined) return this.#record(usage, 'provider', 'completed')
      const meter = createOutputMeter({
        model: this.#model(),
        policy: this.#settings.policy,
        inputTokens: this.#promptTokens(),
      })
      for (const text of outputTextOf(this.endpoint, body)) meter.add(text)
      const metered = await meter.finish()
      return this.#record(metered.usage, 'counted', 'completed', metered.units)
    })()
    return this.#settlement
  }

  /**
   * Ends a streamed call: the provider's usage when the stream carried it; otherwise the prompt
   * estimate plus an exact count of what streamed (an early stop or a cut is never billed zero,
   * nor the whole hold). A stream that failed before generating anything is released.
   */
  settleStream(tally: OutputTally, outcome: StreamOutcome): Promise<number | undefined> {
    this.#settlement ??= (async () => {
      const usage = normalizeUsage(tally.usage)
      if (usage !== undefined) return this.#record(usage, 'provider', outcome)
      if (outcome === 'failed' && !tally.generated) {
        await this.gatedCall.release()
        return undefined
      }
      const metered = await tally.finish()
      return this.#record(metered.usage, 'counted', outcome, metered.units)
    })()
    return this.#settlement
  }

  /** The error a stream ends with when it is cut at the call's allowance. */
  allowanceError(usedUnits: number): AllowanceExceededError {
    return new AllowanceExceededError(this.gatedCall, usedUnits)
  }

  async #record(
    usage: NormalizedUsage,
    measured: 'provider' | 'counted',
    outcome: StreamOutcome,
    units: number = applyPolicy(this.#settings.policy, usage, this.#model()),
  ): Promise<number> {
    await this.gatedCall.record(units, {
      metadata: {
        model: this.#model(),
        endpoint: this.endpoint,
        stream: this.#stream,
        measured,
        ...(outcome === 'completed' ? {} : { outcome }),
        ...usage,
      },
    })
    return units
  }

  #model(): string {
    if (this.#estimate === undefined) throw new Error('The call has not been estimated')
    return this.#estimate.model
  }

  #promptTokens(): number {
    return this.#estimate?.promptTokens ?? 0
  }
}

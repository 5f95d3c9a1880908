import {
  applyPolicy,
  countTokens,
  createOutputMeter,
  defaultPolicy,
  estimateCall,
  type NormalizedUsage,
  type OutputMeter,
  type UnitsPolicy,
} from '@agentbill/tokens'
import {
  BaseCallbackHandler,
  type HandleLLMNewTokenCallbackFields,
  type NewTokenIndices,
} from '@langchain/core/callbacks/base'
import type { Serialized } from '@langchain/core/load/serializable'
import { type BaseMessage, isAIMessageChunk } from '@langchain/core/messages'
import type { LLMResult } from '@langchain/core/outputs'
import type { ChainValues } from '@langchain/core/utils/types'
import {
  AgentBillValidationError,
  AllowanceExceededError,
  type CallContext,
  type GatedCall,
  resolveAdapterOptions,
} from 'agentbill'
import type { AgentBillCallbackHandlerOptions } from './agent-bill-callback-handler-options'
import { callContextFromMetadata } from './agent-bill-metadata'
import { chatModelCallRequest, llmCallRequest, type ModelCallRequest } from './model-call-request'
import { generatedText, reportedUsage } from './reported-usage'
import { RunTree } from './run-tree'

/** A model call that passed its preflight and has not ended yet. */
interface OpenCall {
  gated: GatedCall
  model: string
  promptTokens: number
  /**
   * Counts what the model streams (`handleLLMNewToken`): to stop a stream at the call's allowance
   * and to bill a stream that failed midway.
   */
  meter: OutputMeter
  startedAt: number
  /** Stops listening to the call's abort signal. */
  detach: () => void
  /**
   * How many times this handler is registered for the call: LangChain does not deduplicate
   * handlers, so one given both to a model's constructor and at run time hears every event twice.
   */
  copies: number
  /** Token events heard, to keep one in `copies`. */
  tokenEvents: number
}

/**
 * A run or model call still open after this long is taken to be abandoned (its consumer stopped
 * reading a stream, so LangChain never ends it) and forgotten. Far longer than any real run, and
 * than the longest hold (24 h), whose expiry frees the customer's budget on the server.
 */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000
const SWEEP_INTERVAL_MS = 60 * 1000

/**
 * Gates every chat model and LLM call of a LangChain.js chain or agent: before a call, a
 * preflight holds its estimate against the customer's budget and the run's ceiling (blocked →
 * the model is never called and `invoke` rejects with `BudgetExceededError`); after it, the
 * model's actual usage is recorded once; a failed call releases its hold.
 *
 * One `invoke` (or `stream`, or one `batch` item) of a chain or agent is one run, whose ceiling
 * covers every model call inside it. The customer, agent, run and ceiling may also come per
 * invocation from `metadata` (see `agentBillMetadata`) or an enclosing `bill.run(...)`, so one
 * handler serves many customers, concurrently.
 *
 * @example
 * const billing = new AgentBillCallbackHandler({ client: bill, agentId: 'support', ceiling: 50 })
 * await agent.invoke(input, { callbacks: [billing], metadata: { agentbill_customer_id: 'user_42' } })
 * @throws {AgentBillValidationError} from the constructor, for a bad option
 */
export class AgentBillCallbackHandler extends BaseCallbackHandler {
  name = 'AgentBillCallbackHandler'

  readonly #client: AgentBillCallbackHandlerOptions['client']
  readonly #defaults: CallContext
  readonly #policy: UnitsPolicy
  readonly #defaultOutputTokens: number | undefined
  readonly #ttlSeconds: number | undefined
  readonly #onError: (error: unknown) => void
  readonly #runs = new RunTree()
  readonly #calls = new Map<string, OpenCall>()
  /** Calls whose preflight is in flight, with how many registrations of this handler saw them. */
  readonly #starting = new Map<string, number>()
  #lastSweep = Date.now()

  constructor(options: AgentBillCallbackHandlerOptions) {
    // Only `raiseError` passed to the base constructor makes LangChain await the handlers and
    // rethrow their errors: that is what lets a blocked preflight stop the model call. (Declaring
    // `raiseError = true` as a field does not block; the throw becomes an unhandled rejection.)
    super({ raiseError: true })
    const shared = resolveAdapterOptions(options, 'AgentBillCallbackHandler', ['onError'])
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new AgentBillValidationError('onError', 'must be a function (error) => void')
    }
    this.#client = shared.client
    this.#defaults = shared.defaults
    this.#policy = options.units ?? defaultPolicy
    this.#defaultOutputTokens = shared.defaultOutputTokens
    this.#ttlSeconds = shared.ttlSeconds
    this.#onError = options.onError ?? defaultOnError
  }

  /** How many runs and model calls the handler is tracking: `0` when nothing is in flight. */
  get openRuns(): number {
    return this.#runs.size + this.#calls.size
  }

  /** One handler is shared by every run it sees; a copy would lose track of runs in flight. */
  override copy(): this {
    return this
  }

  override async handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): Promise<void> {
    // The callback manager calls every handler once per message list, so there is one here.
    await this.#begin(runId, parentRunId, metadata, extraParams, () =>
      chatModelCallRequest(llm, messages[0] ?? [], extraParams, metadata),
    )
  }

  override async handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): Promise<void> {
    await this.#begin(runId, parentRunId, metadata, extraParams, () =>
      llmCallRequest(llm, prompts[0] ?? '', extraParams, metadata),
    )
  }

  override handleLLMNewToken(
    token: string,
    _index: NewTokenIndices,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: HandleLLMNewTokenCallbackFields,
  ): void {
    const call = this.#calls.get(runId)
    if (call === undefined) return
    call.tokenEvents++
    if ((call.tokenEvents - 1) % call.copies !== 0) return
    call.meter.add(token)
    // Streamed tool calls arrive as chunks with empty text; their names and arguments are output.
    const message =
      fields?.chunk !== undefined && 'message' in fields.chunk ? fields.chunk.message : undefined
    if (message !== undefined && isAIMessageChunk(message)) {
      for (const chunk of message.tool_call_chunks ?? [])
        call.meter.add(`${chunk.name ?? ''}${chunk.args ?? ''}`)
    }
    // Past what the customer's budget (and the run's ceiling) allow this call: stop the stream.
    // The throw ends the model's stream (LangChain then reports the error, which bills what was
    // streamed) and rejects the caller's read with AllowanceExceededError.
    const allowance = call.gated.allowanceUnits
    if (Number.isFinite(allowance) && call.meter.wouldExceed(allowance)) {
      throw new AllowanceExceededError(call.gated, call.meter.units)
    }
  }

  override async handleLLMEnd(
    output: LLMResult,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    extraParams?: Record<string, unknown>,
  ): Promise<void> {
    const call = this.#take(runId)
    if (call === undefined) return
    // A cache hit never reached the provider.
    if (extraParams?.cached === true) return call.gated.release()
    const reported = reportedUsage(output)
    await this.#settle(
      call,
      reported ?? (await this.#countedUsage(call, generatedText(output))),
      reported === undefined ? 'counted' : 'provider',
    )
  }

  override async handleLLMError(error: unknown, runId: string): Promise<void> {
    const call = this.#take(runId)
    if (call !== undefined) await this.#fail(call, error)
  }

  // The callback manager calls this with (chain, inputs, runId, parentRunId, tags, metadata,
  // runType, runName, extra), not in the order @langchain/core's .d.ts declares (which puts
  // runType fourth and parentRunId eighth): the fourth argument is the parent's id.
  override handleChainStart(
    _chain: Serialized,
    _inputs: ChainValues,
    runId: string,
    parentRunId?: string,
  ): void {
    this.#runs.start(runId, parentRunId, Date.now())
  }

  override handleChainEnd(_outputs: ChainValues, runId: string): void {
    this.#runs.end(runId)
  }

  override handleChainError(_error: unknown, runId: string): void {
    this.#runs.end(runId)
  }

  override handleToolStart(
    _tool: Serialized,
    _input: string,
    runId: string,
    parentRunId?: string,
  ): void {
    this.#runs.start(runId, parentRunId, Date.now())
  }

  override handleToolEnd(_output: unknown, runId: string): void {
    this.#runs.end(runId)
  }

  override handleToolError(_error: unknown, runId: string): void {
    this.#runs.end(runId)
  }

  override handleRetrieverStart(
    _retriever: Serialized,
    _query: string,
    runId: string,
    parentRunId?: string,
  ): void {
    this.#runs.start(runId, parentRunId, Date.now())
  }

  override handleRetrieverEnd(_documents: unknown, runId: string): void {
    this.#runs.end(runId)
  }

  override handleRetrieverError(_error: unknown, runId: string): void {
    this.#runs.end(runId)
  }

  async #begin(
    runId: string,
    parentRunId: string | undefined,
    metadata: Record<string, unknown> | undefined,
    extraParams: Record<string, unknown> | undefined,
    describe: () => ModelCallRequest,
  ): Promise<void> {
    // The same handler registered twice for one call: the first registration gates it.
    const starting = this.#starting.get(runId)
    if (starting !== undefined) {
      this.#starting.set(runId, starting + 1)
      return
    }
    const open = this.#calls.get(runId)
    if (open !== undefined) {
      open.copies++
      return
    }
    this.#starting.set(runId, 1)
    const now = Date.now()
    this.#sweep(now)
    const root = this.#runs.start(runId, parentRunId, now)
    try {
      const call = callContextFromMetadata(metadata)
      const request = describe()
      const estimate = await estimateCall({
        ...request,
        policy: this.#policy,
        ...(this.#defaultOutputTokens === undefined
          ? {}
          : { defaultOutputTokens: this.#defaultOutputTokens }),
      })
      const gated = await this.#client.beginCall({
        call,
        // The root run is the adapter's own guess at the run: a run id the caller names (metadata
        // or an enclosing bill.run) wins over it.
        defaults: { ...this.#defaults, runId: root },
        estimatedUnits: estimate.units,
        ...(this.#ttlSeconds === undefined ? {} : { ttlSeconds: this.#ttlSeconds }),
      })
      this.#calls.set(runId, {
        gated,
        model: request.model,
        promptTokens: estimate.promptTokens,
        meter: createOutputMeter({
          model: request.model,
          policy: this.#policy,
          inputTokens: estimate.promptTokens,
        }),
        startedAt: now,
        detach: this.#watchAbort(runId, extraParams),
        copies: this.#starting.get(runId) ?? 1,
        tokenEvents: 0,
      })
    } catch (error) {
      // A blocked call never runs, so no end event will come for it.
      this.#runs.end(runId)
      throw error
    } finally {
      this.#starting.delete(runId)
    }
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return
    this.#lastSweep = now
    const startedBefore = now - ABANDONED_AFTER_MS
    this.#runs.sweep(startedBefore)
    for (const [runId, call] of this.#calls) {
      if (call.startedAt < startedBefore) {
        this.#calls.delete(runId)
        call.detach()
      }
    }
  }

  /**
   * A stream read with an abort signal that fires ends without any LangChain event (the stream
   * wrapper throws before the model's iterator sees the abort), so the signal itself ends the call.
   */
  #watchAbort(runId: string, extraParams: Record<string, unknown> | undefined): () => void {
    const options = extraParams?.options
    const signal = isRecord(options) ? options.signal : undefined
    if (!isAbortSignal(signal)) return () => undefined
    const onAbort = () => {
      const call = this.#take(runId)
      if (call !== undefined) this.#fail(call, signal.reason).catch(this.#onError)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    return () => signal.removeEventListener('abort', onAbort)
  }

  #take(runId: string): OpenCall | undefined {
    this.#runs.end(runId)
    const call = this.#calls.get(runId)
    if (call === undefined) return undefined
    this.#calls.delete(runId)
    call.detach()
    return call
  }

  /**
   * Ends a call that failed or was aborted. Tokens the model already streamed were generated
   * (and charged by the provider): they are billed from a count. A call that failed before its
   * first token spent nothing: its hold is released.
   */
  async #fail(call: OpenCall, error: unknown): Promise<void> {
    if (call.meter.text === '') return call.gated.release()
    const { usage } = await call.meter.finish()
    await this.#settle(call, usage, 'counted', {
      stoppedBy: error instanceof Error ? error.name : 'abort',
    })
  }

  async #countedUsage(call: OpenCall, output: string): Promise<NormalizedUsage> {
    return {
      inputTokens: call.promptTokens,
      cachedInputTokens: 0,
      outputTokens: output === '' ? 0 : await countTokens(call.model, output),
      reasoningTokens: 0,
    }
  }

  async #settle(
    call: OpenCall,
    usage: NormalizedUsage,
    usageSource: 'provider' | 'counted',
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    try {
      const units = applyPolicy(this.#policy, usage, call.model)
      await call.gated.record(units, {
        metadata: {
          model: call.model,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cachedInputTokens: usage.cachedInputTokens,
          reasoningTokens: usage.reasoningTokens,
          usageSource,
          ...extra,
        },
      })
    } finally {
      // A policy that throws must not leave the hold open until its TTL; after a record attempt
      // this does nothing.
      await call.gated.release()
    }
  }
}

function defaultOnError(error: unknown): void {
  console.warn('AgentBillCallbackHandler: billing an aborted model call failed', error)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    isRecord(value) &&
    typeof value.addEventListener === 'function' &&
    typeof value.removeEventListener === 'function' &&
    typeof value.aborted === 'boolean'
  )
}

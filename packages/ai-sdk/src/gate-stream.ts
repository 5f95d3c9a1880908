import type { LanguageModelV4StreamPart } from '@ai-sdk/provider'
import { AllowanceExceededError } from 'agentbill'
import type { ModelCall } from './model-call'

/**
 * Passes a model's stream through unchanged while billing it:
 *
 * - the usage of the `finish` part is recorded when the stream ends;
 * - a stream that ends without usage (a provider error part, no `finish`), or that its reader
 *   cancels (an abort), is billed from a count of what was streamed: text, reasoning and tool
 *   input, plus the prompt;
 * - a stream whose output would pass `allowanceUnits` (the run's ceiling or the customer's budget)
 *   is ended there: the chunk that would pass it is held back, open text and reasoning blocks are
 *   closed, an `error` part carries an `AllowanceExceededError` naming the limit, the output delivered
 *   is recorded, and the provider's stream is cancelled.
 *
 * Records are awaited before the stream closes, so `await result.text` (or `onFinish`) runs after
 * the usage is stored — and a serverless function that awaits its stream never exits first.
 * @internal
 */
export function gateStream(
  stream: ReadableStream<LanguageModelV4StreamPart>,
  call: ModelCall,
): ReadableStream<LanguageModelV4StreamPart> {
  const meter = call.createMeter()
  const limit = call.gated.allowanceUnits
  const bounded = Number.isFinite(limit)
  const openBlocks = new Map<string, 'text-end' | 'reasoning-end'>()
  const streamedToolInputs = new Set<string>()
  let finishUsage: unknown
  let sawError = false

  const reader = stream.getReader()
  let ended = false

  const end = async (reported: unknown, stopped?: 'aborted' | 'error') => {
    ended = true
    await call.recordUsage(reported, () => meter.tokens, stopped)
  }

  // A ReadableStream over the provider's reader rather than a TransformStream: its `cancel` runs in
  // every runtime (a transformer's `cancel` is newer), and a cut-off can cancel the provider itself.
  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      let next: ReadableStreamReadResult<LanguageModelV4StreamPart>
      try {
        next = await reader.read()
      } catch (error) {
        // The provider's stream broke (a reset, an abort): bill what was streamed, then pass it on.
        await end(finishUsage, 'aborted').catch((recordError: unknown) =>
          call.reportError(recordError),
        )
        controller.error(error)
        return
      }
      if (next.done) {
        try {
          // Every provider ends a whole stream with a `finish` part: without one it was cut short
          // (an abort closes some providers' streams cleanly).
          const stopped = finishUsage !== undefined ? undefined : sawError ? 'error' : 'aborted'
          await end(finishUsage, stopped)
        } catch (error) {
          controller.enqueue({ type: 'error', error })
        }
        controller.close()
        return
      }
      const part = next.value
      const delta = outputDelta(part, streamedToolInputs)
      if (delta !== undefined && delta !== '') {
        meter.add(delta)
        if (bounded && meter.wouldExceed(limit)) {
          ended = true
          const delivered = meter.text.slice(0, meter.text.length - delta.length)
          for (const [id, type] of openBlocks) controller.enqueue({ type, id })
          const units = await call.recordDelivered(delivered)
          const error = new AllowanceExceededError(call.gated, units)
          controller.enqueue({ type: 'error', error })
          controller.close()
          // Stop the provider generating what nobody will be billed for.
          await reader.cancel(error).catch(() => undefined)
          return
        }
      }
      switch (part.type) {
        case 'text-start':
          openBlocks.set(part.id, 'text-end')
          break
        case 'reasoning-start':
          openBlocks.set(part.id, 'reasoning-end')
          break
        case 'text-end':
        case 'reasoning-end':
          openBlocks.delete(part.id)
          break
        case 'tool-call':
          call.linkToolCall(part.toolCallId)
          break
        case 'finish':
          finishUsage = part.usage
          break
        case 'error':
          sawError = true
          break
      }
      controller.enqueue(part)
    },
    async cancel(reason) {
      // The reader went away (an abort, a closed connection): stop the provider and bill what was
      // streamed. Nobody awaits a cancel's outcome, so a failure to record is reported.
      await reader.cancel(reason).catch(() => undefined)
      if (!ended)
        await end(finishUsage, 'aborted').catch((error: unknown) => call.reportError(error))
    },
  })
}

/** The output text a part adds: text, reasoning, and tool input (streamed, or whole). */
function outputDelta(
  part: LanguageModelV4StreamPart,
  streamedToolInputs: Set<string>,
): string | undefined {
  switch (part.type) {
    case 'text-delta':
    case 'reasoning-delta':
      return part.delta
    case 'tool-input-delta':
      streamedToolInputs.add(part.id)
      return part.delta
    case 'tool-call':
      // Providers that send a tool call whole, without input deltas.
      return streamedToolInputs.has(part.toolCallId) ? undefined : part.input
    default:
      return undefined
  }
}

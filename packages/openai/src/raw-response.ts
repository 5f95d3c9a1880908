import type { ModelCall } from './model-call'
import { SseDecoder } from './sse-decoder'

/**
 * What `asResponse()` hands over for a gated call whose body the caller reads itself.
 *
 * - Not streamed: the provider's own `Response`, after its usage was read from a clone and
 *   recorded (the same units as a parsed call).
 * - Streamed: a `Response` with the same status, headers and bytes, whose body is read beside
 *   the caller: the usage the stream carries (Responses events always; chat chunks when the
 *   caller asked for `include_usage`) or else the prompt estimate plus a count of the streamed
 *   text, recorded when the body ends or is cancelled. A stream about to pass the call's
 *   allowance is cut: the source is cancelled and the body errors with `AllowanceExceededError`
 *   after the bytes already read.
 */
export async function rawResponse(response: Response, call: ModelCall): Promise<Response> {
  const source = response.body
  if (!response.ok || source === null) return response
  const contentType = response.headers.get('content-type') ?? ''
  if (!contentType.includes('text/event-stream')) {
    const copy: unknown = await response
      .clone()
      .json()
      .catch(() => undefined)
    await call.settleBody(copy)
    return response
  }

  const reader = source.getReader()
  const decoder = new SseDecoder()
  const tally = call.createTally()
  const allowance = call.gatedCall.allowanceUnits
  let cutError: Error | undefined
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (cutError !== undefined) {
          controller.error(cutError)
          return
        }
        let read: ReadableStreamReadResult<Uint8Array>
        try {
          read = await reader.read()
        } catch (error) {
          await call.settleStream(tally, 'failed')
          controller.error(error)
          return
        }
        if (read.done) {
          for (const event of decoder.flush()) tally.observe(event)
          await call.settleStream(tally, 'completed')
          controller.close()
          return
        }
        controller.enqueue(read.value)
        for (const event of decoder.push(read.value)) tally.observe(event)
        if (tally.exceeds(allowance)) {
          // Deliver the bytes already read, stop the provider now, fail the next read.
          await reader.cancel().catch(() => undefined)
          cutError = call.allowanceError((await call.settleStream(tally, 'cut')) ?? 0)
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => undefined)
        await call.settleStream(tally, 'stopped')
      },
    },
    { highWaterMark: 0 },
  )
  const metered = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  })
  // A constructed Response has no URL of its own; keep the provider's.
  Object.defineProperty(metered, 'url', { value: response.url })
  return metered
}

import type { Stream } from 'openai/core/streaming'
import type { ModelCall } from './model-call'

/**
 * The stream the caller gets for a gated streamed call: the provider's items, unchanged and in
 * order (bar the usage chunk the wrapper asked for), on a `Stream` of the caller's own SDK copy
 * sharing the original's `controller` — so `tee()`, `toReadableStream()` and the SDK's stream
 * helpers work on it. The call is recorded when the stream ends, however it ends:
 *
 * - finished: the provider's usage;
 * - stopped early (`break`, `controller.abort()`): the prompt estimate plus a count of what
 *   streamed;
 * - about to pass the call's allowance (the run's ceiling or the customer's budget): the request
 *   is aborted at once, the item that crossed the line is still delivered (it was generated and
 *   is billed), what streamed is recorded, and the next read throws `AllowanceExceededError`;
 * - failed: what streamed, or a release when nothing had.
 */
export function gateStream<Item>(
  stream: Stream<Item>,
  call: ModelCall,
  client: object,
): Stream<Item> {
  const tally = call.createTally()
  const allowance = call.gatedCall.allowanceUnits

  async function* gated(): AsyncGenerator<Item> {
    let ended = false
    try {
      let crossing: { item: Item } | undefined
      for await (const item of stream) {
        if (tally.observe(item) === 'hide') continue
        if (tally.exceeds(allowance)) {
          // Leaving the loop returns the source iterator, which aborts the request.
          crossing = { item }
          break
        }
        yield item
      }
      if (crossing !== undefined) {
        yield crossing.item
        const used = await call.settleStream(tally, 'cut')
        ended = true
        throw call.allowanceError(used ?? 0)
      }
      await call.settleStream(tally, stream.controller.signal.aborted ? 'stopped' : 'completed')
      ended = true
    } catch (error) {
      if (!ended) {
        ended = true
        await call.settleStream(tally, 'failed')
      }
      throw error
    } finally {
      // The caller left early (`break`, `return()`, a cancelled readable).
      if (!ended) await call.settleStream(tally, 'stopped')
    }
  }

  const StreamClass = stream.constructor as new (
    iterator: () => AsyncIterator<Item>,
    controller: AbortController,
    client: object,
  ) => Stream<Item>
  return new StreamClass(gated, stream.controller, client)
}

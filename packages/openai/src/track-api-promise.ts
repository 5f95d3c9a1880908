import type { APIPromise } from 'openai'
import type { ModelCall } from './model-call'
import { rawResponse } from './raw-response'

type Method = (...args: unknown[]) => unknown
type ResponseProps = Parameters<Parameters<APIPromise<unknown>['_thenUnwrap']>[0]>[1]

/**
 * Follows what the caller does with a gated call's `APIPromise`, and every promise derived from
 * it (`create` and the helpers derive theirs with `_thenUnwrap`), as the SDK itself does with
 * `withResponse`: setting own properties on the instance, so it stays the SDK's `APIPromise`.
 * Awaiting it (`then`/`catch`/`finally`, also under `withResponse()`) means the SDK parses the
 * body; `asResponse()` alone means the caller reads the raw body, which is then metered beside
 * them (see `rawResponse`).
 */
export function trackAPIPromise<T>(promise: APIPromise<T>, call: ModelCall): APIPromise<T> {
  const target = promise as unknown as Record<string, Method>
  for (const name of ['then', 'catch', 'finally']) {
    const original = target[name] as Method
    target[name] = function (this: unknown, ...args: unknown[]) {
      call.markParse()
      return original.apply(this, args)
    }
  }
  const asResponse = promise.asResponse
  promise.asResponse = function (this: APIPromise<T>) {
    call.markRaw()
    return asResponse
      .call(this)
      .then((response) => (call.readsRawBody ? rawResponse(response, call) : response))
  }
  const thenUnwrap = promise._thenUnwrap
  promise._thenUnwrap = function <U>(
    this: APIPromise<T>,
    transform: (data: T, props: ResponseProps) => U,
  ): APIPromise<U> {
    return trackAPIPromise(thenUnwrap.call(this, transform) as APIPromise<U>, call)
  }
  return promise
}

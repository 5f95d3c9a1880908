import type { APIPromise, OpenAI } from 'openai'
import type { Stream } from 'openai/core/streaming'
import { removeCallContextHeaders } from './call-context-headers'
import type { ModelEndpoint } from './estimate-request'
import { gateStream } from './gated-stream'
import { type GateSettings, ModelCall } from './model-call'
import type { FinalRequestOptions, RequestOptions } from './sdk-types'
import { trackAPIPromise } from './track-api-promise'

const GATED = Symbol.for('agentbill.openai.gated')

const ENDPOINTS: ReadonlyMap<string, ModelEndpoint> = new Map([
  ['/chat/completions', 'chat.completions'],
  ['/responses', 'responses'],
])

/** Whether `client` was made by `withAgentBill` (from any copy of this package). */
export function isGatedClient(client: object): boolean {
  return GATED in client
}

/**
 * A subclass of the caller's client class in which every `POST /chat/completions` and
 * `POST /responses` is a gated {@link ModelCall}. A subclass, not a Proxy, so the client keeps
 * its type, its private fields and every helper, and `withOptions()` — which builds a new
 * instance of `this.constructor` — returns a gated client too.
 *
 * The gate sits in `post()`, which `create` (and so every helper) calls once per logical
 * request; the SDK's retries happen below it (`makeRequest` → `retryRequest`), so they never
 * preflight or bill again. `prepareOptions()`, which also runs per retry, could hold the
 * preflight but cannot see how the request ended.
 */
export function gatedClientClass(Base: typeof OpenAI, settings: GateSettings): typeof OpenAI {
  class AgentBillGatedOpenAI extends Base {
    get [GATED](): true {
      return true
    }

    override post<Rsp>(
      path: string,
      options?: RequestOptions | Promise<RequestOptions>,
    ): APIPromise<Rsp> {
      const endpoint = ENDPOINTS.get(path)
      if (endpoint === undefined) return super.post<Rsp>(path, options)
      const call = new ModelCall(endpoint, settings, this._options.defaultHeaders)
      const promise = super.post<Rsp>(
        path,
        Promise.resolve(options).then((resolved) => call.prepare(resolved)),
      )
      // How the request ended, without parsing its body: a block, a provider error after the
      // SDK's retries, or an abort before the answer ends the call with a release.
      promise.asResponse().then(
        () => undefined,
        () => call.requestFailed(),
      )
      // The SDK awaits what a transform returns (its parse step is async): a non-streamed
      // answer reaches the caller once its usage is recorded.
      const settled = promise._thenUnwrap((data, props) =>
        props.options.stream
          ? gateStream(data as Stream<unknown>, call, this)
          : call.settleBody(data).then(() => data),
      )
      return trackAPIPromise(settled as APIPromise<Rsp>, call)
    }

    protected override async prepareRequest(
      request: RequestInit,
      context: { url: string; options: FinalRequestOptions },
    ): Promise<void> {
      await super.prepareRequest(request, context)
      // The context headers are for the wrapper; the provider never sees them.
      removeCallContextHeaders(request.headers)
    }
  }
  return AgentBillGatedOpenAI
}

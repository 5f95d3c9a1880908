import type { ResolvedAgentBillOptions } from './agent-bill-options'
import { AgentBillAPIError } from './errors/agent-bill-api-error'
import { AgentBillConnectionError } from './errors/agent-bill-connection-error'
import { AgentBillError } from './errors/agent-bill-error'
import { AgentBillTimeoutError } from './errors/agent-bill-timeout-error'
import type { RequestOptions } from './request-options'
import { isRetryableStatus, retryDelay } from './retry-delay'
import { sleep } from './sleep'
import { VERSION } from './version'

/** A query string value; `undefined` leaves the parameter out. */
export type QueryValue = string | number | boolean | undefined

/** One HTTP call to the AgentBill API. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  path: string
  body?: Record<string, unknown>
  query?: Record<string, QueryValue>
  /** Send the `Authorization` header. @default true */
  authenticated?: boolean
  options?: RequestOptions
}

/**
 * Sends requests to the AgentBill API with timeouts and retries: 408, 409, 429, 5xx and
 * connection failures are retried with exponential backoff (or the server's `Retry-After`); any
 * other 4xx fails at once. Every attempt of one call sends the same body, so an idempotency key
 * in it is the same on every retry.
 */
export class HttpClient {
  readonly #options: ResolvedAgentBillOptions

  constructor(options: ResolvedAgentBillOptions) {
    this.#options = options
  }

  /** The base URL requests go to. */
  get baseUrl(): string {
    return this.#options.baseUrl
  }

  /**
   * Sends `request`, retrying as the options allow, and answers the parsed JSON body.
   * @throws {AgentBillAPIError} for an error status that is not retried, or still failing after
   * the last retry.
   * @throws {AgentBillTimeoutError} when the last attempt timed out.
   * @throws {AgentBillConnectionError} when the last attempt could not connect.
   */
  async send<T>(request: HttpRequest): Promise<T> {
    const maxRetries = request.options?.maxRetries ?? this.#options.maxRetries
    const url = this.#url(request.path, request.query)
    const init = this.#init(request)
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt(url, init, request.options)
      if (outcome.kind === 'ok') return outcome.body as T
      if (attempt >= maxRetries || !outcome.retryable) throw outcome.error
      await sleep(retryDelay(attempt, outcome.headers), request.options?.signal)
    }
  }

  #url(path: string, query: Record<string, QueryValue> | undefined): string {
    const url = new URL(this.#options.baseUrl + path)
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value))
    }
    return url.toString()
  }

  #init(request: HttpRequest): RequestInit {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': `agentbill-js/${VERSION}`,
      ...this.#options.headers,
      ...request.options?.headers,
    }
    if (request.authenticated !== false) headers.authorization = `Bearer ${this.#options.apiKey}`
    if (request.body !== undefined) headers['content-type'] = 'application/json'
    return {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    }
  }

  async #attempt(
    url: string,
    init: RequestInit,
    options: RequestOptions | undefined,
  ): Promise<
    | { kind: 'ok'; body: unknown }
    | { kind: 'failed'; error: Error; retryable: boolean; headers?: Headers }
  > {
    const timeoutMs = options?.timeoutMs ?? this.#options.timeoutMs
    const controller = new AbortController()
    const userSignal = options?.signal
    if (userSignal?.aborted) throw userSignal.reason
    const onUserAbort = () => controller.abort(userSignal?.reason)
    userSignal?.addEventListener('abort', onUserAbort, { once: true })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    try {
      const response = await this.#options.fetch(url, { ...init, signal: controller.signal })
      const body = await readBody(response)
      if (response.ok) {
        if (typeof body === 'object' && body !== null) return { kind: 'ok', body }
        return {
          kind: 'failed',
          error: new AgentBillError(
            `Expected a JSON object from ${url} (status ${response.status}); is baseUrl an AgentBill server?`,
          ),
          retryable: false,
        }
      }
      return {
        kind: 'failed',
        error: AgentBillAPIError.fromResponse(response, body),
        retryable: isRetryableStatus(response.status),
        headers: response.headers,
      }
    } catch (error) {
      if (userSignal?.aborted) throw userSignal.reason
      if (timedOut) {
        return {
          kind: 'failed',
          error: new AgentBillTimeoutError(timeoutMs, { cause: error }),
          retryable: true,
        }
      }
      return {
        kind: 'failed',
        error: new AgentBillConnectionError(
          `Could not reach the AgentBill server at ${this.#options.baseUrl}`,
          { cause: error },
        ),
        retryable: true,
      }
    } finally {
      clearTimeout(timer)
      userSignal?.removeEventListener('abort', onUserAbort)
    }
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

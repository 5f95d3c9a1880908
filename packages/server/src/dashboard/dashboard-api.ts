import { internalRequestEnvironment } from '../http/internal-request.js'

/** The fetch handler of the app the dashboard belongs to. */
export type AppFetch = (request: Request, env: unknown) => Response | Promise<Response>

/** An error answer of the API, as the dashboard shows it. */
export interface ApiFailure {
  status: number
  type: string
  message: string
  /** The field at fault, when the API names one. */
  param: string | null
  /** From `Retry-After`, on a 429. */
  retryAfterSeconds: number | null
}

/** The outcome of one API call. */
export type ApiResult<Body> =
  | { ok: true; status: number; body: Body }
  | { ok: false; status: number; error: ApiFailure }

/** The session is gone (signed out, expired, or its key revoked): sign in again. */
export class SessionEndedError extends Error {
  constructor() {
    super('The session has ended')
    this.name = 'SessionEndedError'
  }
}

/** The API refused a read the page needs (a 404 run, say); shown as an error page. */
export class DashboardApiError extends Error {
  readonly failure: ApiFailure
  constructor(failure: ApiFailure) {
    super(failure.message)
    this.name = 'DashboardApiError'
    this.failure = failure
  }
}

/** Query values; `undefined` and `''` leave the parameter out. */
export type QueryValues = Record<string, string | number | boolean | undefined>

/**
 * The dashboard's only way to its data: requests to the HTTP API's own handlers, in process
 * (no socket), with the session's token as the bearer credential. So every page sees what an
 * API client sees, with the same validation, scopes and tenant isolation.
 */
export class DashboardApi {
  readonly #fetch: AppFetch
  readonly #credential: string | undefined
  readonly #clientAddress: string

  constructor(options: { fetch: AppFetch; credential?: string; clientAddress: string }) {
    this.#fetch = options.fetch
    this.#credential = options.credential
    this.#clientAddress = options.clientAddress
  }

  /** A copy that authenticates with `credential` (an API key or a session token). */
  withCredential(credential: string): DashboardApi {
    return new DashboardApi({
      fetch: this.#fetch,
      credential,
      clientAddress: this.#clientAddress,
    })
  }

  /** Sends one request and reports the answer, success or not. */
  async call<Body>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: { query?: QueryValues; body?: unknown } = {},
  ): Promise<ApiResult<Body>> {
    const url = new URL(path, 'http://agentbill.internal')
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value))
    }
    const headers: Record<string, string> = {}
    if (this.#credential !== undefined) headers.authorization = `Bearer ${this.#credential}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const response = await this.#fetch(
      new Request(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      }),
      internalRequestEnvironment(this.#clientAddress),
    )
    const json = (await response.json()) as unknown
    if (response.ok) return { ok: true, status: response.status, body: json as Body }
    const error = (json as { error?: Partial<ApiFailure> }).error ?? {}
    return {
      ok: false,
      status: response.status,
      error: {
        status: response.status,
        type: error.type ?? 'internal',
        message: error.message ?? `HTTP ${response.status}`,
        param: error.param ?? null,
        retryAfterSeconds:
          response.headers.get('retry-after') === null
            ? null
            : Number(response.headers.get('retry-after')),
      },
    }
  }

  /**
   * A read the page cannot do without.
   * @throws {SessionEndedError} on 401.
   * @throws {DashboardApiError} on any other error answer.
   */
  async get<Body>(path: string, query: QueryValues = {}): Promise<Body> {
    return this.expect(await this.call<Body>('GET', path, { query }))
  }

  /** The body of a successful result; a 401 ends the session, other errors are thrown. */
  expect<Body>(result: ApiResult<Body>): Body {
    if (result.ok) return result.body
    if (result.status === 401) throw new SessionEndedError()
    throw new DashboardApiError(result.error)
  }
}

/** `/v1/customers/{id}`-style path segment for a caller-chosen id. */
export function pathSegment(value: string): string {
  return encodeURIComponent(value)
}

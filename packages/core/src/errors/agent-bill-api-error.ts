import { AgentBillError, hasMarker } from './agent-bill-error'

const marker = Symbol.for('agentbill.error.api')

/** The `type` of an error answer, as `api.md` names them. */
export type AgentBillAPIErrorType =
  | 'invalid_request'
  | 'authentication_failed'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'idempotency_conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'
  | (string & {})

/**
 * The AgentBill server answered with an error status. Made in one place,
 * {@link AgentBillAPIError.fromResponse}, from the status and the `{"error": {…}}` body.
 */
export class AgentBillAPIError extends AgentBillError {
  protected readonly [marker] = true
  /** The HTTP status, such as 400 or 503. */
  readonly status: number
  /** The error's `type` from the body (`invalid_request`, `idempotency_conflict`, …). */
  readonly type: AgentBillAPIErrorType
  /** The request field at fault, when the server named one (`estimated_units`). */
  readonly param: string | null
  /** The server's `x-request-id`, to quote when reporting a problem. */
  readonly requestId: string | null
  /** The response headers. */
  readonly headers: Headers

  constructor(options: {
    status: number
    type: AgentBillAPIErrorType
    message: string
    param: string | null
    requestId: string | null
    headers: Headers
  }) {
    const where = options.param === null ? '' : ` (param: ${options.param})`
    super(`${options.status} ${options.type}: ${options.message}${where}`)
    this.name = 'AgentBillAPIError'
    this.status = options.status
    this.type = options.type
    this.param = options.param
    this.requestId = options.requestId
    this.headers = options.headers
  }

  /** Builds the error from a non-2xx response whose body has already been read as `body`. */
  static fromResponse(response: Response, body: unknown): AgentBillAPIError {
    const error = readErrorBody(body)
    return new AgentBillAPIError({
      status: response.status,
      type: error.type ?? defaultType(response.status),
      message: error.message ?? (response.statusText || 'The AgentBill server returned an error'),
      param: error.param ?? null,
      requestId: response.headers.get('x-request-id'),
      headers: response.headers,
    })
  }

  static override isInstance(error: unknown): error is AgentBillAPIError {
    return hasMarker(error, marker)
  }
}

function readErrorBody(body: unknown): { type?: string; message?: string; param?: string } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return {}
  const error = (body as { error: unknown }).error
  if (typeof error !== 'object' || error === null) return {}
  const { type, message, param } = error as Record<string, unknown>
  return {
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof param === 'string' ? { param } : {}),
  }
}

function defaultType(status: number): AgentBillAPIErrorType {
  switch (status) {
    case 400:
      return 'invalid_request'
    case 401:
      return 'authentication_failed'
    case 403:
      return 'permission_denied'
    case 404:
      return 'not_found'
    case 409:
      return 'conflict'
    case 413:
      return 'payload_too_large'
    case 415:
      return 'unsupported_media_type'
    case 422:
      return 'idempotency_conflict'
    case 429:
      return 'rate_limited'
    default:
      return status >= 500 ? 'internal' : 'unknown'
  }
}

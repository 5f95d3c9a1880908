import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import {
  AgentBillAPIError,
  AgentBillConnectionError,
  AgentBillError,
  AgentBillTimeoutError,
  AgentBillValidationError,
} from 'agentbill'

/** What a failed tool call was doing, to say what did (not) happen. */
export interface FailureContext {
  /** The AgentBill server the client talks to. */
  baseUrl: string
  /** What did not happen, for the message: `'nothing was held'`, `'nothing was recorded'`. */
  unchanged: string
  /** The idempotency key the call was sent with, when a retry must reuse it. */
  idempotencyKey?: string
}

/**
 * Turns a failure into a tool error (`isError: true`) whose text tells the model what went wrong,
 * naming the field at fault, and what to do next. A blocked preflight is never one of these.
 */
export function toolError(error: unknown, context: FailureContext): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: describeFailure(error, context) }] }
}

/** The message of {@link toolError}. */
export function describeFailure(error: unknown, context: FailureContext): string {
  if (AgentBillValidationError.isInstance(error)) {
    // The client names fields as its TypeScript API spells them; the tools speak snake_case.
    const param = toSnakeCase(error.param)
    const detail = error.message.replace(/^Invalid [^:]+: /, '')
    return `Invalid ${param}: ${detail}. Nothing was sent to AgentBill.`
  }
  if (AgentBillAPIError.isInstance(error) && error.status < 500 && error.status !== 429) {
    return describeRefusal(error, context)
  }
  if (AgentBillConnectionError.isInstance(error) || AgentBillAPIError.isInstance(error)) {
    return describeUnavailable(error, context)
  }
  if (AgentBillError.isInstance(error)) return `AgentBill error: ${error.message}`
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`
}

/**
 * The message for a server that could not be reached (or kept answering 5xx / 429) after the
 * client's retries.
 */
export function describeUnavailable(error: AgentBillError, context: FailureContext): string {
  // A record refused from the queue wraps the connection failure that made it unreachable.
  const failure = AgentBillError.isInstance(error.cause) ? error.cause : error
  let why: string
  if (AgentBillAPIError.isInstance(failure)) {
    why = `it answered ${failure.status} ${failure.type}`
  } else if (AgentBillTimeoutError.isInstance(failure)) {
    why = failure.message.replace(/^The AgentBill server /, 'it ').replace(/\.$/, '')
  } else {
    why = `it could not be reached (${rootCause(failure)})`
  }
  const retry =
    context.idempotencyKey === undefined
      ? 'Try again later.'
      : `Try again later with idempotency_key "${context.idempotencyKey}" so it counts only once.`
  return `The AgentBill server at ${context.baseUrl} is unavailable: ${why}. ${capitalize(context.unchanged)}. ${retry}`
}

function describeRefusal(error: AgentBillAPIError, context: FailureContext): string {
  const detail = `${error.status} ${error.type}: ${stripStatus(error)}`
  switch (error.type) {
    case 'authentication_failed':
      return `The AgentBill server at ${context.baseUrl} refused the API key (${detail}). Check AGENTBILL_API_KEY.`
    case 'permission_denied':
      return `The API key may not do this (${detail}).`
    case 'idempotency_conflict':
      return `idempotency_key ${quote(context.idempotencyKey)} was already used with other values (${detail}); use a new key for new usage. ${capitalize(context.unchanged)}.`
    default: {
      const field = error.param === null ? '' : `Invalid ${error.param}: `
      return `${capitalize(`${field}the AgentBill server refused the request`)} (${detail}). ${capitalize(context.unchanged)}.`
    }
  }
}

/** `estimatedUnits` → `estimated_units`. */
export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

function stripStatus(error: AgentBillAPIError): string {
  // The client's message is "<status> <type>: <message> (param: …)"; keep the server's words.
  return error.message.replace(/^\d{3} [^:]+: /, '').replace(/ \(param: [^)]*\)$/, '')
}

/** The innermost cause's code (`ECONNREFUSED`) or message: what actually failed. */
function rootCause(error: unknown): string {
  let current: unknown = error
  let description = error instanceof Error ? error.message : String(error)
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const { code, message, cause } = current as {
      code?: unknown
      message?: unknown
      cause?: unknown
    }
    if (typeof code === 'string') return code
    if (typeof message === 'string' && message !== '') description = message
    current = cause
  }
  return description
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function quote(value: string | undefined): string {
  return value === undefined ? '' : `"${value}"`
}

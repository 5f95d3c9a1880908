import { AgentBillValidationError, type CallContext } from 'agentbill'

/**
 * The request headers that name a call's context. They are read by the wrapped client and
 * removed before the request leaves the process: the provider never sees them.
 */
export const CALL_CONTEXT_HEADERS = {
  agentId: 'x-agentbill-agent-id',
  customerId: 'x-agentbill-customer-id',
  runId: 'x-agentbill-run-id',
  ceiling: 'x-agentbill-ceiling',
} as const satisfies Record<keyof CallContext, string>

const FIELD_BY_HEADER = new Map<string, keyof CallContext>(
  Object.entries(CALL_CONTEXT_HEADERS).map(([field, header]) => [
    header,
    field as keyof CallContext,
  ]),
)

/**
 * Headers that give one request (or, as `defaultHeaders` in `withOptions`, one derived client)
 * its own customer, agent, run or ceiling. They win over a `bill.run(...)` scope and the
 * wrapper's options, and never reach the provider.
 *
 * @example
 * await openai.chat.completions.create(body, { headers: agentBillHeaders({ customerId: 'user_42' }) })
 * const forCustomer = openai.withOptions({ defaultHeaders: agentBillHeaders({ customerId: 'user_42' }) })
 * @throws {AgentBillValidationError} for a ceiling that is not a non-negative integer
 */
export function agentBillHeaders(context: CallContext): Record<string, string> {
  const headers: Record<string, string> = {}
  if (context.agentId !== undefined) headers[CALL_CONTEXT_HEADERS.agentId] = context.agentId
  if (context.customerId !== undefined)
    headers[CALL_CONTEXT_HEADERS.customerId] = context.customerId
  if (context.runId !== undefined) headers[CALL_CONTEXT_HEADERS.runId] = context.runId
  if (context.ceiling !== undefined) {
    headers[CALL_CONTEXT_HEADERS.ceiling] = String(checkCeiling('ceiling', context.ceiling))
  }
  return headers
}

/**
 * Reads the call context from header sources, later sources winning; an explicit `null` (how
 * the SDK unsets a default header) removes what an earlier source set.
 * @throws {AgentBillValidationError} for a ceiling header that is not a non-negative integer
 */
export function readCallContext(...sources: unknown[]): CallContext {
  const text: Partial<Record<keyof CallContext, string>> = {}
  for (const source of sources) {
    for (const [name, value] of headerEntries(source)) {
      const field = FIELD_BY_HEADER.get(name.toLowerCase())
      if (field === undefined) continue
      if (value === null) delete text[field]
      else text[field] = value
    }
  }
  const context: CallContext = {}
  if (text.agentId !== undefined) context.agentId = text.agentId
  if (text.customerId !== undefined) context.customerId = text.customerId
  if (text.runId !== undefined) context.runId = text.runId
  if (text.ceiling !== undefined) {
    context.ceiling = checkCeiling(CALL_CONTEXT_HEADERS.ceiling, Number(text.ceiling.trim()))
  }
  return context
}

/** Removes the context headers from a request about to be sent. */
export function removeCallContextHeaders(headers: unknown): void {
  if (!isHeaders(headers)) return
  for (const name of FIELD_BY_HEADER.keys()) headers.delete(name)
}

function checkCeiling(param: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AgentBillValidationError(param, `expected a non-negative integer, got ${value}`)
  }
  return value
}

interface HeadersObject {
  get(name: string): string | null
  delete(name: string): void
  entries(): IterableIterator<[string, string]>
}

function isHeaders(value: unknown): value is HeadersObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HeadersObject).get === 'function' &&
    typeof (value as HeadersObject).delete === 'function'
  )
}

/**
 * The `[name, value]` pairs of any header shape the OpenAI SDK accepts: a `Headers`, an array of
 * pairs, a record (values may be arrays: the last string wins; `null` unsets), or the SDK's
 * parsed `{ values: Headers, nulls: Set }`.
 */
function* headerEntries(source: unknown): Generator<[string, string | null]> {
  if (typeof source !== 'object' || source === null) return
  if (isHeaders(source)) {
    yield* source.entries()
    return
  }
  const parsed = source as { values?: unknown; nulls?: unknown }
  if (isHeaders(parsed.values) && parsed.nulls instanceof Set) {
    yield* parsed.values.entries()
    for (const name of parsed.nulls) if (typeof name === 'string') yield [name, null]
    return
  }
  const rows: Iterable<unknown> = Array.isArray(source) ? source : Object.entries(source)
  for (const row of rows) {
    if (!Array.isArray(row) || typeof row[0] !== 'string') continue
    const value = lastValue(row[1])
    if (value !== undefined) yield [row[0], value]
  }
}

function lastValue(value: unknown): string | null | undefined {
  if (Array.isArray(value)) {
    const strings = value.filter((entry): entry is string => typeof entry === 'string')
    return strings.at(-1)
  }
  if (typeof value === 'string' || value === null) return value
  return undefined
}

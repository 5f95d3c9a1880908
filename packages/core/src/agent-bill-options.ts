import { readEnvironment } from './environment'
import { AgentBillConfigurationError } from './errors/agent-bill-configuration-error'
import type { AgentBillError } from './errors/agent-bill-error'

/** What a preflight answers when the AgentBill server cannot be reached after every retry. */
export type FailMode = 'closed' | 'open'

/** Options of {@link AgentBill}. Every field is optional; see each field's default. */
export interface AgentBillOptions {
  /**
   * The API key (`agb_…`). A `runtime` key is enough for preflight, record, release and balance;
   * the `admin` calls need an `admin` key.
   * @default process.env.AGENTBILL_API_KEY
   */
  apiKey?: string
  /**
   * Where the AgentBill server listens.
   * @default process.env.AGENTBILL_BASE_URL, else 'http://localhost:8787'
   */
  baseUrl?: string
  /**
   * How long one attempt may take, in milliseconds, before it is abandoned (and retried).
   * @default 5000
   */
  timeoutMs?: number
  /**
   * How many times a failed request is retried (408, 409, 429, 5xx and connection errors only).
   * `0` disables retries.
   * @default 2
   */
  maxRetries?: number
  /**
   * The `fetch` to use: for proxies, tracing, or runtimes without a global one.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch
  /**
   * What `preflight` answers when the server cannot be reached after the retries:
   * `'closed'` blocks the run (`approved: false`, `reason: 'unavailable'`); `'open'` lets it go on
   * (`approved: true`). Either way the result says `degraded: true`.
   * @default 'closed'
   */
  failMode?: FailMode
  /**
   * The customer used when a call names none.
   * @default 'default'
   */
  defaultCustomerId?: string
  /**
   * Extra headers sent with every request.
   * @default {}
   */
  headers?: Record<string, string>
  /**
   * The most records kept in memory while the server cannot be reached. Past it, `record`
   * throws `AgentBillConnectionError` instead of queueing, so usage is never dropped silently.
   * @default 100000
   */
  maxQueuedRecords?: number
  /**
   * Called with failures of background work that no caller awaits: a queued record the server
   * still cannot take, a hold that could not be released (it then lapses at its TTL).
   * @default logs one line with console.warn
   */
  onError?: (error: AgentBillError) => void
}

/** {@link AgentBillOptions} with every default applied. */
export interface ResolvedAgentBillOptions {
  apiKey: string
  baseUrl: string
  timeoutMs: number
  maxRetries: number
  fetch: typeof fetch
  failMode: FailMode
  defaultCustomerId: string
  headers: Record<string, string>
  maxQueuedRecords: number
  onError: (error: AgentBillError) => void
}

/** The base URL when neither the option nor `AGENTBILL_BASE_URL` is set. */
export const DEFAULT_BASE_URL = 'http://localhost:8787'

/**
 * Applies defaults and the environment to `options`.
 * @throws {AgentBillConfigurationError} when no API key is given nor in `AGENTBILL_API_KEY`, or an
 * option is out of range.
 */
export function resolveAgentBillOptions(
  options: AgentBillOptions,
  { requireApiKey = true }: { requireApiKey?: boolean } = {},
): ResolvedAgentBillOptions {
  const apiKey = options.apiKey ?? readEnvironment('AGENTBILL_API_KEY')
  if (requireApiKey && (apiKey === undefined || apiKey === '')) {
    throw new AgentBillConfigurationError(
      'No AgentBill API key: pass { apiKey } to new AgentBill(…) or set the AGENTBILL_API_KEY environment variable',
    )
  }
  const baseUrl = (
    options.baseUrl ??
    readEnvironment('AGENTBILL_BASE_URL') ??
    DEFAULT_BASE_URL
  ).replace(/\/+$/, '')
  try {
    const url = new URL(baseUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(url.protocol)
  } catch {
    throw new AgentBillConfigurationError(
      `baseUrl must be an http(s) URL, got ${JSON.stringify(baseUrl)}`,
    )
  }
  const fetchFunction = options.fetch ?? globalThis.fetch
  if (typeof fetchFunction !== 'function') {
    throw new AgentBillConfigurationError(
      'No fetch function: this runtime has no global fetch, pass { fetch } to new AgentBill(…)',
    )
  }
  const failMode = options.failMode ?? 'closed'
  if (failMode !== 'closed' && failMode !== 'open') {
    throw new AgentBillConfigurationError(
      `failMode must be 'closed' or 'open', got ${String(failMode)}`,
    )
  }
  return {
    apiKey: apiKey ?? '',
    baseUrl,
    timeoutMs: nonNegativeInteger('timeoutMs', options.timeoutMs ?? 5000),
    maxRetries: nonNegativeInteger('maxRetries', options.maxRetries ?? 2),
    fetch: fetchFunction,
    failMode,
    defaultCustomerId: options.defaultCustomerId ?? 'default',
    headers: { ...options.headers },
    maxQueuedRecords: nonNegativeInteger('maxQueuedRecords', options.maxQueuedRecords ?? 100_000),
    onError: options.onError ?? warn,
  }
}

function warn(error: AgentBillError): void {
  console.warn(`[agentbill] ${error.name}: ${error.message}`)
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AgentBillConfigurationError(
      `${name} must be a non-negative integer, got ${String(value)}`,
    )
  }
  return value
}

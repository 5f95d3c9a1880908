import type { AgentBill } from 'agentbill'

/** Token counts the provider reports for one call. */
export interface ContractUsage {
  inputTokens: number
  outputTokens: number
}

/** How the provider answers the call under test; each harness makes its provider do this. */
export type ContractAnswer =
  | { kind: 'text'; text: string; usage: ContractUsage }
  /** A failure the provider's SDK does not retry (a 400). */
  | { kind: 'error'; status: number }
  /** A failure the provider's SDK retries on its own (a 429), then the answer. */
  | { kind: 'transient-error-then-text'; status: number; text: string; usage: ContractUsage }

/** One call the contract asks the harness to make. */
export interface ContractCall {
  /** The client to wire into the adapter (the real AgentBill server is behind it). */
  bill: AgentBill
  agentId: string
  customerId: string
  prompt: string
  stream: boolean
  answer: ContractAnswer
  /**
   * Make the same call on the bare provider, without the adapter: the baseline the streamed chunks
   * are compared with.
   */
  bare: boolean
}

/** What the caller of the adapter received. */
export interface ContractResult {
  /** The answer's text (streamed pieces joined). */
  text: string
  /**
   * Streams only: every chunk or part the caller received, in order, with what differs between
   * two identical requests (ids, timestamps) removed by the harness.
   */
  chunks?: unknown[]
}

/** What an adapter's test supplies to run the shared contract. */
export interface ContractHarness {
  /** The adapter and provider, for test names (`openai chat.completions`). */
  name: string
  /** Whether the harness can stream (runs the streaming cases). */
  streaming: boolean
  /** Makes one model call through the adapter (or bare) with the provider answering as asked. */
  call(call: ContractCall): Promise<ContractResult>
  /** How many requests reached the provider since the harness was made. */
  providerCalls(): number
}

import { AgentBillValidationError, type CallContext } from 'agentbill'

/**
 * The `metadata` keys an invocation sets to name its customer, agent, run or ceiling. LangChain
 * hands a run's `metadata` down to every child run, so keys set on `invoke` reach every model
 * call inside the chain or agent. (A type, not an interface, so that it fits LangChain's
 * `metadata: Record<string, unknown>`.)
 */
export type AgentBillMetadata = {
  /** The customer paying for this invocation. */
  agentbill_customer_id?: string
  /** The agent running. */
  agentbill_agent_id?: string
  /** Groups model calls into one run (several invocations may share it); one ceiling covers it. */
  agentbill_run_id?: string
  /** The most units the run may use. */
  agentbill_ceiling?: number
}

/**
 * The `metadata` for one invocation: spread it into `config.metadata` so one handler serves many
 * customers.
 * @param context - the customer, agent, run and ceiling of this invocation
 * @example
 * await agent.invoke(input, { callbacks: [billing], metadata: agentBillMetadata({ customerId: 'user_42' }) })
 */
export function agentBillMetadata(context: CallContext): AgentBillMetadata {
  const metadata: AgentBillMetadata = {}
  if (context.customerId !== undefined) metadata.agentbill_customer_id = context.customerId
  if (context.agentId !== undefined) metadata.agentbill_agent_id = context.agentId
  if (context.runId !== undefined) metadata.agentbill_run_id = context.runId
  if (context.ceiling !== undefined) metadata.agentbill_ceiling = context.ceiling
  return metadata
}

/**
 * Reads the call context a run's `metadata` names.
 * @throws {AgentBillValidationError} a key of the wrong type, named as `metadata.agentbill_…`
 */
export function callContextFromMetadata(
  metadata: Record<string, unknown> | undefined,
): CallContext {
  const context: CallContext = {}
  if (metadata === undefined) return context
  const customerId = readString(metadata, 'agentbill_customer_id')
  const agentId = readString(metadata, 'agentbill_agent_id')
  const runId = readString(metadata, 'agentbill_run_id')
  const ceiling = metadata.agentbill_ceiling
  if (customerId !== undefined) context.customerId = customerId
  if (agentId !== undefined) context.agentId = agentId
  if (runId !== undefined) context.runId = runId
  if (ceiling !== undefined) {
    if (typeof ceiling !== 'number' || !Number.isSafeInteger(ceiling) || ceiling < 0) {
      throw new AgentBillValidationError(
        'metadata.agentbill_ceiling',
        `must be an integer ≥ 0, got ${describe(ceiling)}`,
      )
    }
    context.ceiling = ceiling
  }
  return context
}

function readString(metadata: Record<string, unknown>, key: string): string | undefined {
  const value = metadata[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') {
    throw new AgentBillValidationError(
      `metadata.${key}`,
      `must be a string, got ${describe(value)}`,
    )
  }
  return value
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

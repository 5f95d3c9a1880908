// One class for every adapter, from the core; re-exported for convenience.
export type { AllowanceLimit } from 'agentbill'
export { AllowanceExceededError } from 'agentbill'
export type { AgentBillOpenAIOptions } from './agent-bill-openai-options'
export { agentBillHeaders, CALL_CONTEXT_HEADERS } from './call-context-headers'
export { VERSION } from './version'
export { withAgentBill } from './with-agent-bill'

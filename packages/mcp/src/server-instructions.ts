/**
 * The instructions the server sends at initialization: how a model should use the tools
 * together. Hosts that support them add them to the model's context.
 */
export function serverInstructions(defaults: {
  defaultAgentId: string | undefined
  defaultCustomerId: string
}): string {
  const agent =
    defaults.defaultAgentId === undefined
      ? 'agent_id is required on preflight and record.'
      : `agent_id defaults to "${defaults.defaultAgentId}".`
  return [
    "AgentBill gates costly work on a customer's budget, in whole units.",
    '1. Before the work: call preflight with the expected estimated_units and reserve: true.',
    '   approved: false is a normal answer, not an error: do not do the work; tell the user the reason and the upgrade_url.',
    '2. Do the work.',
    '3. After it: call record with the units actually used and the reservation_id (this settles the hold).',
    '   If the work failed or was cancelled, call release with the reservation_id instead.',
    'A tool error (the AgentBill server is unavailable, a bad argument) is not an approval: do not start work you could not preflight.',
    'When retrying record after an error, send the same idempotency_key so nothing is counted twice.',
    `${agent} customer_id defaults to "${defaults.defaultCustomerId}". The balance tool reads a budget without changing it.`,
  ].join('\n')
}

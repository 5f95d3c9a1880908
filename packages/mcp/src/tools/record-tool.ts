import { randomUUID } from 'node:crypto'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { RecordResult } from 'agentbill'
import { z } from 'zod'
import {
  count,
  customerId,
  identifier,
  oncePerDefaults,
  type SchemaDefaults,
  serverId,
  text,
  units,
  withAgentId,
} from '../fields'
import type { ToolContext, ToolExtra } from '../tool-context'
import { toolError } from '../tool-error'

/** The `record` tool's structured result. */
export const recordOutputSchema = z.object({
  recorded: z
    .boolean()
    .describe('true: the AgentBill server has the event. false only when queued is true.'),
  queued: z
    .boolean()
    .describe(
      'true: the server was unreachable and the event waits in this process to be re-sent (only with a client that queues records; the agentbill-mcp command does not).',
    ),
  duplicate: z
    .boolean()
    .describe('true: this idempotency_key was recorded before; nothing was counted twice.'),
  event_id: text().nullable().describe('The stored event (evt_…).'),
  agent_id: z.string(),
  customer_id: z.string(),
  units: count().describe('The units charged.'),
  remaining_units: count().nullable().describe('What the customer has left; null when unlimited.'),
  overage_units: count()
    .nullable()
    .describe('How far the customer is past their grant (usage is recorded even then).'),
  reservation_status: z
    .enum(['settled', 'already_closed', 'not_found'])
    .nullable()
    .describe('What happened to reservation_id; null when none was given.'),
  idempotency_key: z.string().describe('Reuse it to retry this record without counting twice.'),
})

/** The `record` tool's structured result. */
export type RecordOutput = z.infer<typeof recordOutputSchema>

/** The `record` tool's arguments; `agent_id` is optional only when there is a default agent. */
export const recordInputSchema = oncePerDefaults((defaults: SchemaDefaults) =>
  withAgentId(
    {
      customer_id: customerId(defaults.defaultCustomerId),
      units: units(
        'Units the work actually used (default 1; 0 is recorded as zero). Never refused for lack of budget.',
      ).optional(),
      metadata: z
        .record(z.string(), z.unknown(), { error: 'must be a JSON object' })
        // Say "any value" outright: an empty schema reads as a forgotten constraint to linters.
        .meta({ additionalProperties: true })
        .optional()
        .describe('Anything worth keeping with the event (model, tokens): a JSON object, ≤ 4 KiB.'),
      reservation_id: serverId(
        'The hold from preflight (rsv_…): it is released and units are charged instead.',
      ).optional(),
      run_id: identifier('The run this usage belongs to (counts toward its ceiling).').optional(),
      idempotency_key: identifier(
        'The same key always means the same event: a retry with it counts nothing twice. Default: a new key per call (returned in the result).',
      ).optional(),
    },
    defaults.defaultAgentId,
  ),
)

/** The `record` tool's parsed arguments. */
export type RecordInput = z.output<ReturnType<typeof recordInputSchema>>

/** Registers the `record` tool on `server`. */
export function registerRecordTool(server: McpServer, context: ToolContext): void {
  const inputSchema = recordInputSchema(context)
  server.registerTool(
    'record',
    {
      title: 'Record usage after work',
      description:
        'Record the units a finished run actually used, once. Pass reservation_id from preflight to settle its hold. ' +
        'Never refused for lack of budget. When retrying after an error, reuse the same idempotency_key so nothing counts twice.',
      inputSchema,
      outputSchema: recordOutputSchema,
      annotations: {
        title: 'Record usage after work',
        readOnlyHint: false,
        // Appends an event (and settles a hold): additive, never deletes.
        destructiveHint: false,
        // A repeat without the same idempotency_key is a second event.
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (input: RecordInput, extra: ToolExtra): Promise<CallToolResult> => {
      const agentId = input.agent_id ?? context.defaultAgentId ?? ''
      const customer = input.customer_id ?? context.defaultCustomerId
      // Made here rather than in the client so the model can retry with it after a failure.
      const idempotencyKey = input.idempotency_key ?? `mcp_${randomUUID()}`
      let result: RecordResult
      try {
        result = await context.client.record(
          {
            agentId,
            customerId: customer,
            idempotencyKey,
            ...(input.units === undefined ? {} : { units: input.units }),
            ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
            ...(input.reservation_id === undefined ? {} : { reservationId: input.reservation_id }),
            ...(input.run_id === undefined ? {} : { runId: input.run_id }),
          },
          { signal: extra.signal },
        )
      } catch (error) {
        return toolError(error, {
          baseUrl: context.client.baseUrl,
          unchanged: 'nothing was recorded',
          idempotencyKey,
        })
      }
      const output = toRecordOutput(result, { agentId, customerId: customer })
      return { structuredContent: output, content: [{ type: 'text', text: recordText(output) }] }
    },
  )
}

/** Maps the client's answer to the tool's snake_case result. */
export function toRecordOutput(
  result: RecordResult,
  ids: { agentId: string; customerId: string },
): RecordOutput {
  return {
    recorded: result.recorded,
    queued: result.queued,
    duplicate: result.duplicate,
    event_id: result.eventId,
    agent_id: ids.agentId,
    customer_id: ids.customerId,
    units: result.units,
    remaining_units: result.remainingUnits,
    overage_units: result.overageUnits,
    reservation_status: result.reservationStatus,
    idempotency_key: result.idempotencyKey,
  }
}

/** The short text beside the structured result. */
export function recordText(output: RecordOutput): string {
  const customer = JSON.stringify(output.customer_id)
  if (output.queued) {
    return `The AgentBill server is unreachable: ${output.units} units for customer ${customer} wait in this process and will be re-sent with idempotency_key "${output.idempotency_key}".`
  }
  if (output.duplicate) {
    return `Already recorded as ${output.event_id} (idempotency_key "${output.idempotency_key}"): nothing was counted twice.`
  }
  const left = output.remaining_units === null ? 'unlimited' : `${output.remaining_units} left`
  const over =
    output.overage_units !== null && output.overage_units > 0
      ? `, ${output.overage_units} over the grant`
      : ''
  const hold =
    output.reservation_status === null ? '' : ` Reservation: ${output.reservation_status}.`
  return `Recorded ${output.units} units for customer ${customer} as ${output.event_id} (${left}${over}).${hold}`
}

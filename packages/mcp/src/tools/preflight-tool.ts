import { randomUUID } from 'node:crypto'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { AgentBillError, type PreflightResult } from 'agentbill'
import { z } from 'zod'
import {
  count,
  customerId,
  identifier,
  oncePerDefaults,
  type SchemaDefaults,
  text,
  units,
  withAgentId,
} from '../fields'
import type { ToolContext, ToolExtra } from '../tool-context'
import { describeUnavailable, toolError } from '../tool-error'

/** The `preflight` tool's structured result. */
export const preflightOutputSchema = z.object({
  approved: z.boolean().describe('Whether the work may start. false: do not start it.'),
  reason: z
    .enum(['budget_exhausted', 'ceiling_exceeded'])
    .nullable()
    .describe('Why it was blocked; null when approved.'),
  upgrade_url: text()
    .nullable()
    .describe('Where the customer can buy more units, when blocked and the project has one.'),
  agent_id: z.string(),
  customer_id: z.string(),
  estimated_units: count().describe('The estimate the decision used.'),
  estimate_source: z.enum(['request', 'history', 'default']),
  remaining_units: count()
    .nullable()
    .describe(
      'Units the customer has left once this estimate is spent (when blocked: what is left now); null when unlimited.',
    ),
  reservation_id: text()
    .nullable()
    .describe('The hold (rsv_…) when reserve was true: pass it to record or release.'),
  expires_at: text().nullable().describe('When the hold lapses (ISO 8601).'),
  run_id: text().nullable(),
  ceiling: count().nullable(),
  run_remaining_units: count()
    .nullable()
    .describe('What the run may still use under its ceiling; null without a ceiling.'),
  preflight_id: z.string().describe('The stored decision (dec_…).'),
  idempotency_key: z
    .string()
    .describe('Send it again to get the same decision, never a second hold.'),
})

/** The `preflight` tool's structured result. */
export type PreflightOutput = z.infer<typeof preflightOutputSchema>

/** The `preflight` tool's arguments; `agent_id` is optional only when there is a default agent. */
export const preflightInputSchema = oncePerDefaults((defaults: SchemaDefaults) =>
  withAgentId(
    {
      customer_id: customerId(defaults.defaultCustomerId),
      estimated_units: z
        .union([units(), z.literal('auto')], {
          error: 'must be an integer from 0 to 10^15, or "auto"',
        })
        .optional()
        .describe(
          'Units the work is expected to use (default 1), or "auto" for the server to estimate from this agent\'s recent runs.',
        ),
      ceiling: units(
        'The most units this work may use: blocked with ceiling_exceeded above it. With run_id it covers every preflight and record of the run.',
      ).optional(),
      run_id: identifier(
        'Groups the preflights and records of one run, so a ceiling covers the whole run.',
      ).optional(),
      reserve: z
        .boolean({ error: 'must be true or false' })
        .optional()
        .describe(
          'Hold the estimate (default false) until record settles it (pass reservation_id) or release frees it; otherwise it lapses after ttl_seconds.',
        ),
      ttl_seconds: z
        .int({ error: 'must be a whole number of seconds' })
        .min(1, { error: 'must be at least 1' })
        .max(86_400, { error: 'must be at most 86400' })
        .optional()
        .describe("How long a hold lasts (default: the project's, 900)."),
      idempotency_key: identifier(
        'The same key returns the first decision again and never holds twice. Default: a new key per call.',
      ).optional(),
    },
    defaults.defaultAgentId,
  ),
)

/** The `preflight` tool's parsed arguments. */
export type PreflightInput = z.output<ReturnType<typeof preflightInputSchema>>

/** Registers the `preflight` tool on `server`. */
export function registerPreflightTool(server: McpServer, context: ToolContext): void {
  const inputSchema = preflightInputSchema(context)
  server.registerTool(
    'preflight',
    {
      title: 'Check budget before work',
      description:
        'Ask AgentBill whether a customer has budget BEFORE starting costly work (an agent run, a model call). ' +
        'approved: false is a normal answer: do not start the work; tell the user the reason and the upgrade_url. ' +
        'With reserve: true the estimate is held; afterwards call record with the reservation_id (or release if the work did not happen).',
      inputSchema,
      outputSchema: preflightOutputSchema,
      annotations: {
        title: 'Check budget before work',
        // Every decision is stored, and reserve holds units: not read-only, but only additive.
        readOnlyHint: false,
        destructiveHint: false,
        // Without an idempotency_key each call is a new decision (and a new hold with reserve).
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (input: PreflightInput, extra: ToolExtra): Promise<CallToolResult> => {
      const agentId = input.agent_id ?? context.defaultAgentId
      const customer = input.customer_id ?? context.defaultCustomerId
      const idempotencyKey = input.idempotency_key ?? `mcp_${randomUUID()}`
      const baseUrl = context.client.baseUrl
      const unchanged = input.reserve === true ? 'nothing was held' : 'no decision was made'
      let result: PreflightResult
      try {
        result = await context.client.preflight(
          {
            // withAgentId makes agent_id required when there is no default.
            agentId: agentId ?? '',
            customerId: customer,
            idempotencyKey,
            ...(input.estimated_units === undefined
              ? {}
              : { estimatedUnits: input.estimated_units }),
            ...(input.ceiling === undefined ? {} : { ceiling: input.ceiling }),
            ...(input.run_id === undefined ? {} : { runId: input.run_id }),
            ...(input.reserve === undefined ? {} : { reserve: input.reserve }),
            ...(input.ttl_seconds === undefined ? {} : { ttlSeconds: input.ttl_seconds }),
          },
          { signal: extra.signal },
        )
      } catch (error) {
        return toolError(error, { baseUrl, unchanged, idempotencyKey })
      }
      // The MCP server never answers from a fail mode: an approval nobody checked, or a block
      // that looks like an empty budget, would mislead the model. It says the server is down.
      if (result.degraded) {
        const error =
          result.error ?? new AgentBillError(`Could not reach the AgentBill server at ${baseUrl}`)
        return {
          isError: true,
          content: [
            {
              type: 'text',
              text: describeUnavailable(error, { baseUrl, unchanged, idempotencyKey }),
            },
          ],
        }
      }
      const output = toPreflightOutput(result, { agentId: agentId ?? '', customerId: customer })
      return {
        structuredContent: output,
        content: [{ type: 'text', text: preflightText(output) }],
      }
    },
  )
}

/** Maps the client's answer to the tool's snake_case result. */
export function toPreflightOutput(
  result: PreflightResult,
  ids: { agentId: string; customerId: string },
): PreflightOutput {
  return {
    approved: result.approved,
    reason: result.approved || result.reason === 'unavailable' ? null : result.reason,
    upgrade_url: result.upgradeUrl,
    agent_id: ids.agentId,
    customer_id: ids.customerId,
    estimated_units: result.estimatedUnits,
    estimate_source: result.estimateSource,
    remaining_units: result.remainingUnits,
    reservation_id: result.reservationId,
    expires_at: result.expiresAt,
    run_id: result.runId,
    ceiling: result.ceiling,
    run_remaining_units: result.runRemainingUnits,
    preflight_id: result.preflightId ?? '',
    idempotency_key: result.idempotencyKey,
  }
}

/** The short text beside the structured result. */
export function preflightText(output: PreflightOutput): string {
  const customer = JSON.stringify(output.customer_id)
  const left = output.remaining_units === null ? 'unlimited' : `${output.remaining_units} left`
  if (!output.approved) {
    const why =
      output.reason === 'ceiling_exceeded'
        ? `the estimate of ${output.estimated_units} units passes the ceiling of ${output.ceiling}`
        : `customer ${customer} has ${left}, the work needs ${output.estimated_units}`
    // More units do not lift a per-run ceiling: the link only helps an empty budget.
    const upgrade =
      output.upgrade_url === null || output.reason !== 'budget_exhausted'
        ? ''
        : ` More units: ${output.upgrade_url}`
    return `Blocked (${output.reason}): ${why}. Do not start the work.${upgrade}`
  }
  const hold =
    output.reservation_id === null
      ? ' Nothing is held.'
      : ` Held as ${output.reservation_id} until ${output.expires_at}: settle it with record (reservation_id) or free it with release.`
  return `Approved: ${output.estimated_units} units for customer ${customer} (${left} after it).${hold}`
}

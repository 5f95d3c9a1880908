import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Reservation } from 'agentbill'
import { z } from 'zod'
import { count, serverId, text } from '../fields'
import type { ToolContext } from '../tool-context'
import { toolError } from '../tool-error'

/** The `release` tool's structured result: the reservation after the call. */
export const releaseOutputSchema = z.object({
  reservation_id: z.string(),
  status: z
    .enum(['open', 'settled', 'released', 'expired'])
    .describe('released: freed now (or before). settled / expired: it was already closed.'),
  customer_id: z.string(),
  agent_id: z.string(),
  run_id: text().nullable(),
  units: count().describe('The units the hold was for.'),
  expires_at: z.string(),
  created_at: z.string(),
  closed_at: text().nullable(),
})

/** The `release` tool's structured result. */
export type ReleaseOutput = z.infer<typeof releaseOutputSchema>

/** The `release` tool's arguments. */
export const releaseInputSchema = z.strictObject({
  reservation_id: serverId('The hold to free (rsv_…), from preflight.'),
})

/** Registers the `release` tool on `server`. */
export function registerReleaseTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'release',
    {
      title: 'Release a hold',
      description:
        'Free the units a preflight with reserve: true held, when the work failed, was cancelled or will not happen. ' +
        'Releasing a hold that is already settled, released or expired changes nothing. Do not release after record: record settles the hold.',
      inputSchema: releaseInputSchema,
      outputSchema: releaseOutputSchema,
      annotations: {
        title: 'Release a hold',
        readOnlyHint: false,
        // Ends a hold for good: it cannot be reopened, and the units may go to other work.
        destructiveHint: true,
        // Releasing twice changes nothing the second time.
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (input, extra): Promise<CallToolResult> => {
      let reservation: Reservation
      try {
        reservation = await context.client.release(input.reservation_id, { signal: extra.signal })
      } catch (error) {
        return toolError(error, {
          baseUrl: context.client.baseUrl,
          unchanged: 'nothing was released',
        })
      }
      const output = toReleaseOutput(reservation)
      return { structuredContent: output, content: [{ type: 'text', text: releaseText(output) }] }
    },
  )
}

/** Maps the client's reservation to the tool's snake_case result. */
export function toReleaseOutput(reservation: Reservation): ReleaseOutput {
  return {
    reservation_id: reservation.id,
    status: reservation.status,
    customer_id: reservation.customerId,
    agent_id: reservation.agentId,
    run_id: reservation.runId,
    units: reservation.units,
    expires_at: reservation.expiresAt,
    created_at: reservation.createdAt,
    closed_at: reservation.closedAt,
  }
}

/** The short text beside the structured result. */
export function releaseText(output: ReleaseOutput): string {
  const customer = JSON.stringify(output.customer_id)
  switch (output.status) {
    case 'released':
      // The answer is the same whether this call or an earlier one released it.
      return `${output.reservation_id} is released: its ${output.units} units are free for customer ${customer}.`
    case 'open':
      return `${output.reservation_id} is still open (${output.units} units held until ${output.expires_at}).`
    default:
      return `${output.reservation_id} was already ${output.status}; releasing changed nothing.`
  }
}

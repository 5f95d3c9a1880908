import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Balance } from 'agentbill'
import { z } from 'zod'
import { count, customerId, oncePerDefaults, type SchemaDefaults, text } from '../fields'
import type { ToolContext } from '../tool-context'
import { toolError } from '../tool-error'

/** The `balance` tool's structured result. */
export const balanceOutputSchema = z.object({
  customer_id: z.string(),
  granted_units: count().describe('The base allowance plus grants, for this period.'),
  used_units: count().describe('Units recorded in this period.'),
  reserved_units: count().describe('Units held by open reservations.'),
  remaining_units: count()
    .nullable()
    .describe('granted − used − reserved, at least 0; null when unlimited.'),
  overage_units: count().describe('How far usage is past the grant.'),
  unlimited: z.boolean(),
  period: z.enum(['none', 'day', 'week', 'month']),
  period_start: text().nullable(),
  period_end: text().nullable(),
})

/** The `balance` tool's structured result. */
export type BalanceOutput = z.infer<typeof balanceOutputSchema>

/** The `balance` tool's arguments. */
export const balanceInputSchema = oncePerDefaults((defaults: SchemaDefaults) =>
  z.strictObject({ customer_id: customerId(defaults.defaultCustomerId) }),
)

/** Registers the `balance` tool on `server`. */
export function registerBalanceTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'balance',
    {
      title: 'Read a balance',
      description:
        "Read a customer's budget: granted, used, reserved and remaining units. Changes nothing.",
      inputSchema: balanceInputSchema(context),
      outputSchema: balanceOutputSchema,
      annotations: {
        title: 'Read a balance',
        // The server creates an unseen customer with the free grant on first sight, which is
        // what every other call would see anyway: nothing a user could observe changes.
        readOnlyHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (input, extra): Promise<CallToolResult> => {
      let balance: Balance
      try {
        balance = await context.client.balance(input.customer_id ?? context.defaultCustomerId, {
          signal: extra.signal,
        })
      } catch (error) {
        return toolError(error, {
          baseUrl: context.client.baseUrl,
          unchanged: 'no balance was read',
        })
      }
      const output = toBalanceOutput(balance)
      return { structuredContent: output, content: [{ type: 'text', text: balanceText(output) }] }
    },
  )
}

/** Maps the client's balance to the tool's snake_case result. */
export function toBalanceOutput(balance: Balance): BalanceOutput {
  return {
    customer_id: balance.customerId,
    granted_units: balance.grantedUnits,
    used_units: balance.usedUnits,
    reserved_units: balance.reservedUnits,
    remaining_units: balance.remainingUnits,
    overage_units: balance.overageUnits,
    unlimited: balance.unlimited,
    period: balance.period,
    period_start: balance.periodStart,
    period_end: balance.periodEnd,
  }
}

/** The short text beside the structured result. */
export function balanceText(output: BalanceOutput): string {
  const customer = JSON.stringify(output.customer_id)
  const period =
    output.period === 'none' ? '' : ` this ${output.period} (until ${output.period_end})`
  if (output.unlimited) {
    return `Customer ${customer} is unlimited: ${output.used_units} units used${period}, ${output.reserved_units} held.`
  }
  const over = output.overage_units > 0 ? `, ${output.overage_units} over` : ''
  return `Customer ${customer}: ${output.remaining_units} of ${output.granted_units} units left${period} (${output.used_units} used, ${output.reserved_units} held${over}).`
}

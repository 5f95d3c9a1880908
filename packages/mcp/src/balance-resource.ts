import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ToolContext } from './tool-context'
import { describeFailure } from './tool-error'
import { toBalanceOutput } from './tools/balance-tool'

/** The URI of a customer's balance resource. */
export function balanceResourceUri(customerId: string): string {
  return `agentbill://balance/${encodeURIComponent(customerId)}`
}

/**
 * Registers `agentbill://balance/{customer_id}`: a customer's balance as JSON, so a host can put
 * the budget in front of the model (or the user) without a tool call. The default customer's
 * balance is listed; any other customer can be read by URI.
 */
export function registerBalanceResource(server: McpServer, context: ToolContext): void {
  server.registerResource(
    'balance',
    new ResourceTemplate('agentbill://balance/{customer_id}', {
      list: () => ({
        resources: [
          {
            uri: balanceResourceUri(context.defaultCustomerId),
            name: `balance-${context.defaultCustomerId}`,
            title: `AgentBill balance of "${context.defaultCustomerId}"`,
            mimeType: 'application/json',
          },
        ],
      }),
    }),
    {
      title: 'AgentBill balance',
      description:
        "A customer's budget right now: granted, used, reserved and remaining units (the balance tool's result).",
      mimeType: 'application/json',
    },
    async (uri, variables, extra) => {
      const raw = variables.customer_id
      const customerId = decodeURIComponent(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''))
      try {
        const balance = await context.client.balance(customerId, { signal: extra.signal })
        return {
          contents: [
            {
              uri: uri.href,
              mimeType: 'application/json',
              text: JSON.stringify(toBalanceOutput(balance), null, 2),
            },
          ],
        }
      } catch (error) {
        // A resource read has no isError result: the failure goes back as a JSON-RPC error.
        throw new Error(
          describeFailure(error, {
            baseUrl: context.client.baseUrl,
            unchanged: 'no balance was read',
          }),
        )
      }
    },
  )
}

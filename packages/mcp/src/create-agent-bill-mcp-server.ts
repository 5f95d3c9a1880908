import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { AgentBill } from 'agentbill'
import { registerBalanceResource } from './balance-resource'
import { serverInstructions } from './server-instructions'
import type { ToolContext } from './tool-context'
import { registerBalanceTool } from './tools/balance-tool'
import { registerPreflightTool } from './tools/preflight-tool'
import { registerRecordTool } from './tools/record-tool'
import { registerReleaseTool } from './tools/release-tool'
import { VERSION } from './version'

/** Options of {@link createAgentBillMcpServer}. */
export interface AgentBillMcpServerOptions {
  /**
   * The client every tool call goes through. Build it with `maxQueuedRecords: 0` (as the
   * `agentbill-mcp` command does) so a record the server could not take is a tool error the model
   * can retry, rather than an event queued in memory that dies with the process.
   */
  client: AgentBill
  /**
   * The agent used when a call names none. Without one, `agent_id` is required.
   * @default undefined
   */
  defaultAgentId?: string
  /**
   * The customer used when a call names none. Keep it equal to the client's `defaultCustomerId`.
   * @default 'default'
   */
  defaultCustomerId?: string
}

/**
 * Builds an MCP server with the AgentBill tools `preflight`, `record`, `release` and `balance`,
 * and the `agentbill://balance/{customer_id}` resource. Connect it to any transport; for
 * stateless Streamable HTTP build one per request (they can share one client).
 *
 * @example
 * const server = createAgentBillMcpServer({ client: new AgentBill({ maxQueuedRecords: 0 }), defaultAgentId: 'claude' })
 * await server.connect(new StdioServerTransport())
 */
export function createAgentBillMcpServer(options: AgentBillMcpServerOptions): McpServer {
  const context: ToolContext = {
    client: options.client,
    defaultAgentId: options.defaultAgentId,
    defaultCustomerId: options.defaultCustomerId ?? 'default',
  }
  const server = new McpServer(
    { name: 'agentbill', title: 'AgentBill', version: VERSION },
    { instructions: serverInstructions(context) },
  )
  registerPreflightTool(server, context)
  registerRecordTool(server, context)
  registerReleaseTool(server, context)
  registerBalanceTool(server, context)
  registerBalanceResource(server, context)
  return server
}

import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js'
import type { AgentBill } from 'agentbill'

/** What every tool handler needs: the client and the defaults the server was started with. */
export interface ToolContext {
  /** The client every call goes through. */
  client: AgentBill
  /** The agent used when a call names none; `undefined` makes `agent_id` required. */
  defaultAgentId: string | undefined
  /** The customer used when a call names none. */
  defaultCustomerId: string
}

/** The second argument of a tool handler: the request's signal, `_meta`, session. */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>

import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { connectAgentBill } from '@agentbill/example-support'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'

const connection = await connectAgentBill()

// What an agent host (Claude Desktop, Claude Code, Cursor) does with the config in
// packages/mcp/README.md: start `agentbill-mcp` over stdio with the key in its environment.
const require = createRequire(import.meta.url)
const binary = join(dirname(require.resolve('@agentbill/mcp/package.json')), 'dist', 'cli.js')
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [binary],
  env: {
    PATH: process.env.PATH ?? '',
    AGENTBILL_API_KEY: connection.apiKey,
    AGENTBILL_BASE_URL: connection.baseUrl,
    AGENTBILL_AGENT_ID: 'mcp-host-agent',
    AGENTBILL_CUSTOMER_ID: 'acme',
  },
  stderr: 'ignore',
})
const host = new Client({ name: 'example-host', version: '1.0.0' })
await host.connect(transport)

const { tools } = await host.listTools()
console.log(
  `Tools: ${tools.map((tool) => `${tool.name}${tool.annotations?.readOnlyHint ? ' (read-only)' : ''}`).join(', ')}`,
)

type ToolResult = {
  content: Array<{ type: string; text?: string }>
  structuredContent?: Record<string, unknown>
  isError?: boolean
}
const call = async (name: string, args: Record<string, unknown>) => {
  const result = (await host.callTool({ name, arguments: args })) as ToolResult
  const text = result.content.find((part) => part.type === 'text')?.text ?? ''
  console.log(`${name}${result.isError ? ' [tool error]' : ''}: ${text}`)
  return result
}

// Before costly work: ask, and hold the estimate.
const check = await call('preflight', { estimated_units: 30, reserve: true, ceiling: 100 })
const reservationId = check.structuredContent?.reservation_id
// After it: record what it used, settling the hold.
await call('record', {
  units: 24,
  reservation_id: reservationId,
  metadata: { task: 'summarise the quarterly report' },
})
await call('balance', {})
// A task too big for the budget is a normal answer the model can act on, not an error.
await call('preflight', { estimated_units: 5000 })
// A bad argument is a tool error that names the field; nothing reaches the ledger.
await call('record', { units: -3 })

await host.close()
await connection.close()

/** One copy-paste step of the quick start. */
export interface Snippet {
  id: string
  title: string
  /** Which package README the code is taken from (checked by `quick-start-snippets.test.ts`). */
  source: 'core' | 'openai' | 'langchain' | 'ai-sdk' | 'mcp' | 'none'
  code: string
}

/** A value for a shell command line: bare when plain, else single-quoted. */
export function shellWord(value: string): string {
  return /^[\w:/.\-[\]@%+=,]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`
}

// The TypeScript snippets are the first examples of each package's README, verbatim: those
// READMEs are type-checked against the real packages (docs/snippets.test.ts), and a test here
// fails when a snippet no longer appears in its README.
const clientCode = `import { AgentBill } from 'agentbill'

const bill = new AgentBill({ apiKey: 'agb_…' }) // or AGENTBILL_API_KEY
const check = await bill.preflight({
  agentId: 'researcher',
  customerId: 'user_123',
  estimatedUnits: 10,
  ceiling: 20,
})
if (!check.approved) throw new Error(\`Blocked: \${check.reason}\`) // 'budget_exhausted' | 'ceiling_exceeded' | 'unavailable'
await bill.record({
  agentId: 'researcher',
  customerId: 'user_123',
  units: 10,
  metadata: { model: 'gpt-4o' },
})`

const openaiCode = `import { withAgentBill } from '@agentbill/openai'
import { AgentBill } from 'agentbill'
import OpenAI from 'openai'

const bill = new AgentBill() // AGENTBILL_API_KEY
const openai = withAgentBill(new OpenAI(), {
  client: bill,
  agentId: 'researcher',
  customerId: 'user_42',
})
const completion = await openai.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Summarise the latest release notes.' }],
})`

const langchainCode = `import { AgentBillCallbackHandler } from '@agentbill/langchain'
import { AgentBill } from 'agentbill'
import type { Runnable } from '@langchain/core/runnables'

declare const agent: Runnable // your chain or createAgent(…) agent
declare const input: unknown
const bill = new AgentBill()

const billing = new AgentBillCallbackHandler({ client: bill, agentId: 'support', ceiling: 50 })
await agent.invoke(input, { callbacks: [billing], metadata: { agentbill_customer_id: 'user_42' } })`

const aiSdkCode = `import { agentBillMiddleware } from '@agentbill/ai-sdk'
import { openai } from '@ai-sdk/openai'
import { AgentBill } from 'agentbill'
import { generateText, wrapLanguageModel } from 'ai'

declare const user: { id: string } // your signed-in user
const bill = new AgentBill() // AGENTBILL_API_KEY
const model = wrapLanguageModel({
  model: openai('gpt-4o-mini'),
  middleware: agentBillMiddleware({ client: bill, agentId: 'support-bot', ceiling: 50 }),
})

const { text } = await generateText({
  model,
  prompt: 'Summarize my last invoice.',
  providerOptions: { agentbill: { customerId: user.id } },
})`

/** The MCP README's Claude Desktop config, for a server at `baseUrl`. */
export function claudeDesktopConfig(baseUrl: string): string {
  return `{
  "mcpServers": {
    "agentbill": {
      "command": "npx",
      "args": ["-y", "@agentbill/mcp"],
      "env": {
        "AGENTBILL_API_KEY": "agb_…",
        "AGENTBILL_BASE_URL": ${JSON.stringify(baseUrl)},
        "AGENTBILL_AGENT_ID": "claude-desktop",
        "AGENTBILL_CUSTOMER_ID": "my-team"
      }
    }
  }
}`
}

/** The MCP README's Claude Code command, for a server at `baseUrl`. */
export function claudeCodeCommand(baseUrl: string): string {
  return `claude mcp add --transport stdio \\
  --env AGENTBILL_API_KEY=agb_… \\
  --env AGENTBILL_BASE_URL=${shellWord(baseUrl)} \\
  --env AGENTBILL_AGENT_ID=claude-code \\
  agentbill -- npx -y @agentbill/mcp`
}

/** The quick start's steps for a server at `baseUrl`, in order. */
export function quickStartSnippets(baseUrl: string): Snippet[] {
  return [
    {
      id: 'snippet-env',
      title: 'Point the client at this server',
      source: 'none',
      code: `export AGENTBILL_BASE_URL=${shellWord(baseUrl)}\nexport AGENTBILL_API_KEY=agb_…   # a runtime key, from Keys`,
    },
    {
      id: 'snippet-client-install',
      title: 'The client',
      source: 'core',
      code: 'npm install agentbill',
    },
    { id: 'snippet-client', title: 'Preflight, then record', source: 'core', code: clientCode },
    {
      id: 'snippet-openai-install',
      title: 'OpenAI SDK',
      source: 'openai',
      code: 'npm install @agentbill/openai agentbill openai',
    },
    { id: 'snippet-openai', title: 'Wrap the OpenAI client', source: 'openai', code: openaiCode },
    {
      id: 'snippet-langchain-install',
      title: 'LangChain',
      source: 'langchain',
      code: 'npm install agentbill @agentbill/langchain',
    },
    {
      id: 'snippet-langchain',
      title: 'The LangChain callback handler',
      source: 'langchain',
      code: langchainCode,
    },
    {
      id: 'snippet-ai-sdk-install',
      title: 'Vercel AI SDK',
      source: 'ai-sdk',
      code: 'npm install @agentbill/ai-sdk agentbill ai',
    },
    { id: 'snippet-ai-sdk', title: 'The AI SDK middleware', source: 'ai-sdk', code: aiSdkCode },
    {
      id: 'snippet-mcp-desktop',
      title: 'MCP server in Claude Desktop (claude_desktop_config.json)',
      source: 'mcp',
      code: claudeDesktopConfig(baseUrl),
    },
    {
      id: 'snippet-mcp-code',
      title: 'MCP server in Claude Code',
      source: 'mcp',
      code: claudeCodeCommand(baseUrl),
    },
  ]
}

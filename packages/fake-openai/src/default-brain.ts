import type { FakeBehavior } from './fake-behavior'

/** A message of either API, reduced to what the default brain looks at. */
export interface ConversationTurn {
  role: 'system' | 'user' | 'assistant' | 'tool'
  text: string
}

/** A tool the request offers, reduced to its name and JSON schema. */
export interface OfferedTool {
  name: string
  parameters: unknown
}

/**
 * The answer when nothing is queued: a small deterministic "agent". Offered tools and a user
 * turn last → it calls the first tool, with arguments made from the tool's schema; a tool result
 * last → it answers from it; otherwise it answers the user. Enough for offline examples of tool
 * loops (OpenAI `runTools`, LangChain agents, AI SDK steps) to run end to end.
 */
export function defaultBehavior(turns: ConversationTurn[], tools: OfferedTool[]): FakeBehavior {
  const last = turns.at(-1)
  const firstTool = tools[0]
  if (last?.role === 'user' && firstTool !== undefined) {
    return {
      kind: 'tool-calls',
      calls: [{ name: firstTool.name, arguments: argumentsFor(firstTool.parameters, last.text) }],
    }
  }
  if (last?.role === 'tool') {
    return { kind: 'text', text: `Here is what I found: ${clip(last.text, 200)}` }
  }
  const question = [...turns].reverse().find((turn) => turn.role === 'user')?.text ?? ''
  return { kind: 'text', text: `This is the local model answering: ${clip(question, 120)}` }
}

function argumentsFor(schema: unknown, userText: string): Record<string, unknown> {
  const properties = isRecord(schema) && isRecord(schema.properties) ? schema.properties : {}
  const result: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(properties)) {
    const type = isRecord(property) ? property.type : undefined
    if (type === 'number' || type === 'integer') result[name] = 1
    else if (type === 'boolean') result[name] = true
    else if (type === 'array') result[name] = []
    else if (type === 'object') result[name] = {}
    else result[name] = clip(userText, 100)
  }
  return result
}

function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

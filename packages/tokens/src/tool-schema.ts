import type { JsonSchema, ToolDefinition } from './message-types'

/** A function tool reduced to what the prompt renders. */
export interface FunctionTool {
  name: string
  description: string | undefined
  parameters: JsonSchema | undefined
}

/**
 * Reduces a tool in Chat Completions, Responses or AI SDK form to its function; `undefined` for
 * built-in or provider tools (which are counted from their JSON).
 * @internal
 */
export function toFunctionTool(tool: ToolDefinition): FunctionTool | undefined {
  if (tool.type !== 'function') return undefined
  const record = tool as Record<string, unknown>
  const inner = isObject(record.function) ? record.function : record
  if (typeof inner.name !== 'string') return undefined
  const parameters = inner.parameters ?? inner.inputSchema
  return {
    name: inner.name,
    description: typeof inner.description === 'string' ? inner.description : undefined,
    parameters: isObject(parameters) ? parameters : undefined,
  }
}

/**
 * Renders function definitions the way OpenAI injects them into the prompt — a TypeScript
 * `namespace functions` (reverse-engineered by hmarr/openai-chat-tokens, used by gpt-tokenizer's
 * `countChatCompletionTokens`). For flat schemas the text is identical to gpt-tokenizer's; this
 * version also renders type unions, `anyOf`/`oneOf`, `const` and nested objects.
 * @internal
 */
export function renderFunctionTools(tools: readonly FunctionTool[]): string {
  const lines = ['namespace functions {', '']
  for (const tool of tools) {
    if (tool.description !== undefined && tool.description !== '') {
      lines.push(`// ${tool.description}`)
    }
    const properties = tool.parameters?.properties
    if (!isObject(properties) || Object.keys(properties).length === 0) {
      lines.push(`type ${tool.name} = () => any;`)
    } else {
      lines.push(`type ${tool.name} = (_: {`)
      const rendered = renderProperties(tool.parameters ?? {}, 0)
      if (rendered.length > 0) lines.push(rendered)
      lines.push('}) => any;')
    }
    lines.push('')
  }
  lines.push('} // namespace functions')
  return lines.join('\n')
}

const MAX_DEPTH = 12

function renderProperties(schema: JsonSchema, indent: number): string {
  const properties = schema.properties
  if (!isObject(properties)) return ''
  const required = new Set(Array.isArray(schema.required) ? schema.required : [])
  const pad = ' '.repeat(indent)
  const lines: string[] = []
  for (const [name, value] of Object.entries(properties)) {
    const property = isObject(value) ? value : {}
    if (typeof property.description === 'string' && property.description !== '' && indent < 2) {
      lines.push(`${pad}// ${property.description}`)
    }
    lines.push(`${pad}${name}${required.has(name) ? '' : '?'}: ${renderType(property, indent)},`)
  }
  return lines.join('\n')
}

function renderType(schema: JsonSchema, indent: number): string {
  if (indent / 2 > MAX_DEPTH) return 'any'
  const union = schema.anyOf ?? schema.oneOf
  if (Array.isArray(union)) {
    return union.map((member) => renderType(isObject(member) ? member : {}, indent)).join(' | ')
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  const type = schema.type
  if (Array.isArray(type)) {
    return type.map((member) => renderType({ ...schema, type: member }, indent)).join(' | ')
  }
  const enumValues = Array.isArray(schema.enum) ? schema.enum : undefined
  switch (type) {
    case 'string':
      return enumValues?.map((value) => JSON.stringify(value)).join(' | ') ?? 'string'
    case 'integer':
    case 'number':
      return enumValues?.map((value) => String(value)).join(' | ') ?? 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'array':
      return isObject(schema.items) ? `${renderType(schema.items, indent)}[]` : 'any[]'
    case 'object':
      return `{\n${renderProperties(schema, indent + 2)}\n${' '.repeat(indent)}}`
    default:
      if (enumValues !== undefined)
        return enumValues.map((value) => JSON.stringify(value)).join(' | ')
      if (isObject(schema.properties)) return renderType({ ...schema, type: 'object' }, indent)
      return 'any'
  }
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

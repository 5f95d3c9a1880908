/**
 * Reduces a model id as adapters see it to the bare id the tables use: lower case, without a
 * routing prefix (`openai/gpt-4o`, `models/gemini-2.5-pro`, `anthropic.claude-…` on Bedrock,
 * `us.anthropic.…`), without the fine-tune wrapper (`ft:gpt-4o-mini:org::id` → `gpt-4o-mini`)
 * and without a Vertex `@version` suffix.
 * @param model - a model id, e.g. `"openai/gpt-4o-2024-08-06"`
 * @returns the bare id, e.g. `"gpt-4o-2024-08-06"`
 */
export function bareModelId(model: string): string {
  let id = model.trim().toLowerCase()
  if (id.startsWith('ft:')) id = id.slice(3).split(':')[0] ?? id
  const slash = id.lastIndexOf('/')
  if (slash !== -1) id = id.slice(slash + 1)
  // Bedrock: "anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-…"
  const bedrock = /^(?:[a-z]{2}\.)?(?:anthropic|meta|mistral|amazon|cohere|openai)\.(.+)$/.exec(id)
  if (bedrock?.[1] !== undefined) id = bedrock[1]
  const at = id.indexOf('@')
  if (at !== -1) id = id.slice(0, at)
  return id
}

/**
 * Candidate table keys for a bare id, most specific first: the id itself, then the id without
 * a snapshot suffix (`-2024-08-06`, `-20250929`, `-0613`, `-v1:0`, `-latest`, `-001`).
 * @internal
 */
export function modelIdCandidates(bareId: string): string[] {
  const candidates = [bareId]
  let id = bareId
  for (;;) {
    const next = id.replace(/-(?:v\d+(?::\d+)?|\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|latest)$/, '')
    if (next === id) break
    candidates.push(next)
    id = next
  }
  return candidates
}

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  claudeCodeCommand,
  claudeDesktopConfig,
  quickStartSnippets,
  shellWord,
} from './quick-start-snippets.js'

const readme = (name: string) =>
  readFileSync(new URL(`../../../${name}/README.md`, import.meta.url), 'utf8')

// Each snippet must stay what its package's README says (those READMEs are type-checked
// against the real packages by docs/snippets.test.ts): a changed API fails here, not in a
// reader's editor.
describe('quick start snippets', () => {
  it('are verbatim code from the package READMEs', () => {
    for (const snippet of quickStartSnippets('http://localhost:8787')) {
      if (snippet.source === 'none') continue
      expect(
        readme(snippet.source),
        `${snippet.id} is not in packages/${snippet.source}/README.md`,
      ).toContain(snippet.code)
    }
  })

  it("put the server's own base URL into the MCP configs, quoted for JSON and the shell", () => {
    expect(
      JSON.parse(claudeDesktopConfig('https://x.example/"a"')).mcpServers.agentbill.env
        .AGENTBILL_BASE_URL,
    ).toBe('https://x.example/"a"')
    expect(claudeCodeCommand('https://billing.example.com')).toContain(
      '--env AGENTBILL_BASE_URL=https://billing.example.com \\',
    )
    expect(shellWord("http://h/$(rm -rf ~)'")).toBe("'http://h/$(rm -rf ~)'\\'''")
  })

  it('cover the client, the OpenAI wrapper, LangChain, the AI SDK and MCP', () => {
    const sources = new Set(quickStartSnippets('http://x').map((snippet) => snippet.source))
    expect([...sources].sort()).toEqual(['ai-sdk', 'core', 'langchain', 'mcp', 'none', 'openai'])
  })
})

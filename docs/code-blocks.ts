import { readFileSync } from 'node:fs'

/** A fenced TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file it is in. */
  file: string
  /** The line of the opening fence (1-based). */
  line: number
  code: string
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)([^\n]*)$/

/**
 * The ```ts / ```typescript blocks of a Markdown file. A block whose info string says `no-check`
 * is left out: use it only for deliberately partial code, and say why next to it.
 */
export function typeScriptBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  let open: { fence: string; line: number; keep: boolean; body: string[] } | undefined
  for (const [index, text] of lines.entries()) {
    if (open === undefined) {
      const match = FENCE.exec(text)
      if (match === null) continue
      const language = (match[3] ?? '').toLowerCase()
      const info = match[4] ?? ''
      open = {
        fence: match[2] ?? '```',
        line: index + 1,
        keep: (language === 'ts' || language === 'typescript') && !info.includes('no-check'),
        body: [],
      }
      continue
    }
    if (
      text.trim().startsWith(open.fence) &&
      text.trim().replaceAll(open.fence[0] ?? '`', '') === ''
    ) {
      if (open.keep) blocks.push({ file, line: open.line, code: open.body.join('\n') })
      open = undefined
      continue
    }
    open.body.push(text)
  }
  return blocks
}

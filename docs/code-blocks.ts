import { readFileSync } from 'node:fs'

/** A fenced TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file it is in. */
  file: string
  /** The line of the opening fence (1-based). */
  line: number
  code: string
  /** Set for a guide told in steps: the blocks of this part, joined. */
  part?: string
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)([^\n]*)$/

/**
 * The ```ts / ```typescript blocks of a Markdown file, each a module of its own — except blocks
 * whose info string says `part=<name>`: a guide told in steps, joined in order into one module at
 * the first block's place. A block whose info string says `no-check` is left out: use it only for
 * deliberately partial code, and say why next to it.
 */
export function typeScriptBlocks(file: string): CodeBlock[] {
  const joined: CodeBlock[] = []
  const parts = new Map<string, CodeBlock>()
  for (const block of fencedBlocks(file)) {
    if (block.part === undefined) {
      joined.push({ file: block.file, line: block.line, code: block.code })
      continue
    }
    const first = parts.get(block.part)
    if (first === undefined) {
      const entry = { file: block.file, line: block.line, code: block.code, part: block.part }
      parts.set(block.part, entry)
      joined.push(entry)
    } else {
      first.code += `\n${block.code}`
    }
  }
  return joined
}

function fencedBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  let open:
    | { fence: string; line: number; keep: boolean; part: string | undefined; body: string[] }
    | undefined
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
        part: /\bpart=([\w-]+)/.exec(info)?.[1],
        body: [],
      }
      continue
    }
    if (
      text.trim().startsWith(open.fence) &&
      text.trim().replaceAll(open.fence[0] ?? '`', '') === ''
    ) {
      if (open.keep) {
        blocks.push({
          file,
          line: open.line,
          code: open.body.join('\n'),
          ...(open.part === undefined ? {} : { part: open.part }),
        })
      }
      open = undefined
      continue
    }
    open.body.push(text)
  }
  return blocks
}

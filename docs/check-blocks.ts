import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import type { CodeBlock } from './code-blocks'

/**
 * Type-checks blocks as standalone modules, with the workspace's strict settings, resolving
 * imports from this package's dependencies (the real, built packages). Answers one readable line
 * per error, pointing at the Markdown file and line.
 */
export function checkBlocks(blocks: CodeBlock[], workDirectory: string, root: string): string[] {
  rmSync(workDirectory, { recursive: true, force: true })
  mkdirSync(workDirectory, { recursive: true })
  const files = new Map<string, CodeBlock>()
  for (const [index, block] of blocks.entries()) {
    const file = join(workDirectory, `block-${index}.ts`)
    // Every block is its own module, so top-level await works and names do not clash.
    writeFileSync(file, `${block.code}\nexport {}\n`)
    files.set(file, block)
  }
  const program = ts.createProgram([...files.keys()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
  })
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    const block = diagnostic.file === undefined ? undefined : files.get(diagnostic.file.fileName)
    if (block === undefined || diagnostic.file === undefined || diagnostic.start === undefined)
      return message
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    // A joined guide (part=…) reports its first block's line and the line within the joined code.
    const where =
      block.part === undefined
        ? `${block.line + 1 + line}`
        : `${block.line} (part ${block.part}, line ${line + 1})`
    return `${relative(root, block.file)}:${where}: ${message}`
  })
}

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkBlocks } from './check-blocks'
import { typeScriptBlocks } from './code-blocks'

function markdown(text: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'docs-blocks-'))
  const file = join(directory, 'page.md')
  writeFileSync(file, text)
  return file
}

describe('typeScriptBlocks', () => {
  it('takes ts and typescript blocks, skips others and no-check', () => {
    const file = markdown(
      [
        '# T',
        '```ts',
        'const a = 1',
        '```',
        '```sh',
        'ls',
        '```',
        '```typescript',
        'const b = 2',
        '```',
        '```ts no-check',
        'broken(',
        '```',
      ].join('\n'),
    )
    expect(typeScriptBlocks(file).map((block) => [block.line, block.code])).toEqual([
      [2, 'const a = 1'],
      [8, 'const b = 2'],
    ])
  })
})

describe('guides told in steps', () => {
  it('joins the blocks of one part into one module, in order', () => {
    const file = markdown(
      [
        '```ts part=guide',
        'const a = 1',
        '```',
        'text',
        '```ts',
        'const b = 2',
        '```',
        '```ts part=guide',
        'console.log(a)',
        '```',
      ].join('\n'),
    )
    expect(typeScriptBlocks(file).map((block) => [block.line, block.code])).toEqual([
      [1, 'const a = 1\nconsole.log(a)'],
      [5, 'const b = 2'],
    ])
  })
})

describe('checkBlocks', () => {
  it('reports a type error at its line in the Markdown file', () => {
    const file = markdown(['# T', '', '```ts', "const units: number = 'ten'", '```'].join('\n'))
    const errors = checkBlocks(
      typeScriptBlocks(file),
      join(tmpdir(), `docs-check-${Date.now()}`),
      tmpdir(),
    )
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/page\.md:4: Type 'string' is not assignable to type 'number'/)
  })

  it('passes a correct block that uses the agentbill client', () => {
    const file = markdown(
      [
        '```ts',
        "import { AgentBill } from 'agentbill'",
        "const bill = new AgentBill({ apiKey: 'agb_x' })",
        "const check = await bill.preflight({ agentId: 'a' })",
        'if (!check.approved) console.log(check.reason)',
        '```',
      ].join('\n'),
    )
    expect(
      checkBlocks(
        typeScriptBlocks(file),
        join(import.meta.dirname ?? '.', '.blocks-test'),
        tmpdir(),
      ),
    ).toEqual([])
  })
})

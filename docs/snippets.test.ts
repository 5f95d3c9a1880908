import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkBlocks } from './check-blocks'
import { typeScriptBlocks } from './code-blocks'

const root = fileURLToPath(new URL('..', import.meta.url))

function markdownFiles(): string[] {
  const inFolders = (folder: string) =>
    existsSync(join(root, folder))
      ? readdirSync(join(root, folder))
          .map((name) => join(root, folder, name, 'README.md'))
          .filter((file) => existsSync(file))
      : []
  const guides = existsSync(join(root, 'docs/guides'))
    ? readdirSync(join(root, 'docs/guides'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => join(root, 'docs/guides', name))
    : []
  return [join(root, 'README.md'), ...inFolders('packages'), ...inFolders('examples'), ...guides]
}

describe('every TypeScript block in the docs type-checks against the real packages', () => {
  const files = markdownFiles()
  it('finds the docs', () => {
    expect(files.some((file) => file.endsWith('packages/core/README.md'))).toBe(true)
  })

  it('has no type errors', () => {
    const blocks = files.flatMap((file) => typeScriptBlocks(file))
    expect(blocks.length).toBeGreaterThan(0)
    const errors = checkBlocks(blocks, join(root, 'docs/.blocks'), root)
    expect(errors).toEqual([])
  })
})

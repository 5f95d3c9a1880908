import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const changesetBin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js')

interface Manifest {
  name: string
  version: string
  private?: boolean
}

function workspaceManifests(base: string): Map<string, { path: string; manifest: Manifest }> {
  const found = new Map<string, { path: string; manifest: Manifest }>()
  for (const folder of ['packages', 'examples']) {
    for (const name of readdirSync(join(base, folder))) {
      const path = join(base, folder, name, 'package.json')
      if (!existsSync(path)) continue
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest
      found.set(manifest.name, { path, manifest })
    }
  }
  return found
}

describe('the changeset flow', () => {
  it('`changeset version` bumps what the pending changesets name, writes their CHANGELOGs, and leaves private packages alone', () => {
    // A copy of what changesets reads (manifests, workspace, .changeset), so the repository is untouched.
    const copy = mkdtempSync(join(tmpdir(), 'agentbill-changesets-'))
    for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset'])
      cpSync(join(root, file), join(copy, file), { recursive: true })
    for (const { path } of workspaceManifests(root).values()) {
      const target = join(copy, path.slice(root.length))
      mkdirSync(dirname(target), { recursive: true })
      cpSync(path, target)
    }
    mkdirSync(join(copy, 'docs'), { recursive: true })
    cpSync(join(root, 'docs', 'package.json'), join(copy, 'docs', 'package.json'))
    const pending = readdirSync(join(root, '.changeset')).filter(
      (name) => name.endsWith('.md') && name !== 'README.md',
    )
    expect(pending.length).toBeGreaterThan(0)

    execFileSync(process.execPath, [changesetBin, 'version'], { cwd: copy, stdio: 'pipe' })

    const before = workspaceManifests(root)
    const after = workspaceManifests(copy)
    for (const [name, { manifest }] of before) {
      const bumped = after.get(name)?.manifest
      expect(bumped, name).toBeDefined()
      if (manifest.private === true) {
        expect(bumped?.version, `${name} is private and never versioned`).toBe(manifest.version)
        continue
      }
      const [major, minor, patch] = manifest.version.split('.').map(Number)
      // Before 1.0, a changeset's minor is the largest bump: a major would mean a mistaken changeset.
      const sane = [
        `${major}.${(minor ?? 0) + 1}.0`,
        `${major}.${minor}.${(patch ?? 0) + 1}`,
        manifest.version,
      ]
      expect(sane, `${name}: ${manifest.version} → ${bumped?.version}`).toContain(bumped?.version)
      if (bumped?.version !== manifest.version) {
        const changelog = readFileSync(
          join(dirname(after.get(name)?.path ?? ''), 'CHANGELOG.md'),
          'utf8',
        )
        expect(changelog).toContain(`## ${bumped?.version}`)
      }
    }
    // Every pending changeset was consumed into the CHANGELOGs.
    expect(
      readdirSync(join(copy, '.changeset')).filter(
        (name) => name.endsWith('.md') && name !== 'README.md',
      ),
    ).toEqual([])
  })
})

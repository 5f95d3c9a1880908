import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared'

export default defineConfig(
  // The CLI and the test helpers ship beside the library; shims give the CJS build import.meta.url.
  packageBuild(import.meta.url, {
    entry: ['src/index.ts', 'src/testing.ts', 'src/cli.ts'],
    shims: true,
  }),
)

import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.shared'

export default defineConfig([
  // The two builds run side by side: this one cleans dist but keeps the bin the other writes.
  packageBuild(import.meta.url, { clean: ['!cli.js', '!cli.js.map'] }),
  // The bin: ESM only (package.json "type": "module"), no types; the shebang in src/cli.ts is kept
  // and tsup marks the file executable.
  packageBuild(import.meta.url, {
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
  }),
])

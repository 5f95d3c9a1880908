import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'))
const define = { __PACKAGE_VERSION__: JSON.stringify(version) }

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // The two builds run side by side: this one cleans dist but keeps the bin the other writes.
    clean: ['!cli.js', '!cli.js.map'],
    target: 'es2022',
    define,
  },
  {
    // The bin: ESM only (package.json "type": "module"), no types; the shebang in src/cli.ts is kept
    // and tsup marks the file executable.
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    define,
  },
])

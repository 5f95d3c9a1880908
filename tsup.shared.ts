import { readFileSync } from 'node:fs'
import type { Options } from 'tsup'

/**
 * The build every published package shares: ESM and CJS, each with its own types, source maps,
 * ES2022, and the package's version injected as `__PACKAGE_VERSION__` (sent in the User-Agent;
 * never hard-coded). `packageUrl` is the calling `tsup.config.ts`'s `import.meta.url`.
 */
export function packageBuild(packageUrl: string, overrides: Options = {}): Options {
  const { version } = JSON.parse(readFileSync(new URL('./package.json', packageUrl), 'utf8')) as {
    version: string
  }
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    define: { __PACKAGE_VERSION__: JSON.stringify(version) },
    ...overrides,
  }
}

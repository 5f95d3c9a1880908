declare const __PACKAGE_VERSION__: string

/** The published version of `@agentbill/tokens`, injected at build time. */
export const VERSION: string = __PACKAGE_VERSION__

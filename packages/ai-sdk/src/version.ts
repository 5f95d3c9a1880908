declare const __PACKAGE_VERSION__: string

/** The version of `@agentbill/ai-sdk`, injected at build time. */
export const VERSION: string = __PACKAGE_VERSION__

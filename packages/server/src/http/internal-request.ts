/**
 * In-process requests (the dashboard calling the API on the same app) carry the browser's
 * client address in the fetch handler's environment, under a symbol nobody outside this
 * process can send, so per-address limits (registration) count the browser, not the server.
 */
const internalRequest = Symbol('agentbill.internalRequest')

interface InternalRequestEnvironment {
  [internalRequest]: { clientAddress: string }
}

/** The environment to pass with an in-process request made on behalf of `clientAddress`. */
export function internalRequestEnvironment(clientAddress: string): InternalRequestEnvironment {
  return { [internalRequest]: { clientAddress } }
}

/** The client address an in-process request was made for, or `undefined` for a network one. */
export function internalClientAddress(environment: unknown): string | undefined {
  if (typeof environment !== 'object' || environment === null) return undefined
  return (environment as Partial<InternalRequestEnvironment>)[internalRequest]?.clientAddress
}

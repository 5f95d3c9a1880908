import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import {
  parseWebhookUrl,
  resolveWebhookTarget,
  urlHost,
  WebhookTargetError,
  type WebhookTargetPolicy,
} from './webhook-target.js'

/** One POST of a webhook delivery. */
export interface WebhookRequestOptions {
  url: string
  /** The body, sent as is. */
  payload: string
  headers: Record<string, string>
  policy: WebhookTargetPolicy
  /**
   * How long the connection (TCP, and TLS for https) may take, in ms.
   * @default 5000
   */
  connectTimeoutMs?: number
  /**
   * How long the whole attempt may take — resolving, connecting, sending and the answer's
   * headers and body — in ms.
   * @default 10000
   */
  timeoutMs?: number
  /** Aborts the attempt (the server is shutting down). */
  signal?: AbortSignal
}

/** How an attempt went. */
export interface WebhookRequestResult {
  /** A 2xx came back. */
  succeeded: boolean
  /** The status answered; `null` when no answer came. */
  responseStatus: number | null
  /** Why it failed; `null` when it succeeded. */
  error: string | null
}

/** The most of an answer's body that is read (then the connection is dropped). */
const MAX_RESPONSE_BYTES = 64 * 1024

/** A lookup that answers `address` whatever is asked: the connection goes where was checked. */
function fixedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((
    _hostname: string,
    options: { all?: boolean },
    callback: (...args: unknown[]) => void,
  ) => {
    if (options.all === true) callback(null, [{ address, family }])
    else callback(null, address, family)
  }) as LookupFunction
}

/**
 * Sends one webhook POST, safely: the URL's host is resolved and checked against the policy
 * first (every attempt: what DNS said yesterday may differ), and the connection goes to exactly
 * the address that was checked (a fixed `lookup`, so a second resolution cannot rebind it);
 * TLS still verifies the certificate against the URL's host name. Redirects are not followed
 * (a 3xx is a failed attempt). Every attempt has a connect and a total time-out, reads at most
 * 64 KiB of the answer, and never throws: failures come back as `error`.
 */
export async function sendWebhookRequest(
  options: WebhookRequestOptions,
): Promise<WebhookRequestResult> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000
  const failed = (error: string, responseStatus: number | null = null) => ({
    succeeded: false,
    responseStatus,
    error,
  })
  const deadline = performance.now() + timeoutMs
  let url: URL
  let address: { address: string; family: 4 | 6 }
  try {
    url = parseWebhookUrl(options.url)
    address = await resolveWebhookTarget(url, {
      ...options.policy,
      lookupTimeoutMs: Math.min(options.policy.lookupTimeoutMs, timeoutMs),
    })
  } catch (error) {
    if (error instanceof WebhookTargetError) return failed(`refused: the URL ${error.message}`)
    throw error
  }
  if (options.signal?.aborted === true) return failed('aborted: the server is shutting down')

  const secure = url.protocol === 'https:'
  const body = Buffer.from(options.payload, 'utf8')
  return new Promise<WebhookRequestResult>((resolve) => {
    let settled = false
    let request: ClientRequest | undefined
    const timers: NodeJS.Timeout[] = []
    const finish = (result: WebhookRequestResult) => {
      if (settled) return
      settled = true
      for (const timer of timers) clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      request?.destroy()
      resolve(result)
    }
    const onAbort = () => finish(failed('aborted: the server is shutting down'))
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const remaining = Math.max(1, deadline - performance.now())
    timers.push(
      setTimeout(
        () => finish(failed(`timed out: no complete answer within ${timeoutMs} ms`)),
        remaining,
      ),
    )
    timers.push(
      setTimeout(
        () => finish(failed(`timed out: could not connect within ${connectTimeoutMs} ms`)),
        Math.min(connectTimeoutMs, remaining),
      ),
    )
    const connectTimer = timers[1]

    const send = secure ? httpsRequest : httpRequest
    request = send({
      protocol: url.protocol,
      host: urlHost(url),
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...options.headers, 'content-length': String(body.length) },
      // A new connection per attempt (no pooled socket to a host that has since moved), to
      // the checked address.
      agent: false,
      lookup: fixedLookup(address.address, address.family),
    })
    request.on('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer))
    })
    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code === undefined ? '' : `${error.code}: `
      finish(failed(`request failed: ${code}${error.message}`))
    })
    request.on('response', (response: IncomingMessage) => {
      clearTimeout(connectTimer)
      const status = response.statusCode ?? 0
      let read = 0
      const done = () => {
        if (status >= 200 && status < 300) {
          finish({ succeeded: true, responseStatus: status, error: null })
        } else if (status >= 300 && status < 400) {
          const location = response.headers.location
          finish(
            failed(
              `redirect not followed: HTTP ${status}${location === undefined ? '' : ` to ${location.slice(0, 200)}`}`,
              status,
            ),
          )
        } else finish(failed(`HTTP ${status}`, status))
      }
      response.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > MAX_RESPONSE_BYTES) done()
      })
      response.on('end', done)
      response.on('error', () => done())
      response.on('aborted', () => done())
    })
    request.end(body)
  })
}

import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import { AgentBillWebhookVerificationError } from '../errors/agent-bill-webhook-verification-error'
import type { WebhookEvent } from './webhook-event'

/** The header that carries a delivery's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'agentbill-signature'

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** The request body exactly as received (the raw text or bytes, not re-serialised JSON). */
  payload: string | Uint8Array
  /** The `AgentBill-Signature` header. */
  signature: string | null | undefined
  /** Your endpoint's signing secret (`whsec_…`), from the answer that created the endpoint. */
  secret: string
  /**
   * How old (or how far in the future) a signature may be, in seconds: older deliveries are
   * refused as replays.
   * @default 300
   */
  toleranceSeconds?: number
  /** The current time, epoch ms. @default Date.now */
  now?: () => number
}

const encoder = new TextEncoder()

/**
 * Checks a webhook delivery and returns its event: the signature must match the body and your
 * secret (HMAC-SHA256 over `"<t>.<body>"`, compared in constant time) and be recent. Web Crypto
 * only: works in Node, Bun, Deno, edge runtimes and route handlers.
 *
 * @example
 * export async function POST(request: Request) {
 *   const event = await verifyWebhook({
 *     payload: await request.text(),
 *     signature: request.headers.get('agentbill-signature'),
 *     secret: WEBHOOK_SECRET, // read once at start-up, and fail there if it is missing
 *   })
 *   if (event.type === 'customer.budget.threshold') notifyOwner(event.data)
 *   return new Response(null, { status: 204 })
 * }
 * @throws {AgentBillWebhookVerificationError} for a missing, malformed, wrong or stale signature,
 * or a body that is not an event.
 * @throws {AgentBillValidationError} for an empty secret (never verify against an empty key).
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookEvent> {
  checkSecret(options.secret)
  const { timestamp, signatures } = parseSignatureHeader(options.signature)
  const tolerance = options.toleranceSeconds ?? 300
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000)
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    throw new AgentBillWebhookVerificationError(
      `The signature's timestamp is ${nowSeconds - timestamp} s old, past the ${tolerance} s tolerance: a replay, or a clock far off`,
    )
  }
  const body =
    typeof options.payload === 'string'
      ? options.payload
      : new TextDecoder().decode(options.payload)
  const expected = await hmacHex(options.secret, `${timestamp}.${body}`)
  if (!signatures.some((candidate) => constantTimeEqual(candidate, expected))) {
    throw new AgentBillWebhookVerificationError(
      'The signature does not match the body and this secret',
    )
  }
  let event: unknown
  try {
    event = JSON.parse(body)
  } catch {
    throw new AgentBillWebhookVerificationError('The body is not JSON')
  }
  if (
    typeof event !== 'object' ||
    event === null ||
    typeof (event as WebhookEvent).id !== 'string' ||
    typeof (event as WebhookEvent).type !== 'string'
  ) {
    throw new AgentBillWebhookVerificationError('The body is not an AgentBill event')
  }
  return event as WebhookEvent
}

/**
 * Signs `payload` as AgentBill does, for testing your endpoint without a server: returns the
 * `AgentBill-Signature` header value.
 * @param timestamp - unix seconds. @default now
 */
export async function signWebhook(
  payload: string,
  secret: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  checkSecret(secret)
  return `t=${timestamp},v1=${await hmacHex(secret, `${timestamp}.${payload}`)}`
}

/**
 * An empty secret (an unset environment variable, `?? ''`) would let anyone sign a delivery with an
 * empty key, and a control character (a trailing newline read from a file) would never match:
 * refuse both rather than verify against them.
 */
function checkSecret(secret: unknown): void {
  if (typeof secret !== 'string' || secret.trim() === '') {
    throw new AgentBillValidationError(
      'secret',
      "must be your endpoint's signing secret (whsec_…); it is empty",
    )
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(secret)) {
    throw new AgentBillValidationError(
      'secret',
      'must not contain control characters (a trailing newline?)',
    )
  }
}

function parseSignatureHeader(header: string | null | undefined): {
  timestamp: number
  signatures: string[]
} {
  if (header === null || header === undefined || header.trim() === '') {
    throw new AgentBillWebhookVerificationError('No AgentBill-Signature header')
  }
  let timestamp: number | undefined
  const signatures: string[] = []
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2)
    if (name === 't' && value !== undefined && /^\d+$/.test(value)) timestamp = Number(value)
    else if (name === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
      signatures.push(value)
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new AgentBillWebhookVerificationError(
      'A malformed AgentBill-Signature header: expected t=<unix seconds>,v1=<hex>',
    )
  }
  return { timestamp, signatures }
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)))
  return Array.from(signature, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Compares two hex strings of the same length without stopping at the first difference. */
function constantTimeEqual(left: string, right: string): boolean {
  if (left.length !== right.length) return false
  let difference = 0
  for (let index = 0; index < left.length; index++)
    difference |= left.charCodeAt(index) ^ right.charCodeAt(index)
  return difference === 0
}

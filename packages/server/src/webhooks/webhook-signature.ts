import { createHmac } from 'node:crypto'

/** The headers of a delivery (lower case, as HTTP/1.1 sends them case-insensitively). */
export const WEBHOOK_HEADERS = {
  signature: 'agentbill-signature',
  eventId: 'agentbill-event-id',
  eventType: 'agentbill-event-type',
} as const

/**
 * The `AgentBill-Signature` header of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256>` of
 * `"<t>.<body>"`, keyed with the UTF-8 bytes of the whole secret (see `notes/webhook-scheme.md`;
 * the `agentbill` client's `verifyWebhook` checks it).
 *
 * @param timestampSeconds The attempt's time (server clock), unix seconds.
 */
export function signWebhookPayload(
  payload: string,
  secret: string,
  timestampSeconds: number,
): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`).digest('hex')
  return `t=${timestampSeconds},v1=${digest}`
}

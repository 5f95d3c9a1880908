import { randomBytes } from 'node:crypto'

/**
 * A new signing secret: `whsec_` and 32 random bytes in base64url (43 characters). The whole
 * string, prefix included, is the HMAC key (as the `agentbill` client's `verifyWebhook` uses it).
 */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

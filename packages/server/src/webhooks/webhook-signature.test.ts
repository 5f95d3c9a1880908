import { signWebhook, verifyWebhook } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { generateWebhookSecret } from './webhook-secret.js'
import { signWebhookPayload } from './webhook-signature.js'

describe('signWebhookPayload', () => {
  const payload = JSON.stringify({
    id: 'whevt_1',
    type: 'grant.created',
    created_at: '2026-03-01T00:00:00.000Z',
    project_id: 'prj_1',
    data: { units: 5, reason: 'café ☕' },
  })
  const now = Date.UTC(2026, 2, 1)

  it('signs as the client verifies, byte for byte the same as its signWebhook', async () => {
    const secret = generateWebhookSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    const header = signWebhookPayload(payload, secret, now / 1000)
    expect(header).toBe(await signWebhook(payload, secret, now / 1000))
    await expect(
      verifyWebhook({ payload, signature: header, secret, now: () => now }),
    ).resolves.toMatchObject({ id: 'whevt_1', data: { reason: 'café ☕' } })
  })

  it('fails verification for a tampered body or another secret', async () => {
    const secret = generateWebhookSecret()
    const header = signWebhookPayload(payload, secret, now / 1000)
    await expect(
      verifyWebhook({
        payload: payload.replace('"units":5', '"units":50'),
        signature: header,
        secret,
        now: () => now,
      }),
    ).rejects.toThrow(/does not match/)
    await expect(
      verifyWebhook({
        payload,
        signature: header,
        secret: generateWebhookSecret(),
        now: () => now,
      }),
    ).rejects.toThrow(/does not match/)
  })
})

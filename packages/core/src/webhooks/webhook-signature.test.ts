import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AgentBillWebhookVerificationError } from '../errors/agent-bill-webhook-verification-error'
import { signWebhook, verifyWebhook } from './webhook-signature'

const secret = 'whsec_test_0123456789abcdefghijklmnopqrstuvwxyzABCD'
const event = {
  id: 'whevt_1',
  type: 'grant.created',
  created_at: '2026-11-28T12:00:00.000Z',
  project_id: 'prj_1',
  data: { units: 500 },
}
const payload = JSON.stringify(event)
const now = () => 1_795_000_000_000
const t = 1_795_000_000

describe('verifyWebhook', () => {
  it('accepts a delivery signed with the secret, and returns the event', async () => {
    const signature = await signWebhook(payload, secret, t)
    await expect(verifyWebhook({ payload, signature, secret, now })).resolves.toEqual(event)
    await expect(
      verifyWebhook({ payload: new TextEncoder().encode(payload), signature, secret, now }),
    ).resolves.toEqual(event)
  })

  it('signs exactly as HMAC-SHA256 over "<t>.<body>" with the whole secret as the key', async () => {
    const expected = createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex')
    expect(await signWebhook(payload, secret, t)).toBe(`t=${t},v1=${expected}`)
  })

  it('accepts any of several v1 signatures (a secret being rotated)', async () => {
    const good = (await signWebhook(payload, secret, t)).split('v1=')[1]
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${good}`
    await expect(verifyWebhook({ payload, signature: header, secret, now })).resolves.toMatchObject(
      { id: 'whevt_1' },
    )
  })

  const refused: Array<[string, () => Promise<unknown>, RegExp]> = [
    [
      'a tampered body',
      async () =>
        verifyWebhook({
          payload: payload.replace('500', '500000'),
          signature: await signWebhook(payload, secret, t),
          secret,
          now,
        }),
      /does not match/,
    ],
    [
      'another secret',
      async () =>
        verifyWebhook({
          payload,
          signature: await signWebhook(payload, 'whsec_other', t),
          secret,
          now,
        }),
      /does not match/,
    ],
    [
      'a stale timestamp (a replay)',
      async () =>
        verifyWebhook({
          payload,
          signature: await signWebhook(payload, secret, t - 301),
          secret,
          now,
        }),
      /tolerance/,
    ],
    [
      'no header',
      () => verifyWebhook({ payload, signature: null, secret, now }),
      /No AgentBill-Signature/,
    ],
    [
      'a malformed header',
      () => verifyWebhook({ payload, signature: 'v1=abc', secret, now }),
      /malformed/,
    ],
    [
      'a body that is not an event',
      async () =>
        verifyWebhook({
          payload: '[1]',
          signature: await signWebhook('[1]', secret, t),
          secret,
          now,
        }),
      /not an AgentBill event/,
    ],
  ]
  it('refuses to verify or sign with an empty secret (an unset variable) or a trailing newline', async () => {
    const signature = await signWebhook(payload, secret, t)
    await expect(verifyWebhook({ payload, signature, secret: '', now })).rejects.toMatchObject({
      name: 'AgentBillValidationError',
      param: 'secret',
    })
    await expect(
      verifyWebhook({ payload, signature, secret: `${secret}\n`, now }),
    ).rejects.toMatchObject({ param: 'secret' })
    await expect(signWebhook(payload, '')).rejects.toMatchObject({ param: 'secret' })
  })

  it.each(refused)('refuses %s', async (_name, verify, message) => {
    const error = await verify().catch((caught: unknown) => caught)
    expect(AgentBillWebhookVerificationError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(message)
  })
})

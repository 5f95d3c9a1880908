import type { LanguageModelV4CallOptions } from '@ai-sdk/provider'
import { describe, expect, it } from 'vitest'
import { callFingerprint, RetryAttempts } from './retry-attempts'

const params = (
  text: string,
  extra: Partial<LanguageModelV4CallOptions> = {},
): LanguageModelV4CallOptions => ({
  prompt: [{ role: 'user', content: [{ type: 'text', text }] }],
  providerOptions: { agentbill: { customerId: 'c' } },
  ...extra,
})

describe('callFingerprint', () => {
  it('is the same for the same call sent again, whatever its abort signal', () => {
    expect(
      callFingerprint('m', params('hi', { abortSignal: new AbortController().signal }), undefined),
    ).toBe(callFingerprint('m', params('hi'), undefined))
  })

  it('differs with the prompt, the model, the customer, the file bytes and the run scope', () => {
    const base = callFingerprint('m', params('hi'), undefined)
    const file = (bytes: number[]) =>
      params('hi', {
        prompt: [
          {
            role: 'user',
            content: [
              {
                type: 'file',
                mediaType: 'image/png',
                data: { type: 'data', data: new Uint8Array(bytes) },
              },
            ],
          },
        ],
      })
    const others = [
      callFingerprint('m', params('hi!'), undefined),
      callFingerprint('other', params('hi'), undefined),
      callFingerprint(
        'm',
        params('hi', { providerOptions: { agentbill: { customerId: 'd' } } }),
        undefined,
      ),
      callFingerprint('m', params('hi'), 'run_1'),
      callFingerprint('m', file([1, 2, 3]), undefined),
      callFingerprint('m', file([1, 2, 4]), undefined),
    ]
    expect(new Set([base, ...others]).size).toBe(others.length + 1)
  })
})

describe('RetryAttempts', () => {
  it('hands a failed attempt to one retry only', () => {
    const attempts = new RetryAttempts()
    expect(attempts.waiting).toBe(false)
    attempts.remember('f', { idempotencyKey: 'k', defaultRunId: 'run_1' })
    expect(attempts.waiting).toBe(true)
    expect(attempts.take('other')).toBeUndefined()
    expect(attempts.take('f')).toEqual({ idempotencyKey: 'k', defaultRunId: 'run_1' })
    expect(attempts.take('f')).toBeUndefined()
  })
})

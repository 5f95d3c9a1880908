import { describe, expect, it } from 'vitest'
import { ConfigError, resolveCliConfig } from './config.js'

describe('CLI config: private webhook targets', () => {
  it('is off by default, on with the flag or the environment variable', () => {
    expect(resolveCliConfig([], {}).allowPrivateWebhookTargets).toBe(false)
    expect(
      resolveCliConfig(['--allow-private-webhook-targets'], {}).allowPrivateWebhookTargets,
    ).toBe(true)
    for (const value of ['1', 'true', 'YES']) {
      expect(
        resolveCliConfig([], { AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS: value })
          .allowPrivateWebhookTargets,
      ).toBe(true)
    }
    for (const value of ['0', 'false', 'no', '']) {
      expect(
        resolveCliConfig([], { AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS: value })
          .allowPrivateWebhookTargets,
      ).toBe(false)
    }
  })

  it('refuses a value it cannot read, naming the variable', () => {
    expect(() =>
      resolveCliConfig([], { AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'sometimes' }),
    ).toThrow(ConfigError)
    expect(() =>
      resolveCliConfig([], { AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'sometimes' }),
    ).toThrow(/AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS/)
  })
})

import { describe, expect, it } from 'vitest'
import {
  parseWebhookUrl,
  type ResolvedAddress,
  resolveWebhookTarget,
  systemLookup,
  type WebhookTargetPolicy,
} from './webhook-target.js'

const policy = (
  allowPrivateTargets: boolean,
  answers: Record<string, ResolvedAddress[]> = {},
): WebhookTargetPolicy => ({
  allowPrivateTargets,
  lookupTimeoutMs: 200,
  lookup: async (host) => {
    const answer = answers[host]
    if (answer === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' })
    return answer
  },
})

const target = (url: string, targetPolicy: WebhookTargetPolicy) =>
  resolveWebhookTarget(parseWebhookUrl(url), targetPolicy)

describe('parseWebhookUrl', () => {
  it.each([
    ['ftp://example.com/hook', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['not a url', /absolute/],
    ['/relative', /absolute/],
    ['https://user:secret@example.com/hook', /user name or password/],
    [`https://example.com/${'a'.repeat(2000)}`, /at most 2000/],
  ])('refuses %s', (url, message) => {
    expect(() => parseWebhookUrl(url)).toThrow(message)
  })

  it('normalises IPv4 spellings, so the checks see the real address', () => {
    expect(parseWebhookUrl('http://2130706433/x').hostname).toBe('127.0.0.1')
    expect(parseWebhookUrl('http://0x7f.1/x').hostname).toBe('127.0.0.1')
    expect(parseWebhookUrl('http://127.1:8080/x').hostname).toBe('127.0.0.1')
  })
})

describe('resolveWebhookTarget', () => {
  it.each([
    'http://127.0.0.1:9000/hook',
    'http://2130706433/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://10.1.2.3/hook',
    'http://100.64.1.1/hook',
    'http://[fd00::1]/hook',
    'http://[fe80::1]/hook',
    'http://192.168.0.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://localhost:8080/hook',
    'http://api.localhost/hook',
  ])('refuses %s by default', async (url) => {
    await expect(target(url, policy(false))).rejects.toThrow(/must (point to a public|not point)/)
  })

  it('refuses a name when any of its addresses is private, whatever the order', async () => {
    const answers = {
      'mixed.example': [
        { address: '93.184.216.34', family: 4 as const },
        { address: '10.0.0.5', family: 4 as const },
      ],
      'internal.example': [{ address: 'fd00::5', family: 6 as const }],
    }
    await expect(target('https://mixed.example/h', policy(false, answers))).rejects.toThrow(
      'not a private one: mixed.example (10.0.0.5)',
    )
    await expect(target('https://internal.example/h', policy(false, answers))).rejects.toThrow(
      /unique-local/,
    )
  })

  it('resolves a public name to the address to connect to', async () => {
    const answers = { 'hooks.example': [{ address: '93.184.216.34', family: 4 as const }] }
    await expect(target('https://hooks.example/h', policy(false, answers))).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    })
    await expect(target('https://[2606:4700::1111]/h', policy(false))).resolves.toEqual({
      address: '2606:4700::1111',
      family: 6,
    })
  })

  it('refuses a name that does not resolve, or not in time', async () => {
    await expect(target('https://nowhere.example/h', policy(false))).rejects.toThrow(
      'nowhere.example does not resolve (ENOTFOUND)',
    )
    const slow: WebhookTargetPolicy = {
      ...policy(false),
      lookup: () => new Promise(() => undefined),
    }
    await expect(target('https://slow.example/h', slow)).rejects.toThrow(/within 200 ms/)
  })

  it('allows private targets with the option, never metadata or unspecified addresses', async () => {
    await expect(target('http://127.0.0.1:9000/hook', policy(true))).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    })
    await expect(target('http://[fd00::1]/hook', policy(true))).resolves.toMatchObject({
      family: 6,
    })
    await expect(
      target('http://localhost:1/hook', { ...policy(true), lookup: systemLookup }),
    ).resolves.toEqual({ address: '127.0.0.1', family: 4 })
    for (const url of [
      'http://169.254.169.254/latest',
      'http://[fd00:ec2::254]/latest',
      'http://0.0.0.0/',
      'http://224.0.0.1/',
    ]) {
      await expect(target(url, policy(true))).rejects.toThrow(/must not point/)
    }
  })

  it('resolves localhost through the system resolver to loopback, refused by default', async () => {
    // The name check comes first; a name the system maps to loopback is refused all the same.
    const viaSystem = { ...policy(false), lookup: systemLookup }
    await expect(target('http://localhost/h', viaSystem)).rejects.toThrow(/loopback/)
  })
})

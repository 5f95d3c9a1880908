import { describe, expect, it } from 'vitest'
import { checkRequest, isAllowedOrigin } from './http-guard'

const local = { bindHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [], token: undefined }

describe('checkRequest', () => {
  it('accepts loopback Host names with any port', () => {
    for (const host of ['127.0.0.1:8788', 'localhost:8788', '[::1]:8788', 'localhost']) {
      expect(checkRequest({ host }, local)).toBeUndefined()
    }
  })

  it('refuses another Host name on a loopback server (DNS rebinding)', () => {
    expect(checkRequest({ host: 'attacker.example:8788' }, local)).toEqual({
      status: 403,
      message: 'Host "attacker.example:8788" is not allowed',
    })
    expect(checkRequest({}, local)?.status).toBe(403)
  })

  it('accepts an allowed Host name, and any Host on a public bind without a list', () => {
    expect(
      checkRequest({ host: 'mcp.internal:80' }, { ...local, allowedHosts: ['mcp.internal'] }),
    ).toBeUndefined()
    expect(
      checkRequest({ host: 'anything.example' }, { ...local, bindHost: '0.0.0.0', token: 't' })
        ?.status,
    ).toBe(401)
  })

  it('refuses a foreign Origin and accepts loopback and listed ones', () => {
    expect(checkRequest({ host: 'localhost', origin: 'https://evil.example' }, local)).toEqual({
      status: 403,
      message: 'Origin "https://evil.example" is not allowed',
    })
    expect(checkRequest({ host: 'localhost', origin: 'http://localhost:6274' }, local)).toBe(
      undefined,
    )
    expect(
      checkRequest(
        { host: 'localhost', origin: 'https://app.example' },
        { ...local, allowedOrigins: ['https://app.example'] },
      ),
    ).toBeUndefined()
  })

  it('requires the bearer token when one is set', () => {
    const guarded = { ...local, token: 'secret' }
    expect(checkRequest({ host: 'localhost' }, guarded)?.status).toBe(401)
    expect(
      checkRequest({ host: 'localhost', authorization: 'Bearer wrong' }, guarded)?.status,
    ).toBe(401)
    expect(
      checkRequest({ host: 'localhost', authorization: 'Basic c2VjcmV0' }, guarded)?.status,
    ).toBe(401)
    expect(checkRequest({ host: 'localhost', authorization: 'Bearer secret' }, guarded)).toBe(
      undefined,
    )
  })
})

describe('isAllowedOrigin', () => {
  it('refuses "null" and non-http origins', () => {
    expect(isAllowedOrigin('null', [])).toBe(false)
    expect(isAllowedOrigin('file://localhost', [])).toBe(false)
    expect(isAllowedOrigin('http://127.0.0.1:3000', [])).toBe(true)
    expect(isAllowedOrigin('http://localhost.attacker.example', [])).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { McpConfigurationError, readConfig } from './read-config'

const KEY = { AGENTBILL_API_KEY: 'agb_test' }

function run(argv: string[], environment: Record<string, string | undefined>) {
  const commandLine = readConfig(argv, environment)
  if (commandLine.kind !== 'run') throw new Error(`expected run, got ${commandLine.kind}`)
  return commandLine.config
}

describe('readConfig', () => {
  it('defaults to stdio, the local server, no default agent and the "default" customer', () => {
    expect(run([], KEY)).toEqual({
      apiKey: 'agb_test',
      baseUrl: 'http://localhost:8787',
      defaultAgentId: undefined,
      defaultCustomerId: 'default',
      transport: 'stdio',
      http: {
        port: 8788,
        host: '127.0.0.1',
        token: undefined,
        sessions: false,
        allowedOrigins: [],
        allowedHosts: [],
      },
    })
  })

  it('names AGENTBILL_API_KEY when it is missing or blank', () => {
    for (const environment of [{}, { AGENTBILL_API_KEY: '   ' }]) {
      expect(() => readConfig([], environment)).toThrow(McpConfigurationError)
      expect(() => readConfig([], environment)).toThrow(/AGENTBILL_API_KEY is not set/)
    }
  })

  it('reads the environment, and flags override it', () => {
    const environment = {
      ...KEY,
      AGENTBILL_BASE_URL: 'https://bill.example/',
      AGENTBILL_AGENT_ID: 'env-agent',
      AGENTBILL_CUSTOMER_ID: 'env-customer',
      AGENTBILL_MCP_TOKEN: 'env-token',
    }
    expect(run(['--http'], environment)).toMatchObject({
      baseUrl: 'https://bill.example',
      defaultAgentId: 'env-agent',
      defaultCustomerId: 'env-customer',
      http: { token: 'env-token' },
    })
    expect(
      run(
        [
          '--http',
          '--base-url',
          'http://127.0.0.1:9000',
          '--agent',
          'flag-agent',
          '--customer',
          'flag-customer',
          '--token',
          'flag-token',
          '--port',
          '0',
          '--sessions',
          '--allowed-origin',
          'https://app.example',
          '--allowed-origin',
          'https://other.example',
        ],
        environment,
      ),
    ).toMatchObject({
      baseUrl: 'http://127.0.0.1:9000',
      defaultAgentId: 'flag-agent',
      defaultCustomerId: 'flag-customer',
      transport: 'http',
      http: {
        token: 'flag-token',
        port: 0,
        sessions: true,
        allowedOrigins: ['https://app.example', 'https://other.example'],
      },
    })
  })

  it.each([
    [['--port', '70000', '--http'], /--port must be a whole number from 0 to 65535/],
    [['--port', '1.5', '--http'], /--port must be a whole number/],
    [['--base-url', 'localhost:8787'], /--base-url must be an http\(s\) URL/],
    [['--agent', ''], /--agent must be 1 to 200 printable characters/],
    [['--customer', 'a\u0000b'], /--customer must be 1 to 200 printable characters/],
    [['--token', 'x'], /--token only applies with --http/],
    [['--nope'], /Unknown option '--nope'/],
    [['extra'], /Unexpected argument 'extra'|positional/],
  ])('refuses %j with a message naming it', (argv, message) => {
    expect(() => readConfig(argv, KEY)).toThrow(message)
  })

  it('names the variable when the environment holds the bad value', () => {
    expect(() => readConfig([], { ...KEY, AGENTBILL_BASE_URL: 'nope' })).toThrow(
      /^AGENTBILL_BASE_URL must be an http\(s\) URL/,
    )
  })

  it('refuses to listen beyond loopback without a token', () => {
    expect(() => readConfig(['--http', '--host', '0.0.0.0'], KEY)).toThrow(
      /--host 0.0.0.0 would let other machines spend this AgentBill key/,
    )
    expect(run(['--http', '--host', '0.0.0.0', '--token', 't'], KEY).http.host).toBe('0.0.0.0')
    expect(run(['--http', '--host', 'localhost'], KEY).http.host).toBe('localhost')
  })

  it('answers help and version before asking for a key', () => {
    expect(readConfig(['--help'], {})).toEqual({ kind: 'help' })
    expect(readConfig(['-v'], {})).toEqual({ kind: 'version' })
  })
})

import { describe, expect, it } from 'vitest'
import { ConfigError, describeDatabase, resolveCliConfig } from './config.js'

describe('CLI configuration for PostgreSQL', () => {
  it('passes a postgres:// DATABASE_URL on whole and keeps SQLite paths as they were', () => {
    const url = 'postgres://agentbill:secret@db.internal:5432/ledger?sslmode=require'
    expect(resolveCliConfig([], { DATABASE_URL: url }).database).toBe(url)
    expect(resolveCliConfig(['--database', 'postgresql://db/ledger'], {}).database).toBe(
      'postgresql://db/ledger',
    )
    expect(resolveCliConfig([], { DATABASE_URL: 'sqlite:./x.db' }).database).toBe('./x.db')
  })

  it('reads the pool size from --pool-size or AGENTBILL_PG_POOL_SIZE, flag first', () => {
    expect(resolveCliConfig([], {}).postgresPoolSize).toBeUndefined()
    expect(resolveCliConfig([], { AGENTBILL_PG_POOL_SIZE: '25' }).postgresPoolSize).toBe(25)
    expect(
      resolveCliConfig(['--pool-size', '3'], { AGENTBILL_PG_POOL_SIZE: '25' }).postgresPoolSize,
    ).toBe(3)
    for (const bad of ['0', '-1', '2.5', 'ten', '1001']) {
      expect(() => resolveCliConfig(['--pool-size', bad], {})).toThrow(ConfigError)
      expect(() => resolveCliConfig(['--pool-size', bad], {})).toThrow(/--pool-size/)
    }
  })

  it('never shows a password in what it logs', () => {
    expect(describeDatabase('postgres://agentbill:secret@db:5432/ledger')).toBe(
      'postgres://agentbill:***@db:5432/ledger',
    )
    expect(describeDatabase('postgres://db/ledger')).toBe('postgres://db/ledger')
    expect(describeDatabase('./.agentbill/agentbill.db')).toBe('./.agentbill/agentbill.db')
  })
})

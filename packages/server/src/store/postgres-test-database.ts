import { randomBytes } from 'node:crypto'
import { Client } from 'pg'

/**
 * The PostgreSQL server the tests use: the machine's own (127.0.0.1:5432, trust auth,
 * database `test`) unless `AGENTBILL_TEST_DATABASE_URL` names another. The tests make their
 * own schemas and databases there and drop them; when the server is missing they fail (they
 * never skip).
 */
export const TEST_DATABASE_URL =
  process.env.AGENTBILL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A fresh lowercase SQL identifier: `<prefix>_<pid>_<random>`. */
export function uniqueIdentifier(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`
}

/** Runs statements on a connection of its own to `url` (default: the test database). */
export async function adminQuery<Row extends Record<string, unknown>>(
  sql: string,
  values: unknown[] = [],
  url: string = TEST_DATABASE_URL,
): Promise<Row[]> {
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<Row>(sql, values)).rows
  } finally {
    await client.end()
  }
}

/** A database of its own for one test (server processes that take only a URL), dropped after. */
export async function createTestDatabase(): Promise<{
  name: string
  url: string
  drop(): Promise<void>
}> {
  const name = uniqueIdentifier('agentbill_test')
  await adminQuery(`CREATE DATABASE ${name}`)
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    // FORCE ends connections a killed server process may have left behind.
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    },
  }
}

/** Drops a schema made by a test, with everything in it. */
export async function dropTestSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
}

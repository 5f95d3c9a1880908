import { describe, expect, it } from 'vitest'
import { GroupCommit, type GroupCommitConnection } from './sqlite-group-commit.js'

/** A connection that records the statements it is asked to run and holds fsyncs until told. */
function recordingConnection() {
  const log: string[] = []
  const pendingSyncs: ((error: Error | null) => void)[] = []
  let changes = 0
  let inTransaction = false
  const connection: GroupCommitConnection = {
    begin: () => {
      inTransaction = true
      log.push('BEGIN')
    },
    commit: () => {
      inTransaction = false
      log.push('COMMIT')
    },
    rollback: () => {
      inTransaction = false
      log.push('ROLLBACK')
    },
    savepoint: () => log.push('SAVEPOINT'),
    releaseSavepoint: () => log.push('RELEASE'),
    rollbackToSavepoint: () => log.push('ROLLBACK TO'),
    get inTransaction() {
      return inTransaction
    },
    totalChanges: () => changes,
    sync: (callback) => {
      log.push('FSYNC')
      pendingSyncs.push(callback)
    },
  }
  const write = () => {
    changes++
  }
  return { connection, log, pendingSyncs, write }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('GroupCommit', () => {
  it('runs one turn of transactions as one database transaction, each in a savepoint', async () => {
    const { connection, log, pendingSyncs, write } = recordingConnection()
    const group = new GroupCommit(connection, { write }, 100)
    const results = Promise.allSettled([
      group.run(async (handle) => {
        handle.write()
        return 'first'
      }),
      group.run(async () => {
        throw new Error('second fails')
      }),
      group.run(async (handle) => {
        handle.write()
        return 'third'
      }),
    ])
    await turn()
    expect(log).toEqual([
      'BEGIN',
      'SAVEPOINT',
      'RELEASE',
      'SAVEPOINT',
      'ROLLBACK TO',
      'RELEASE',
      'SAVEPOINT',
      'RELEASE',
      'COMMIT',
      'FSYNC',
    ])
    pendingSyncs.shift()?.(null)
    const settled = await results
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  })

  it('answers nobody before the fsync that covers their commit has finished', async () => {
    const { connection, pendingSyncs, write } = recordingConnection()
    const group = new GroupCommit(connection, { write }, 100)
    let answered = false
    const done = group
      .run(async (handle) => {
        handle.write()
      })
      .then(() => {
        answered = true
      })
    await turn()
    await turn()
    expect(pendingSyncs).toHaveLength(1)
    expect(answered).toBe(false)
    pendingSyncs.shift()?.(null)
    await done
    expect(answered).toBe(true)
  })

  it('makes groups committed during an fsync wait for the next one', async () => {
    const { connection, log, pendingSyncs, write } = recordingConnection()
    const group = new GroupCommit(connection, { write }, 100, true)
    const first = group.run(async (handle) => handle.write())
    await turn()
    let secondDone = false
    const second = group
      .run(async (handle) => handle.write())
      .then(() => {
        secondDone = true
      })
    await turn()
    // The second group committed while the first fsync was in flight (overlap).
    expect(log.filter((entry) => entry === 'COMMIT')).toHaveLength(2)
    expect(log.filter((entry) => entry === 'FSYNC')).toHaveLength(1)
    pendingSyncs.shift()?.(null)
    await first
    await turn()
    expect(secondDone).toBe(false)
    expect(log.filter((entry) => entry === 'FSYNC')).toHaveLength(2)
    pendingSyncs.shift()?.(null)
    await second
    expect(secondDone).toBe(true)
  })

  it('without overlap, gathers what arrives during an fsync into one next group', async () => {
    const { connection, log, pendingSyncs, write } = recordingConnection()
    const group = new GroupCommit(connection, { write }, 100, false)
    const first = group.run(async (handle) => handle.write())
    await turn()
    const later = [1, 2, 3].map(() => group.run(async (handle) => handle.write()))
    await turn()
    await turn()
    expect(log.filter((entry) => entry === 'BEGIN')).toHaveLength(1)
    pendingSyncs.shift()?.(null)
    await first
    await turn()
    expect(log.filter((entry) => entry === 'BEGIN')).toHaveLength(2)
    pendingSyncs.shift()?.(null)
    await Promise.all(later)
  })

  it('rejects every waiting caller when an fsync fails, and every later one', async () => {
    const { connection, pendingSyncs, write } = recordingConnection()
    const group = new GroupCommit(connection, { write }, 100)
    const waiting = group.run(async (handle) => handle.write())
    await turn()
    const failure = new Error('EIO')
    pendingSyncs.shift()?.(failure)
    await expect(waiting).rejects.toBe(failure)
    await expect(group.run(async (handle) => handle.write())).rejects.toBe(failure)
  })

  it('answers a read-only group at once when everything before it is durable', async () => {
    const { connection, pendingSyncs, write } = recordingConnection()
    const group = new GroupCommit(connection, { write }, 100)
    await expect(group.run(async () => 'read')).resolves.toBe('read')
    expect(pendingSyncs).toHaveLength(0)
  })

  it('rolls the whole group back when COMMIT fails, and rejects all of it', async () => {
    const { connection, log, write } = recordingConnection()
    const failing: GroupCommitConnection = {
      ...connection,
      begin: connection.begin,
      commit: () => {
        throw new Error('SQLITE_FULL')
      },
      get inTransaction() {
        return true
      },
    }
    const group = new GroupCommit(failing, { write }, 100)
    const results = await Promise.allSettled([
      group.run(async (handle) => handle.write()),
      group.run(async (handle) => handle.write()),
    ])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    expect(log.at(-1)).toBe('ROLLBACK')
  })
})

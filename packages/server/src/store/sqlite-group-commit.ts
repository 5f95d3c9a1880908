/** The statements a group commit needs from its connection. */
export interface GroupCommitConnection {
  begin(): void
  commit(): void
  rollback(): void
  savepoint(): void
  releaseSavepoint(): void
  rollbackToSavepoint(): void
  readonly inTransaction: boolean
  /** Count of rows changed on the connection so far (SQLite's total_changes()). */
  totalChanges(): number
  /**
   * Makes everything committed so far durable, off the main thread, then calls back. Absent
   * when COMMIT itself is durable (SQLite's synchronous=FULL).
   */
  sync?: (callback: (error: Error | null) => void) => void
}

interface QueuedTransaction<Handle> {
  fn: (handle: Handle) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

interface CommittedGroup<Handle> {
  group: QueuedTransaction<Handle>[]
  outcomes: Outcome[]
}

/**
 * Group commit for a synchronous, single-connection database (better-sqlite3).
 *
 * Callers' transactions queue up; once per event-loop turn (`setImmediate`, after the poll
 * phase has read every request that arrived) the queue runs as ONE database transaction:
 * `BEGIN IMMEDIATE`, then each caller inside its own `SAVEPOINT` (a caller that throws is
 * rolled back to its savepoint, leaving the others' writes intact), then one `COMMIT`.
 *
 * Durability: with a `sync` hook, the commit only writes the WAL (page cache) and the hook
 * fsyncs it in libuv's thread pool while this thread goes on with the next group; a group's
 * promises settle only after an fsync that started after its COMMIT, so no answer is sent
 * before its writes are on disk. Groups committed while an fsync is in flight share the next
 * one. Without the hook, COMMIT itself is durable and promises settle right after it.
 *
 * A caller's `fn` may await only the handle's calls, which complete synchronously; awaiting
 * anything else would hold the write lock for as long as it takes.
 */
export class GroupCommit<Handle> {
  readonly #connection: GroupCommitConnection
  readonly #handle: Handle
  readonly #maxGroupSize: number
  #queue: QueuedTransaction<Handle>[] = []
  #scheduled = false
  #running = false
  #idleWaiters: (() => void)[] = []
  /** Committed groups waiting for the next fsync to start. */
  #awaitingSync: CommittedGroup<Handle>[] = []
  #syncing = false
  #syncError: Error | undefined
  #changesAtLastSync = 0
  /** Number of groups committed (for metrics). */
  groups = 0
  /** Number of transactions committed in groups (for metrics). */
  transactions = 0

  readonly #overlap: boolean

  /**
   * @param overlap When true, the next group may commit while the previous group's fsync is
   * in flight (both then wait for a later fsync); when false, transactions that arrive during
   * an fsync wait for it to finish and then share one group.
   */
  constructor(
    connection: GroupCommitConnection,
    handle: Handle,
    maxGroupSize: number,
    overlap = true,
  ) {
    this.#connection = connection
    this.#handle = handle
    this.#maxGroupSize = maxGroupSize
    this.#overlap = overlap
  }

  /** Queues `fn`; resolves with its result after the group it ran in has committed. */
  run<T>(fn: (handle: Handle) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        fn,
        resolve: resolve as (value: unknown) => void,
        reject,
      })
      this.#schedule()
    })
  }

  /** Resolves once the queue is empty and no group is running. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #isIdle(): boolean {
    return (
      !this.#running &&
      this.#queue.length === 0 &&
      !this.#syncing &&
      this.#awaitingSync.length === 0
    )
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return
    if (this.#syncing && !this.#overlap) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      void this.#runGroup()
    })
  }

  async #runGroup(): Promise<void> {
    this.#running = true
    const group =
      this.#queue.length <= this.#maxGroupSize
        ? this.#queue
        : this.#queue.slice(0, this.#maxGroupSize)
    this.#queue =
      this.#queue.length <= this.#maxGroupSize ? [] : this.#queue.slice(this.#maxGroupSize)
    const outcomes: Outcome[] = []
    let groupError: unknown
    let failed = false
    try {
      this.#connection.begin()
      for (const entry of group) {
        this.#connection.savepoint()
        try {
          const value = await entry.fn(this.#handle)
          this.#connection.releaseSavepoint()
          outcomes.push({ ok: true, value })
        } catch (error) {
          this.#connection.rollbackToSavepoint()
          this.#connection.releaseSavepoint()
          outcomes.push({ ok: false, error })
        }
      }
      this.#connection.commit()
    } catch (error) {
      // BEGIN, a savepoint statement or COMMIT failed (disk full, I/O error): nothing of this
      // group is kept, and every caller in it learns so.
      failed = true
      groupError = error
      if (this.#connection.inTransaction) {
        try {
          this.#connection.rollback()
        } catch {
          // The connection already rolled back on its own; nothing is left to undo.
        }
      }
    }
    this.groups++
    if (failed) {
      for (const entry of group) entry.reject(groupError)
    } else if (this.#syncError !== undefined) {
      // An fsync failed before: nothing written since can be promised durable.
      for (const entry of group) entry.reject(this.#syncError)
    } else if (this.#connection.sync === undefined) {
      this.#settle({ group, outcomes })
    } else if (
      this.#connection.totalChanges() === this.#changesAtLastSync &&
      !this.#syncing &&
      this.#awaitingSync.length === 0
    ) {
      // Nothing was written since the last fsync finished: reads are already durable.
      this.#settle({ group, outcomes })
    } else {
      this.#awaitingSync.push({ group, outcomes })
      this.#startSync()
    }
    this.#running = false
    if (this.#queue.length > 0) this.#schedule()
    else this.#notifyIdle()
  }

  #startSync(): void {
    const sync = this.#connection.sync
    if (this.#syncing || sync === undefined || this.#awaitingSync.length === 0) return
    this.#syncing = true
    const covered = this.#awaitingSync
    this.#awaitingSync = []
    const changes = this.#connection.totalChanges()
    sync((error) => {
      this.#syncing = false
      if (error !== null) {
        this.#syncError = error
        for (const committed of [...covered, ...this.#awaitingSync]) {
          for (const entry of committed.group) entry.reject(error)
        }
        this.#awaitingSync = []
      } else {
        this.#changesAtLastSync = changes
        for (const committed of covered) this.#settle(committed)
        // Groups committed during this fsync are not covered by it: they need the next one.
        this.#startSync()
        if (this.#queue.length > 0) this.#schedule()
      }
      this.#notifyIdle()
    })
  }

  #settle({ group, outcomes }: CommittedGroup<Handle>): void {
    for (let index = 0; index < group.length; index++) {
      const entry = group[index] as QueuedTransaction<Handle>
      const outcome = outcomes[index] as Outcome
      if (outcome.ok) {
        this.transactions++
        entry.resolve(outcome.value)
      } else entry.reject(outcome.error)
    }
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const waiter of waiters) waiter()
  }
}

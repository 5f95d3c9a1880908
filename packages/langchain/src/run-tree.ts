/**
 * Finds the root of each LangChain run from the ids the callback manager hands every event.
 *
 * A run's `parentRunId` names only its direct parent, and in a LangGraph agent a model run's
 * parent is a graph node, not the root, so one map from each open run to its root is kept. An
 * entry lives from its run's start to its end: every descendant starts while its ancestors are
 * open, so a finished invocation leaves nothing behind. A stream its consumer stopped reading
 * (`break`) never ends, so entries older than `maxAgeMs` are dropped by {@link RunTree.sweep}.
 */
export class RunTree {
  readonly #entries = new Map<string, { root: string; startedAt: number }>()

  /**
   * Notes that a run started and answers its root: its parent's root, or the parent itself when
   * the parent is unknown (a handler attached to one model sees none of its ancestors), or the
   * run itself when it has no parent.
   */
  start(runId: string, parentRunId: string | undefined, now: number): string {
    const root =
      parentRunId === undefined ? runId : (this.#entries.get(parentRunId)?.root ?? parentRunId)
    this.#entries.set(runId, { root, startedAt: now })
    return root
  }

  /** Forgets a run that ended (or failed). */
  end(runId: string): void {
    this.#entries.delete(runId)
  }

  /** Forgets runs that started before `startedBefore` (abandoned streams never end). */
  sweep(startedBefore: number): void {
    for (const [runId, entry] of this.#entries) {
      if (entry.startedAt < startedBefore) this.#entries.delete(runId)
    }
  }

  /** How many runs are open: `0` once every invocation has finished. */
  get size(): number {
    return this.#entries.size
  }
}

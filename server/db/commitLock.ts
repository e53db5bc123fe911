import type { Db } from './createDb.ts'

const commitLocks = new WeakMap<Db, Promise<unknown>>()

/**
 * Runs `work` when every write to transactions and its derived tables queued before it on this engine has
 * settled: an ingest's duplicate check and the insert it guards, customer numbering, a rebuild of derived
 * tables from the lines (which must not see lines arrive between its delete and its recompute), an
 * erasure. Not re-entrant: work must not call it again.
 */
export async function exclusively<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const previous = commitLocks.get(db) ?? Promise.resolve()
  const run = previous.then(work, work)
  commitLocks.set(
    db,
    run.catch(() => undefined),
  )
  return run
}

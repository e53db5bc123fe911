import type { Db } from '../db/createDb.ts'
import { dataVersion } from '../queries/dataVersion.ts'

/** How long a version query waits for more requests to share it. */
const versionWindowMs = 3

/**
 * Answers kept while nothing stored has changed (see dataVersion), at most `entries` of them, least
 * recently used dropped first. Requests asking the same while the first is still computing share its
 * answer: ten dashboards opening the same view cost one computation, not ten queued behind each other
 * (chdb runs statements with bound values one at a time per process: chdb-io/chdb-node#51). A failed
 * computation is not kept. Off (every call computes) with 0 entries, and on a cluster, where this
 * node's parts are not all the data.
 */
export function createAnswerCache(db: Db, entries: number) {
  const answers = new Map<string, { version: string; answer: Promise<unknown> }>()
  // Requests arriving within a few milliseconds share one version query, started after all of them
  // arrived: it sees every write that finished before any of them (a client reads what it just loaded).
  let nextVersion: Promise<string> | undefined
  const version = () =>
    (nextVersion ??= new Promise((resolve) => setTimeout(resolve, versionWindowMs)).then(() => {
      nextVersion = undefined
      return dataVersion(db)
    }))
  return async function cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (entries === 0 || db.cluster !== undefined) return compute()
    const current = await version()
    const hit = answers.get(key)
    answers.delete(key)
    if (hit?.version === current) {
      answers.set(key, hit)
      return hit.answer as Promise<T>
    }
    const answer = compute()
    answers.set(key, { version: current, answer })
    answer.catch(() => {
      if (answers.get(key)?.answer === answer) answers.delete(key)
    })
    for (const oldest of answers.keys()) {
      if (answers.size <= entries) break
      answers.delete(oldest)
    }
    return answer
  }
}
export type AnswerCache = ReturnType<typeof createAnswerCache>

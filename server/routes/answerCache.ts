import type { Db } from '../db/createDb.ts'
import { sharedDataVersion } from '../queries/dataVersion.ts'

/**
 * Answers kept while nothing stored has changed (see dataVersion), at most `entries` of them, least
 * recently used dropped first. Requests asking the same while the first is still computing share its
 * answer: ten dashboards opening the same view cost one computation, not ten queued behind each other
 * (chdb runs statements with bound values one at a time per process: chdb-io/chdb-node#51). A failed
 * computation is not kept. Off (every call computes) with 0 entries, and on a cluster, where this
 * node's parts are not all the data.
 */
export function createAnswerCache(db: Db, entries: number, version = sharedDataVersion(db)) {
  const answers = new Map<string, { version: string; answer: Promise<unknown> }>()
  return async function cached<T>(key: string, compute: (version?: string) => Promise<T>): Promise<T> {
    if (db.cluster !== undefined) return compute()
    const current = await version()
    // Off: the version still goes to the computation, which would read it again otherwise.
    if (entries === 0) return compute(current)
    const hit = answers.get(key)
    answers.delete(key)
    if (hit?.version === current) {
      answers.set(key, hit)
      return hit.answer as Promise<T>
    }
    const answer = compute(current)
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

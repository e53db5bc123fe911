/**
 * Answers kept by key for `ttlMs`, counted from the start of the read that made them, so a write the read
 * did not see (a key revoked while it ran) shows within `ttlMs`. The embedded engine runs bound statements
 * one at a time process-wide, so a request that waits for a read waits behind every other: an answer past
 * half its life is read again in the background while it keeps serving, and a key in steady use never
 * waits. Reads of one key share one statement, also on a miss. A failed read is not kept: the old answer
 * serves until it expires, then the next request reads again (and sees the error). Answers are shared:
 * callers must not mutate them. Past `maxEntries` keys everything is forgotten (keys may come from
 * requests: unknown secrets must not grow memory without bound).
 */
export function createRefreshAheadCache(options: { ttlMs: number; maxEntries?: number }) {
  const { ttlMs, maxEntries = Infinity } = options
  const entries = new Map<string, Entry>()

  /** Reads a key that has no answer in its life: concurrent requests share this read. */
  function miss(key: string, load: () => Promise<unknown>): Entry {
    if (entries.size >= maxEntries) entries.clear()
    const entry: Entry = { at: performance.now(), value: load(), refreshing: false }
    entries.set(key, entry)
    entry.value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key)
    })
    return entry
  }

  /** Reads a key again behind its kept answer, which serves until the new one arrives. */
  function refresh(key: string, hit: Entry, load: () => Promise<unknown>): void {
    hit.refreshing = true
    const entry: Entry = { at: performance.now(), value: load(), refreshing: false }
    entry.value.then(
      () => {
        // A write that cleared the entry meanwhile wins: its answer may be newer than this read.
        if (entries.get(key) === hit) entries.set(key, entry)
      },
      () => undefined,
    )
  }

  return {
    get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key)
      const age = hit ? performance.now() - hit.at : Infinity
      if (!hit || age >= ttlMs) return miss(key, load).value as Promise<T>
      if (age >= ttlMs / 2 && !hit.refreshing) refresh(key, hit, load)
      return hit.value as Promise<T>
    },
    /** After a write: the next request of every key reads again. */
    clear(): void {
      entries.clear()
    },
  }
}

interface Entry {
  /** When the read that made this answer started. */
  at: number
  value: Promise<unknown>
  /** A read in the background will replace this answer. */
  refreshing: boolean
}

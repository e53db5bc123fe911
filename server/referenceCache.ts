import { listKeys } from './auth/apiKeys.ts'
import type { ApiKeyInfo, Merchant, Store } from './contract.ts'
import type { Db } from './db/createDb.ts'
import { listMerchants } from './queries/listMerchants.ts'
import { listStores } from './queries/listStores.ts'

/**
 * Reference reads (merchants, stores, keys) answered from memory: the embedded engine runs bound
 * statements one at a time process-wide, so a query per request made these small reads queue behind
 * every other (about 40 answers/s at most). This process's own writes invalidate the cache (keys created
 * or revoked, any ingest: stores and latest sales change with it); `ttlMs` bounds how stale an answer can
 * be when another process writes (a CLI load, a second server on the same ClickHouse server).
 * Concurrent misses share one query, and an entry past half its life is read again in the background.
 * Answers are shared: callers must not mutate them.
 */
export function createReferenceCache(db: Db, options: { ttlMs?: number } = {}) {
  const ttlMs = options.ttlMs ?? 5_000
  const entries = new Map<string, Entry>()

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = entries.get(key)
    const age = hit ? performance.now() - hit.at : Infinity
    if (hit && age < ttlMs) {
      // Read again ahead of expiry while requests keep coming, so a busy route never waits for the
      // database (its read queues behind every other bound statement); the answer stays at most ttlMs old.
      if (age >= ttlMs / 2 && !hit.refreshing) refresh(key, hit, load)
      return hit.value as Promise<T>
    }
    const entry: Entry = { at: performance.now(), value: load(), refreshing: false }
    entries.set(key, entry)
    // A failed read is not kept: the next request asks again.
    entry.value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key)
    })
    return entry.value as Promise<T>
  }

  /** Replaces the entry when the new answer arrives, unless a write cleared it meanwhile. */
  function refresh(key: string, hit: Entry, load: () => Promise<unknown>): void {
    hit.refreshing = true
    const at = performance.now()
    load().then(
      (value) => {
        if (entries.get(key) === hit)
          entries.set(key, { at, value: Promise.resolve(value), refreshing: false })
      },
      // The old answer serves until it expires; then a request reads again (and sees any error).
      () => undefined,
    )
  }

  return {
    /** Every merchant, or those `visible` lists (the same rows listMerchants answers for them). */
    async merchants(visible: string[] | undefined): Promise<Merchant[]> {
      const all = await cached('merchants', () => listMerchants(db, undefined))
      return visible ? all.filter((m) => visible.includes(m.merchantId)) : all
    },
    stores: (merchantId: string): Promise<Store[]> =>
      cached(`stores:${merchantId}`, () => listStores(db, merchantId)),
    keys: (): Promise<ApiKeyInfo[]> => cached('keys', () => listKeys(db)),
    /** After a write: the next read of anything asks the database again. */
    invalidate(): void {
      entries.clear()
    },
  }
}
export type ReferenceCache = ReturnType<typeof createReferenceCache>

interface Entry {
  /** When the read that made this answer started. */
  at: number
  value: Promise<unknown>
  refreshing: boolean
}

import { listKeys } from './auth/apiKeys.ts'
import type { ApiKeyInfo, Merchant, Store } from './contract.ts'
import type { Db } from './db/createDb.ts'
import { sharedDataVersion } from './queries/dataVersion.ts'
import { merchantFacts, type MerchantFacts } from './queries/insightsScope.ts'
import { listMerchants } from './queries/listMerchants.ts'
import { listStores } from './queries/listStores.ts'
import { createRefreshAheadCache } from './refreshAheadCache.ts'

/**
 * Reference reads (merchants, stores, keys) answered from memory: the embedded engine runs bound
 * statements one at a time process-wide, so a query per request made these small reads queue behind
 * every other (about 40 answers/s at most). This process's own writes invalidate the cache (keys created
 * or revoked, any ingest: stores and latest sales change with it); `ttlMs` bounds how stale an answer can
 * be when another process writes (a CLI load, a second server on the same ClickHouse server); entries past
 * half their life are read again in the background (refreshAheadCache.ts). Answers are shared: callers
 * must not mutate them.
 */
export function createReferenceCache(
  db: Db,
  options: { ttlMs?: number; version?: () => Promise<string> } = {},
) {
  const ttlMs = options.ttlMs ?? 5_000
  const version = options.version ?? sharedDataVersion(db)
  const reads = createRefreshAheadCache({ ttlMs })

  const facts = new Map<
    string,
    { version: string; value: Promise<MerchantFacts | undefined>; derived: Map<string, Promise<unknown>> }
  >()

  return {
    /**
     * A merchant's facts for an insights scope (insightsScope.merchantFacts), kept while nothing stored
     * changes: each call asks the data version (sharedDataVersion: it binds no value, so it does not
     * queue behind the bound statements), so an answer is never stale, whoever wrote. Every insights
     * request needed the facts query (about 10 ms, queued behind the others) and a check for lines in a
     * foreign currency (7-26 ms), which the facts' sale currencies now answer. `known` is a version the
     * caller read just before (the answer cache's): a request reads the version once, not twice.
     */
    async merchantFacts(merchantId: string, known?: string): Promise<MerchantFacts | undefined> {
      // On a cluster this node's parts are not all the data: its version would miss another node's write.
      if (db.cluster !== undefined) return merchantFacts(db, merchantId)
      const current = known ?? (await version())
      const hit = facts.get(merchantId)
      if (hit?.version === current) return hit.value
      const entry = { version: current, value: merchantFacts(db, merchantId), derived: new Map() }
      facts.set(merchantId, entry)
      entry.value.catch(() => {
        if (facts.get(merchantId) === entry) facts.delete(merchantId)
      })
      return entry.value
    },
    /**
     * A value computed from the merchant's facts and the stored data (`name` says which, e.g. the stores'
     * weather stations), kept with the facts merchantFacts last read: valid as long as they are, since any
     * write changes the data version and replaces them. Undefined when no facts are kept (the caller
     * computes it).
     */
    async keptWithFacts<T>(
      merchantId: string,
      name: string,
      load: (facts: MerchantFacts) => Promise<T>,
    ): Promise<T | undefined> {
      const entry = facts.get(merchantId)
      const known = await entry?.value
      if (!entry || !known) return undefined
      const hit = entry.derived.get(name)
      if (hit) return hit as Promise<T>
      const kept = load(known)
      entry.derived.set(name, kept)
      kept.catch(() => {
        if (entry.derived.get(name) === kept) entry.derived.delete(name)
      })
      return kept
    },
    /** Every merchant, or those `visible` lists (the same rows listMerchants answers for them). */
    async merchants(visible: string[] | undefined): Promise<Merchant[]> {
      const all = await reads.get('merchants', () => listMerchants(db, undefined))
      return visible ? all.filter((m) => visible.includes(m.merchantId)) : all
    },
    stores: (merchantId: string): Promise<Store[]> =>
      reads.get(`stores:${merchantId}`, () => listStores(db, merchantId)),
    keys: (): Promise<ApiKeyInfo[]> => reads.get('keys', () => listKeys(db)),
    /** After a write: the next read of anything asks the database again. */
    invalidate(): void {
      reads.clear()
    },
  }
}
export type ReferenceCache = ReturnType<typeof createReferenceCache>

import type { Logger } from 'pino'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'
import { listSavedSegments, type SavedSegment } from '../queries/savedSegments.ts'
import { dropSegmentMembers, refreshSegmentMembers, segmentMemberKeys } from '../queries/segmentMembers.ts'
import { resolveSegmentScope, type SegmentLimits } from '../queries/segmentScope.ts'

export interface SegmentMembership {
  /** Whether the customer (its customer_key, the keyed-HMAC pseudonym stored on the lines) is in the segment, as of the last refresh. Pure memory, well under a millisecond. */
  has(segmentId: string, customerKey: string): boolean
  /** Recomputes one segment (after a save or patch) or every saved segment (on the schedule, at start). */
  refresh(segmentId?: string): Promise<void>
  /**
   * Lines were stored: a full refresh once no batch has stored lines for `quietMs`, and at least every
   * `maxWaitMs` while batches keep coming (errors go to the logger).
   */
  refreshAfterIngest(): void
  /** When membership was last refreshed (ISO), for docs and the UI. */
  refreshedAt(): string | undefined
  /** Stops refreshing after ingest and waits for a refresh in flight (before the engine closes). */
  close(): Promise<void>
}

/** A customer key's first 64 bits: 16 lowercase hex digits of the HMAC pseudonym. */
const keyPrefix = /^[0-9a-f]{16}/

/** Sorted distinct 64-bit key prefixes, searched by halving: ~20 steps for a million members. */
function memberSet(prefixes: string[]): BigUint64Array {
  return BigUint64Array.from(prefixes, (p) => BigInt(`0x${p}`))
}

function contains(sorted: BigUint64Array, value: bigint): boolean {
  let low = 0
  let high = sorted.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const at = sorted[middle] as bigint
    if (at === value) return true
    if (at < value) low = middle + 1
    else high = middle - 1
  }
  return false
}

/**
 * Segment membership for the wallet: each saved segment's members are computed inside ClickHouse from the
 * lines into segment_members (bitmaps of customer numbers per merchant), then held here as sorted 64-bit
 * prefixes of their customer keys. Refreshes run one at a time in order; a full refresh asked for while
 * another waits joins the waiting one. A segment whose rules cannot be evaluated (e.g. a rate is missing)
 * keeps its previous members and is logged.
 *
 * Two customers would need the same first 64 bits of their HMAC pseudonyms to be confused: with a million
 * members, a chance of about 1 in 10^13 per lookup.
 */
export function createSegmentMembership(
  db: Db,
  options: {
    limits: SegmentLimits
    logger?: Logger | undefined
    /** See refreshAfterIngest; 2 s and 30 s when omitted. */
    afterIngest?: { quietMs: number; maxWaitMs: number } | undefined
  },
): SegmentMembership {
  // A refresh reads every segment (tens of ms with none saved, seconds with many at 10M lines) on the
  // engine's one connection for bound statements: run after every batch, it delayed the next batch of a
  // client sending one after another by as much. Batches of a burst share one refresh after it.
  const { quietMs, maxWaitMs } = options.afterIngest ?? { quietMs: 2000, maxWaitMs: 30_000 }
  let ingestTimer: NodeJS.Timeout | undefined
  let firstUnrefreshedIngest: number | undefined
  const members = new Map<string, BigUint64Array>()
  let lastFullRefresh: string | undefined
  let queue: Promise<void> = Promise.resolve()
  let pendingFull: Promise<void> | undefined
  let closed = false

  /** Recomputes one segment's members, or drops them when it no longer exists (deleted). */
  async function refreshOne(segmentId: string, at: Date): Promise<boolean> {
    const [segment] = await listSavedSegments(db, { ids: [segmentId] })
    if (!segment) {
      await dropSegmentMembers(db, segmentId, at)
      members.delete(segmentId)
      return false
    }
    await compute(segment, at)
    return true
  }

  async function compute(segment: SavedSegment, at: Date): Promise<void> {
    const segmentId = segment.id
    try {
      const scope = await resolveSegmentScope(
        db,
        segment.merchantIds,
        segment.rules,
        undefined,
        options.limits,
      )
      await refreshSegmentMembers(db, segmentId, scope, at)
    } catch (err) {
      if (!(err instanceof HttpError)) throw err
      options.logger?.warn({ segmentId, reason: err.message }, 'segment membership kept: rules not evaluable')
    }
  }

  async function load(segmentIds: string[]): Promise<void> {
    const keys = await segmentMemberKeys(db, segmentIds)
    for (const id of segmentIds) members.set(id, memberSet(keys.get(id) ?? []))
  }

  async function refreshAll(): Promise<void> {
    const at = new Date()
    const live = await listSavedSegments(db)
    // The list already holds each segment: no second read per segment.
    for (const segment of live) await compute(segment, at)
    const liveIds = new Set(live.map((s) => s.id))
    for (const id of members.keys()) if (!liveIds.has(id)) members.delete(id)
    await load([...liveIds])
    lastFullRefresh = at.toISOString()
  }

  function enqueue(work: () => Promise<void>): Promise<void> {
    const run = queue.then(work)
    queue = run.catch(() => undefined)
    return run
  }

  function refresh(segmentId?: string): Promise<void> {
    if (closed) return Promise.resolve()
    if (segmentId !== undefined)
      return enqueue(async () => {
        if (await refreshOne(segmentId, new Date())) await load([segmentId])
      })
    pendingFull ??= enqueue(async () => {
      pendingFull = undefined
      await refreshAll()
    })
    return pendingFull
  }

  return {
    has(segmentId, customerKey) {
      const set = members.get(segmentId)
      const prefix = keyPrefix.exec(customerKey)?.[0]
      return set !== undefined && prefix !== undefined && contains(set, BigInt(`0x${prefix}`))
    },
    refresh,
    refreshAfterIngest() {
      const now = Date.now()
      firstUnrefreshedIngest ??= now
      clearTimeout(ingestTimer)
      const wait = Math.max(0, Math.min(quietMs, firstUnrefreshedIngest + maxWaitMs - now))
      ingestTimer = setTimeout(() => {
        firstUnrefreshedIngest = undefined
        if (closed) return
        refresh().catch((err: unknown) => {
          options.logger?.error({ err }, 'segment membership refresh after ingest failed')
        })
      }, wait)
      // A pending refresh never keeps the process alive: the next start recomputes every segment anyway.
      ingestTimer.unref()
    },
    refreshedAt: () => lastFullRefresh,
    async close() {
      closed = true
      clearTimeout(ingestTimer)
      await queue
    },
  }
}

import { randomUUID } from 'node:crypto'
import {
  WalletEvent,
  type ExclusionReason,
  type Offer,
  type OfferPreview,
  type OfferPreviewQuery,
  type PreviewExclusion,
  type WalletEventsResponse,
  type WalletEventVerdict,
  type WalletOffer,
} from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { insertOfferEvents, type OfferEventRow } from '../queries/insertOfferEvents.ts'
import { loadOfferCounters } from '../queries/loadOfferCounters.ts'
import { loadOffersAndStores } from '../queries/loadOffersAndStores.ts'
import { loadWalletEventIds } from '../queries/loadWalletEventIds.ts'
import { customerKey as pseudonymOf } from './customerKey.ts'
import { openEventJournal, type EventJournal } from './eventJournal.ts'
import { coarseCell, distanceM } from './greatCircle.ts'
import { isHeldOut } from './holdout.ts'
import { buildOfferIndex, type OfferIndex, type OfferSite } from './offerIndex.ts'
import { checkSchedule } from './offerSchedule.ts'

/** What the wallet needs of segment membership (seg-api's SegmentMembership has this shape). */
export interface SegmentLookup {
  has(segmentId: string, customerKey: string): boolean
}

export interface WalletServiceOptions {
  db: Db
  pseudonymKey: string
  /** Directory of the event journal (DATA_DIR/wallet-journal in production). */
  journalDir: string
  segments?: SegmentLookup | undefined
  /** How often journaled events are inserted into ClickHouse; the longest an event waits, plus the insert. */
  flushMs?: number
  now?: () => number
  /** Told about a failed background flush (the events stay journaled and are retried). */
  onFlushError?: (err: unknown) => void
}

/** Who asks: a real (pseudonymised) customer, or one of the preview's hypothetical customers. */
type Asker =
  | { kind: 'customer'; key: string }
  | { kind: 'new' | 'held_out' | 'capped' }
  | { kind: 'in_segment'; segmentId: string }

interface Candidate {
  offer: Offer
  site: OfferSite
  distance: number
  until: number
  localDate: string
  heldOut: boolean
  score: number
}

const dayMs = 86_400_000
/** Events may say they happened at most this far ahead of the server's clock, and this far back. */
const eventFutureMs = 5 * 60_000
const eventPastMs = 30 * dayMs

/**
 * The ranking score (docs/offers-and-wallet.md): proximity within the geofence (1 at the store, 0 at the
 * edge), plus 0.5 when the offer targets a segment the customer is in, plus the value (a percentage as a
 * fraction; an amount off counts as 10%, since the basket it applies to is unknown here).
 */
function score(offer: Offer, distance: number, segmentMatch: boolean): number {
  const proximity = 1 - distance / offer.radiusM
  const value = offer.value.kind === 'percent' ? offer.value.amount / 100 : 0.1
  return proximity + (segmentMatch ? 0.5 : 0) + value
}

const byRank = (a: Candidate, b: Candidate) =>
  b.score - a.score || a.distance - b.distance || a.offer.offerId.localeCompare(b.offer.offerId)

const clickhouseTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '')

/**
 * The wallet served from memory: the offer index, per-customer cap histories and per-day budget counters,
 * rebuilt from ClickHouse (after replaying the journal) at start, so caps hold across restarts. Every
 * impression and would-have-seen is journaled (fsync) before the wallet is answered, and inserted into
 * offer_events in batches every flushMs.
 */
export function createWalletService(options: WalletServiceOptions) {
  const { db, pseudonymKey } = options
  const now = options.now ?? Date.now
  const flushMs = options.flushMs ?? 1000
  let index: OfferIndex = buildOfferIndex([], [])
  /** "offerId/customerKey" -> epoch ms of impressions and would-have-seens within the cap window. */
  const caps = new Map<string, number[]>()
  /** "offerId/localDate" -> impressions that store-local day. */
  const budgets = new Map<string, number>()
  /** "offerId/eventId" of wallet-reported events already recorded. */
  const seenEvents = new Set<string>()
  let journal: EventJournal | undefined
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> = Promise.resolve()
  let reloading: Promise<void> = Promise.resolve()

  function capUsed(offer: Offer, key: string, at: number): number {
    const times = caps.get(`${offer.offerId}/${key}`)
    if (!times) return 0
    const since = at - offer.cap.days * dayMs
    while (times.length && (times[0] ?? 0) <= since) times.shift()
    return times.length
  }

  function budgetLeft(offer: Offer, localDate: string): number {
    if (offer.dailyBudget === null) return Infinity
    return offer.dailyBudget - (budgets.get(`${offer.offerId}/${localDate}`) ?? 0)
  }

  /** The nearest open store of the offer within its radius, and what failed when there is none. */
  function nearestOpenSite(offer: Offer, sites: OfferSite[], lat: number, lon: number, at: number) {
    let best: { site: OfferSite; distance: number; until: number; localDate: string } | undefined
    let nearest: { site: OfferSite; distance: number } | undefined
    let closedWhy: string | undefined
    for (const site of sites) {
      const distance = distanceM(lat, lon, site.store.lat, site.store.lon)
      if (!nearest || distance < nearest.distance) nearest = { site, distance }
      if (distance > offer.radiusM) continue
      if (best && best.distance <= distance) continue
      const schedule = checkSchedule(offer.schedule, site.store.timezone, at)
      if (schedule.open) best = { site, distance, until: schedule.until, localDate: schedule.localDate }
      else closedWhy ??= `${schedule.why} at ${site.store.name}`
    }
    return { best, nearest, closedWhy }
  }

  /** Judges one offer for one asker; a Candidate when it would be shown, else the reason it is left out. */
  function judge(
    offer: Offer,
    sites: OfferSite[],
    asker: Asker,
    point: { lat: number; lon: number; at: number },
  ): Candidate | Omit<PreviewExclusion, 'offerId' | 'name'> {
    const found = nearestOpenSite(offer, sites, point.lat, point.lon, point.at)
    const near = found.nearest
    const where = {
      storeId: near?.site.store.storeId ?? null,
      distanceM: near ? Math.round(near.distance) : null,
    }
    const out = (reason: ExclusionReason, detail: string) => ({ reason, detail, ...where })
    if (offer.status === 'paused') return out('paused', 'the offer is paused')
    if (!near) return out('too_far', 'the offer has no store with a position')
    if (near.distance > offer.radiusM)
      return out('too_far', `nearest store ${Math.round(near.distance)} m away, radius ${offer.radiusM} m`)
    if (!found.best) return out('outside_schedule', found.closedWhy ?? 'outside the schedule')
    const { site, distance, until, localDate } = found.best
    const segmentMatch =
      offer.segmentId === null
        ? false
        : asker.kind === 'customer'
          ? (options.segments?.has(offer.segmentId, asker.key) ?? false)
          : asker.kind === 'in_segment' && asker.segmentId === offer.segmentId
    if (offer.segmentId !== null && !segmentMatch)
      return out('not_in_segment', `the offer targets segment ${offer.segmentId}`)
    const used =
      asker.kind === 'customer' ? capUsed(offer, asker.key, point.at) : asker.kind === 'capped' ? Infinity : 0
    if (used >= offer.cap.count)
      return out('capped', `cap of ${offer.cap.count} in ${offer.cap.days} days reached`)
    if (budgetLeft(offer, localDate) <= 0)
      return out('budget_spent', `daily budget of ${offer.dailyBudget} impressions spent for ${localDate}`)
    const heldOut =
      asker.kind === 'customer'
        ? isHeldOut(offer.offerId, asker.key, offer.holdoutPercent)
        : asker.kind === 'held_out' && offer.holdoutPercent > 0
    return { offer, site, distance, until, localDate, heldOut, score: score(offer, distance, segmentMatch) }
  }

  const isCandidate = (v: Candidate | object): v is Candidate => 'score' in v

  function toWalletOffer(c: Candidate): WalletOffer {
    return {
      offerId: c.offer.offerId,
      merchantId: c.offer.merchantId,
      storeId: c.site.store.storeId,
      storeName: c.site.store.name,
      distanceM: Math.round(c.distance),
      text: c.offer.text,
      value: c.offer.value,
      validUntil: new Date(c.until).toISOString(),
    }
  }

  function eventRow(c: Candidate, key: string, cell: string, at: number): OfferEventRow {
    return {
      merchant_id: c.offer.merchantId,
      offer_id: c.offer.offerId,
      event_id: randomUUID(),
      type: c.heldOut ? 'would_have_seen' : 'impression',
      customer_key: key,
      store_id: c.site.store.storeId,
      cell,
      local_date: c.localDate,
      at: clickhouseTime(at),
    }
  }

  function openJournal(): EventJournal {
    if (!journal) throw new Error('the wallet service is not started')
    return journal
  }

  async function flush(): Promise<void> {
    const run = flushing.then(async () => {
      const j = openJournal()
      const segment = await j.seal()
      if (!segment) return
      await insertOfferEvents(db, segment.events)
      j.remove(segment)
    })
    flushing = run.catch(() => undefined)
    return run
  }

  async function reload(): Promise<void> {
    const run = reloading.then(async () => {
      const { offers, stores } = await loadOffersAndStores(db)
      index = buildOfferIndex(offers, stores)
    })
    reloading = run.catch(() => undefined)
    return run
  }

  return {
    /** Replays what an earlier run journaled, then loads offers, counters and event ids; serves after this. */
    async start(): Promise<void> {
      journal = openEventJournal(options.journalDir)
      for (const segment of journal.leftovers()) {
        await insertOfferEvents(db, segment.events)
        journal.remove(segment)
      }
      await reload()
      const nowMs = now()
      const counters = await loadOfferCounters(db, {
        nowMs,
        sinceDate: new Date(nowMs - 2 * dayMs).toISOString().slice(0, 10),
      })
      for (const c of counters.caps) caps.set(`${c.offerId}/${c.customerKey}`, c.times.map(Number))
      for (const b of counters.budgets) budgets.set(`${b.offerId}/${b.localDate}`, b.impressions)
      for (const id of await loadWalletEventIds(db)) seenEvents.add(id)
      timer = setInterval(() => {
        flush().catch((err: unknown) => options.onFlushError?.(err))
        const oldest = new Date(now() - 2 * dayMs).toISOString().slice(0, 10)
        for (const key of budgets.keys()) if (key.slice(-10) < oldest) budgets.delete(key)
      }, flushMs)
      timer.unref()
    },

    /** Rebuilds the offer index from ClickHouse; call after any change to offers or stores. */
    reload,

    /**
     * The best eligible offers at a position for a customer, among the merchants a key may serve
     * (undefined = all). Shown offers count as impressions, held-out ones as would-have-seen; both are
     * journaled before this resolves.
     */
    async serve(params: {
      lat: number
      lon: number
      customer: string
      limit: number
      merchants: ReadonlySet<string> | undefined
    }): Promise<WalletOffer[]> {
      const at = now()
      const key = pseudonymOf(pseudonymKey, params.customer)
      const point = { lat: params.lat, lon: params.lon, at }
      const sitesByOffer = new Map<string, OfferSite[]>()
      for (const site of index.near(params.lat, params.lon)) {
        if (site.offer.status !== 'active') continue
        if (params.merchants && !params.merchants.has(site.offer.merchantId)) continue
        const list = sitesByOffer.get(site.offer.offerId)
        if (list) list.push(site)
        else sitesByOffer.set(site.offer.offerId, [site])
      }
      const candidates: Candidate[] = []
      for (const sites of sitesByOffer.values()) {
        const verdict = judge((sites[0] as OfferSite).offer, sites, { kind: 'customer', key }, point)
        if (isCandidate(verdict)) candidates.push(verdict)
      }
      const chosen = candidates.sort(byRank).slice(0, params.limit)
      if (chosen.length === 0) return []
      const cell = coarseCell(params.lat, params.lon)
      const rows = chosen.map((c) => {
        const capKey = `${c.offer.offerId}/${key}`
        const times = caps.get(capKey)
        if (times) times.push(at)
        else caps.set(capKey, [at])
        if (!c.heldOut) {
          const budgetKey = `${c.offer.offerId}/${c.localDate}`
          budgets.set(budgetKey, (budgets.get(budgetKey) ?? 0) + 1)
        }
        return eventRow(c, key, cell, at)
      })
      await openJournal().append(rows)
      return chosen.filter((c) => !c.heldOut).map(toWalletOffer)
    },

    /** What a hypothetical customer would get, and why each other offer is left out; records nothing. */
    preview(query: OfferPreviewQuery): OfferPreview {
      const at = query.at ? Date.parse(query.at) : now()
      const asker: Asker = query.customer.startsWith('in_segment:')
        ? { kind: 'in_segment', segmentId: query.customer.slice('in_segment:'.length) }
        : { kind: query.customer as 'new' | 'held_out' | 'capped' }
      const point = { lat: query.lat, lon: query.lon, at }
      const candidates: Candidate[] = []
      const excluded: PreviewExclusion[] = []
      for (const offer of index.offersOf(query.merchantId)) {
        const verdict = judge(offer, index.sitesOf(offer.offerId), asker, point)
        if (isCandidate(verdict)) candidates.push(verdict)
        else excluded.push({ offerId: offer.offerId, name: offer.name, ...verdict })
      }
      candidates.sort(byRank)
      const offers = []
      for (const c of candidates) {
        const where = { storeId: c.site.store.storeId, distanceM: Math.round(c.distance) }
        const base = { offerId: c.offer.offerId, name: c.offer.name, ...where }
        if (c.heldOut)
          excluded.push({
            ...base,
            reason: 'held_out',
            detail: `held out (${c.offer.holdoutPercent}% of customers)`,
          })
        else if (offers.length >= query.limit)
          excluded.push({
            ...base,
            reason: 'outranked',
            detail: `score ${c.score.toFixed(3)} below the top ${query.limit}`,
          })
        else
          offers.push({ ...toWalletOffer(c), name: c.offer.name, score: Math.round(c.score * 1000) / 1000 })
      }
      return {
        merchantId: query.merchantId,
        at: new Date(at).toISOString(),
        customer: query.customer,
        offers,
        excluded,
      }
    },

    /**
     * Records wallet-reported events, each judged on its own: 201 recorded, 200 a repeat of a recorded
     * eventId, 400 invalid (naming the field), 404 an offer of a merchant the key may not serve.
     */
    async recordEvents(
      items: unknown[],
      merchants: ReadonlySet<string> | undefined,
    ): Promise<WalletEventsResponse> {
      const nowMs = now()
      const results: WalletEventVerdict[] = []
      const rows: OfferEventRow[] = []
      items.forEach((item, i) => {
        const parsed = WalletEvent.safeParse(item)
        const eventId =
          typeof (item as { eventId?: unknown } | null)?.eventId === 'string'
            ? String((item as { eventId: string }).eventId).slice(0, 128)
            : null
        const reject = (status: 400 | 404, field: string, message: string) =>
          results.push({
            index: i,
            eventId,
            status,
            error: {
              code: status === 400 ? 'invalid_request' : 'not_found',
              message: `${i}.${field}: ${message}`,
            },
          })
        if (!parsed.success) {
          const issue = parsed.error.issues[0]
          return reject(400, issue?.path.join('.') || 'event', issue?.message ?? 'invalid')
        }
        const event = parsed.data
        const offer = index.offer(event.offerId)
        if (!offer || (merchants && !merchants.has(offer.merchantId)))
          return reject(offer ? 404 : 400, 'offerId', offer ? 'no such offer for this key' : 'unknown offer')
        const at = Date.parse(event.at)
        if (at > nowMs + eventFutureMs) return reject(400, 'at', 'is more than 5 minutes in the future')
        if (at < nowMs - eventPastMs) return reject(400, 'at', 'is more than 30 days in the past')
        const id = `${event.offerId}/${event.eventId}`
        if (seenEvents.has(id)) return results.push({ index: i, eventId, status: 200 })
        seenEvents.add(id)
        results.push({ index: i, eventId, status: 201 })
        rows.push({
          merchant_id: offer.merchantId,
          offer_id: offer.offerId,
          event_id: event.eventId,
          type: event.type,
          customer_key: pseudonymOf(pseudonymKey, event.customer),
          store_id: '',
          cell: '',
          local_date: new Date(at).toISOString().slice(0, 10),
          at: clickhouseTime(at),
        })
      })
      try {
        await openJournal().append(rows)
      } catch (err) {
        // Not durable, so not recorded: a retry with the same eventIds must be able to record them.
        for (const row of rows) seenEvents.delete(`${row.offer_id}/${row.event_id}`)
        throw err
      }
      const count = (status: number) => results.filter((r) => r.status === status).length
      return {
        recorded: count(201),
        duplicates: count(200),
        rejected: count(400) + count(404),
        results,
      }
    },

    flush,

    /** Stops the flush timer, flushes what is journaled (left on disk if ClickHouse is down) and closes. */
    async close(): Promise<void> {
      if (timer) clearInterval(timer)
      if (!journal) return
      await flush().catch(() => undefined)
      await journal.close()
      journal = undefined
    },

    stats: () => ({ ...index.size, capHistories: caps.size }),
  }
}
export type WalletService = ReturnType<typeof createWalletService>

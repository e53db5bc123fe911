import Flatbush from 'flatbush'
import type { Offer } from '../contract.ts'
import type { OfferStore } from '../queries/loadOffersAndStores.ts'
import { boxAround } from './greatCircle.ts'

/** One geofence: an offer at one of its stores. */
export interface OfferSite {
  offer: Offer
  store: OfferStore
}

/**
 * The offers in memory: a packed R-tree (flatbush) of every geofence of every offer that is not ended, so
 * "which geofences contain this point" is one tree search; plus lookups by offer and by merchant. Built
 * whole and swapped in, never edited in place, so a request always sees one consistent version.
 */
export function buildOfferIndex(offers: Offer[], stores: OfferStore[]) {
  const storesOf = new Map<string, OfferStore[]>()
  for (const store of stores) {
    const list = storesOf.get(store.merchantId) ?? []
    list.push(store)
    storesOf.set(store.merchantId, list)
  }
  const byId = new Map<string, Offer>()
  const byMerchant = new Map<string, Offer[]>()
  const sitesOf = new Map<string, OfferSite[]>()
  const sites: OfferSite[] = []
  for (const offer of offers) {
    byId.set(offer.offerId, offer)
    if (offer.status === 'ended') continue
    const merchantStores = storesOf.get(offer.merchantId) ?? []
    const wanted = new Set(offer.stores)
    const own = merchantStores
      .filter((s) => wanted.size === 0 || wanted.has(s.storeId))
      .map((store) => ({ offer, store }))
    sitesOf.set(offer.offerId, own)
    sites.push(...own)
    const list = byMerchant.get(offer.merchantId) ?? []
    list.push(offer)
    byMerchant.set(offer.merchantId, list)
  }
  const tree = sites.length ? new Flatbush(sites.length) : undefined
  if (tree) {
    for (const { offer, store } of sites) {
      const box = boxAround(store.lat, store.lon, offer.radiusM)
      tree.add(box.minX, box.minY, box.maxX, box.maxY)
    }
    tree.finish()
  }
  return {
    /** Every offer by id, ended ones included (events may still name them). */
    offer: (offerId: string) => byId.get(offerId),
    /** Offers of a merchant that are not ended. */
    offersOf: (merchantId: string) => byMerchant.get(merchantId) ?? [],
    sitesOf: (offerId: string) => sitesOf.get(offerId) ?? [],
    /** Geofences whose box holds the point; the caller measures the exact distance. */
    near(lat: number, lon: number): OfferSite[] {
      return tree ? tree.search(lon, lat, lon, lat).map((i) => sites[i] as OfferSite) : []
    },
    size: { offers: byId.size, sites: sites.length },
  }
}
export type OfferIndex = ReturnType<typeof buildOfferIndex>

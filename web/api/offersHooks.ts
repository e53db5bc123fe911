import type {
  CreateOfferRequest,
  Offer,
  OfferList,
  OfferPerformance,
  OfferPreview,
  OfferPreviewQuery,
  PatchOfferRequest,
} from '../../server/contract.ts'
import { useApiMutation, useApiQuery } from './useApiQuery.ts'

/**
 * A request as a form sends it: any part may be missing. The API is the one judge of an offer: a missing
 * required value comes back as a 400 naming its field, and a missing value with a default takes the default.
 */
type AsTyped<T> = {
  [K in keyof T]?: NonNullable<T[K]> extends readonly unknown[]
    ? T[K]
    : NonNullable<T[K]> extends object
      ? AsTyped<NonNullable<T[K]>> | Extract<T[K], null>
      : T[K]
}
export type OfferBody = AsTyped<CreateOfferRequest>
export type OfferPatch = AsTyped<PatchOfferRequest>

const offersPath = '/api/v1/offers'
const offerPath = (offerId: string) => `${offersPath}/${encodeURIComponent(offerId)}`

/** Offers of one merchant with their key figures; merchant null waits until one is chosen. */
export const useOffers = (merchantId: string | null) =>
  useApiQuery<OfferList>(merchantId === null ? null : offersPath, { merchantId: merchantId ?? undefined })

export const useOfferPerformance = (offerId: string | null) =>
  useApiQuery<OfferPerformance>(offerId === null ? null : `${offerPath(offerId)}/performance`)

/** The preview params as sent (the wallet's own limit: it shows the best three). */
export type PreviewParams = Omit<OfferPreviewQuery, 'limit' | 'customer'> & { customer: string }

/**
 * What a wallet would get at a point, and why each other offer is left out; null waits until a point is
 * picked. The API counts no impression for a preview, so it may be asked as often as the person clicks.
 */
export const useOfferPreview = (params: PreviewParams | null) =>
  useApiQuery<OfferPreview>(params === null ? null : `${offersPath}/preview`, params ?? {})

// A change to an offer changes the list, its figures and what a wallet would get: everything under /offers.
const invalidates = { invalidates: [offersPath] }

export const useCreateOffer = () =>
  useApiMutation<OfferBody, Offer>(
    (client, body) => client.send<Offer>('POST', offersPath, body),
    invalidates,
  )

export const useUpdateOffer = () =>
  useApiMutation<{ offerId: string; patch: OfferPatch }, Offer>(
    (client, { offerId, patch }) => client.send<Offer>('PATCH', offerPath(offerId), patch),
    invalidates,
  )

/** Ends an offer (DELETE keeps its events; it can no longer change). */
export const useEndOffer = () =>
  useApiMutation<string, Offer>(
    (client, offerId) => client.send<Offer>('DELETE', offerPath(offerId)),
    invalidates,
  )

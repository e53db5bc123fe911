import type {
  CreateSegmentRequest,
  PatchSegmentRequest,
  SalesByProduct,
  Segment,
  SegmentList,
  SegmentPreview,
  SegmentPreviewRequest,
  SegmentProfile,
  SegmentProfileQuery,
  StoreList,
} from '../../server/contract.ts'
import { useApiMutation, useApiPostQuery, useApiQueries, useApiQuery } from './useApiQuery.ts'

const segments = '/api/v1/segments'
const segmentPath = (id: string) => `${segments}/${encodeURIComponent(id)}`

/** The live size of a rule set; the last size stays on screen while the next one loads. null waits. */
export const useSegmentPreview = (request: SegmentPreviewRequest | null) =>
  useApiPostQuery<SegmentPreviewRequest, SegmentPreview>(`${segments}/preview`, request, {
    keepPrevious: true,
  })

export const useSegments = () => useApiQuery<SegmentList>(segments)

export const useSegmentProfile = (id: string | null, query: SegmentProfileQuery) =>
  useApiQuery<SegmentProfile>(id === null ? null : `${segmentPath(id)}/profile`, { ...query })

// Every change to a segment changes the list, its size and its profile: all answers under /segments go stale.
export const useCreateSegment = () =>
  useApiMutation<CreateSegmentRequest, Segment>((client, body) => client.send('POST', segments, body), {
    invalidates: [segments],
  })

export const useUpdateSegment = () =>
  useApiMutation<{ id: string; patch: PatchSegmentRequest }, Segment>(
    (client, { id, patch }) => client.send('PATCH', segmentPath(id), patch),
    { invalidates: [segments] },
  )

export const useDeleteSegment = () =>
  useApiMutation<string, Segment>((client, id) => client.send('DELETE', segmentPath(id)), {
    invalidates: [segments],
  })

const merchantPath = (merchantId: string) => `/api/v1/merchants/${encodeURIComponent(merchantId)}`

/** The stores of each merchant, in the order asked; enabled false waits (until a picker opens). */
export const useStoresOf = (merchantIds: readonly string[], enabled: boolean) =>
  useApiQueries<StoreList>(
    merchantIds.map((id) => ({ path: `${merchantPath(id)}/stores` })),
    enabled,
  )

/** Most products a picker lists per merchant (the API ranks them by revenue). */
const pickerProducts = 1000

/** The products (with their categories) each merchant sold in its last 30 days, for the pickers. */
export const useProductsOf = (merchantIds: readonly string[], enabled: boolean) =>
  useApiQueries<SalesByProduct>(
    merchantIds.map((id) => ({
      path: `${merchantPath(id)}/sales/by-product`,
      params: { limit: pickerProducts },
    })),
    enabled,
  )

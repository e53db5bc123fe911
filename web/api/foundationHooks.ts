import type { Merchant, MerchantList, StoreList } from '../../server/contract.ts'
import { useSignedIn } from './SessionProvider.tsx'
import { useApiQuery } from './useApiQuery.ts'

export const useMerchants = () => useApiQuery<MerchantList>('/api/v1/merchants')

export const useStores = (merchantId: string | null) =>
  useApiQuery<StoreList>(
    merchantId === null ? null : `/api/v1/merchants/${encodeURIComponent(merchantId)}/stores`,
  )

/** The merchant a page is about: the one named in the URL, else the key's own, else the first listed. */
export function useChosenMerchant(chosen: string | null) {
  const { whoami } = useSignedIn()
  const merchants = useMerchants()
  const list = merchants.status === 'success' ? merchants.data.rows : []
  const merchant: Merchant | undefined =
    list.find((m) => m.merchantId === chosen) ??
    list.find((m) => whoami.merchantIds.includes(m.merchantId)) ??
    list[0]
  return { merchants, list, merchant }
}

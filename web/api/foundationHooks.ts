import type { MerchantList, StoreList } from '../../server/contract.ts'
import { useApiQuery } from './useApiQuery.ts'

export const useMerchants = () => useApiQuery<MerchantList>('/api/v1/merchants')

export const useStores = (merchantId: string | null) =>
  useApiQuery<StoreList>(
    merchantId === null ? null : `/api/v1/merchants/${encodeURIComponent(merchantId)}/stores`,
  )

import type { MerchantList } from '../../server/contract.ts'
import { useApiQuery } from './useApiQuery.ts'

export const useMerchants = () => useApiQuery<MerchantList>('/api/v1/merchants')

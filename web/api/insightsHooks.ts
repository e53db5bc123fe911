import type {
  CustomerOrigins,
  InsightsQuery,
  SalesByProduct,
  SalesByTime,
  SalesByWeather,
  Summary,
  TimeGrain,
} from '../../server/contract.ts'
import type { QueryParams } from './apiClient.ts'
import { useApiQuery } from './useApiQuery.ts'

/** The insights filters as sent; merchant null waits until one is chosen. */
export type InsightsParams = Omit<InsightsQuery, 'format' | 'limit' | 'product'> & {
  merchantId: string | null
}

const route = (merchantId: string | null, suffix: string) =>
  merchantId === null ? null : `/api/v1/merchants/${encodeURIComponent(merchantId)}${suffix}`

function queryOf({ merchantId: _merchantId, ...query }: InsightsParams): QueryParams {
  return { ...query }
}

export const useSummary = (p: InsightsParams) =>
  useApiQuery<Summary>(route(p.merchantId, '/summary'), queryOf(p))

/** enabled false waits without asking (when another answer already covers the question). */
export const useSalesByProduct = (p: InsightsParams, limit: number, enabled = true) =>
  useApiQuery<SalesByProduct>(enabled ? route(p.merchantId, '/sales/by-product') : null, {
    ...queryOf(p),
    limit,
  })

export const useSalesByTime = (p: InsightsParams, grain: TimeGrain, split?: 'day_of_week') =>
  useApiQuery<SalesByTime>(route(p.merchantId, '/sales/by-time'), { ...queryOf(p), grain, split })

export const useSalesByWeather = (p: InsightsParams, by: 'condition' | 'temperature') =>
  useApiQuery<SalesByWeather>(route(p.merchantId, '/sales/by-weather'), { ...queryOf(p), by })

export const useCustomerOrigins = (p: InsightsParams) =>
  useApiQuery<CustomerOrigins>(route(p.merchantId, '/customers/origins'), queryOf(p))

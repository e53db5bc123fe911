/**
 * The API contract: zod schemas and inferred types of every request and response. The server parses with
 * these, the OpenAPI document is generated from them, and the dashboard imports its types from here only.
 * One file per audience under contract/; this module is the single entry point.
 */
import { foundationEndpoints } from './contract/foundation.ts'
import { ingestEndpoints } from './contract/ingest.ts'
import { insightsEndpoints } from './contract/insights.ts'
import { segmentsEndpoints } from './contract/segments.ts'
import { offersEndpoints } from './contract/offers.ts'
import { walletEndpoints } from './contract/wallet.ts'
import type { Endpoint } from './contract/foundation.ts'

export * from './contract/foundation.ts'
export * from './contract/ingest.ts'
export * from './contract/insights.ts'
export * from './contract/segments.ts'
export * from './contract/isoCountries.ts'
export * from './contract/isoCurrencies.ts'
export * from './contract/offers.ts'
export * from './contract/wallet.ts'
export * from './contract/csvCell.ts'

export const endpoints: readonly Endpoint[] = [
  ...foundationEndpoints,
  ...ingestEndpoints,
  ...insightsEndpoints,
  ...segmentsEndpoints,
  ...offersEndpoints,
  ...walletEndpoints,
]

import type { IngestKind } from '../../server/contract.ts'
import type { KindSpec } from './kindSpec.ts'
import { fxRatesKind, storesKind, weatherKind } from './referenceKinds.ts'
import { transactionsKind } from './transactionsKind.ts'

export const kinds = {
  transactions: transactionsKind,
  stores: storesKind,
  weather: weatherKind,
  'fx-rates': fxRatesKind,
} as const satisfies Record<IngestKind, KindSpec>

import type { MerchantList } from '../../server/contract.ts'
import type { QueryState } from '../api/useApiQuery.ts'
import { Panel } from './Panel.tsx'

/** A page about a merchant while the merchant list loads, failed, or is empty. */
export function MerchantsPending({ title, query }: { title: string; query: QueryState<MerchantList> }) {
  return (
    <div className="page">
      <h1>{title}</h1>
      <Panel
        title="Merchant"
        query={query}
        empty="No merchant yet. Load stores or transactions on the Data page."
      />
    </div>
  )
}

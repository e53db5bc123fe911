import type { SegmentRules } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { writeSegmentVersion } from '../queries/savedSegments.ts'
import { demoStores } from './demoCatalog.ts'

const storesOf = (merchantId: string, city: string) =>
  demoStores.filter((s) => s.merchantId === merchantId && s.city === city).map((s) => s.storeId)

/** Came often over the year (a restaurant sees its regulars less often than a coffee bar), then stopped. */
const lapsedRegulars = (visits: number): SegmentRules => ({
  visits: { min: visits, days: 365 },
  notSeenForDays: 90,
})
const topSpenders: SegmentRules = { spendRank: { topPercent: 10, days: 365 } }

/** Saved segments the demo starts with: at least one per merchant, and one across two merchants. */
export const demoSegments: readonly { merchantIds: string[]; name: string; rules: SegmentRules }[] = [
  { merchantIds: ['brewline'], name: 'Top 10% spenders', rules: topSpenders },
  { merchantIds: ['brewline'], name: 'Lapsed regulars', rules: lapsedRegulars(6) },
  {
    merchantIds: ['maison-lumiere'],
    name: 'American tourists in Paris',
    rules: { visitor: 'tourist', homeCountries: ['US'], stores: storesOf('maison-lumiere', 'par') },
  },
  {
    merchantIds: ['maison-lumiere'],
    name: 'Spent over €300 in 90 days',
    rules: { spend: { min: 300, currency: 'EUR', days: 90 } },
  },
  {
    merchantIds: ['harbour-metro'],
    name: 'Chinese tourists in Hong Kong',
    rules: { visitor: 'tourist', homeCountries: ['CN'] },
  },
  { merchantIds: ['jade-garden'], name: 'Lapsed regulars', rules: lapsedRegulars(4) },
  {
    merchantIds: ['jade-garden'],
    name: 'Chinese tourists in Hong Kong',
    rules: { visitor: 'tourist', homeCountries: ['CN'], stores: storesOf('jade-garden', 'hkg') },
  },
  {
    merchantIds: ['harbour-metro', 'jade-garden'],
    name: 'Mainland visitors paying by QR wallet',
    rules: { visitor: 'tourist', homeCountries: ['CN'], wallets: ['alipay', 'wechat_pay'] },
  },
]

/** Saves the demo segments; their members are computed by the membership refresh at start. */
export async function seedDemoSegments(db: Db): Promise<void> {
  for (const segment of demoSegments) await writeSegmentVersion(db, segment)
}

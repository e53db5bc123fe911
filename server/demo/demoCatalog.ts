/**
 * The fixed world the demo data set is generated from: cities (with their weather station and climate),
 * merchants, stores, products and the demand shapes of each kind of business.
 *
 * The demo year is fixed so the data never depends on the wall clock: local dates 2025-11-01..2026-10-31
 * in every store's own time zone. It spans both DST changes in New York and Paris.
 */
export const demoPeriod = { firstDay: '2025-11-01', days: 365, lastDay: '2026-10-31' } as const

/** Weather is generated for every UTC hour of this window, which covers the local year in every zone. */
export const demoWeatherWindow = { firstHour: '2025-10-31 00:00:00', hours: 367 * 24 } as const

/**
 * FX rates are generated for every UTC date of this window: a sale converts at the rate of its UTC date,
 * and the local year's first evening in Hong Kong is still 31 October in UTC.
 */
export const demoFxWindow = { firstDay: '2025-10-31', days: 367 } as const

export const demoBatchId = 'demo'

export type CityId = 'nyc' | 'hkg' | 'par'
export type BusinessKind = 'coffee' | 'department' | 'transit' | 'restaurant'

export interface DemoCity {
  id: CityId
  name: string
  timezone: string
  country: string
  currency: string
  station: { id: string; lat: number; lon: number }
  /** Standard-time offset from UTC in hours; used only for the daily temperature cycle. */
  utcOffset: number
  climate: {
    meanC: number
    /** Half the summer-winter swing of the daily mean, in degrees C. */
    seasonalAmplitudeC: number
    /** Day of the year of the warmest days. */
    warmestDay: number
    dailyAmplitudeC: number
    /** Per month (Jan..Dec): share of 6-hour blocks that are wet. */
    wetBlocks: readonly number[]
    /** Per month (Jan..Dec): typical precipitation of a wet hour, in mm. */
    wetHourMm: readonly number[]
  }
  /** Of the customers a store knows, the share who are tourists. */
  touristShare: number
  /** Home countries of the city's tourists with relative weights. */
  touristOrigins: Readonly<Record<string, number>>
}

export const demoCities: readonly DemoCity[] = [
  {
    id: 'nyc',
    name: 'New York',
    timezone: 'America/New_York',
    country: 'US',
    currency: 'USD',
    station: { id: 'demo-nyc', lat: 40.7812, lon: -73.9665 },
    utcOffset: -5,
    climate: {
      meanC: 13,
      seasonalAmplitudeC: 12.5,
      warmestDay: 202,
      dailyAmplitudeC: 4,
      wetBlocks: [0.15, 0.14, 0.15, 0.15, 0.15, 0.13, 0.12, 0.12, 0.11, 0.12, 0.13, 0.15],
      wetHourMm: [1.1, 1.1, 1.2, 1.2, 1.3, 1.8, 2.2, 2.2, 1.8, 1.4, 1.2, 1.1],
    },
    touristShare: 0.2,
    touristOrigins: { GB: 20, CN: 15, FR: 12, DE: 12, JP: 10, KR: 8, AU: 8, BR: 3, NZ: 0.4, IS: 0.08 },
  },
  {
    id: 'hkg',
    name: 'Hong Kong',
    timezone: 'Asia/Hong_Kong',
    country: 'HK',
    currency: 'HKD',
    station: { id: 'demo-hkg', lat: 22.3022, lon: 114.1742 },
    utcOffset: 8,
    climate: {
      meanC: 23.5,
      seasonalAmplitudeC: 6.5,
      warmestDay: 205,
      dailyAmplitudeC: 2.5,
      wetBlocks: [0.06, 0.08, 0.1, 0.14, 0.2, 0.26, 0.24, 0.25, 0.2, 0.1, 0.06, 0.05],
      wetHourMm: [0.8, 1, 1.2, 2, 3.5, 4.5, 4, 4.5, 4, 2, 1.2, 0.8],
    },
    touristShare: 0.35,
    touristOrigins: { CN: 60, US: 8, JP: 7, KR: 7, GB: 5, AU: 5, SG: 4, FR: 2, DE: 1, NZ: 0.1, IS: 0.02 },
  },
  {
    id: 'par',
    name: 'Paris',
    timezone: 'Europe/Paris',
    country: 'FR',
    currency: 'EUR',
    station: { id: 'demo-par', lat: 48.8216, lon: 2.3378 },
    utcOffset: 1,
    climate: {
      meanC: 12.5,
      seasonalAmplitudeC: 8,
      warmestDay: 200,
      dailyAmplitudeC: 4.5,
      wetBlocks: [0.17, 0.15, 0.15, 0.14, 0.15, 0.12, 0.1, 0.1, 0.11, 0.14, 0.16, 0.17],
      wetHourMm: [0.8, 0.8, 0.8, 0.9, 1.1, 1.4, 1.5, 1.4, 1.1, 1, 0.9, 0.9],
    },
    touristShare: 0.3,
    touristOrigins: { US: 24, CN: 14, GB: 14, DE: 12, JP: 9, KR: 6, AU: 5, IT: 5, BR: 2, NZ: 0.3, IS: 0.06 },
  },
]

export function demoCity(id: CityId): DemoCity {
  const city = demoCities.find((c) => c.id === id)
  if (!city) throw new Error(`unknown demo city ${id}`)
  return city
}

export interface DemoMerchant {
  id: string
  name: string
  kind: BusinessKind
  currency: string
  timezone: string
}

export const demoMerchants: readonly DemoMerchant[] = [
  { id: 'brewline', name: 'Brewline Coffee', kind: 'coffee', currency: 'USD', timezone: 'America/New_York' },
  {
    id: 'maison-lumiere',
    name: 'Maison Lumière',
    kind: 'department',
    currency: 'EUR',
    timezone: 'Europe/Paris',
  },
  {
    id: 'harbour-metro',
    name: 'Harbour Metro',
    kind: 'transit',
    currency: 'HKD',
    timezone: 'Asia/Hong_Kong',
  },
  {
    id: 'jade-garden',
    name: 'Jade Garden Restaurants',
    kind: 'restaurant',
    currency: 'HKD',
    timezone: 'Asia/Hong_Kong',
  },
]

export interface DemoStore {
  merchantId: string
  storeId: string
  name: string
  city: CityId
  lat: number
  lon: number
  /** Relative share of the city's baskets. */
  weight: number
  /** Opening hours in local minutes after midnight, [opens, closes). All stores close by midnight and open
   * after 05:00, so no sale falls in a DST gap or overlap. */
  opens: number
  closes: number
}

const hm = (h: number, m = 0) => h * 60 + m

export const demoStores: readonly DemoStore[] = [
  // prettier-ignore
  ...([
    ['brewline', 'nyc-bryant-park', 'Brewline Bryant Park', 'nyc', 40.7536, -73.9832, 5, hm(6, 30), hm(20)],
    ['brewline', 'nyc-soho', 'Brewline SoHo', 'nyc', 40.7233, -74.003, 4, hm(7), hm(20)],
    ['brewline', 'nyc-wall-st', 'Brewline Wall Street', 'nyc', 40.706, -74.0088, 4, hm(6), hm(19)],
    ['brewline', 'hkg-central', 'Brewline Central', 'hkg', 22.282, 114.1588, 4, hm(7), hm(21)],
    ['brewline', 'hkg-tsim-sha-tsui', 'Brewline Tsim Sha Tsui', 'hkg', 22.2976, 114.1722, 4, hm(7, 30), hm(22)],
    ['brewline', 'par-opera', 'Brewline Opéra', 'par', 48.872, 2.3316, 4, hm(7), hm(20)],
    ['brewline', 'par-marais', 'Brewline Marais', 'par', 48.859, 2.362, 3, hm(7, 30), hm(19, 30)],
    ['maison-lumiere', 'par-haussmann', 'Maison Lumière Haussmann', 'par', 48.8738, 2.332, 6, hm(10), hm(20, 30)],
    ['maison-lumiere', 'par-rive-gauche', 'Maison Lumière Rive Gauche', 'par', 48.851, 2.324, 3, hm(10), hm(19, 30)],
    ['maison-lumiere', 'hkg-causeway-bay', 'Maison Lumière Causeway Bay', 'hkg', 22.28, 114.184, 4, hm(10, 30), hm(22)],
    ['maison-lumiere', 'nyc-fifth-ave', 'Maison Lumière Fifth Avenue', 'nyc', 40.759, -73.976, 4, hm(10), hm(21)],
    ['harbour-metro', 'hkg-central-stn', 'Central Station', 'hkg', 22.2819, 114.1581, 6, hm(5, 30), hm(24)],
    ['harbour-metro', 'hkg-admiralty-stn', 'Admiralty Station', 'hkg', 22.2792, 114.165, 5, hm(5, 30), hm(24)],
    ['harbour-metro', 'hkg-tsim-sha-tsui-stn', 'Tsim Sha Tsui Station', 'hkg', 22.2975, 114.1722, 5, hm(5, 30), hm(24)],
    ['harbour-metro', 'hkg-mong-kok-stn', 'Mong Kok Station', 'hkg', 22.3193, 114.1694, 5, hm(5, 30), hm(24)],
    ['jade-garden', 'hkg-wan-chai', 'Jade Garden Wan Chai', 'hkg', 22.2773, 114.175, 5, hm(11), hm(23)],
    ['jade-garden', 'hkg-mong-kok', 'Jade Garden Mong Kok', 'hkg', 22.318, 114.17, 4, hm(11), hm(23)],
    ['jade-garden', 'nyc-chinatown', 'Jade Garden Chinatown', 'nyc', 40.7158, -73.997, 4, hm(11), hm(23)],
    ['jade-garden', 'par-belleville', 'Jade Garden Belleville', 'par', 48.872, 2.377, 3, hm(11, 30), hm(23)],
  ] as const).map(([merchantId, storeId, name, city, lat, lon, weight, opens, closes]) => ({
    merchantId, storeId, name, city, lat, lon, weight, opens, closes,
  })),
]

export interface DemoProduct {
  merchantId: string
  productId: string
  name: string
  category: string
  productType: string
  /** Relative share of the merchant's lines. */
  weight: number
  /** Unit price per currency the merchant sells in, as exact decimal strings. */
  prices: Readonly<Record<string, string>>
}

type ProductRow = readonly [string, string, string, string, number, Readonly<Record<string, string>>]

const products = (merchantId: string, rows: readonly ProductRow[]): DemoProduct[] =>
  rows.map(([productId, name, category, productType, weight, prices]) => ({
    merchantId,
    productId,
    name,
    category,
    productType,
    weight,
    prices,
  }))

const p = (USD: string, HKD: string, EUR: string) => ({ USD, HKD, EUR })

export const demoProducts: readonly DemoProduct[] = [
  // prettier-ignore
  ...products('brewline', [
    ['latte', 'Caffè Latte', 'espresso drinks', 'beverage', 10, p('5.25', '42.00', '4.60')],
    ['cappuccino', 'Cappuccino', 'espresso drinks', 'beverage', 8, p('4.95', '40.00', '4.30')],
    ['flat-white', 'Flat White', 'espresso drinks', 'beverage', 6, p('5.15', '42.00', '4.50')],
    ['americano', 'Americano', 'espresso drinks', 'beverage', 7, p('3.95', '34.00', '3.40')],
    ['espresso', 'Espresso', 'espresso drinks', 'beverage', 4, p('3.25', '28.00', '2.50')],
    ['drip-coffee', 'Drip Coffee', 'brewed coffee', 'beverage', 7, p('2.95', '26.00', '2.80')],
    ['cold-brew', 'Cold Brew', 'brewed coffee', 'beverage', 5, p('4.75', '38.00', '4.20')],
    ['matcha-latte', 'Matcha Latte', 'tea', 'beverage', 4, p('5.45', '45.00', '4.90')],
    ['earl-grey', 'Earl Grey Tea', 'tea', 'beverage', 3, p('3.25', '30.00', '3.20')],
    ['croissant', 'Butter Croissant', 'bakery', 'food', 6, p('3.75', '22.00', '1.80')],
    ['blueberry-muffin', 'Blueberry Muffin', 'bakery', 'food', 4, p('3.95', '26.00', '3.20')],
    ['egg-sandwich', 'Egg Sandwich', 'food', 'food', 4, p('6.95', '48.00', '6.50')],
    ['beans-250g', 'House Blend Beans 250 g', 'merchandise', 'retail', 1, p('16.00', '128.00', '13.50')],
  ]),
  // prettier-ignore
  ...products('maison-lumiere', [
    ['wool-coat', 'Wool Coat', 'apparel', 'fashion', 1, p('289.00', '2290.00', '259.00')],
    ['cotton-tshirt', 'Cotton T-shirt', 'apparel', 'fashion', 6, p('29.00', '229.00', '25.00')],
    ['denim-jeans', 'Denim Jeans', 'apparel', 'fashion', 4, p('89.00', '699.00', '79.00')],
    ['sneakers', 'Leather Sneakers', 'apparel', 'fashion', 3, p('120.00', '950.00', '110.00')],
    ['silk-scarf', 'Silk Scarf', 'accessories', 'fashion', 3, p('129.00', '990.00', '115.00')],
    ['leather-handbag', 'Leather Handbag', 'accessories', 'fashion', 1, p('450.00', '3590.00', '420.00')],
    ['umbrella', 'Folding Umbrella', 'accessories', 'fashion', 2, p('25.00', '199.00', '22.00')],
    ['lipstick', 'Lipstick', 'beauty', 'beauty', 6, p('38.00', '290.00', '36.00')],
    ['perfume-50ml', 'Eau de Parfum 50 ml', 'beauty', 'beauty', 4, p('135.00', '1050.00', '118.00')],
    ['skincare-serum', 'Skincare Serum', 'beauty', 'beauty', 4, p('85.00', '680.00', '79.00')],
    ['wireless-earbuds', 'Wireless Earbuds', 'electronics', 'electronics', 2, p('179.00', '1399.00', '179.00')],
    ['phone-charger', 'Phone Charger', 'electronics', 'electronics', 3, p('29.00', '229.00', '29.00')],
    ['scented-candle', 'Scented Candle', 'home', 'home', 4, p('45.00', '350.00', '39.00')],
  ]),
  // prettier-ignore
  ...products('harbour-metro', [
    ['single-fare', 'Single Journey', 'fares', 'fare', 12, { HKD: '12.50' }],
    ['airport-express', 'Airport Express', 'fares', 'fare', 2, { HKD: '115.00' }],
    ['day-pass', 'Tourist Day Pass', 'passes', 'pass', 2, { HKD: '65.00' }],
    ['monthly-pass', 'Monthly Pass', 'passes', 'pass', 1, { HKD: '500.00' }],
    ['top-up-100', 'Stored Value Top-up 100', 'top-up', 'top-up', 3, { HKD: '100.00' }],
    ['top-up-200', 'Stored Value Top-up 200', 'top-up', 'top-up', 1, { HKD: '200.00' }],
  ]),
  // prettier-ignore
  ...products('jade-garden', [
    ['har-gow', 'Har Gow', 'dim sum', 'food', 6, p('7.50', '48.00', '7.00')],
    ['siu-mai', 'Siu Mai', 'dim sum', 'food', 6, p('7.00', '45.00', '6.50')],
    ['char-siu-bao', 'Char Siu Bao', 'dim sum', 'food', 5, p('6.50', '38.00', '6.00')],
    ['wonton-noodles', 'Wonton Noodles', 'noodles', 'food', 5, p('13.50', '62.00', '13.00')],
    ['roast-goose-rice', 'Roast Goose Rice', 'mains', 'food', 3, p('19.00', '98.00', '18.50')],
    ['fried-rice', 'Yangzhou Fried Rice', 'mains', 'food', 4, p('15.00', '78.00', '14.00')],
    ['peking-duck', 'Peking Duck', 'mains', 'food', 1, p('58.00', '388.00', '55.00')],
    ['milk-tea', 'Milk Tea', 'drinks', 'beverage', 5, p('4.50', '28.00', '4.00')],
    ['jasmine-tea', 'Jasmine Tea (pot)', 'drinks', 'beverage', 5, p('3.00', '18.00', '3.00')],
    ['tsingtao', 'Tsingtao Beer', 'drinks', 'beverage', 3, p('7.00', '45.00', '6.50')],
    ['mango-pudding', 'Mango Pudding', 'desserts', 'food', 3, p('6.00', '38.00', '6.00')],
  ]),
]

export interface DemandProfile {
  /** Relative demand per local hour 0..23 on weekdays and at weekends. */
  weekdayHours: readonly number[]
  weekendHours: readonly number[]
  /** Monday..Sunday. */
  weekdays: readonly number[]
  /** January..December. */
  months: readonly number[]
  /** Demand in dry, rain and snow hours. */
  weather: readonly [number, number, number]
  /** Cumulative probability of a basket having 1, 2, 3, 4 lines. */
  basketLines: readonly [number, number, number, number]
  /** Cumulative probability of a line's quantity being 1, 2, 3. */
  quantities: readonly [number, number, number]
  /** Share of baskets with no known customer. */
  anonymous: number
  /** Share of lines uploaded later from an offline device. */
  offline: number
}

// prettier-ignore
export const demandProfiles: Readonly<Record<BusinessKind, DemandProfile>> = {
  coffee: {
    weekdayHours: [0, 0, 0, 0, 0, 0, 0.35, 0.85, 1, 0.8, 0.55, 0.45, 0.5, 0.45, 0.4, 0.4, 0.35, 0.25, 0.15, 0.1, 0.06, 0.04, 0, 0],
    weekendHours: [0, 0, 0, 0, 0, 0, 0.1, 0.3, 0.55, 0.75, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.3, 0.2, 0.12, 0.06, 0.04, 0, 0],
    weekdays: [1, 1, 1, 1, 0.95, 0.75, 0.65],
    months: [1.05, 1, 1, 0.95, 0.95, 0.9, 0.85, 0.85, 0.95, 1, 1.05, 1.1],
    weather: [1, 1.15, 1.2],
    basketLines: [0.55, 0.85, 0.97, 1],
    quantities: [0.86, 0.98, 1],
    anonymous: 0.3,
    offline: 0.003,
  },
  department: {
    weekdayHours: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.45, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1, 0.9, 0.6, 0.35, 0.1, 0],
    weekendHours: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.45, 0.65, 0.8, 0.9, 1, 1, 0.95, 0.9, 0.8, 0.6, 0.4, 0.25, 0.1, 0],
    weekdays: [0.7, 0.7, 0.75, 0.8, 0.95, 1, 0.85],
    months: [0.95, 0.7, 0.8, 0.85, 0.85, 0.85, 0.9, 0.85, 0.85, 0.9, 1.1, 1.4],
    weather: [1, 0.75, 0.65],
    basketLines: [0.45, 0.75, 0.92, 1],
    quantities: [0.92, 1, 1],
    anonymous: 0.15,
    offline: 0.002,
  },
  transit: {
    weekdayHours: [0, 0, 0, 0, 0, 0.15, 0.4, 0.85, 1, 0.65, 0.35, 0.3, 0.35, 0.33, 0.3, 0.35, 0.5, 0.9, 1, 0.6, 0.4, 0.35, 0.3, 0.2],
    weekendHours: [0, 0, 0, 0, 0, 0.08, 0.15, 0.25, 0.35, 0.45, 0.5, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.5, 0.5, 0.45, 0.4, 0.35, 0.3, 0.2],
    weekdays: [1, 1, 1, 1, 1, 0.75, 0.65],
    months: [0.95, 0.9, 1, 1, 1, 0.95, 0.9, 0.88, 1, 1, 1, 0.95],
    weather: [1, 1.12, 1.2],
    basketLines: [0.92, 1, 1, 1],
    quantities: [0.9, 1, 1],
    anonymous: 0.2,
    offline: 0.01,
  },
  restaurant: {
    weekdayHours: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.4, 1, 0.9, 0.4, 0.2, 0.2, 0.35, 0.8, 1, 0.85, 0.5, 0.3, 0],
    weekendHours: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.6, 1, 1, 0.7, 0.4, 0.35, 0.45, 0.85, 1, 0.9, 0.6, 0.35, 0],
    weekdays: [0.7, 0.7, 0.75, 0.8, 1, 1, 0.95],
    months: [1, 1.15, 0.9, 0.9, 0.9, 0.9, 0.95, 0.95, 0.9, 0.95, 1, 1.15],
    weather: [1, 0.9, 0.85],
    basketLines: [0.15, 0.45, 0.75, 1],
    quantities: [0.8, 0.96, 1],
    anonymous: 0.3,
    offline: 0.003,
  },
}

export const businessKinds = [
  'coffee',
  'department',
  'transit',
  'restaurant',
] as const satisfies readonly BusinessKind[]

export interface DemoCurrency {
  code: string
  /** US dollars per unit at the start of the demo year. */
  usd: number
  /** Amplitude of the slow yearly swing and of the monthly wobble (relative), and of day-to-day noise. */
  yearly: number
  monthly: number
  daily: number
}

/** The Hong Kong dollar is pegged, so it barely moves against the US dollar. */
export const demoCurrencies: readonly DemoCurrency[] = [
  { code: 'USD', usd: 1, yearly: 0, monthly: 0, daily: 0 },
  { code: 'EUR', usd: 1.16, yearly: 0.025, monthly: 0.008, daily: 0.003 },
  { code: 'GBP', usd: 1.33, yearly: 0.02, monthly: 0.008, daily: 0.003 },
  { code: 'HKD', usd: 1 / 7.78, yearly: 0.001, monthly: 0.0005, daily: 0.0002 },
  { code: 'CNY', usd: 1 / 7.12, yearly: 0.012, monthly: 0.004, daily: 0.0015 },
  { code: 'JPY', usd: 1 / 152, yearly: 0.035, monthly: 0.01, daily: 0.004 },
  { code: 'KRW', usd: 1 / 1400, yearly: 0.03, monthly: 0.01, daily: 0.004 },
  { code: 'AUD', usd: 0.655, yearly: 0.03, monthly: 0.01, daily: 0.004 },
]

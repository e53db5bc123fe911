/** Locale-aware formatting of the dashboard's numbers; the locale is the browser's. */
export interface NumberFormat {
  money(value: number | null | undefined): string
  /** Money without cents for axes and large figures. */
  moneyShort(value: number | null | undefined): string
  number(value: number | null | undefined, digits?: number): string
  percent(value: number | null | undefined, digits?: number): string
  /** A relative change as +12.3% / −4.0%. */
  change(value: number | null | undefined): string
  currency: string
}

const dash = '–'

export function createNumberFormat(currency: string, locale?: string): NumberFormat {
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency })
  const moneyShort = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  })
  const numbers = new Map<number, Intl.NumberFormat>()
  const numberWith = (digits: number) => {
    let format = numbers.get(digits)
    if (!format) {
      format = new Intl.NumberFormat(locale, { maximumFractionDigits: digits })
      numbers.set(digits, format)
    }
    return format
  }
  const percentWith = (digits: number) =>
    new Intl.NumberFormat(locale, {
      style: 'percent',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    })
  const change = new Intl.NumberFormat(locale, {
    style: 'percent',
    signDisplay: 'exceptZero',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  })
  const ok = (value: number | null | undefined): value is number =>
    typeof value === 'number' && Number.isFinite(value)
  return {
    currency,
    money: (value) => (ok(value) ? money.format(value) : dash),
    moneyShort: (value) => (ok(value) ? moneyShort.format(value) : dash),
    number: (value, digits = 0) => (ok(value) ? numberWith(digits).format(value) : dash),
    percent: (value, digits = 1) => (ok(value) ? percentWith(digits).format(value) : dash),
    change: (value) => (ok(value) ? change.format(value) : dash),
  }
}

const instantFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** An instant (ISO 8601 with its offset) as a date and time in the viewer's own time zone. */
export function formatInstant(value: string): string {
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : instantFormat.format(date)
}

/** A local date (YYYY-MM-DD) shown in the browser's locale, without shifting it through a time zone. */
export function formatLocalDate(
  date: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' },
): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number)
  if (!y || !m || !d) return date
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d))
}

import type { Offer } from '../../../server/contract.ts'
import { formatLocalDate } from '../../components/numberFormat.ts'
import { weekdayNames } from '../../components/weekdayNames.ts'

const weekdayName = (day: number) => weekdayNames[day - 1] ?? String(day)

/** "10% off" or "$2.50 off"; an amount without a currency is in the merchant's. */
export function valueText(value: Offer['value'], merchantCurrency: string, locale?: string): string {
  if (value.kind === 'percent') return `${new Intl.NumberFormat(locale).format(value.amount)}% off`
  const money = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: value.currency ?? merchantCurrency,
  })
  return `${money.format(value.amount)} off`
}

/** Runs of consecutive days read as ranges: [1,2,3,4,5] is "Mon–Fri", [1,3,6,7] is "Mon, Wed, Sat–Sun". */
function daysText(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b)
  const runs: number[][] = []
  for (const day of sorted) {
    const run = runs.at(-1)
    if (run && run.at(-1) === day - 1) run.push(day)
    else runs.push([day])
  }
  return runs
    .map((run) =>
      run.length >= 3
        ? `${weekdayName(run[0] ?? 1)}–${weekdayName(run.at(-1) ?? 7)}`
        : run.map(weekdayName).join(', '),
    )
    .join(', ')
}

/** ["Nov 1 – Nov 30, 2026", "Mon–Fri", "07:00–11:00"]: the dates, then days and hours when limited. */
export function scheduleParts(schedule: Offer['schedule']): string[] {
  const sameYear = schedule.from.slice(0, 4) === schedule.to.slice(0, 4)
  const from = formatLocalDate(schedule.from, sameYear ? { month: 'short', day: 'numeric' } : undefined)
  const parts = [`${from} – ${formatLocalDate(schedule.to)}`]
  if (schedule.days && schedule.days.length < 7) parts.push(daysText(schedule.days))
  if (schedule.hours) parts.push(`${schedule.hours.from}–${schedule.hours.to}`)
  return parts
}

export const scheduleText = (schedule: Offer['schedule']) => scheduleParts(schedule).join(' · ')

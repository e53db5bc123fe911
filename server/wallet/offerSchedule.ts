import type { Offer } from '../contract.ts'
import { addDays, localTime, localToInstant } from './storeClock.ts'

export type ScheduleCheck =
  { open: true; until: number; localDate: string } | { open: false; why: string; localDate: string }

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))

/**
 * Whether the offer's schedule is open at instant `at` in a store's zone, and until when. The date range
 * and weekdays are judged on the local date of the moment; hours are [from, to) on the local clock, and a
 * window whose `to` is earlier than its `from` runs past midnight (22:00-02:00 is open at 01:00). `until`
 * is the end of the current window, capped at the end of the schedule's last day.
 */
export function checkSchedule(schedule: Offer['schedule'], timezone: string, at: number): ScheduleCheck {
  const local = localTime(timezone, at)
  const localDate = local.date
  if (local.date < schedule.from) return { open: false, why: `starts ${schedule.from}`, localDate }
  if (local.date > schedule.to) return { open: false, why: `ended ${schedule.to}`, localDate }
  if (schedule.days && !schedule.days.includes(local.weekday))
    return { open: false, why: `not on weekday ${local.weekday}`, localDate }
  const scheduleEnd = localToInstant(timezone, addDays(schedule.to, 1), 0)
  let until = schedule.days ? localToInstant(timezone, addDays(local.date, 1), 0) : scheduleEnd
  if (schedule.hours) {
    const from = minutesOf(schedule.hours.from)
    const to = minutesOf(schedule.hours.to)
    const wraps = to < from
    const inside = wraps
      ? local.minute >= from || local.minute < to
      : local.minute >= from && local.minute < to
    if (!inside)
      return { open: false, why: `outside ${schedule.hours.from}-${schedule.hours.to} local`, localDate }
    const closesOn = wraps && local.minute >= from ? addDays(local.date, 1) : local.date
    until = localToInstant(timezone, closesOn, to)
  }
  return { open: true, until: Math.min(until, scheduleEnd), localDate }
}

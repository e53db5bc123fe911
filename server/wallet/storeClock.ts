/**
 * Wall-clock time in a store's IANA zone, through Intl (so DST and historical offsets are the platform's,
 * not ours). Formatters are cached per zone and the parts of the current minute per zone, because the wallet
 * asks the same few zones the same question many times a second.
 */
export interface LocalTime {
  /** Local calendar date, YYYY-MM-DD. */
  date: string
  /** ISO weekday of the local date, 1 = Monday .. 7 = Sunday. */
  weekday: number
  /** Minutes since local midnight, 0..1439. */
  minute: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const lastMinute = new Map<string, { minuteMs: number; local: LocalTime }>()

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
    formatters.set(timezone, f)
  }
  return f
}

function wallClock(
  timezone: string,
  ms: number,
): { y: number; mo: number; d: number; h: number; mi: number } {
  const parts: Record<string, number> = {}
  for (const p of formatter(timezone).formatToParts(ms))
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return {
    y: parts.year ?? 0,
    mo: parts.month ?? 1,
    d: parts.day ?? 1,
    h: parts.hour ?? 0,
    mi: parts.minute ?? 0,
  }
}

/** The local date, ISO weekday and minute of day of instant `ms` in `timezone`. */
export function localTime(timezone: string, ms: number): LocalTime {
  const minuteMs = Math.floor(ms / 60_000) * 60_000
  const hit = lastMinute.get(timezone)
  if (hit?.minuteMs === minuteMs) return hit.local
  const c = wallClock(timezone, minuteMs)
  const dayNumber = Date.UTC(c.y, c.mo - 1, c.d) / 86_400_000
  const local = {
    date: `${String(c.y).padStart(4, '0')}-${String(c.mo).padStart(2, '0')}-${String(c.d).padStart(2, '0')}`,
    // 1970-01-01 was a Thursday (ISO 4).
    weekday: ((((dayNumber + 3) % 7) + 7) % 7) + 1,
    minute: c.h * 60 + c.mi,
  }
  lastMinute.set(timezone, { minuteMs, local })
  return local
}

/** Offset of the zone from UTC at instant ms, in ms (e.g. +3,600,000 for Paris in winter). */
export function offsetAt(timezone: string, ms: number): number {
  const minuteMs = Math.floor(ms / 60_000) * 60_000
  const c = wallClock(timezone, minuteMs)
  return Date.UTC(c.y, c.mo - 1, c.d, c.h, c.mi) - minuteMs
}

/**
 * The instant the local wall clock in `timezone` reads `date` + `minute` minutes (minute may be 1440, the next
 * midnight). A wall time skipped by a DST jump maps to the instant just after the jump; one repeated by the
 * fall-back maps to its first occurrence.
 */
export function localToInstant(timezone: string, date: string, minute: number): number {
  const key = `${timezone} ${date} ${minute}`
  const hit = instants.get(key)
  if (hit !== undefined) return hit
  if (instants.size > 50_000) instants.clear()
  const instant = computeInstant(timezone, date, minute)
  instants.set(key, instant)
  return instant
}

/** Wall times asked again and again (every schedule's closing time today): computed once each. */
const instants = new Map<string, number>()

function computeInstant(timezone: string, date: string, minute: number): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number]
  const naive = Date.UTC(y, mo - 1, d) + minute * 60_000
  // Offsets a day either side cover any transition near the wall time (zones change at most once a day).
  const before = offsetAt(timezone, naive - 86_400_000)
  const after = offsetAt(timezone, naive + 86_400_000)
  const readsBack = [naive - before, naive - after].filter((t) => t + offsetAt(timezone, t) === naive)
  if (readsBack.length) return Math.min(...readsBack)
  // Skipped by a jump forward: the first minute that already has the new offset.
  let t = Math.min(naive - before, naive - after)
  while (offsetAt(timezone, t) !== after && t < naive) t += 60_000
  return t
}

/** date plus n days, YYYY-MM-DD (memoised: schedules ask for the same few days on every call). */
export function addDays(date: string, n: number): string {
  const key = `${date}+${n}`
  const hit = shiftedDays.get(key)
  if (hit !== undefined) return hit
  if (shiftedDays.size > 50_000) shiftedDays.clear()
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number]
  const shifted = new Date(Date.UTC(y, mo - 1, d + n)).toISOString().slice(0, 10)
  shiftedDays.set(key, shifted)
  return shifted
}

const shiftedDays = new Map<string, string>()

/** Wall-clock time as a datetime-local input holds it: YYYY-MM-DDTHH:MM. */
export type LocalDateTime = string

const partsFormat = (timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  })

/** The wall-clock time of an instant in a time zone. */
export function localDateTimeOf(instant: Date, timeZone: string): LocalDateTime {
  const parts = Object.fromEntries(
    partsFormat(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`
}

const wallClockMs = (local: LocalDateTime) => Date.parse(`${local}:00Z`)

/**
 * The instant (ISO, UTC) at which the clocks of a time zone show `local`. A time skipped by a DST change
 * moves forward by the gap (02:30 on a spring-forward night is 03:30); a repeated time takes its first
 * occurrence. Null when `local` is not a date-time.
 */
export function instantOf(local: LocalDateTime, timeZone: string): string | null {
  const wanted = wallClockMs(local)
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) || Number.isNaN(wanted)) return null
  const offsetAt = (ms: number) => wallClockMs(localDateTimeOf(new Date(ms), timeZone)) - ms
  // The offset an hour or more either side settles both sides of a change; the earlier reading wins ties.
  const candidates = [offsetAt(wanted - 86_400_000), offsetAt(wanted + 86_400_000)].map((o) => wanted - o)
  const exact = candidates.filter((ms) => wallClockMs(localDateTimeOf(new Date(ms), timeZone)) === wanted)
  const chosen = exact.length > 0 ? Math.min(...exact) : Math.max(...candidates)
  return new Date(chosen).toISOString()
}

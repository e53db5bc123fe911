/**
 * SQL for the UTC offset, in seconds, of a time zone at an instant: `instant` is a DateTime or DateTime64
 * expression, `zone` a constant (a bound parameter such as `{tz:String}`; the engine takes zones only as
 * constants).
 *
 * Not the engine's `timeZoneOffset` alone: in the zones that skipped a day to cross the date line it is a
 * whole day off (Pacific/Kiritimati -10 h instead of +14 h; also Pacific/Apia, Pacific/Fakaofo,
 * Pacific/Kanton, Pacific/Enderbury and Kwajalein), while the engine's dates in those zones are right. So
 * the date the offset gives is compared with the zone's own date and the difference added in whole days.
 * Checked against the zone's wall clock as the engine prints it, for every zone the engine knows and every
 * 150 minutes of 1990-2025 (75.5 million instants): one differs, Antarctica/Casey at 4 March 2010 14:30 UTC
 * (docs/ingestion.md, "Time zones").
 */
export function zoneOffsetSql(instant: string, zone: string): string {
  const dayless = `timeZoneOffset(toTimeZone(${instant}, ${zone}))`
  return `(${dayless} + 86400 * (toDate(${instant}, ${zone}) - toDate(addSeconds(${instant}, ${dayless}), 'UTC')))`
}

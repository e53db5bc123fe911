/** ISO weekdays 1 = Monday .. 7 = Sunday, short names in the browser's language (2024-01-01 was a Monday). */
export const weekdayNames = Array.from({ length: 7 }, (_, i) =>
  new Intl.DateTimeFormat(undefined, { weekday: 'short', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + i)),
)

/** Hours of the day as 00h .. 23h. */
export const hourLabels = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}h`)

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(undefined, { type: 'region' })
  } catch {
    return null
  }
})()

/** A country's name in the browser's language from its ISO 3166-1 alpha-2 code; the code when unknown. */
export function countryName(code: string): string {
  if (!code || code === 'unknown') return 'Unknown'
  try {
    return regionNames?.of(code) ?? code
  } catch {
    return code
  }
}

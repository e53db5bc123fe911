const commonCurrencies = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY', 'CAD', 'AUD']

/** Currencies a picker offers: the merchants' own first, then the one chosen, then the common ones. */
export function currencyChoices(own: readonly (string | null | undefined)[]): string[] {
  return [...new Set([...own, ...commonCurrencies].filter((code): code is string => Boolean(code)))]
}

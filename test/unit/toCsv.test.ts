import { describe, expect, it } from 'vitest'
import { toCsv } from '../../server/routes/toCsv.ts'

describe('toCsv (API answers as CSV)', () => {
  it('writes the header, quotes where needed, and defuses formulas in merchant-supplied text', () => {
    const rows = [
      { product: '=HYPERLINK("x")', revenue: -3.5, note: null },
      { product: 'Latte, large', revenue: 4, note: '-dash' },
      { product: '@sum', revenue: 0, note: 'line\nbreak' },
    ]
    expect(toCsv(['product', 'revenue', 'note'], rows)).toBe(
      'product,revenue,note\r\n' +
        `"'=HYPERLINK(""x"")",-3.5,\r\n` +
        `"Latte, large",4,'-dash\r\n` +
        `'@sum,0,"line\nbreak"\r\n`,
    )
  })
})

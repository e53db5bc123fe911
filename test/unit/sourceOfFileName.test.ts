import { describe, expect, it } from 'vitest'
import { IngestQuery, sourceOfFileName } from '../../server/contract.ts'

describe('sourceOfFileName', () => {
  it('makes any file name one the ingest API takes as ?source=', () => {
    expect(sourceOfFileName('sales day 1.csv')).toBe('sales day 1.csv')
    expect(sourceOfFileName('a\nb\u0007.csv')).toBe('ab.csv')
    expect(sourceOfFileName('x'.repeat(300))).toHaveLength(255)
    for (const name of ['sales day 1.csv', 'a\nb\u0007.csv', 'x'.repeat(300), 'é€.parquet']) {
      expect(IngestQuery.parse({ source: sourceOfFileName(name) }).source).toBe(sourceOfFileName(name))
    }
    expect(() => IngestQuery.parse({ source: 'x'.repeat(256) })).toThrow()
    expect(() => IngestQuery.parse({ source: 'a\nb' })).toThrow('control characters')
  })
})

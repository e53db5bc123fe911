import { describe, expect, it } from 'vitest'
import { uploadTypeOf } from '../../web/pages/data/UploadPanel.tsx'

describe('uploadTypeOf (dashboard upload)', () => {
  it.each([
    ['sales.csv', { mediaType: 'text/csv', gzip: false }],
    ['Sales.CSV.gz', { mediaType: 'text/csv', gzip: true }],
    ['lines.jsonl', { mediaType: 'application/x-ndjson', gzip: false }],
    ['rows.parquet', { mediaType: 'application/vnd.apache.parquet', gzip: false }],
    ['rows.arrows.gz', { mediaType: 'application/vnd.apache.arrow.stream', gzip: true }],
    ['tabs.tsv', null],
    ['notes.txt', null],
  ])('%s', (name, expected) => {
    expect(uploadTypeOf(name)).toEqual(expected)
  })
})

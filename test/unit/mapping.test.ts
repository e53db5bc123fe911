import { describe, expect, it } from 'vitest'
import { mappedSelect } from '../../pipelines/columnSql.ts'
import { listPresets, MappingError, parseMapping, resolveMapping } from '../../pipelines/mapping.ts'

describe('mappings', () => {
  it('ships valid presets for every public layout', () => {
    expect(listPresets().map((p) => [p.name, p.kind])).toEqual([
      ['asos-airports-hourly', 'weather'],
      ['card-transactions', 'transactions'],
      ['maven-coffee', 'transactions'],
      ['open-meteo-hourly', 'weather'],
    ])
  })

  it('never reads the card number or the cardholder position of the card layout', () => {
    const mapping = resolveMapping('transactions', 'card-transactions')
    const { stageColumns } = mappedSelect(['customer_id', 'store_id', 'transaction_id'], mapping)
    expect(stageColumns).toEqual(['first', 'last', 'dob', 'merchant', 'trans_num'])
    expect(mapping.ignore).toEqual(
      expect.arrayContaining(['cc_num', 'lat', 'long', 'merch_lat', 'merch_long']),
    )
  })

  it('turns renames, combinations, lookups, transforms and constants into bound SQL', () => {
    const mapping = parseMapping(
      JSON.stringify({
        name: 'pos',
        kind: 'weather',
        columns: {
          station_id: 'Station Name',
          observed_at: { from: ['day', 'hour'] },
          temperature_c: { from: 'temp', transform: 'fahrenheit_to_celsius' },
          lat: { from: 'Station Name', lookup: { JFK: '40.6' } },
          condition: { constant: 'clear' },
        },
      }),
      'pos.json',
    )
    const select = mappedSelect(['station_id', 'observed_at', 'temperature_c', 'lat', 'condition'], mapping)
    expect(select.stageColumns).toEqual(['Station Name', 'day', 'hour', 'temp'])
    expect(select.expressions.observed_at).toBe("concat(trim(`day`), ' ', trim(`hour`))")
    expect(select.expressions.condition).toBe('toNullable({m4_c:String})')
    expect(select.params).toEqual({ m3_k: ['JFK'], m3_v: ['40.6'], m4_c: 'clear' })
  })

  it.each([
    ['{', 'is not valid JSON'],
    ['{"name":"x","kind":"sales","columns":{}}', 'kind'],
    ['{"name":"x","kind":"weather","columns":{"station_id":"a`b"}}', 'backticks'],
    ['{"name":"x","kind":"weather","columns":{"station_id":"a"},"ignore":["a"]}', 'both read and ignored'],
  ])('refuses %s', (text, message) => {
    expect(() => parseMapping(text, 'm.json')).toThrow(MappingError)
    expect(() => parseMapping(text, 'm.json')).toThrow(message)
  })

  it('refuses a preset of another kind and names the presets when one is unknown', () => {
    expect(() => resolveMapping('weather', 'maven-coffee')).toThrow('is for transactions, not weather')
    expect(() => resolveMapping('weather', 'nope')).toThrow(
      'presets: asos-airports-hourly, card-transactions',
    )
  })
})

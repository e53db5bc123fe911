import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cardColumnSql } from '../../pipelines/rowChecks.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>

beforeAll(async () => {
  db = await createTestDb()
})

afterAll(async () => {
  await db.cleanup()
})

/** For each value, the column cardColumnSql finds it in ('product_id', or '' for none), run in the engine. */
async function verdicts(values: readonly string[]): Promise<Record<string, string>> {
  const found = await rows<{ value: string; card: string }>(
    db,
    `SELECT v AS value, arrayElement(['', 'w', 'product_id'], ${cardColumnSql(['w', 'v'])} + 1) AS card
     FROM (SELECT arrayJoin({values:Array(String)}) AS v, 'no card here' AS w)`,
    { values },
  )
  return Object.fromEntries(found.map((f) => [f.value, f.card]))
}

describe('card numbers in any field', () => {
  it('finds full card numbers of the networks, alone or written in groups', async () => {
    const cards = [
      '4111111111111111', // Visa, 16
      '4111 1111 1111 1111',
      '4111-1111-1111-1111',
      '378282246310005', // American Express, 15
      '5555555555554444', // Mastercard
      '6011111111111117', // Discover
      '30569309025904', // Diners Club, 14
      '4222222222016', // a 13-digit Visa number (Luhn valid, not a valid GS1 barcode)
      '6759649826438453', // Maestro
      'paid with 4111111111111111 today',
    ]
    expect(await verdicts(cards)).toEqual(Object.fromEntries(cards.map((c) => [c, 'product_id'])))
  })

  it('leaves barcodes, timestamps and other ids that pass the Luhn check by chance', async () => {
    const ids = [
      '4006381333023', // EAN-13 (German prefix 400) that also passes the Luhn check
      '5012345678023', // EAN-13 (UK prefix 50), Luhn valid too
      '9780306406164', // ISBN-13, Luhn valid too
      '1796107405526', // milliseconds since 1970, Luhn valid: no network issues 13 digits starting with 1
      'ab4111111111111111cd', // a digit run inside a longer token
      '4111111111111112', // fails the Luhn check
      '411111111111', // too short
    ]
    expect(await verdicts(ids)).toEqual(Object.fromEntries(ids.map((c) => [c, ''])))
  })
})

import { createHmac } from 'node:crypto'

/**
 * The pseudonym of a wallet's customer id: hex HMAC-SHA256 under the pseudonym key, first 32 characters,
 * exactly what ingest stores as customer_key for the same customer_id (pipelines/pseudonymKey.ts), so the
 * wallet user and the payer at the till are one person. The raw id goes no further than this function.
 */
export function customerKey(pseudonymKey: string, customer: string): string {
  return createHmac('sha256', pseudonymKey).update(customer).digest('hex').slice(0, 32)
}

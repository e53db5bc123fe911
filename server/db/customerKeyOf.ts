import { createHmac } from 'node:crypto'

/**
 * The pseudonym stored for a raw customer id: the first 32 hex characters of HMAC-SHA256(key, id), the
 * same value ingest computes in SQL (pipelines/pseudonymKey.ts customerKeySql; a test holds them equal).
 */
export function customerKeyOf(pseudonymKey: string, customerId: string): string {
  return createHmac('sha256', pseudonymKey).update(customerId).digest('hex').slice(0, 32)
}

import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * The key of the customer pseudonyms: PSEUDONYM_KEY when set, otherwise one generated once into
 * DATA_DIR/pseudonym-key (mode 0600) and reused, so the same customer keeps the same customer_key.
 */
export function loadPseudonymKey(configured: string | undefined, dataDir: string): string {
  if (configured) return configured
  const file = path.join(dataDir, 'pseudonym-key')
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim()
  fs.mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(32).toString('hex')
  fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' })
  return key
}

/**
 * HMAC-SHA256 split into its two padded keys (RFC 2104), hex: ClickHouse has SHA256 but no HMAC, so SQL
 * computes SHA256(opad || SHA256(ipad || message)), which is exactly HMAC-SHA256(key, message).
 */
export function hmacPads(key: string): { ipad: string; opad: string } {
  let k = Buffer.from(key, 'utf8')
  if (k.length > 64) k = createHash('sha256').update(k).digest()
  const block = Buffer.alloc(64)
  k.copy(block)
  const ipad = Buffer.from(block.map((b) => b ^ 0x36))
  const opad = Buffer.from(block.map((b) => b ^ 0x5c))
  return { ipad: ipad.toString('hex'), opad: opad.toString('hex') }
}

/** SQL for the customer_key of a Nullable(String) expression; needs params ipad and opad from hmacPads. */
export function customerKeySql(expr: string): string {
  return `if(isNull(${expr}), '', substring(lower(hex(SHA256(concat(unhex({opad:String}), SHA256(concat(unhex({ipad:String}), assumeNotNull(${expr}))))))), 1, 32))`
}
